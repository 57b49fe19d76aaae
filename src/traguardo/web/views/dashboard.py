"""Monitoring: the plan's dashboard (cruscotto), a scheda's Gantt, and "Le mie scadenze".

Every figure comes from the plan's kept results (``planning.kept.kept_plan``: the engine's
results, one light row per scheda and every deadline, computed once per change of the data),
so a request costs the same few queries and a few milliseconds whatever the size of the plan.
The pages open with the summaries, then list schede and deadlines a page at a time
(``web.paging``), filtered and sorted on the server; these views only sort and count.

Several lists share a page, and one ``?pagina=N``: ``?elenco=…`` names the list it pages (the
others show their first page and a link to the next). Rows are cheap: no include and no
``{% url %}`` per row, the links are one base URL with the id appended.
"""

import functools
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from traguardo.accounts.models import Membership
from traguardo.core.formats import date_it, percent, status_label
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import tenant_view
from traguardo.monitoring.deadlines import Deadline, situation_text
from traguardo.monitoring.models import Measurement
from traguardo.organization.models import OrgUnit
from traguardo.planning.kept import KeptPlan, KeptRow, kept_plan
from traguardo.planning.models import Activity, Objective, Plan
from traguardo.planning.rulebook import Thresholds
from traguardo.planning.states import activity_row_state, coverage
from traguardo.reports.charts import Band, achievement_distribution, band, gantt, unit_bars
from traguardo.reports.relazione import unit_tree
from traguardo.reports.scheda import scheda_page
from traguardo.scoring import Status
from traguardo.web.fragments import fragment_key
from traguardo.web.paging import PER_PAGE, paginate

DEFAULT_DAYS = 30
MAX_DAYS = 365
LIST = "elenco"  # which list ?pagina= pages, when a page has several
# A pk no real row has, replaced by each row's id in a URL reversed once per page.
_PK = 987654321

# The band filter of the traffic-light list: the four bands and "not yet due".
NOT_DUE = "not_due"
BANDS = {
    Band.GREEN.value: _("verde"),
    Band.AMBER.value: _("giallo"),
    Band.RED.value: _("rosso"),
    Band.UNMEASURED.value: _("non misurata"),
    NOT_DUE: _("non ancora dovuta"),
}
SORTS = {
    "": _("ordine del piano (unità, poi scheda)"),
    "risultato": _("raggiungimento, dal più basso"),
    "-risultato": _("raggiungimento, dal più alto"),
}


@dataclass(frozen=True)
class DeadlineRow:
    deadline: Deadline
    plan: Plan
    days: int  # days late for an overdue deadline, days left for one still to come
    late: bool = False

    @property
    def today(self) -> bool:
        """The days are counted from today (else from the plan's as-of date, in the past):
        only then do "oggi" and "tra N giorni" read true."""
        return self.deadline.on == timezone.localdate()

    @property
    def kind_label(self) -> str:
        if self.deadline.kind == "activity":
            return gettext("attività")
        if self.deadline.intermediate:
            return gettext("indicatore, livello intermedio")
        return gettext("indicatore")

    @property
    def when_text(self) -> str:
        """«5 giorni di ritardo», «tra 10 giorni», «scade oggi»; counted from the plan's
        as-of date when it is not today, and then said so."""
        n, today = self.days, self.today
        day = date_it(self.deadline.on)
        if self.late:
            text = ngettext("%(n)d giorno di ritardo", "%(n)d giorni di ritardo", n) % {"n": n}
            return text if today else text + " " + gettext("al %(date)s") % {"date": day}
        if not today:
            if n == 0:
                return gettext("scade il %(date)s, data della situazione") % {"date": day}
            return ngettext("%(n)d giorno dopo il %(date)s", "%(n)d giorni dopo il %(date)s", n) % {
                "n": n,
                "date": day,
            }
        if n == 0:
            return gettext("scade oggi")
        return ngettext("tra %(n)d giorno", "tra %(n)d giorni", n) % {"n": n}


