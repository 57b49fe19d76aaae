"""Monitoring: the plan's dashboard (cruscotto), a scheda's Gantt, and "Le mie scadenze".

The numbers come from ``plan_pages`` (the engine's results, computed once per plan) and the
dates from ``plan_deadlines``; these views only sort them into what each page shows.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from traguardo.accounts.rules import covered_units
from traguardo.core.tenancy import tenant_view
from traguardo.monitoring.deadlines import (
    Deadline,
    deadlines_as_of,
    plan_deadlines,
    situation_text,
)
from traguardo.monitoring.models import Measurement
from traguardo.organization.models import Person
from traguardo.planning.asof import AsOf
from traguardo.planning.models import Objective, Plan
from traguardo.planning.queries import load_for_scoring
from traguardo.planning.rulebook import plan_rules
from traguardo.planning.scores import score_objectives
from traguardo.planning.states import activity_row_state, coverage
from traguardo.reports.charts import Band, achievement_distribution, band, gantt, unit_bars
from traguardo.reports.relazione import unit_tree
from traguardo.reports.scheda import CardView, plan_pages
from traguardo.scoring import Status

DEFAULT_DAYS = 30
MAX_DAYS = 365


@dataclass(frozen=True)
class DeadlineRow:
    deadline: Deadline
    plan: Plan
    days: int  # days late for an overdue deadline, days left for one still to come

    @property
    def today(self) -> bool:
        """The days are counted from today (else from the plan's as-of date, in the past):
        only then do "oggi" and "tra N giorni" read true."""
        return self.deadline.on == timezone.localdate()


@dataclass(frozen=True)
class LightRow:
    card: CardView
    band: Band


@tenant_view("monitoring.view_dashboard")
@require_safe
def plan_dashboard(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    page = plan_pages(plan)
    when = page.scores.as_of
    thresholds = plan_rules(plan).thresholds
    days = _days(request)
    deadlines = plan_deadlines(plan, [row.objective for row in page.rows], scores=page.scores)
    lights = [
        LightRow(card=row, band=band(row.result and row.result.achievement, **thresholds))
        for row in page.rows
    ]
    due_rows = [row for row in page.rows if not _not_due(row)]
    units, levels = unit_tree(page.scores.result.units)
    result = page.scores.result
    context = {
        "plan": plan,
        "page": page,
        "period": page.scores.period,
        "as_of": when,
        "situation": situation_text(when),
        "authority_result": result.authority,
        "authority_coverage": coverage(result.authority, when),
        "authority_band": band(result.authority.achievement, **thresholds),
        "lights": lights,
        "not_due_count": len(page.rows) - len(due_rows),
        "distribution": achievement_distribution(
            [row.result.achievement if row.result else None for row in due_rows], **thresholds
        ),
        "unit_chart": unit_bars(
            [(unit.name, result.units[unit.pk].achievement) for unit in units],
            levels=levels,
            **thresholds,
        ),
        "unit_coverage": [(unit, coverage(result.units[unit.pk], when)) for unit in units],
        "overdue": [DeadlineRow(d, plan, d.days_late()) for d in deadlines if d.is_overdue()],
        "upcoming": [
            DeadlineRow(d, plan, d.days_left()) for d in deadlines if d.is_upcoming(None, days)
        ],
        "days": days,
        "thresholds": thresholds,
        "people": _people(result.people, thresholds, when),
    }
    return render(request, "web/dashboard.html", context)


def _not_due(card: CardView) -> bool:
    return card.result is not None and card.result.status == Status.NOT_DUE


def _people(aggregates: dict, thresholds: dict, when: AsOf) -> list[dict]:
    """The results of each responsible person (DESIGN.md §4.3): internal, never public."""
    people = Person.objects.in_bulk([key for key in aggregates if key is not None])
    return [
        {
            "person": people[key],
            "result": aggregate,
            "band": band(aggregate.achievement, **thresholds),
            "coverage": coverage(aggregate, when),
        }
        for key, aggregate in sorted(
            aggregates.items(), key=lambda item: str(people.get(item[0], ""))
        )
        if key in people
    ]


@tenant_view("monitoring.view_dashboard")
@require_safe
def objective_gantt(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    objective = get_object_or_404(
        Objective.objects.select_related("plan", "unit"), plan__year=year, pk=pk
    )
    [scored] = load_for_scoring(Objective.objects.filter(pk=objective.pk))
    scores = score_objectives(objective.plan, [scored])
    when = scores.as_of
    result = scores.result.objectives.get(objective.pk)
    results = {r.key: r for r in result.activities} if result else {}
    activities = sorted(scored.activities.all(), key=lambda a: a.position)
    completed = (
        dict(
            Measurement.objects.filter(period=when.period, activity__in=activities).values_list(
                "activity_id", "completed_on"
            )
        )
        if when.period
        else {}
    )
    done = {
        a.pk: completed.get(a.pk) for a in activities if a.pk in results and results[a.pk].completed
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
def my_deadlines(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    days = _days(request)
    mine = Q(unit_id__in=covered_units(membership))
    if membership.person_id:
        mine |= Q(responsible_id=membership.person_id)
    plans = {
        plan.pk: plan
        for plan in Plan.objects.exclude(
            state__in=(Plan.State.CLOSED, Plan.State.VALIDATED)
        ).prefetch_related("periods")
    }
    objectives = load_for_scoring(
        Objective.objects.filter(mine, plan_id__in=plans).order_by("plan__year", "position")
    )
    by_plan: dict[int, list[Objective]] = {}
    for objective in objectives:
        by_plan.setdefault(objective.plan_id, []).append(objective)
    overdue, upcoming, later = [], [], []
    situations = []
    for plan_id, plan_objectives in by_plan.items():
        plan = plans[plan_id]
        deadlines = deadlines_as_of(plan, plan_objectives)
        if deadlines:
            situations.append((plan, situation_text(deadlines[0].as_of)))
        for d in deadlines:
            if d.is_overdue():
                overdue.append(DeadlineRow(d, plan, d.days_late()))
            elif d.is_upcoming(None, days):
                upcoming.append(DeadlineRow(d, plan, d.days_left()))
            elif d.done_on is None and not d.settled and d.days_left() > 0:
                later.append(DeadlineRow(d, plan, d.days_left()))
    context = {
        "overdue": _by_date(overdue),
        "upcoming": _by_date(upcoming),
        "later": _by_date(later),
        "days": days,
        "has_objectives": bool(objectives),
        "situations": situations,
    }
    return render(request, "web/dashboard_my_deadlines.html", context)


def _days(request: HttpRequest) -> int:
    """?giorni=N, the window of the upcoming deadlines, kept within 1–365."""
    try:
        days = int(request.GET.get("giorni", DEFAULT_DAYS))
    except ValueError:
        return DEFAULT_DAYS
    return min(max(days, 1), MAX_DAYS)


def _by_date(rows: list[DeadlineRow]) -> list[DeadlineRow]:
    return sorted(
        rows, key=lambda r: (r.deadline.due_on, r.plan.year, r.deadline.objective.position)
    )


urlpatterns = [
    path("piani/<int:year>/cruscotto/", plan_dashboard, name="plan_dashboard"),
    path("piani/<int:year>/cruscotto/gantt/<int:pk>/", objective_gantt, name="objective_gantt"),
    path("scadenze/", my_deadlines, name="my_deadlines"),
]
