"""Whose deadlines are whose, the daily reminder e-mails and the private calendar feed.

A member's deadlines are those of the schede they are responsible for (``Objective.responsible``
is their Person) and, for managers and contributors, of the schede of the units they cover.
Plans that are closed or validated remind nobody. The deadlines of an authority are computed
once per plan and then filtered per member, so a run for a hundred users reads each plan once.
"""

import dataclasses
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from traguardo.accounts.models import CalendarToken, Membership, ReminderLog, Role, User
from traguardo.accounts.rules import covered_units
from traguardo.audit.log import log_action
from traguardo.core.formats import date_it
from traguardo.monitoring.deadlines import Deadline, deadlines_as_of
from traguardo.monitoring.ical import AllDayEvent, calendar
from traguardo.organization.models import Authority
from traguardo.planning.models import Objective, Plan

if TYPE_CHECKING:
    from traguardo.planning.kept import ObjectiveRef

FINISHED_PLAN_STATES = (Plan.State.CLOSED, Plan.State.VALIDATED)
UNIT_ROLES = (Role.MANAGER, Role.CONTRIBUTOR)


def authority_deadlines(authority: Authority, today: date) -> list[Deadline]:
    """Every deadline of the authority's running plans, by date, each seen as of its plan's
    as-of date on ``today`` (``planning.asof.as_of``)."""
    with scope(authority=authority):
        plans = (
            Plan.objects.exclude(state__in=FINISHED_PLAN_STATES)
            .select_related("authority")  # for the links: every objective knows its plan
            .prefetch_related("periods")
            .order_by("year")
        )
        found = [deadline for plan in plans for deadline in deadlines_as_of(plan, today=today)]
    return sorted(found, key=lambda d: d.due_on)  # stable: each plan's own order is kept


def concerns(membership: Membership) -> Callable[[Deadline], bool]:
    """Whether a deadline is the member's: their own schede, and their units' if they have any."""
    person_id = membership.person_id
    units: frozenset[int] = frozenset()
    if membership.role in UNIT_ROLES:
        with scope(authority=membership.authority_id):
            units = covered_units(membership)

    def test(deadline: Deadline) -> bool:
        objective = deadline.objective
        if person_id is not None and objective.responsible_id == person_id:
            return True
        return objective.unit_id in units

    return test


def known_on(deadline: Deadline, today: date) -> Deadline:
    """The deadline as it stood on ``today``: a completion recorded for a later day is not yet."""
    if deadline.done_on is not None and deadline.done_on > today:
        return dataclasses.replace(deadline, done_on=None, settled=False)
    return deadline


def deadlines_for_user(user: User, authority: Authority, today: date) -> list[Deadline]:
    """The user's deadlines in one authority, as of ``today`` (none without a membership)."""
    membership = (
        Membership.objects.select_related("person").filter(user=user, authority=authority).first()
    )
    if membership is None or not user.is_active:
        return []
    mine = concerns(membership)
    return [known_on(d, today) for d in authority_deadlines(authority, today) if mine(d)]


# -- what a deadline says -------------------------------------------------------------------


def scheda_name(objective: "Objective | ObjectiveRef") -> str:
    return f"{objective.code} – {objective}" if objective.code else str(objective)


def subject_name(deadline: Deadline) -> str:
    """Indicatore / Indicatore (livello intermedio) / Attività."""
    if deadline.kind == "activity":
        return _("Attività")
    return _("Indicatore (livello intermedio)") if deadline.intermediate else _("Indicatore")


def days_text(days: int) -> str:
    return _("1 giorno") if days == 1 else _("%(n)d giorni") % {"n": days}


def late_text(deadline: Deadline, today: date) -> str:
    """How late an overdue deadline is, as of its plan's date (DESIGN.md §4.7): "in ritardo
    di N giorni" counts to today only while the period is open and its date not yet past;
    otherwise the text names the date the days are counted to, and a closed period says so."""
    when = deadline.as_of
    days = days_text(deadline.days_late())
    if when is None or (when.live and when.on == today):
        return _("in ritardo di %(days)s") % {"days": days}
    if when.final and when.period is not None:
        return _(
            "non completata al %(date)s (%(period)s, chiuso): %(days)s di ritardo a quella data"
        ) % {
            "date": date_it(when.on),
            "period": when.period.name,
            "days": days,
        }
    return _("in ritardo di %(days)s al %(date)s") % {"days": days, "date": date_it(when.on)}


