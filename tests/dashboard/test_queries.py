"""The dashboard and "Le mie scadenze" cost the same queries with 1 and 3 schede (three show
any query made per scheda: two more than with one)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import (
    PASSWORD,
    ActivityFactory,
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PlanFactory,
    TargetFactory,
)
from traguardo.monitoring.models import MonitoringPeriod

pytestmark = pytest.mark.django_db


def plan_with(authority, unit, count):
    """A plan in monitoring, its schede with two indicators and two activities, half measured."""
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2030, last_year=2032, state="monitoring")
        period = MonitoringPeriodFactory(
            plan=plan,
            name="Verifica al 30/06",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(2030, 6, 30),
        )
        for _ in range(count):
            objective = ObjectiveFactory(plan=plan, unit=unit, responsible=unit.head)
            for weight, due in ((60, date(2030, 3, 31)), (40, date(2030, 12, 31))):
                indicator = IndicatorFactory(objective=objective, weight=weight)
                TargetFactory(indicator=indicator, year=2030, due_date=due)
                ActivityFactory(objective=objective, weight=50, end_date=due)
            MeasurementFactory(period=period, indicator=indicator, completed_on=due)
    return plan


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("username", "view"),
    [("admin", "plan_dashboard"), ("manager_a", "plan_dashboard"), ("manager_a", "my_deadlines")],
)
def test_the_same_queries_with_1_and_3_schede(
    client, admin, manager_a, authority, unit_a, username, view
):
    with scopes_disabled():
        office = OrgUnitFactory(authority=authority, parent=unit_a, head=unit_a.head)
    assert client.login(username=username, password=PASSWORD)
    args = [authority.slug, 2030] if view == "plan_dashboard" else [authority.slug]
    one = plan_with(authority, office, 1)
    one_count = queries(client, reverse(view, args=args))
    with scopes_disabled():
        one.delete()
    plan_with(authority, office, 3)
    assert queries(client, reverse(view, args=args)) == one_count


def test_the_gantt_costs_the_same_queries_with_1_and_20_activities(
    client, admin, authority, unit_a
):
    assert client.login(username="admin", password=PASSWORD)
    plan = plan_with(authority, unit_a, 1)
    with scopes_disabled():
        objective = plan.objectives.get()
    url = reverse("objective_gantt", args=[authority.slug, 2030, objective.pk])
    one_count = queries(client, url)
    with scopes_disabled():
        for _ in range(18):
            ActivityFactory(objective=objective, weight=5, end_date=date(2030, 9, 30))
    assert queries(client, url) == one_count
