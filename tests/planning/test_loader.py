"""``planning.queries.load_for_scoring``: the same objects as ``prefetch_related`` gave, in a
fixed number of queries, with nothing read from the database afterwards."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Model, Prefetch
from django.test.utils import CaptureQueriesContext
from django.utils.functional import Promise
from django_scopes import scope, scopes_disabled

from tests.factories import (
    ActivityFactory,
    AuthorityFactory,
    GradingScaleFactory,
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PersonFactory,
    PlanFactory,
    TargetFactory,
)
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import PerformanceArea, PolicyLevel
from traguardo.planning import queries
from traguardo.planning.models import Activity, DupGoal, Indicator, Objective, Plan, Target
from traguardo.planning.queries import LoadedRows, load_for_scoring
from traguardo.reports import scheda
from traguardo.reports.scheda import plan_pages
from traguardo.scoring import Measure, Proportional, scale_to_dict

pytestmark = pytest.mark.django_db


def reference_load(objectives):
    """The loader this replaced: select_related + prefetch_related, kept as the reference."""
    return list(
        objectives.select_related(
            "unit__head",
            "responsible",
            "dup_goal",
            "series",
            "strategic_level",
            "complexity_level",
            "kind_level",
        ).prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("grading_scale").prefetch_related(
                    Prefetch("targets", queryset=Target.objects.order_by("year", "kind"))
                ),
            ),
            Prefetch("activities", queryset=Activity.objects.select_related("grading_scale")),
            "areas",
            "involved_units",
            "series_cards",
        )
    )


def build_plan(schede: int, *, authority=None) -> Plan:
    """A plan with every relation the loader reads: units with heads, people, DUP goals,
    levels, two scales, indicators with intermediate and final targets of several years,
    activities, ambiti, involved units and a multi-year card continued in the next plan; the
    first scheda has them all, so that plans of 1 and of 5 schede read the same tables."""
    authority = authority or AuthorityFactory()
    a = {"authority": authority}
    policy = ensure_policy(authority)
    levels = list(PolicyLevel.objects.filter(policy=policy))
    by_dimension = {d: [lv for lv in levels if lv.dimension == d] for d in PolicyLevel.Dimension}
    heads = [PersonFactory(**a) for _ in range(2)]
    people = [*heads, PersonFactory(**a)]
    units = [OrgUnitFactory(**a, head=heads[0], position=2), OrgUnitFactory(**a, position=1)]
    units.append(OrgUnitFactory(**a, head=heads[1], position=1, name="Z"))
    areas = [PerformanceArea.objects.create(**a, number=n, name=f"Ambito {n}") for n in (3, 1, 2)]
    goal = DupGoal.objects.create(**a, level=DupGoal.Level.OPERATIONAL, code="1.1", title="DUP")
    delay = GradingScaleFactory(**a)
    proportional = GradingScaleFactory(
        **a, name="Proporzionale", definition=scale_to_dict(Proportional(Decimal(50)))
    )
    plan = PlanFactory(**a, year=2019, last_year=2021)
    later = PlanFactory(**a, year=2020, last_year=2022)
    for n in range(schede):
        objective = ObjectiveFactory(
            plan=plan,
            position=schede - n,  # loaded by position: not the order of creation
            first_year=2019,
            last_year=2020 if n % 2 == 0 else 2019,
            unit=units[n % 3] if n % 4 != 3 else None,
            responsible=people[n % 3],
            dup_goal=goal if n % 3 != 2 else None,
            strategic_level=by_dimension["strategic"][n % 2],
            complexity_level=by_dimension["complexity"][0],
            kind_level=by_dimension["kind"][0] if n % 5 != 4 else None,
        )
        objective.areas.set(areas[: 1 + n % 3])
        objective.involved_units.set(units[(n % 3) :])
        if n % 2 == 0:  # its second year, in the next plan
            ObjectiveFactory(plan=later, series=objective, year=2020, first_year=2019)
        for k, measure in enumerate((Measure.DEADLINE, Measure.RATIO, Measure.NUMBER)):
            indicator = IndicatorFactory(
                objective=objective,
                position=3 - k,
                weight=Decimal(20 + 10 * k),
                measure=measure,
                grading_scale=(delay, proportional, None)[k],
            )
            TargetFactory(indicator=indicator, kind=Target.Kind.FINAL, year=2020, value=5)
            TargetFactory(
                indicator=indicator,
                kind=Target.Kind.FINAL,
                year=2019,
                value=Decimal(k * 10),
                due_date=date(2019, 6 + k, 30),
            )
            TargetFactory(
                indicator=indicator,
                kind=Target.Kind.INTERMEDIATE,
                year=2019,
                value=Decimal(k),
                due_date=date(2019, 3, 31),
            )
        for k in range(2):
            ActivityFactory(
                objective=objective,
                position=2 - k,
                weight=Decimal(50),
                end_date=date(2019, 4 + k, 30),
                grading_scale=delay if k else None,
            )
    return plan


def measure_plan(plan: Plan) -> MonitoringPeriod:
    period = MonitoringPeriodFactory(plan=plan, reference_date=date(2020, 1, 31))
    for n, indicator in enumerate(Indicator.objects.filter(objective__plan=plan)):
        if n % 3 == 0:
            continue
        MeasurementFactory(
            period=period,
            indicator=indicator,
            value=Decimal(n),
            numerator=Decimal(n),
            denominator=Decimal(10),
            completed_on=date(2019, 7, 1 + n % 20),
        )
    return period


def plain(value, seen=None):
    """A value with its model instances as their class, key and field values: two object
    graphs with equal rows and relations compare equal."""
    if isinstance(value, Model):
        fields = {
            name: field
            for name, field in vars(value).items()
            if not name.startswith("_") and not name.startswith("_prefetch_related_val")
        }
        return (type(value).__name__, value.pk, tuple(sorted(fields.items())))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple((f.name, plain(getattr(value, f.name))) for f in dataclasses.fields(value)),
        )
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((repr(k), plain(v)) for k, v in value.items()))
    if isinstance(value, Promise):
        return str(value)
    return value


def graph(objectives: list[Objective]):
    """Every attribute and relation the layout and the engine read, as plain values."""
    result = []
    for o in objectives:
        unit = o.unit
        result.append(
            (
                plain(o),
                plain(unit),
                plain(unit.head if unit else None),
                plain(o.responsible),
                plain(o.dup_goal),
                plain(o.series),
                plain([o.strategic_level, o.complexity_level, o.kind_level]),
                [
                    (
                        plain(i),
                        plain(i.grading_scale),
                        plain(list(i.targets.all())),
                        [t.indicator.pk for t in i.targets.all()],
                        i.objective.pk,
                    )
                    for i in o.indicators.all()
                ],
                [(plain(a), plain(a.grading_scale), a.objective.pk) for a in o.activities.all()],
                plain(list(o.areas.all())),
                plain(list(o.involved_units.all())),
                [(plain(c), c.series.pk) for c in o.series_cards.all()],
            )
        )
    return result


def pages(plan: Plan, loader, monkeypatch) -> tuple:
    monkeypatch.setattr(scheda, "load_for_scoring", loader)
    view = plan_pages(plan)
    monkeypatch.undo()
    rows = [
        (
            plain(row),
            row.state,
            row.result_text,
            [(r.result_text, plain(r.state)) for r in row.indicators],
            [(r.result_text, plain(r.state)) for r in row.activities],
        )
        for row in view.rows
    ]
    return plain(view.scores.result), plain(view.as_of), rows


def test_the_same_objects_and_pages_as_prefetch_related(monkeypatch):
    with scopes_disabled():
        plan = build_plan(6)
        measure_plan(plan)
        authority = plan.authority
    with scope(authority=authority):
        plan = Plan.objects.get(pk=plan.pk)
        loaded = load_for_scoring(plan.objectives.order_by("position"))
        reference = reference_load(plan.objectives.order_by("position"))
        assert [o.pk for o in loaded] == [o.pk for o in reference]
        assert graph(loaded) == graph(reference)
        assert pages(plan, reference_load, monkeypatch) == pages(
            plan, load_for_scoring, monkeypatch
        )
        view = plan_pages(plan)
        assert any(row.anomalies for row in view.rows)
        assert any(row.result and row.result.achievement is not None for row in view.rows)


def test_the_same_pages_on_the_demo_plan(demo, monkeypatch):
    with scopes_disabled():
        plan = demo
        assert graph(load_for_scoring(plan.objectives.all())) == graph(
            reference_load(plan.objectives.all())
        )
        assert pages(plan, reference_load, monkeypatch) == pages(
            plan, load_for_scoring, monkeypatch
        )


def test_rows_of_the_same_row_are_one_instance():
    with scopes_disabled():
        plan = build_plan(4)
        loaded = load_for_scoring(plan.objectives.all())
    scales = {id(i.grading_scale) for o in loaded for i in o.indicators.all() if i.grading_scale}
    assert len(scales) == 2
    levels = {id(o.complexity_level) for o in loaded}
    assert len(levels) == 1
    areas = [a for o in loaded for a in o.areas.all() if a.number == 3]
    assert len(areas) == 4 and len({id(a) for a in areas}) == 1


def count_queries(function) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return len(captured), result


def touch_everything(objectives: list[Objective]) -> None:
    for o in objectives:
        for relation in ("indicators", "activities", "areas", "involved_units", "series_cards"):
            manager = getattr(o, relation)
            rows = list(manager.all())
            assert len(manager.all()) == len(rows) == manager.count()
            assert bool(manager.all()) == manager.exists() == bool(rows)
            assert list(manager.all()[:1]) == rows[:1]
        graph([o])
        for i in o.indicators.all():
            targets = i.targets.all()
            assert i.targets.count() == len(targets) == 3 and i.targets.exists()
            assert targets[0].indicator is i
        for card in o.series_cards.all():
            assert card.series is o


def test_a_fixed_number_of_queries_and_none_afterwards():
    with scopes_disabled():
        plans = {1: build_plan(1), 5: build_plan(5)}
    counts = {}
    for size, plan in plans.items():
        with scope(authority=plan.authority):
            counts[size], loaded = count_queries(
                lambda p=plan: load_for_scoring(p.objectives.all())
            )
            assert len(loaded) == size
            touched, _ = count_queries(lambda loaded=loaded: touch_everything(loaded))
            assert touched == 0
    assert counts[1] == counts[5] <= 14


def test_a_query_made_from_loaded_rows_is_the_relations_own():
    with scopes_disabled():
        plan = build_plan(3)
        other = build_plan(2)  # another authority: its rows are never seen
    with scope(authority=plan.authority):
        [first, *_] = load_for_scoring(plan.objectives.order_by("position"))
        loaded = first.indicators.all()
        assert isinstance(loaded, LoadedRows)
        expected = list(Indicator.objects.filter(objective=first).order_by("-position"))
        assert list(first.indicators.order_by("-position")) == expected
        assert list(first.indicators.filter(position=1)) == [expected[-1]]
        assert set(first.areas.values_list("pk", flat=True)) == {a.pk for a in first.areas.all()}
        assert first.indicators.all() is loaded  # the loaded rows are still there
        assert first.indicators.filter(position=1)[0].objective is first
    with scope(authority=other.authority):
        assert load_for_scoring(Objective.objects.filter(plan=plan)) == []


def test_the_scope_filters_the_rows():
    with scopes_disabled():
        plan = build_plan(2)
        foreign = AuthorityFactory()
        # A row of another authority on one of this plan's schede (not possible through
        # the app): the scoped managers leave it out, as the prefetch did.
        objective = plan.objectives.first()
        IndicatorFactory(objective=objective, authority=foreign, position=9)
    with scope(authority=plan.authority):
        loaded = load_for_scoring(plan.objectives.all())
        reference = reference_load(plan.objectives.all())
        assert graph(loaded) == graph(reference)
    with scopes_disabled():
        loaded = load_for_scoring(plan.objectives.all())
        reference = reference_load(plan.objectives.all())
        assert graph(loaded) == graph(reference)
        assert sum(len(o.indicators.all()) for o in loaded) == 7


def test_rows_reads_the_loaded_list_or_the_database():
    with scopes_disabled():
        plan = build_plan(1)
        [loaded] = load_for_scoring(plan.objectives.all())
        [plain_one] = plan.objectives.all()
        count, found = count_queries(lambda: queries.rows(loaded, "indicators"))
        assert count == 0 and found == list(loaded.indicators.all())
        count, found = count_queries(lambda: queries.rows(plain_one, "indicators"))
        assert count == 1 and [i.pk for i in found] == [i.pk for i in loaded.indicators.all()]
