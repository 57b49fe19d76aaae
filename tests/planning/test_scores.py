"""The worked examples of DESIGN.md §4.6 on the demo plan, through the stored rows.

Measurements are stored as a monitoring period would hold them; the scores come from
``planning.scores`` (rows → engine), exactly what the pages and the PDFs show.
"""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from tests.factories import MeasurementFactory, MonitoringPeriodFactory
from traguardo.planning.models import Objective
from traguardo.reports.scheda import plan_pages, scheda_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(demo):
    return demo


@pytest.fixture
def period(plan):
    with scopes_disabled():
        return MonitoringPeriodFactory(
            plan=plan, name="Consuntivo al 31/12/2019", reference_date=date(2020, 1, 31)
        )


def measure(period, indicator, **values):
    return MeasurementFactory(period=period, indicator=indicator, **values)


def card(plan, position):
    return Objective.objects.get(plan=plan, position=position)


@pytest.mark.parametrize(
    ("completed_on", "expected"),
    [
        (date(2019, 9, 30), Decimal("100.00")),
        (date(2019, 10, 4), Decimal("90.00")),
        (date(2019, 10, 10), Decimal("80.00")),
        (date(2019, 10, 15), Decimal("60.00")),
        (date(2019, 10, 16), Decimal("0.00")),
    ],
)
def test_card_2_first_sintel_procedure_graded_by_delay(plan, period, completed_on, expected):
    with scopes_disabled():
        indicator = card(plan, 2).indicators.get(position=2)
        measure(period, indicator, completed_on=completed_on)
        result = next(
            r for r in scheda_page(card(plan, 2)).indicators if r.indicator.pk == indicator.pk
        ).result
    assert result.achievement == expected


def test_card_1_records_entered_seven_days_late_score_80(plan, period):
    with scopes_disabled():
        indicator = card(plan, 1).indicators.get()
        measure(
            period,
            indicator,
            numerator=Decimal(200),
            denominator=Decimal(200),
            completed_on=date(2020, 1, 7),
        )
        view = scheda_page(card(plan, 1))
    assert view.indicators[0].result.achievement == Decimal("80.00")
    assert view.result.achievement == Decimal("80.00")


def test_card_5_weights_40_40_20_reached_100_90_0_score_76(plan, period):
    with scopes_disabled():
        first, second, third = card(plan, 5).indicators.order_by("position")
        measure(period, first, completed_on=date(2019, 4, 30))  # on time: 100
        measure(period, second, completed_on=date(2019, 5, 3))  # 3 days late: 90
        measure(period, third, completed_on=date(2019, 6, 30))  # 30 days late: 0
        view = scheda_page(card(plan, 5))
    assert [r.result.achievement for r in view.indicators] == [
        Decimal("100.00"),
        Decimal("90.00"),
        Decimal("0.00"),
    ]
    assert view.result.achievement == Decimal("76.00")


def test_card_7_ptpc_measures_18_of_24_score_75(plan, period):
    with scopes_disabled():
        measure(
            period,
            card(plan, 7).indicators.get(),
            numerator=Decimal(18),
            denominator=Decimal(24),
        )
        view = scheda_page(card(plan, 7))
    assert view.indicators[0].result.value == Decimal("75.00")
    assert view.result.achievement == Decimal("75.00")


def test_without_a_period_nothing_is_measured_and_nothing_is_late(plan):
    with scopes_disabled():
        page = plan_pages(plan)
    assert {row.result.achievement for row in page.rows} == {None}
    assert page.scores.result.authority.achievement is None


def test_a_not_assessable_indicator_is_left_out_and_the_others_renormalise(plan, period):
    with scopes_disabled():
        first, second, third = card(plan, 5).indicators.order_by("position")
        measure(period, first, completed_on=date(2019, 4, 30))
        measure(period, second, completed_on=date(2019, 5, 3))
        measure(period, third, not_assessable=True, not_assessable_reason="Dati non disponibili")
        view = scheda_page(card(plan, 5))
    # (40 × 100 + 40 × 90) / 80
    assert view.result.achievement == Decimal("95.00")
