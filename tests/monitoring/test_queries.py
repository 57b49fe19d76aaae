"""The monitoring pages' reads (monitoring.queries): a plan's periods and the open one, a
scheda's measurements of one period only, in a bounded number of queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from tests.factories import ActivityFactory, IndicatorFactory, ObjectiveFactory, PlanFactory
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.monitoring.queries import plan_periods, scheda_measurements

pytestmark = pytest.mark.django_db


def period(plan, name: str, day: date, state=MonitoringPeriod.State.CLOSED) -> MonitoringPeriod:
    return MonitoringPeriod.objects.create(
        authority=plan.authority,
        plan=plan,
        name=name,
        kind=MonitoringPeriod.Kind.INTERMEDIATE,
        reference_date=day,
        state=state,
    )


def test_the_periods_come_by_date_with_the_open_one(authority):
    with scopes_disabled():
        plan = PlanFactory(authority=authority)
        december = period(plan, "Consuntivo", date(2019, 12, 31), MonitoringPeriod.State.OPEN)
        june = period(plan, "Verifica", date(2019, 6, 30))
        assert plan_periods(plan) == ([june, december], december)
        december.state = MonitoringPeriod.State.CLOSED
        december.save()
        assert plan_periods(plan) == ([june, december], None)


def test_a_scheda_gets_its_own_measurements_of_the_period_in_two_queries(authority):
    with scopes_disabled():
        plan = PlanFactory(authority=authority)
        june = period(plan, "Verifica", date(2019, 6, 30), MonitoringPeriod.State.OPEN)
        december = period(plan, "Consuntivo", date(2019, 12, 31))
        mine, other = ObjectiveFactory(plan=plan), ObjectiveFactory(plan=plan)
        stored = {}
        for objective in (mine, other):
            indicators = [IndicatorFactory(objective=objective) for _ in range(3)]
            activity = ActivityFactory(objective=objective)
            for when in (june, december):
                for indicator in indicators:
                    m = Measurement.objects.create(
                        authority=authority, period=when, indicator=indicator, value=Decimal(1)
                    )
                    stored[when, "ind", indicator.pk] = m
                m = Measurement.objects.create(
                    authority=authority, period=when, activity=activity, done=True
                )
                stored[when, "att", activity.pk] = m
        with CaptureQueriesContext(connection) as queries:
            found = scheda_measurements(mine, june)
            evidence = [list(m.evidence.all()) for m in found.values()]
        assert len(queries) == 2 and evidence == [[]] * 4
        ids = set(mine.indicators.values_list("pk", flat=True))
        assert found == {
            (kind, pk): m
            for (when, kind, pk), m in stored.items()
            if when == june and (pk in ids if kind == "ind" else pk == activity_of(mine))
        }
        assert scheda_measurements(mine, None) == {}


def activity_of(objective) -> int:
    return objective.activities.get().pk
