"""Properties that must hold for any plan, not just the examples."""

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.scoring.strategies import contexts, indicators, objectives, plans, scales
from traguardo.scoring import (
    ObjectiveSpec,
    Policy,
    Status,
    scale_from_dict,
    scale_to_dict,
    score_indicator,
    score_objective,
    score_plan,
)

policies = st.builds(
    Policy, activity_share=st.sampled_from([Decimal(0), Decimal(30), Decimal(100)])
)


def in_range(value):
    return value is None or Decimal(0) <= value <= Decimal(100)


@given(indicators, contexts)
def test_indicator_achievement_is_a_percent(spec, context):
    result = score_indicator(spec, context)
    assert in_range(result.achievement)
    assert (result.achievement is None) == (
        result.status in {Status.MISSING, Status.NOT_MEASURABLE, Status.EXCLUDED, Status.NOT_DUE}
    )


@given(objectives, policies, contexts)
def test_objective_figures_are_percents(spec, policy, context):
    result = score_objective(spec, policy, context)
    for value in (result.achievement, result.indicator_achievement, result.activity_progress):
        assert in_range(value)
    assert all(in_range(a.achievement) for a in result.activities)


@given(objectives, policies, contexts, st.data())
def test_excluding_an_indicator_is_removing_it(spec, policy, context, data):
    position = data.draw(st.integers(min_value=0, max_value=len(spec.indicators) - 1))
    indicators = list(spec.indicators)
    excluded = replace(
        spec,
        indicators=tuple(
            replace(i, excluded=True) if n == position else i for n, i in enumerate(indicators)
        ),
    )
    removed = replace(spec, indicators=tuple(indicators[:position] + indicators[position + 1 :]))
    with_excluded = score_objective(excluded, policy, context)
    without = score_objective(removed, policy, context)
    assert with_excluded.achievement == without.achievement
    assert with_excluded.indicator_achievement == without.indicator_achievement
    if removed.indicators:
        assert with_excluded.status == without.status


@given(plans, policies, contexts)
def test_scoring_twice_gives_the_same_result(plan, policy, context):
    parents = {"u1": "u2", "u2": None, "u3": "u2"}
    first = score_plan(plan, policy=policy, context=context, unit_parents=parents)
    second = score_plan(plan, policy=policy, context=context, unit_parents=parents)
    assert first == second


@given(plans, policies, contexts, st.randoms(use_true_random=False))
def test_order_changes_nothing(plan, policy, context, random):
    parents = {"u1": "u2", "u3": "u2"}
    shuffled = []
    for spec in plan:
        indicators = list(spec.indicators)
        activities = list(spec.activities)
        random.shuffle(indicators)
        random.shuffle(activities)
        shuffled.append(replace(spec, indicators=tuple(indicators), activities=tuple(activities)))
    random.shuffle(shuffled)
    original = score_plan(plan, policy=policy, context=context, unit_parents=parents)
    permuted = score_plan(shuffled, policy=policy, context=context, unit_parents=parents)
    assert original.units == permuted.units
    assert original.people == permuted.people
    assert original.authority == permuted.authority
    for key, result in original.objectives.items():
        other = permuted.objectives[key]
        assert replace(other, indicators=(), activities=()) == replace(
            result, indicators=(), activities=()
        )
        assert set(other.indicators) == set(result.indicators)
        assert set(other.activities) == set(result.activities)


@given(plans, policies, contexts)
def test_a_unit_lies_between_its_objectives(plan, policy, context):
    parents = {"u1": "u2", "u3": "u2"}
    result = score_plan(plan, policy=policy, context=context, unit_parents=parents)
    for unit, aggregate in result.units.items():
        members = [
            result.objectives[spec.key].achievement
            for spec in plan
            if spec.unit_key == unit or (unit == "u2" and spec.unit_key in parents)
        ]
        measured = [value for value in members if value is not None]
        assert aggregate.objectives == len(members)
        assert aggregate.measured == len(measured)
        if measured:
            assert min(measured) <= aggregate.achievement <= max(measured)
        else:
            assert aggregate.achievement is None


@given(scales)
def test_stored_scale_round_trip(scale):
    assert scale_from_dict(scale_to_dict(scale)) == scale


def test_objective_spec_is_plain_data():
    assert ObjectiveSpec("o", ()) == ObjectiveSpec("o", ())
