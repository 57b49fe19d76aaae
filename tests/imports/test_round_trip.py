"""Round trip: the demo plan exported to the Excel workbook and imported into an empty plan
of the same authority comes back field for field, score for score."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from traguardo.imports.pipeline import NEW, apply, prepare
from traguardo.imports.seed import load_seed
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.planning.models import Activity, Indicator, Objective, Plan, Target
from traguardo.reports.scheda import plan_pages

xlsx = pytest.importorskip("traguardo.exchange.xlsx")

pytestmark = pytest.mark.django_db

SKIP = {"id", "authority", "authority_id", "plan", "plan_id", "version"}


def rows(plan: Plan) -> list[dict]:
    """Every field of every scheda and of its rows, ids replaced by positions."""
    out = []
    for o in plan.objectives.order_by("position"):
        values = {
            f.attname: getattr(o, f.attname)
            for f in Objective._meta.concrete_fields
            if f.attname not in SKIP | {"series_id"}
        }
        values["series"] = o.series.position if o.series else None
        values["involved"] = sorted(u.name for u in o.involved_units.all())
        values["areas"] = sorted(a.number for a in o.areas.all())
        values["indicators"] = [
            {
                **_fields(i, Indicator, {"objective_id", "grading_scale_id"}),
                "scale": i.grading_scale.name if i.grading_scale else None,
                "targets": [
                    _fields(t, Target, {"indicator_id"}) for t in i.targets.order_by("year", "kind")
                ],
            }
            for i in o.indicators.order_by("position")
        ]
        values["activities"] = [
            {
                **_fields(a, Activity, {"objective_id", "grading_scale_id"}),
                "scale": a.grading_scale.name if a.grading_scale else None,
            }
            for a in o.activities.order_by("position")
        ]
        out.append(values)
    return out


def measure_everything(plan: Plan, user) -> None:
    """The same measurements in both plans (dates 4 days late, 180 of 200, 18 of 24…), so
    that the scores compared are figures, not blanks."""
    period = MonitoringPeriod.objects.create(
        authority=plan.authority,
        plan=plan,
        name="Consuntivo",
        kind=MonitoringPeriod.Kind.FINAL,
        reference_date=date(2019, 12, 31),
        state=MonitoringPeriod.State.OPEN,
    )
    for n, indicator in enumerate(
        Indicator.objects.filter(objective__plan=plan).order_by("objective__position", "position")
    ):
        Measurement.objects.create(
            authority=plan.authority,
            period=period,
            indicator=indicator,
            completed_on=date(2019, 10, 1 + n % 20),
            numerator=Decimal(180 - n),
            denominator=Decimal(200),
            value=Decimal(n),
            done=n % 2 == 0,
            entered_by=user,
        )


def _fields(obj, model, skip) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in model._meta.concrete_fields
        if f.attname not in SKIP | skip
    }


def test_the_demo_plan_survives_export_and_import(admin):
    load_seed()
    with scopes_disabled():
        demo = Plan.objects.get(year=2019, authority__slug="comune-esempio")
        empty = Plan.objects.create(
            authority=demo.authority, year=2020, last_year=2022, title="Piano 2020"
        )
        from tests.factories import MembershipFactory
        from traguardo.accounts.models import Role

        MembershipFactory(user=admin, authority=demo.authority, role=Role.ADMIN)
    with scope(authority=demo.authority):
        data = xlsx.plan_workbook(demo)
        draft = xlsx.read_workbook("piano-2019.xlsx", data)
        assert [p.message for p in draft.problems if p.blocking] == []
        result = prepare(draft, empty, admin)
        assert [s.outcome for s in result.schede] == [NEW] * 11
        apply(result, {}, admin)
        assert rows(empty) == rows(demo)
        measure_everything(demo, admin)
        measure_everything(empty, admin)
        before, after = plan_pages(demo), plan_pages(empty)
    measured = [r.result.achievement for r in before.rows if r.result.achievement is not None]
    assert len(measured) >= 8  # figures, not blanks
    assert [r.result.achievement for r in after.rows] == [r.result.achievement for r in before.rows]
    assert after.scores.result.authority.achievement == before.scores.result.authority.achievement
