"""Round trip: the demo plan exported to the Excel workbook and imported into an empty plan
of the same authority comes back field for field, score for score; importing the same file
again (workbook or Word document) creates nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from tests.factories import MeasurementFactory, MembershipFactory, MonitoringPeriodFactory
from traguardo.accounts.models import Role
from traguardo.exchange import xlsx
from traguardo.exchange.word import plan_docx
from traguardo.imports.pipeline import NEW, UNCHANGED, apply, prepare
from traguardo.imports.seed import load_seed
from traguardo.imports.word import read_docx
from traguardo.organization.models import GradingScale
from traguardo.planning.models import (
    Activity,
    Indicator,
    Objective,
    ObjectiveVersion,
    Plan,
    Target,
)
from traguardo.reports.scheda import plan_pages

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
    period = MonitoringPeriodFactory(plan=plan, reference_date=date(2019, 12, 31))
    for n, indicator in enumerate(
        Indicator.objects.filter(objective__plan=plan).order_by("objective__position", "position")
    ):
        MeasurementFactory(
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


def written():
    """Every row an import may write, to show that a second import wrote nothing."""
    with scopes_disabled():
        return {
            m.__name__: list(m.objects.order_by("pk").values())
            for m in (Objective, Indicator, Target, Activity, ObjectiveVersion, GradingScale)
        }


def demo_and_empty_plan(admin) -> tuple[Plan, Plan]:
    load_seed()
    with scopes_disabled():
        demo = Plan.objects.get(year=2019, authority__slug="comune-esempio")
        empty = Plan.objects.create(
            authority=demo.authority, year=2020, last_year=2022, title="Piano 2020"
        )
        MembershipFactory(user=admin, authority=demo.authority, role=Role.ADMIN)
    return demo, empty


def import_twice(read, plan: Plan, admin) -> None:
    """The file into ``plan``: eleven new schede; then again: eleven unchanged, nothing
    written."""
    result = prepare(read(), plan, admin)
    assert [s.outcome for s in result.schede] == [NEW] * 11
    apply(result, {}, admin)
    before = written()
    again = prepare(read(), plan, admin)
    assert [s.outcome for s in again.schede] == [UNCHANGED] * 11
    assert not again.importable
    outcome = apply(again, {}, admin)
    assert (outcome.created, outcome.replaced, outcome.unchanged) == ([], [], 11)
    assert written() == before


def test_the_demo_plan_survives_export_and_import(admin):
    demo, empty = demo_and_empty_plan(admin)
    with scope(authority=demo.authority):
        data = xlsx.plan_workbook(demo)
        draft = xlsx.read_workbook("piano-2019.xlsx", data)
        assert [p.message for p in draft.problems if p.blocking] == []
        import_twice(lambda: xlsx.read_workbook("piano-2019.xlsx", data), empty, admin)
        assert rows(empty) == rows(demo)
        measure_everything(demo, admin)
        measure_everything(empty, admin)
        before, after = plan_pages(demo), plan_pages(empty)
    measured = [r.result.achievement for r in before.rows if r.result.achievement is not None]
    assert len(measured) >= 7  # figures, not blanks
    # The 2020 and 2021 schede are not due at 31/12/2019, in both plans alike.
    not_due = [r.objective.year for r in before.rows if r.result.status == "not_due"]
    assert not_due == [2020, 2021]
    assert [r.result.status for r in after.rows] == [r.result.status for r in before.rows]
    assert [r.result.achievement for r in after.rows] == [r.result.achievement for r in before.rows]
    assert after.scores.result.authority.achievement == before.scores.result.authority.achievement


def test_the_demo_plan_as_a_word_document_imported_twice_creates_nothing_the_second_time(admin):
    demo, empty = demo_and_empty_plan(admin)
    with scope(authority=demo.authority):
        data = plan_docx(demo)
        draft = read_docx("piano-2019.docx", data)
        assert [p.message for p in draft.problems if p.blocking] == []
        import_twice(lambda: read_docx("piano-2019.docx", data), empty, admin)
        with scopes_disabled():
            assert empty.objectives.count() == 11