def state_text(deadline: Deadline, today: date) -> str:
    if deadline.done_on is not None:
        late = deadline.days_late()
        done = _("completata il %(date)s") % {"date": date_it(deadline.done_on)}
        return done + (_(", con %(days)s di ritardo") % {"days": days_text(late)} if late else "")
    if deadline.settled:
        return _("rilevazione registrata")
    if deadline.is_overdue():
        return late_text(deadline, today)
    when = deadline.as_of
    if when is not None and when.on < deadline.due_on <= today:
        return _("non ancora dovuta al %(date)s") % {"date": date_it(when.on)}
    return _("da completare")


def _scheda(deadline: Deadline) -> Objective:
    """The scheda of an authority's deadline: read from the models (``deadlines_as_of``),
    never a kept plan's row, which has no authority to link with."""
    if not isinstance(deadline.objective, Objective):
        raise TypeError("a reminder's deadline holds its scheda, not a kept row")
    return deadline.objective


def objective_link(base_url: str, objective: Objective) -> str:
    """The scheda's address, when the site's address is known (blank otherwise)."""
    if not base_url:
        return ""
    path = reverse(
        "objective_detail", kwargs={"authority": objective.plan.authority.slug, "pk": objective.pk}
    )
    return base_url.rstrip("/") + path


# -- reminder e-mails -----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of a reminder: the deadline, how late it is, where to see it."""

    deadline: Deadline
    days_late: int
    link: str
    late: str = ""  # "in ritardo di 148 giorni", with the date when it is not today

    @property
    def scheda(self) -> str:
        return scheda_name(self.deadline.objective)

    @property
    def subject(self) -> str:
        return subject_name(self.deadline)


@dataclass(frozen=True)
class Section:
    authority: Authority
    overdue: list[Entry]
    upcoming: list[Entry]


@dataclass(frozen=True)
class Reminder:
    user: User
    address: str
    subject: str
    body: str
    overdue: int
    upcoming: int

    @property
    def digest_hash(self) -> str:
        """The message as sent: any change (a new overdue item, one completed) changes it."""
        text = "\n".join((self.address, self.subject, self.body))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Outcome:
    sent: int = 0
    already_sent: int = 0
    empty: int = 0
    reminders: list[Reminder] = dataclasses.field(default_factory=list)


def _address(memberships: list[Membership]) -> str:
    """The user's e-mail, else the one of the Person their membership names."""
    candidates = [memberships[0].user.email]
    candidates += [m.person.email for m in memberships if m.person is not None]
    return next((address for address in candidates if address), "")


def _section(
    membership: Membership, deadlines: list[Deadline], today: date, days: int, base_url: str
) -> Section:
    mine = concerns(membership)
    overdue, upcoming = [], []
    for deadline in deadlines:
        if not mine(deadline):
            continue
        deadline = known_on(deadline, today)
        entry = Entry(
            deadline,
            deadline.days_late(),
            objective_link(base_url, _scheda(deadline)),
            late_text(deadline, today),
        )
        if deadline.is_overdue():
            overdue.append(entry)
        elif deadline.is_upcoming(today, days):
            upcoming.append(entry)
    return Section(membership.authority, overdue, upcoming)


def _reminder(user: User, address: str, sections: list[Section], today: date, days: int):
    context = {
        "name": user.get_full_name() or user.username,
        "today": today,
        "until": today + timedelta(days=days),
        "sections": sections,
        "several": len(sections) > 1,
    }
    subject = render_to_string("monitoring/email/reminder_subject.txt", context)
    return Reminder(
        user=user,
        address=address,
        subject=" ".join(subject.split()),
        # One final newline, whatever the template file ends with.
        body=render_to_string("monitoring/email/reminder_body.txt", context).rstrip() + "\n",
        overdue=sum(len(s.overdue) for s in sections),
        upcoming=sum(len(s.upcoming) for s in sections),
    )


