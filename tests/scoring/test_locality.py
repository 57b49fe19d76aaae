"""Forcing or excluding an indicator touches its own objective and the aggregates above it,
nothing else (DESIGN.md §4.3)."""

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.scoring.strategies import contexts, plans
from traguardo.scoring import Policy, score_plan

PARENTS = {"u1": "u2", "u3": "u2"}


def _ancestors(unit) -> set:
    found = set()
    while unit is not None:
        found.add(unit)
        unit = PARENTS.get(unit)
    return found


@given(plans, contexts, st.data(), st.sampled_from(["force", "exclude"]))
def test_changing_one_indicator_changes_only_its_objective_and_ancestors(
    plan, context, data, change
):
    with_indicators = [spec for spec in plan if spec.indicators]
    if not with_indicators:
        return
    target = data.draw(st.sampled_from(with_indicators))
    index = data.draw(st.integers(min_value=0, max_value=len(target.indicators) - 1))
    indicator = target.indicators[index]
    changed_indicator = (
        replace(indicator, forced=Decimal("42.5"), excluded=False)
        if change == "force"
        else replace(indicator, excluded=True)
    )
    indicators = list(target.indicators)
    indicators[index] = changed_indicator
    changed_plan = [
        replace(spec, indicators=tuple(indicators)) if spec.key == target.key else spec
        for spec in plan
    ]
    policy = Policy()
    before = score_plan(plan, policy=policy, context=context, unit_parents=PARENTS)
    after = score_plan(changed_plan, policy=policy, context=context, unit_parents=PARENTS)

    for key, result in before.objectives.items():
        if key != target.key:
            assert after.objectives[key] == result
    touched_units = _ancestors(target.unit_key)
    for unit, aggregate in before.units.items():
        if unit not in touched_units:
            assert after.units[unit] == aggregate
    for person, aggregate in before.people.items():
        if person != target.person_key:
            assert after.people[person] == aggregate
