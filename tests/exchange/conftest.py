"""Plans to export: the demo plan with measurements, and a multi-year plan using every field."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from tests.factories import (
    ActivityFactory,
    GradingScaleFactory,
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import PerformanceArea
from traguardo.planning.models import DupGoal, Indicator, Target


@pytest.fixture
def demo(demo):
    """Piano 2019 of the demo Comune, with an open period and a few measurements."""
    plan = demo
    with scopes_disabled():
        period = MonitoringPeriodFactory(
            plan=plan, name="Consuntivo al 31/12/2019", reference_date=date(2019, 12, 31)
        )
        first = Indicator.objects.get(objective__plan=plan, objective__position=1, position=1)
        gara = Indicator.objects.get(objective__plan=plan, objective__position=2, position=2)
        activity = first.objective.activities.get(position=1)
        for subject, fields in (
            (first, {"numerator": 180, "denominator": 200, "comment": "=SOMMA(A1:A3)"}),
            (gara, {"completed_on": date(2019, 10, 4), "comment": "Gara pubblicata il 4/10"}),
        ):
            MeasurementFactory(period=period, indicator=subject, **fields)
        MeasurementFactory(
            period=period,
            activity=activity,
            progress=Decimal("50"),
            forced_achievement=Decimal("75.5"),
            forced_reason="-Ritardo non imputabile all'ufficio",
        )
    return plan


@pytest.fixture
def rich(authority, unit_a, unit_b):
    """A 2019–2021 plan whose schede use every field, with targets over several years."""
    with scopes_disabled():
        policy = ensure_policy(authority)
        level = {(lv.dimension, lv.code): lv for lv in policy.levels.all()}
        areas = [
            PerformanceArea.objects.create(authority=authority, number=n, name=f"Ambito {n}")
            for n in (1, 2, 3)
        ]
        goal = DupGoal.objects.create(
            authority=authority, level=DupGoal.Level.STRATEGIC, code="1.2", title="Ente digitale"
        )
        scale = GradingScaleFactory(authority=authority, name="Ritardo standard")
        plan = PlanFactory(authority=authority, year=2019, title="Piano 2019")
        head = ObjectiveFactory(
            plan=plan,
            position=1,
            code="10",
            title="Protezione dei dati personali",
            year=2019,
            first_year=2019,
            last_year=2021,
            dup_goal=goal,
            dup_text="=DUP 1.2 «Ente digitale»",
            unit=unit_a,
            unit_text="DIRIGENTE SETTORE A",
            responsible=unit_a.head,
            responsible_text="-",
            involved_text="Uffici: B - A",
            expected_result="Riga uno\nRiga due  con  spazi\n\tcon tabulazione ",
            notes="+39 nota",
            strategic_level=level[("strategic", "alta")],
            complexity_level=level[("complexity", "media")],
            kind_level=level[("kind", "sviluppo")],
            import_notes=[{"field": "code", "message": "Codice ripetuto: 10, 10."}],
        )
        head.involved_units.set([unit_b, unit_a])
        head.areas.set([areas[0], areas[2]])
        ratio = IndicatorFactory(
            objective=head,
            position=1,
            weight=Decimal("60"),
            name="Dati inseriti",
            formula_text="n° dati inseriti / n° dati da inserire",
            measure="ratio",
            grading_scale=scale,
            grading_text="gg5=90% gg10=80%",
        )
        for kind, year, value, text, due, due_text in (
            ("intermediate", 2019, "50", "50%", date(2019, 6, 30), "30 giugno 2019"),
            ("final", 2019, "100", "100%", date(2019, 12, 31), "31/12/2019"),
            ("final", 2020, "100", "100", date(2020, 12, 31), ""),
            ("final", 2021, "-20", "-20", None, "entro la fine di ogni anno"),
            ("intermediate", 2021, None, "", date(2021, 6, 30), "@giugno"),
        ):
            TargetFactory(
                indicator=ratio,
                kind=kind,
                year=year,
                value=Decimal(value) if value else None,
                value_text=text,
                due_date=due,
                due_text=due_text,
            )
        variation = IndicatorFactory(
            objective=head,
            position=2,
            weight=Decimal("40"),
            name="Eventi fuori programma",
            formula_text="n° eventi rispetto al 2018",
            measure="variation",
            direction="lower",
            baseline=Decimal("120.5"),
            baseline_text="2018",
            variation_percent=True,
        )
        TargetFactory(
            indicator=variation,
            kind=Target.Kind.FINAL,
            year=2019,
            value=Decimal("-20"),
            value_text="-20",
            due_date=None,
        )
        ActivityFactory(
            objective=head,
            position=1,
            weight=Decimal("33.33"),
            title="Censimento dei trattamenti",
            start_date=date(2019, 2, 1),
            end_date=date(2019, 6, 30),
            timing_text="febbraio-giugno",
            indicator_text="@fatto",
            expected_text="100%",
            grading_scale=scale,
            grading_text="+5gg=90%",
            achieved_text="sì",
        )
        ActivityFactory(
            objective=head,
            position=2,
            weight=Decimal("66.67"),
            title="Registro dei trattamenti",
            end_date=None,
        )
        second = ObjectiveFactory(
            plan=plan,
            position=2,
            code="10",
            title="Protezione dei dati personali",
            year=2020,
            first_year=2019,
            last_year=2021,
            series=head,
            unit=unit_b,
        )
        own = IndicatorFactory(objective=second, position=1, weight=Decimal("100"))
        TargetFactory(indicator=own, year=2020, due_date=date(2020, 12, 31), value_text="0")
        TargetFactory(indicator=own, year=2019, due_date=date(2019, 12, 31), value_text="0")
        ObjectiveFactory(plan=plan, position=5, code="", title="Scheda senza codice")
    return plan