@dataclass(frozen=True)
class LightRow:
    """A scheda's row of the traffic-light list, its cells worded once per kept plan."""

    card: KeptRow
    band: Band
    key: str  # the band's value, or NOT_DUE
    band_label: str
    result: str  # «76,00%», «non misurato»…
    note: str  # the result's status beside a figure («parziale»), or ""
    muted: bool  # no figure: the words are shown muted
    forced: bool
    signals: str  # «1 errore, 2 avvisi», «Nessuna»

    @classmethod
    def of(cls, row: KeptRow, thresholds: Thresholds) -> "LightRow":
        result = row.result
        achievement = result.achievement if result is not None else None
        light_band = band(achievement, **thresholds)
        if row.not_due:
            key, label = NOT_DUE, str(BANDS[NOT_DUE])
            text, note, muted = label, "", True
        elif result is not None and achievement is not None:
            key, label = light_band.value, light_band.label
            text, muted = percent(achievement), False
            note = status_label(result.status) if result.status != Status.MEASURED else ""
        else:
            key, label = light_band.value, light_band.label
            note, muted = "", True
            if result is not None and result.status in (Status.EXCLUDED, Status.NOT_MEASURABLE):
                text = status_label(result.status)
            else:
                text = gettext("non misurato")
        return cls(
            card=row,
            band=light_band,
            key=key,
            band_label=label,
            result=text,
            note=note,
            muted=muted,
            forced=row.forced,
            signals=_signals(len(row.errors), len(row.warnings)),
        )


def _signals(errors: int, warnings: int) -> str:
    parts = []
    if errors:
        parts.append(ngettext("%(n)d errore", "%(n)d errori", errors) % {"n": errors})
    if warnings:
        parts.append(ngettext("%(n)d avviso", "%(n)d avvisi", warnings) % {"n": warnings})
    return ", ".join(parts) or gettext("Nessuna")


@dataclass(frozen=True)
class Digest:
    """What the cruscotto shows of a kept plan whatever the request asks: computed once per
    kept plan (per data version and day), so a request only filters and pages."""

    lights: list[LightRow]
    counts: Counter
    error_count: int
    unit_choices: list[tuple[str, str]]
    people: list[dict]
    overdue: list[Deadline]
    due_dates: list[date]  # of kept.deadlines, in their order (by date): for the windows
    distribution: object
    unit_chart: object
    unit_coverage: list

    def upcoming(self, kept: KeptPlan, days: int) -> list[Deadline]:
        """``kept.upcoming(days)`` without walking every deadline: the dates are sorted."""
        on = kept.as_of.on
        low = bisect_left(self.due_dates, on)
        high = bisect_right(self.due_dates, on + timedelta(days=days))
        return [d for d in kept.deadlines[low:high] if d.done_on is None and not d.settled]


def _digest(kept: KeptPlan) -> Digest:
    return kept.derived(("dashboard", get_language()), lambda: _make_digest(kept))


def _make_digest(kept: KeptPlan) -> Digest:
    thresholds = kept.scores.rules.thresholds
    result = kept.scores.result
    lights = [LightRow.of(row, thresholds) for row in kept.rows]
    units, levels = unit_tree(result.units)
    on = kept.as_of.on
    return Digest(
        lights=lights,
        counts=Counter(light.key for light in lights),
        error_count=sum(1 for row in kept.rows if row.errors),
        unit_choices=_unit_choices(kept.rows),
        people=_people(kept, thresholds),
        overdue=[
            d for d in kept.deadlines if d.due_on < on and d.done_on is None and not d.settled
        ],
        due_dates=[d.due_on for d in kept.deadlines],
        distribution=achievement_distribution(
            [
                light.card.result.achievement if light.card.result else None
                for light in lights
                if light.key != NOT_DUE
            ],
            **thresholds,
        ),
        unit_chart=unit_bars(
            [(unit.name, result.units[unit.pk].achievement) for unit in units],
            levels=levels,
            **thresholds,
        ),
        unit_coverage=[(unit, coverage(result.units[unit.pk], kept.as_of)) for unit in units],
    )