def build_reminders(today: date, days: int) -> tuple[list[Reminder], int]:
    """The reminder of every active member with an e-mail; and how many had nothing due."""
    base_url = getattr(settings, "BASE_URL", "")
    memberships: dict[int, list[Membership]] = {}
    for membership in (
        Membership.objects.filter(user__is_active=True)
        .select_related("user", "person", "authority")
        .order_by("user__username", "authority__name")
    ):
        memberships.setdefault(membership.user_id, []).append(membership)
    by_authority: dict[int, list[Deadline]] = {}
    reminders, empty = [], 0
    for own in memberships.values():
        address = _address(own)
        if not address:
            continue
        sections = []
        for membership in own:
            if membership.authority_id not in by_authority:
                by_authority[membership.authority_id] = authority_deadlines(
                    membership.authority, today
                )
            deadlines = by_authority[membership.authority_id]
            section = _section(membership, deadlines, today, days, base_url)
            if section.overdue or section.upcoming:
                sections.append(section)
        if sections:
            reminders.append(_reminder(own[0].user, address, sections, today, days))
        else:
            empty += 1
    return reminders, empty


def send_reminders(*, today: date, days: int, dry_run: bool = False) -> Outcome:
    """Send each member their reminder, unless the same one already went out on ``today``.

    Safe to run more than once a day: what was sent is logged by its digest, after sending,
    so a failed send is tried again on the next run and a changed digest is sent again.
    """
    reminders, empty = build_reminders(today, days)
    outcome = Outcome(empty=empty)
    sent_today = set(ReminderLog.objects.filter(day=today).values_list("user_id", "digest_hash"))
    due = [r for r in reminders if (r.user.pk, r.digest_hash) not in sent_today]
    outcome.already_sent = len(reminders) - len(due)
    outcome.reminders = due
    if dry_run:
        outcome.sent = len(due)  # what would be sent
        return outcome
    if due:
        with get_connection() as connection:
            for reminder in due:
                EmailMessage(
                    reminder.subject, reminder.body, to=[reminder.address], connection=connection
                ).send()
                ReminderLog.objects.get_or_create(
                    user=reminder.user, day=today, digest_hash=reminder.digest_hash
                )
                outcome.sent += 1
    return outcome


# -- calendar feed --------------------------------------------------------------------------


def deadline_event(deadline: Deadline, today: date, base_url: str) -> AllDayEvent:
    lines = [
        _("Scheda: %(scheda)s") % {"scheda": scheda_name(deadline.objective)},
        f"{subject_name(deadline)}: {deadline.label}",
        _("Stato: %(state)s") % {"state": state_text(deadline, today)},
    ]
    return AllDayEvent(
        uid=f"{deadline.uid}@traguardo",
        day=deadline.due_on,
        summary=_("Scadenza: %(label)s") % {"label": deadline.label},
        description="\n".join(lines),
        url=objective_link(base_url, _scheda(deadline)),
    )


def calendar_feed(
    user: User, authority: Authority, *, today: date, now: datetime, base_url: str = ""
) -> str:
    """The user's deadlines in the authority as an iCalendar text."""
    deadlines = deadlines_for_user(user, authority, today)
    return calendar(
        (deadline_event(d, today, base_url) for d in deadlines),
        name=_("Scadenze – %(authority)s") % {"authority": authority.name},
        stamp=now,
    )


def issue_calendar_token(user: User, authority: Authority) -> str:
    """A new private feed link for the member; the previous one stops working.

    Returns the token itself, which is not stored (only its hash is): show it once.
    """
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        revoke_calendar_tokens(user, authority)
        created = CalendarToken.objects.create(
            user=user, authority=authority, token_hash=CalendarToken.digest(token)
        )
        log_action(actor=user, action="calendar_token.create", obj=created, authority=authority)
    return token


def revoke_calendar_tokens(user: User, authority: Authority) -> int:
    """Stop the member's feed link; how many were active (0 or 1)."""
    with transaction.atomic():
        active = CalendarToken.objects.active().filter(user=user, authority=authority)
        revoked = active.update(revoked_at=timezone.now())
        if revoked:
            log_action(
                actor=user,
                action="calendar_token.revoke",
                authority=authority,
                after={"revoked": revoked},
            )
    return revoked


def calendar_token_owner(token: str) -> CalendarToken | None:
    """The active link with this token, if its user is still an active member."""
    found = (
        CalendarToken.objects.active()
        .select_related("user", "authority")
        .filter(token_hash=CalendarToken.digest(token))
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    if not Membership.objects.filter(user=found.user, authority=found.authority).exists():
        return None
    return found
