"""One card checked against the plan's codes alone says what the whole-plan check says of it."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from traguardo.scoring import (
    ActivityFacts,
    IndicatorFacts,
    Issue,
    ObjectiveFacts,
    check_objective,
    check_plan,
)

FIRST, LAST = 2019, 2021

# Few codes, with blanks and case variants, so that duplicates are common.
codes = st.sampled_from(("", " ", "A1", "a1 ", " A1", "B2", "b2", "C3", "ß", "SS"))
weights = st.none() | st.integers(min_value=-10, max_value=120).map(Decimal)
days = st.none() | st.dates(min_value=date(2018, 6, 1), max_value=date(2022, 6, 30))
indicator_facts = st.builds(
    IndicatorFacts,
    position=st.integers(min_value=1, max_value=5),
    weight=weights,
    final_value=st.booleans(),
    final_due_on=days,
    final_due_text=st.sampled_from(("", "31 dicembre", "entro l'anno")),
    intermediate_due_on=days,
    has_scale=st.booleans(),
)
activity_facts = st.builds(
    ActivityFacts,
    position=st.integers(min_value=1, max_value=5),
    weight=weights,
    start_on=days,
    end_on=days,
)


@st.composite
def plans(draw: st.DrawFn) -> list[ObjectiveFacts]:
    keys = draw(st.lists(st.integers(min_value=1, max_value=10_000), unique=True, max_size=12))
    return [
        ObjectiveFacts(
            key=key,
            code=draw(codes),
            title=draw(st.sampled_from(("", " ", "Gestione patrimonio"))),
            has_unit=draw(st.booleans()),
            has_responsible=draw(st.booleans()),
            has_weight_score=draw(st.booleans()),
            has_areas=draw(st.booleans()),
            indicators=tuple(draw(st.lists(indicator_facts, max_size=3))),
            activities=tuple(draw(st.lists(activity_facts, max_size=3))),
        )
        for key in keys
    ]


def _codes(plan: list[ObjectiveFacts]) -> list[tuple[int, str]]:
    return [(facts.key, facts.code) for facts in plan]


# The three properties below share one drawn plan: drawing it costs most of each example.
# Each keeps its own assertions, on 100 plans.


def each_card_alone_equals_the_whole_plan_check(plan):
    whole = check_plan(plan, first_year=FIRST, last_year=LAST)
    for facts in plan:
        alone = check_objective(facts, codes=_codes(plan), first_year=FIRST, last_year=LAST)
        assert alone == whole[facts.key]


def the_other_cards_facts_do_not_matter_only_their_codes(plan, data):
    """What a card is checked with is the others' codes: their rows may be anything."""
    facts = data.draw(st.sampled_from(plan))
    emptied = [
        other
        if other.key == facts.key
        else ObjectiveFacts(other.key, other.code, "", False, False, False, False, ())
        for other in plan
    ]
    whole = check_plan(emptied, first_year=FIRST, last_year=LAST)
    alone = check_objective(facts, codes=_codes(plan), first_year=FIRST, last_year=LAST)
    assert alone == whole[facts.key]


def a_card_saved_last_needs_no_entry_of_its_own(plan):
    """The editor checks the card being saved after the plan's others: its own entry, last in
    the list, may be left out of the codes (positions of the others do not move)."""
    *others, mine = plan
    whole = check_plan(plan, first_year=FIRST, last_year=LAST)
    alone = check_objective(mine, codes=_codes(others), first_year=FIRST, last_year=LAST)
    assert alone == whole[mine.key]


@given(plans(), st.data())
def test_a_card_checked_alone_is_checked_as_in_its_plan(plan, data):
    """Each card alone equals the whole plan's check, with the others' codes only, and with
    no entry of its own when it is saved last."""
    each_card_alone_equals_the_whole_plan_check(plan)
    if not plan:
        return  # the two below need a card
    the_other_cards_facts_do_not_matter_only_their_codes(plan, data)
    a_card_saved_last_needs_no_entry_of_its_own(plan)


def test_a_duplicate_names_the_others_and_their_positions():
    def card(key, code):
        return ObjectiveFacts(key, code, "T", True, True, True, True, ())

    plan = [card(7, "A1"), card(8, "B2"), card(9, " a1"), card(10, "A1")]
    issues = check_objective(plan[2], codes=_codes(plan), first_year=FIRST, last_year=LAST)
    [duplicate] = [i for i in issues if i.code == "duplicate_code"]
    assert duplicate == Issue(
        "duplicate_code",
        "error",
        "code",
        params={"code": "a1", "others": (7, 10), "positions": (1, 4)},
    )


def test_refuses_two_entries_with_one_key_and_years_reversed():
    card = ObjectiveFacts(1, "A1", "T", True, True, True, True, ())
    with pytest.raises(ValueError, match="two objectives"):
        check_objective(card, codes=[(2, "A1"), (2, "B2")], first_year=FIRST, last_year=LAST)
    with pytest.raises(ValueError, match="first_year"):
        check_objective(card, codes=[], first_year=LAST, last_year=FIRST)
