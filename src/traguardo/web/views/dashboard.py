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
from traguardo.monitoring.deadlines import Deadline, plan_deadlines
from traguardo.monitoring.models import Measurement
from traguardo.organization.models import Person
from traguardo.planning.asof import current_period
from traguardo.planning.models import Objective, Plan
from traguardo.planning.queries import objectives_for_scoring
from traguardo.planning.rulebook import plan_rules
from traguardo.reports.charts import Band, achievement_distribution, band, gantt, unit_bars
from traguardo.reports.relazione import unit_tree
from traguardo.reports.scheda import CardView, plan_pages

DEFAULT_DAYS = 30
MAX_DAYS = 365


@dataclass(frozen=True)
class DeadlineRow:
    deadline: Deadline
    plan: Plan
    days: int  # days late for an overdue deadline, days left for one still to come


@dataclass(frozen=True)
class LightRow:
    card: CardView
    band: Band


@tenant_view("monitoring.view_dashboard")
@require_safe
def plan_dashboard(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    page = plan_pages(plan)
    thresholds = plan_rules(plan).thresholds
    today = timezone.localdate()
    days = _days(request)
    deadlines = plan_deadlines(plan, [row.objective for row in page.rows])
    lights = [
        LightRow(card=row, band=band(row.result and row.result.achievement, **thresholds))
        for row in page.rows
    ]
    units, levels = unit_tree(page.scores.result.units)
    context = {
        "plan": plan,
        "page": page,
        "period": page.scores.period,
        "authority_result": page.scores.result.authority,
        "authority_band": band(page.scores.result.authority.achievement, **thresholds),
        "lights": lights,
        "distribution": achievement_distribution(
            [row.result.achievement if row.result else None for row in page.rows], **thresholds
        ),
        "unit_chart": unit_bars(
            [(unit.name, page.scores.result.units[unit.pk].achievement) for unit in units],
            levels=levels,
            **thresholds,
        ),
        "overdue": [
            DeadlineRow(d, plan, d.days_late(today)) for d in deadlines if d.is_overdue(today)
        ],
        "upcoming": [
            DeadlineRow(d, plan, (d.due_on - today).days)
            for d in deadlines
            if d.is_upcoming(today, days)
        ],
        "days": days,
        "thresholds": thresholds,
        "people": _people(page.scores.result.people, thresholds),
    }
    return render(request, "web/dashboard.html", context)


def _people(aggregates: dict, thresholds: dict) -> list[dict]:
    """The results of each responsible person (DESIGN.md §4.3): internal, never public."""
    people = Person.objects.in_bulk([key for key in aggregates if key is not None])
    return [
        {
            "person": people[key],
            "result": aggregate,
            "band": band(aggregate.achievement, **thresholds),
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
    activities = list(objective.activities.order_by("position"))
    period = current_period(objective.plan)
    done = (
        dict(
            Measurement.objects.filter(period=period, activity__in=activities).values_list(
                "activity_id", "completed_on"
            )
        )
        if period
        else {}
    )
    plan_start = date(objective.plan.year, 1, 1)
    chart = gantt(
        [
            (f"{a.position}. {a.title}", a.start_date, a.end_date, done.get(a.pk))
            for a in activities
        ],
        timezone.localdate(),
        first_day=plan_start,
    )
    context = {
        "plan": objective.plan,
        "objective": objective,
        "period": period,
        "plan_start": plan_start,
        "chart": chart if activities else None,
    }
    return render(request, "web/dashboard_gantt.html", context)


@tenant_view("monitoring.view_dashboard")
@require_safe
def my_deadlines(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    today = timezone.localdate()
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
    objectives = list(
        objectives_for_scoring(Objective.objects.filter(mine, plan_id__in=plans)).order_by(
            "plan__year", "position"
        )
    )
    by_plan: dict[int, list[Objective]] = {}
    for objective in objectives:
        by_plan.setdefault(objective.plan_id, []).append(objective)
    overdue, upcoming, later = [], [], []
    for plan_id, plan_objectives in by_plan.items():
        plan = plans[plan_id]
        for d in plan_deadlines(plan, plan_objectives):
            if d.is_overdue(today):
                overdue.append(DeadlineRow(d, plan, d.days_late(today)))
            elif d.is_upcoming(today, days):
                upcoming.append(DeadlineRow(d, plan, (d.due_on - today).days))
            elif d.done_on is None:
                later.append(DeadlineRow(d, plan, (d.due_on - today).days))
    context = {
        "overdue": _by_date(overdue),
        "upcoming": _by_date(upcoming),
        "later": _by_date(later),
        "days": days,
        "has_objectives": bool(objectives),
        "today": today,
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
