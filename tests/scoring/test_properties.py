"""Properties that must hold for any plan, not just the examples."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.scoring.strategies import activities, contexts, indicators, objectives, plans, scales
from traguardo.scoring import (
    ItemState,
    ObjectiveSpec,
    Policy,
    Status,
    activity_state,
    indicator_state,
    scale_from_dict,
    scale_to_dict,
    score_activity,
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


# The objective-level properties share one drawn scheda, as the plan-level ones below share a
# plan: drawing it costs most of each example. Each keeps its own assertions, on 100 schede.


def objective_figures_are_percents(spec, policy, context):
    result = score_objective(spec, policy, context)
    for value in (result.achievement, result.indicator_achievement, result.activity_progress):
        assert in_range(value)
    assert all(in_range(a.achievement) for a in result.activities)


def excluding_an_indicator_is_removing_it(spec, policy, context, data):
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


def an_indicator_not_yet_due_is_left_out_like_a_removed_one(spec, policy, context, data):
    """Weights renormalise over what is due as of the reference date (DESIGN.md §4.7)."""
    position = data.draw(st.integers(min_value=0, max_value=len(spec.indicators) - 1))
    later = context.as_of + timedelta(days=data.draw(st.integers(min_value=1, max_value=400)))
    indicators = list(spec.indicators)
    not_due = replace(indicators[position], due_on=later, excluded=False, forced=None)
    postponed = replace(
        spec, indicators=tuple(not_due if n == position else i for n, i in enumerate(indicators))
    )
    removed = replace(spec, indicators=tuple(indicators[:position] + indicators[position + 1 :]))
    with_later = score_objective(postponed, policy, context)
    without = score_objective(removed, policy, context)
    assert with_later.indicators[position].status == Status.NOT_DUE
    assert with_later.achievement == without.achievement
    assert with_later.indicator_achievement == without.indicator_achievement


@given(objectives, policies, contexts, st.data())
def test_a_schedas_figures_are_percents_and_renormalise(spec, policy, context, data):
    """Every figure is a percent; an excluded indicator, or one not yet due, weighs as if it
    were removed (weights renormalise)."""
    objective_figures_are_percents(spec, policy, context)
    excluding_an_indicator_is_removing_it(spec, policy, context, data)
    an_indicator_not_yet_due_is_left_out_like_a_removed_one(spec, policy, context, data)


# The plan-level properties share one drawn plan: drawing it costs most of each example (the
# scoring itself a fraction), and four tests drew a hundred plans each for properties that
# all read the same kind of plan. Each property keeps its own assertions, on 100 plans.


def scoring_twice_gives_the_same_result(plan, policy, context):
    parents = {"u1": "u2", "u2": None, "u3": "u2"}
    first = score_plan(plan, policy=policy, context=context, unit_parents=parents)
    second = score_plan(plan, policy=policy, context=context, unit_parents=parents)
    assert first == second


def order_changes_nothing(plan, policy, context, random, original, parents):
    shuffled = []
    for spec in plan:
        indicators = list(spec.indicators)
        activities = list(spec.activities)
        random.shuffle(indicators)
        random.shuffle(activities)
        shuffled.append(replace(spec, indicators=tuple(indicators), activities=tuple(activities)))
    random.shuffle(shuffled)
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


def a_unit_lies_between_its_objectives(plan, result, parents):
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


def every_roll_up_says_what_it_counts(plan, policy, context):
    result = score_plan(plan, policy=policy, context=context)
    for aggregate in (result.authority, *result.units.values(), *result.people.values()):
        assert aggregate.partial <= aggregate.measured <= aggregate.due <= aggregate.objectives
        assert (aggregate.achievement is None) == (aggregate.measured == 0)
    not_due = [o for o in result.objectives.values() if o.status == Status.NOT_DUE]
    assert result.authority.not_due == len(not_due)


@given(plans, policies, contexts, st.randoms(use_true_random=False))
def test_a_plans_scores_repeat_ignore_order_and_roll_up_truly(plan, policy, context, random):
    """Scoring twice gives the same result; the order of schede, indicators and activities
    changes nothing; a unit lies between its objectives; every roll-up says what it counts."""
    parents = {"u1": "u2", "u3": "u2"}
    original = score_plan(plan, policy=policy, context=context, unit_parents=parents)
    scoring_twice_gives_the_same_result(plan, policy, context)
    order_changes_nothing(plan, policy, context, random, original, parents)
    a_unit_lies_between_its_objectives(plan, original, parents)
    every_roll_up_says_what_it_counts(plan, policy, context)


@given(scales)
def test_stored_scale_round_trip(scale):
    assert scale_from_dict(scale_to_dict(scale)) == scale


def test_objective_spec_is_plain_data():
    assert ObjectiveSpec("o", ()) == ObjectiveSpec("o", ())


@given(activities, contexts)
def test_an_activity_nobody_reported_on_never_scores(spec, context):
    silent = replace(spec, completed_on=None, progress=None)
    result = score_activity(silent, context)
    assert result.achievement is None
    assert activity_state(result) in {
        ItemState.NOT_MEASURED,
        ItemState.NOT_DUE,
        ItemState.EXCLUDED,
    }


@given(indicators, contexts)
def test_a_rows_state_and_its_score_agree(spec, context):
    result = score_indicator(spec, context)
    state = indicator_state(result)
    scored = {ItemState.MEASURED, ItemState.ON_TIME, ItemState.COMPLETED_LATE, ItemState.LATE}
    assert (result.achievement is not None) == (state in scored | {ItemState.FORCED})