@dataclass(frozen=True)
class Listing:
    """One list of a page: the page of it shown, whether ``?pagina=`` pages it."""

    name: str
    page: Page
    focused: bool

    @property
    def count(self) -> int:
        return self.page.paginator.count


def _listing(request: HttpRequest, name: str, rows: Sequence, default: str) -> Listing:
    focused = request.GET.get(LIST, default) == name
    if focused:
        return Listing(name, paginate(request, rows), True)
    return Listing(name, Paginator(rows, PER_PAGE).get_page(1), False)


def _link_base(name: str, *args) -> tuple[str, str]:
    """A URL reversed once, split where the row's id goes: prefix + str(pk) + suffix."""
    url = reverse(name, args=[*args, _PK])
    prefix, suffix = url.split(str(_PK))
    return prefix, suffix


def _deadline_rows(listing: Listing, plans: dict[int, Plan], late: bool) -> Listing:
    """The shown page's deadlines as rows (only those: a plan may have thousands)."""
    listing.page.object_list = [
        DeadlineRow(d, plans[d.objective.plan_id], d.days_late() if late else d.days_left(), late)
        for d in listing.page.object_list
    ]
    return listing


@tenant_view("monitoring.view_dashboard")
@require_safe
def plan_dashboard(request: TenantRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    kept = kept_plan(plan)
    digest = _digest(kept)
    when = kept.as_of
    result = kept.scores.result
    thresholds = kept.scores.rules.thresholds
    days = _days(request)
    chosen = _filters(request, digest)
    plans = {plan.pk: plan}
    context = {
        # The page is the same for every member: its content is rendered once per kept plan
        # and query (web.fragments), and the lists below are read only on a miss.
        "fragment_key": fragment_key(kept.key, request),
        "plan": plan,
        "period": kept.period,
        "as_of": when,
        "situation": situation_text(when),
        "authority_result": result.authority,
        "authority_coverage": kept.coverage(),
        "authority_band": band(result.authority.achievement, **thresholds),
        "schede_count": len(digest.lights),
        "band_counts": [(key, label, digest.counts[key]) for key, label in BANDS.items()],
        "error_count": digest.error_count,
        "not_due_count": digest.counts[NOT_DUE],
        "distribution": digest.distribution,
        "unit_chart": digest.unit_chart,
        "unit_coverage": digest.unit_coverage,
        "lights": SimpleLazyObject(
            lambda: _listing(request, "schede", _filtered(digest.lights, chosen), "schede")
        ),
        "filters": chosen,
        "filtered": any(chosen[key] for key in ("unita", "fascia")),
        "unit_choices": digest.unit_choices,
        "band_choices": BANDS,
        "sort_choices": SORTS,
        "overdue": SimpleLazyObject(
            lambda: _deadline_rows(
                _listing(request, "superate", digest.overdue, "schede"), plans, True
            )
        ),
        "upcoming": SimpleLazyObject(
            lambda: _deadline_rows(
                _listing(request, "in-arrivo", digest.upcoming(kept, days), "schede"),
                plans,
                False,
            )
        ),
        "days": days,
        "thresholds": thresholds,
        "people": SimpleLazyObject(
            lambda: _listing(request, "responsabili", digest.people, "schede")
        ),
        "detail_url": _link_base("objective_detail", request.authority.slug),
        "gantt_url": _link_base("objective_gantt", request.authority.slug, plan.year),
    }
    return render(request, "web/dashboard.html", context)


def _filters(request: HttpRequest, digest: Digest) -> dict:
    """The traffic-light list's filters as asked, a value not offered read as none."""
    unit = request.GET.get("unita", "")
    units = {value for value, _name in digest.unit_choices}
    fascia = request.GET.get("fascia", "")
    ordine = request.GET.get("ordine", "")
    return {
        "unita": unit if unit in units else "",
        "fascia": fascia if fascia in BANDS else "",
        "ordine": ordine if ordine in SORTS else "",
    }


def _filtered(lights: list[LightRow], chosen: dict) -> list[LightRow]:
    shown = lights
    if chosen["unita"]:
        unit = int(chosen["unita"])
        shown = [light for light in shown if light.card.objective.unit_id == unit]
    if chosen["fascia"]:
        shown = [light for light in shown if light.key == chosen["fascia"]]
    if chosen["ordine"]:
        # Schede without a figure (not measured, not yet due) come last either way.
        sign = -1 if chosen["ordine"].startswith("-") else 1
        measured = [light for light in shown if _achievement(light) is not None]
        others = [light for light in shown if _achievement(light) is None]
        measured.sort(key=lambda light: sign * _achievement(light))
        shown = measured + others
    return shown


def _achievement(light: LightRow):
    result = light.card.result
    return None if result is None or light.key == NOT_DUE else result.achievement


def _unit_choices(rows: Sequence[KeptRow]) -> list[tuple[str, str]]:
    """The responsible units of the plan's schede, in the plan's order."""
    seen: dict[str, str] = {}
    for row in rows:
        ref = row.objective
        if ref.unit_id is not None and str(ref.unit_id) not in seen:
            seen[str(ref.unit_id)] = ref.unit_name
    return list(seen.items())


def _people(kept: KeptPlan, thresholds: Thresholds) -> list[dict]:
    """The results of each responsible person (DESIGN.md §4.3): internal, never public."""
    names: dict[Hashable, str] = {
        row.objective.responsible_id: row.objective.responsible_name
        for row in kept.rows
        if row.objective.responsible_id is not None
    }
    return [
        {
            "person": names[key],
            "result": aggregate,
            "band": band(aggregate.achievement, **thresholds),
            "coverage": kept.coverage(aggregate),
        }
        for key, aggregate in sorted(
            kept.scores.result.people.items(), key=lambda item: names.get(item[0], "")
        )
        if key in names
    ]


@tenant_view("monitoring.view_dashboard")
@require_safe
def objective_gantt(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    objective = get_object_or_404(
        Objective.objects.select_related("plan", "unit"), plan__year=year, pk=pk
    )
    scheda = scheda_page(objective)  # a scheda costs a scheda (kept)
    when = scheda.as_of
    result = scheda.result
    results = {r.key: r for r in result.activities} if result else {}
    # The activities with the day each was completed in the period, in one query.
    completed_on = Measurement.objects.filter(period=when.period, activity=OuterRef("pk"))
    activities = list(
        Activity.objects.filter(objective=objective)
        .annotate(completed_on=Subquery(completed_on.values("completed_on")[:1]))
        .order_by("position")
    )
    done = {
        a.pk: a.completed_on if when.period else None
        for a in activities
        if a.pk in results and results[a.pk].completed
    }
    plan_start = date(objective.plan.year, 1, 1)
    chart = gantt(
        [
            (f"{a.position}. {a.title}", a.start_date, a.end_date, done.get(a.pk))
            for a in activities
        ],
        when.on,
        first_day=plan_start,
        # The bars and the data table say each activity's state in every other page's words.
        words=[activity_row_state(results.get(a.pk)).label for a in activities],
        live=when.live and when.on == timezone.localdate(),
    )
    context = {
        "plan": objective.plan,
        "objective": objective,
        "period": when.period,
        "as_of": when,
        "situation": situation_text(when),
        "plan_start": plan_start,
        "chart": chart if activities else None,
    }
    return render(request, "web/dashboard_gantt.html", context)


@tenant_view("monitoring.view_dashboard")
@require_safe
def my_deadlines(request: TenantRequest) -> HttpResponse:
    membership = request.membership
    days = _days(request)
    units = _covered_units(membership)
    person = membership.person_id

    def mine(ref) -> bool:
        return ref.unit_id in units or (person is not None and ref.responsible_id == person)

    plans = {
        plan.pk: plan
        for plan in Plan.objects.exclude(
            state__in=(Plan.State.CLOSED, Plan.State.VALIDATED)
        ).order_by("year")
    }
    kept = [(plan, kept_plan(plan)) for plan in plans.values()]

    @functools.cache
    def found() -> dict:
        overdue, upcoming, later = [], [], []
        situations = []
        has_objectives = False
        for plan, plan_kept in kept:
            objectives = {row.pk for row in plan_kept.rows if mine(row.objective)}
            if not objectives:
                continue
            has_objectives = True
            on = plan_kept.as_of.on
            limit = on + timedelta(days=days)
            any_deadline = False
            # As Deadline.is_overdue / is_upcoming say, with the plan's as-of date read once.
            for d in plan_kept.deadlines:
                if d.objective.pk not in objectives:
                    continue
                any_deadline = True
                if d.done_on is not None or d.settled:
                    continue
                if d.due_on < on:
                    overdue.append(d)
                elif d.due_on <= limit:
                    upcoming.append(d)
                else:
                    later.append(d)
            if any_deadline:
                situations.append((plan, situation_text(plan_kept.as_of)))
        default = "superate"
        return {
            "overdue": _deadline_rows(
                _listing(request, "superate", _by_date(overdue, plans), default), plans, True
            ),
            "upcoming": _deadline_rows(
                _listing(request, "in-arrivo", _by_date(upcoming, plans), default), plans, False
            ),
            "later": _deadline_rows(
                _listing(request, "piu-avanti", _by_date(later, plans), default), plans, False
            ),
            "has_objectives": has_objectives,
            "situations": situations,
        }

    context = {
        # The lists are the member's (his units, his person): rendered once per kept plans,
        # units, person and query (web.fragments), and computed only on a miss.
        "fragment_key": fragment_key(
            tuple(plan_kept.key for _plan, plan_kept in kept),
            request,
            sorted(units),
            person,
        ),
        **{
            name: _lazy(found, name)
            for name in ("overdue", "upcoming", "later", "situations", "has_objectives")
        },
        "days": days,
        "detail_url": _link_base("objective_detail", request.authority.slug),
    }
    return render(request, "web/dashboard_my_deadlines.html", context)


def _covered_units(membership) -> frozenset[int]:
    """``accounts.rules.covered_units`` in one query: the authority's unit tree, each unit
    marked when it is one of the member's (kept on the membership as that function keeps it)."""
    cached = getattr(membership, "_covered_units", None)
    if cached is not None:
        return cached
    own = Membership.units.through.objects.filter(
        membership_id=membership.pk, orgunit_id=OuterRef("pk")
    )
    tree = (
        OrgUnit.objects.with_scopes_disabled()
        .filter(authority_id=membership.authority_id)
        .annotate(own=Exists(own))
        .values_list("pk", "parent_id", "own")
    )
    children: dict[int | None, list[int]] = {}
    pending = []
    for pk, parent, is_own in tree:
        children.setdefault(parent, []).append(pk)
        if is_own:
            pending.append(pk)
    covered: set[int] = set()
    while pending:
        pk = pending.pop()
        if pk not in covered:
            covered.add(pk)
            pending.extend(children.get(pk, ()))
    membership._covered_units = frozenset(covered)
    return membership._covered_units


def _days(request: HttpRequest) -> int:
    """?giorni=N, the window of the upcoming deadlines, kept within 1–365."""
    try:
        days = int(request.GET.get("giorni", DEFAULT_DAYS))
    except ValueError:
        return DEFAULT_DAYS
    return min(max(days, 1), MAX_DAYS)


def _by_date(deadlines: list[Deadline], plans: dict[int, Plan]) -> list[Deadline]:
    """By date, then plan, then scheda. Each plan's deadlines come by date and scheda
    already, in plan order: a stable sort on date alone keeps the rest."""
    return sorted(deadlines, key=lambda d: d.due_on)


def _lazy(found: Callable[[], dict], name: str) -> SimpleLazyObject:
    """``found()[name]``, computed when the template first reads it."""
    return SimpleLazyObject(lambda: found()[name])


urlpatterns = [
    path("piani/<int:year>/cruscotto/", plan_dashboard, name="plan_dashboard"),
    path("piani/<int:year>/cruscotto/gantt/<int:pk>/", objective_gantt, name="objective_gantt"),
    path("scadenze/", my_deadlines, name="my_deadlines"),
]
