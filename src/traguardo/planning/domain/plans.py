"""Opening a plan: empty, or as a copy of another plan of the authority.

A copy brings into the new year what a controllo di gestione officer would carry over by hand
(DESIGN.md §3, §5): annual cards become draft cards of the new year with their dates moved;
a multi-year objective still running reappears once, with its card and targets for the new
year; an objective that has ended stays behind. Whatever the copy had to guess is listed in
the ``CopyReport`` so that a person can check it in the editor.
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from traguardo.accounts.models import User
from traguardo.audit.log import log_action
from traguardo.core.domain import DomainError, require
from traguardo.core.formats import date_it
from traguardo.planning.models import Activity, Indicator, Objective, Plan, Target

# Fields of a scheda the copy carries as they are; year, span, position and series are decided.
OBJECTIVE_FIELDS = (
    "code", "title", "dup_goal_id", "dup_text", "unit_id", "unit_text", "responsible_id",
    "responsible_text", "involved_text", "expected_result", "notes", "strategic_level_id",
    "complexity_level_id", "kind_level_id",
)  # fmt: skip
INDICATOR_FIELDS = (
    "position", "weight", "name", "formula_text", "measure", "direction", "baseline",
    "baseline_text", "variation_percent", "grading_text", "grading_scale_id",
)  # fmt: skip
ACTIVITY_FIELDS = (
    "position", "weight", "title", "indicator_text", "expected_text", "grading_text",
    "grading_scale_id", "achieved_text",
)  # fmt: skip


@dataclass(frozen=True)
class ReportLine:
    """One scheda in the copy report; ``objective_id`` is the new card (None when skipped)."""

    code: str
    title: str
    years: str
    objective_id: int | None
    message: str = ""


@dataclass
class CopyReport:
    """What ``copy_plan`` did, for the page shown after the copy."""

    plan: Plan
    source: Plan
    copied: list[ReportLine] = field(default_factory=list)
    carried: list[ReportLine] = field(default_factory=list)
    skipped: list[ReportLine] = field(default_factory=list)
    attention: list[ReportLine] = field(default_factory=list)

    def as_session(self) -> dict:
        """Plain data for the session: the result page survives a reload; the copy does not."""
        return {
            "plan_id": self.plan.pk,
            "source_id": self.source.pk,
            **{
                name: [asdict(line) for line in getattr(self, name)]
                for name in ("copied", "carried", "skipped", "attention")
            },
        }


def create_plan(authority, *, actor: User, year: int, last_year: int, title: str = "") -> Plan:
    """Open an empty draft plan.

    1. the actor may open plans of the authority (admins);
    2. the year is free and the triennium is in order;
    3. the plan is written (a concurrent plan of the same year is refused, not overwritten).
    """
    require(actor, "planning.add_plan", authority)
    with transaction.atomic():
        plan = _new_plan(authority, year=year, last_year=last_year, title=title)
        log_action(actor=actor, action="plan.create", obj=plan, after=_plan_values(plan))
        return plan


def copy_plan(
    source: Plan, *, actor: User, year: int, last_year: int, title: str = ""
) -> CopyReport:
    """Open the plan of ``year`` as a draft copy of ``source``.

    1. the actor may open plans of the source's authority;
    2. the year is free and the triennium is in order;
    3. in one transaction: the new draft plan, then every scheda of the source in order —
       an annual card becomes a card of the new year, dates moved by whole years;
       a multi-year objective whose span covers the new year comes in once: its card for
       the new year if the source holds one, else its card with the targets of the new year
       (the latest year's, moved, when there are none); an objective that ended, and the
       other yearly cards of a multi-year objective, stay behind;
    4. the cards' ``series`` links are rebuilt inside the new plan where the head came too.
    Returns the report of what was copied, skipped, and what needs a person's attention.
    """
    require(actor, "planning.add_plan", source.authority)
    with transaction.atomic():
        plan = _new_plan(source.authority, year=year, last_year=last_year, title=title)
        report = _Copier(source, plan).run()
        log_action(
            actor=actor,
            action="plan.copy",
            obj=plan,
            after={
                **_plan_values(plan),
                "source": str(source),
                "source_id": source.pk,
                "copied": len(report.copied),
                "carried": len(report.carried),
                "skipped": len(report.skipped),
            },
        )
        return report


# -- the plan ------------------------------------------------------------------------------


def _new_plan(authority, *, year: int, last_year: int, title: str) -> Plan:
    if not 1900 <= year <= 9999:
        raise DomainError(_("Anno non valido."), field="year")
    if last_year < year:
        raise DomainError(
            _("L'ultimo anno del triennio non può precedere l'anno del piano."), field="last_year"
        )
    if Plan.objects.filter(authority=authority, year=year).exists():
        raise DomainError(year_taken_message(year), field="year")
    try:
        # A savepoint: another admin opening the same year meanwhile trips the constraint.
        with transaction.atomic():
            return Plan.objects.create(
                authority=authority,
                year=year,
                last_year=last_year,
                title=title.strip() or default_title(year),
                state=Plan.State.DRAFT,
            )
    except IntegrityError as error:
        raise DomainError(year_taken_message(year), field="year") from error


def _plan_values(plan: Plan) -> dict:
    return {"year": plan.year, "last_year": plan.last_year, "title": plan.title}


def default_title(year: int) -> str:
    return _("Piano %(year)s") % {"year": year}


def year_taken_message(year: int) -> str:
    return _("Esiste già un piano per il %(year)s.") % {"year": year}


# -- the copy ------------------------------------------------------------------------------


class _Copier:
    def __init__(self, source: Plan, plan: Plan) -> None:
        self.source = source
        self.plan = plan
        self.year = plan.year
        self.report = CopyReport(plan=plan, source=source)
        self.copies: dict[int, Objective] = {}  # source objective id → new objective

    def run(self) -> CopyReport:
        objectives = list(
            self.source.objectives.order_by("position").prefetch_related(
                "areas",
                "involved_units",
                Prefetch(
                    "indicators",
                    queryset=Indicator.objects.prefetch_related(
                        Prefetch("targets", queryset=Target.objects.order_by("year", "kind"))
                    ),
                ),
                "activities",
            )
        )
        chosen = self._choose(objectives)
        for position, objective in enumerate(chosen, start=1):
            if objective.is_multi_year:
                self._carry(objective, position)
            else:
                self._copy_annual(objective, position)
        self._link_series(chosen)
        return self.report

    def _choose(self, objectives: list[Objective]) -> list[Objective]:
        """The source cards that come into the new plan, in the source's order."""
        series: dict[int, list[Objective]] = {}
        for objective in objectives:
            if objective.is_multi_year:
                series.setdefault(objective.series_id or objective.pk, []).append(objective)
        chosen: list[Objective] = []
        for objective in objectives:
            if not objective.is_multi_year:
                chosen.append(objective)
                continue
            group = series[objective.series_id or objective.pk]
            pick = self._pick(group)
            if pick is objective:
                chosen.append(objective)
            else:
                self._skip(objective, self._why_not(objective, pick))
        return chosen

    def _pick(self, group: list[Objective]) -> Objective | None:
        """The one card of a multi-year objective that comes in, or None if it is not running."""
        first = min(c.first_year for c in group)
        last = max(c.last_year for c in group)
        if not first <= self.year <= last:
            return None
        for objective in group:
            if objective.year == self.year:
                return objective
        earlier = [c for c in group if c.year < self.year]
        return max(earlier, key=lambda c: c.year) if earlier else min(group, key=lambda c: c.year)

    def _why_not(self, objective: Objective, pick: Objective | None) -> str:
        if pick is not None:
            return _(
                "Scheda del %(year)s dell'obiettivo pluriennale: nel nuovo piano entra la "
                "scheda del %(picked)s."
            ) % {"year": objective.year, "picked": pick.year}
        if objective.last_year < self.year:
            return _("Obiettivo pluriennale concluso nel %(year)s.") % {"year": objective.last_year}
        return _("Obiettivo pluriennale che inizia nel %(year)s.") % {"year": objective.first_year}

    # -- one card ------------------------------------------------------------------------

    def _copy_annual(self, objective: Objective, position: int) -> None:
        """An annual card becomes the card of the new year; every date moves by whole years."""
        shift = self.year - objective.year
        new = self._objective(objective, position, first_year=self.year, last_year=self.year)
        targets = [
            (indicator, target, target.year + shift)
            for indicator in objective.indicators.all()
            for target in indicator.targets.all()
        ]
        self._rows(objective, new, targets, shift_activity=lambda _a: shift)
        for indicator, target, year in targets:
            due = _shift(target.due_date, year - target.year)
            words = {
                "n": indicator.position,
                "kind": target.get_kind_display().lower(),
                "due": date_it(due),
                "old": target.year,
                "year": year,
            }
            if due is not None and due.year != self.year:
                self._attention(
                    new,
                    _("Indicatore %(n)s: il %(kind)s scade il %(due)s, fuori dal %(year)s.")
                    % {**words, "year": self.year},
                )
            elif year != self.year:
                self._attention(
                    new,
                    _("Indicatore %(n)s: il %(kind)s era per il %(old)s, ora è per il %(year)s.")
                    % words,
                )
        self.report.copied.append(
            self._line(
                new,
                _("Indicatori: %(i)s; attività: %(a)s.")
                % {"i": len(objective.indicators.all()), "a": len(objective.activities.all())},
            )
        )

    def _carry(self, objective: Objective, position: int) -> None:
        """A running multi-year objective: its span stays, the card is the new year's.

        Targets of the new year and later come in as they are; past years' stay behind. An
        indicator without a target for the new year gets its latest year's, moved (noted).
        Activities that ended before the new year move by whole years (noted); the others
        are the objective's schedule and stay.
        """
        new = self._objective(
            objective, position, first_year=objective.first_year, last_year=objective.last_year
        )
        targets = []
        for indicator in objective.indicators.all():
            rows = list(indicator.targets.all())
            current = [t for t in rows if t.year >= self.year]
            if any(t.year == self.year for t in current):
                targets += [(indicator, t, t.year) for t in current]
                continue
            if not rows:
                continue
            earlier = [t.year for t in rows if t.year < self.year]
            origin = max(earlier) if earlier else min(t.year for t in rows)
            moved = [t for t in rows if t.year == origin]
            targets += [(indicator, t, self.year) for t in moved]
            targets += [(indicator, t, t.year) for t in current if t.year != origin]
            for target in moved:
                self._attention(
                    new,
                    _("Indicatore %(n)s: %(kind)s del %(new)s copiato da quello del %(old)s.")
                    % {
                        "n": indicator.position,
                        "kind": target.get_kind_display().lower(),
                        "new": self.year,
                        "old": origin,
                    },
                )
        shift = self.year - objective.year

        def shift_activity(activity: Activity) -> int:
            ended = activity.end_date or activity.start_date
            if shift > 0 and ended is not None and ended.year < self.year:
                message = ngettext(
                    "Attività %(n)s: tempi spostati di %(k)s anno (terminava nel %(y)s).",
                    "Attività %(n)s: tempi spostati di %(k)s anni (terminava nel %(y)s).",
                    shift,
                )
                self._attention(
                    new, message % {"n": activity.position, "k": shift, "y": ended.year}
                )
                return shift
            return 0

        written = self._rows(objective, new, targets, shift_activity=shift_activity)
        finals = [t for t in written if t.year == self.year and t.kind == Target.Kind.FINAL] or [
            t for t in written if t.year == self.year
        ]
        self.report.carried.append(self._line(new, self._targets_text(finals)))

    def _objective(
        self, objective: Objective, position: int, *, first_year: int, last_year: int
    ) -> Objective:
        new = Objective.objects.create(
            authority=self.plan.authority,
            plan=self.plan,
            position=position,
            year=self.year,
            first_year=first_year,
            last_year=last_year,
            **{name: getattr(objective, name) for name in OBJECTIVE_FIELDS},
        )
        new.involved_units.set([u.pk for u in objective.involved_units.all()])
        new.areas.set([a.pk for a in objective.areas.all()])
        self.copies[objective.pk] = new
        return new

    def _rows(
        self, objective: Objective, new: Objective, targets, *, shift_activity
    ) -> list[Target]:
        """Indicators, the chosen targets (moved to their new year) and activities."""
        indicators = {}
        for indicator in objective.indicators.all():
            indicators[indicator.pk] = Indicator(
                authority=new.authority,
                objective=new,
                **{name: getattr(indicator, name) for name in INDICATOR_FIELDS},
            )
        Indicator.objects.bulk_create(indicators.values())
        written = [
            self._target(indicators[indicator.pk], target, year)
            for indicator, target, year in targets
        ]
        Target.objects.bulk_create(written)
        activities = []
        for activity in objective.activities.all():
            years = shift_activity(activity)
            end_date = _shift(activity.end_date, years)
            activities.append(
                Activity(
                    authority=new.authority,
                    objective=new,
                    start_date=_shift(activity.start_date, years),
                    end_date=end_date,
                    # The editor's convention: the text stands in only for a missing date.
                    timing_text=activity.timing_text if end_date is None else "",
                    **{name: getattr(activity, name) for name in ACTIVITY_FIELDS},
                )
            )
        Activity.objects.bulk_create(activities)
        return written

    def _target(self, indicator: Indicator, target: Target, year: int) -> Target:
        due_date = _shift(target.due_date, year - target.year)
        if target.due_date is None:
            self._attention(
                indicator.objective,
                _("Indicatore %(n)s: il %(kind)s non ha una data («%(text)s»).")
                % {
                    "n": indicator.position,
                    "kind": target.get_kind_display().lower(),
                    "text": target.due_text or _("nessuna"),
                },
            )
        return Target(
            authority=indicator.authority,
            indicator=indicator,
            kind=target.kind,
            year=year,
            value=target.value,
            value_text=target.value_text,
            due_date=due_date,
            due_text=target.due_text if due_date is None else "",
        )

    def _link_series(self, chosen: list[Objective]) -> None:
        for objective in chosen:
            if objective.series_id is None:
                continue
            new = self.copies[objective.pk]
            head = self.copies.get(objective.series_id)
            if head is not None:
                new.series = head
                new.save(update_fields=["series"])
            else:
                self._attention(
                    new,
                    _(
                        "La prima scheda dell'obiettivo pluriennale resta nel %(plan)s: il "
                        "collegamento tra le annualità non è riportato nel nuovo piano."
                    )
                    % {"plan": self.source.title},
                )

    # -- the report ----------------------------------------------------------------------

    def _line(self, objective: Objective, message: str = "") -> ReportLine:
        return ReportLine(
            code=objective.code,
            title=objective.title,
            years=_years(objective),
            objective_id=objective.pk if objective.plan_id == self.plan.pk else None,
            message=message,
        )

    def _skip(self, objective: Objective, reason: str) -> None:
        self.report.skipped.append(self._line(objective, reason))

    def _attention(self, objective: Objective, message: str) -> None:
        self.report.attention.append(self._line(objective, message))

    def _targets_text(self, targets: list[Target]) -> str:
        if not targets:
            return _("Nessun livello atteso per il %(year)s.") % {"year": self.year}
        parts = []
        for target in targets:
            words = [
                _("indicatore %(n)s:") % {"n": target.indicator.position},
                target.get_kind_display().lower(),
            ]
            if target.value_text:
                words.append(f"«{target.value_text}»")
            if target.due_date:
                words.append(_("al %(due)s") % {"due": date_it(target.due_date)})
            elif target.due_text:
                words.append(target.due_text)
            parts.append(" ".join(words))
        return "; ".join(parts) + "."


def _years(objective: Objective) -> str:
    if objective.is_multi_year:
        return f"{objective.first_year}–{objective.last_year}"
    return str(objective.year)


def _in_year(day: date | None, year: int) -> date | None:
    """The same day and month in another year; 29 February becomes the 28th."""
    if day is None:
        return None
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def _shift(day: date | None, years: int) -> date | None:
    return _in_year(day, day.year + years) if day is not None else None
