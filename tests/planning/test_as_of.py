"""As of which date, counting what (DESIGN.md §4.7): one function decides the date of
every result; a closed period's results never depend on the day they are read."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import MeasurementFactory, MonitoringPeriodFactory
from traguardo.accounts.demo import create_demo_accounts
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.asof import as_of
from traguardo.planning.models import Indicator, Objective
from traguardo.planning.queries import load_for_scoring
from traguardo.planning.scores import score_objectives
from traguardo.planning.states import coverage
from traguardo.scoring import Status

pytestmark = pytest.mark.django_db
D = Decimal
YEAR_END = date(2019, 12, 31)


@pytest.fixture
def plan(demo):
    return demo


def _period(plan, state, reference=YEAR_END, kind=MonitoringPeriod.Kind.FINAL):
    with scopes_disabled():
        return MonitoringPeriodFactory(
            plan=plan, name="Consuntivo 2019", kind=kind, reference_date=reference, state=state
        )


def test_a_closed_period_is_seen_as_of_its_reference_date_whatever_today(plan):
    period = _period(plan, MonitoringPeriod.State.CLOSED)
    for today in (date(2019, 7, 1), date(2020, 2, 15), date(2030, 1, 1)):
        when = as_of(plan, period, today=today)
        assert (when.on, when.final, when.period) == (YEAR_END, True, period)


def test_an_open_period_is_seen_as_of_today_but_never_past_its_date(plan):
    period = _period(plan, MonitoringPeriod.State.OPEN, reference=date(2019, 6, 30))
    assert as_of(plan, period, today=date(2019, 5, 2)).on == date(2019, 5, 2)
    late = as_of(plan, period, today=date(2026, 12, 6))
    assert (late.on, late.final) == (date(2019, 6, 30), False)


def test_a_plan_without_periods_is_seen_within_its_year(plan):
    with scopes_disabled():
        assert as_of(plan, today=date(2026, 12, 6)).on == YEAR_END
        assert as_of(plan, today=date(2019, 3, 1)).on == date(2019, 3, 1)
        assert as_of(plan, today=date(2019, 3, 1)).final is False


def test_the_current_period_is_the_open_one_else_the_latest_closed(plan):
    closed = _period(plan, MonitoringPeriod.State.CLOSED, reference=date(2019, 6, 30))
    with scopes_disabled():
        assert as_of(plan, today=date(2026, 1, 1)).period == closed
        reopened = _period(plan, MonitoringPeriod.State.REOPENED)
        assert as_of(plan, today=date(2026, 1, 1)).period == reopened


def _score(plan, period, today):
    objectives = load_for_scoring(plan.objectives.all())
    return score_objectives(plan, objectives, period=period, today=today).result


_VALUES = st.fixed_dictionaries(
    {
        "numerator": st.sampled_from([None, D(0), D(95), D(100), D(200)]),
        "completed_on": st.sampled_from(
            [None, date(2019, 4, 30), date(2019, 10, 4), date(2020, 1, 7), date(2021, 3, 1)]
        ),
        "done": st.sampled_from([None, True, False]),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.lists(_VALUES, min_size=1, max_size=8),
    todays=st.lists(
        st.dates(min_value=date(2019, 1, 1), max_value=date(2020, 12, 31))
        | st.just(date(2040, 1, 1)),
        min_size=2,
        max_size=3,
    ),
    reference=st.sampled_from([date(2019, 6, 30), YEAR_END, date(2020, 1, 31)]),
)
def test_a_closed_periods_results_never_depend_on_today(plan, values, todays, reference):
    with transaction.atomic(), scopes_disabled():
        period = _period(plan, MonitoringPeriod.State.CLOSED, reference=reference)
        indicators = list(Indicator.objects.filter(objective__plan=plan).order_by("pk"))
        for indicator, given_values in zip(indicators, values, strict=False):
            numerator = given_values["numerator"]
            MeasurementFactory(
                period=period,
                indicator=indicator,
                numerator=numerator,
                denominator=None if numerator is None else D(100),
                value=numerator,
                completed_on=given_values["completed_on"],
                done=given_values["done"],
            )
        results = [_score(plan, period, today) for today in todays]
        assert all(result == results[0] for result in results)
        transaction.set_rollback(True)


def test_items_due_after_the_consuntivo_are_not_due_and_out_of_the_roll_up(plan):
    period = _period(plan, MonitoringPeriod.State.CLOSED)
    with scopes_disabled():
        result = _score(plan, period, date(2026, 12, 6))
        later = Objective.objects.filter(plan=plan, year__gt=2019)
        assert {result.objectives[o.pk].status for o in later} == {Status.NOT_DUE}
        scheda_3 = Objective.objects.get(plan=plan, position=3)
        due_2020 = scheda_3.indicators.get(position=2)
        by_key = {r.key: r for r in result.objectives[scheda_3.pk].indicators}
        assert by_key[due_2020.pk].status == Status.NOT_DUE
    assert (result.authority.objectives, result.authority.not_due) == (11, 2)


def test_scenario_4_partial_results_are_never_shown_as_the_entes_result(plan, client):
    """With 1 of 11 schede measured, the plan page says what its figure counts, as of when,
    and that it is provisional."""
    period = _period(plan, MonitoringPeriod.State.OPEN)
    create_demo_accounts(plan.authority)
    with scopes_disabled():
        scheda_5 = Objective.objects.get(plan=plan, position=5)
        for indicator in scheda_5.indicators.all():
            MeasurementFactory(period=period, indicator=indicator, completed_on=date(2019, 4, 30))
        result = _score(plan, period, date(2026, 12, 6))
    assert result.authority.achievement == D("100.00")
    assert (result.authority.measured, result.authority.due) == (1, 9)
    client.login(username="admin", password="traguardo-demo-2019")
    with scope(authority=plan.authority):
        html = client.get(f"/enti/{plan.authority.slug}/piani/2019/").content.decode()
    line = html[
        html.index('id="risultato-ente"') : html.index("</p>", html.index("risultato-ente"))
    ]
    assert "100,00%" in line
    assert "provvisorio" in line
    assert "1 scheda su 9 misurata" in line
    assert "2 non ancora dovute" in line
    assert "al 31 dicembre 2019" in line
    assert "definitivo" not in line


def test_the_coverage_is_final_only_once_closed_and_complete(plan):
    open_period = _period(plan, MonitoringPeriod.State.OPEN)
    with scopes_disabled():
        open_result = _score(plan, open_period, YEAR_END + timedelta(days=40))
        when = as_of(plan, open_period, today=YEAR_END)
    assert coverage(open_result.authority, when).final is False
    assert str(coverage(open_result.authority, when)).endswith("provvisorio al 31 dicembre 2019")
