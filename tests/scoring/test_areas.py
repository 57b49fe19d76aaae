"""The roll-up by ambito della performance (DESIGN.md §4.3, as for units)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tests.scoring.strategies import decimals
from traguardo.scoring import Aggregate, score_areas

D = Decimal


def test_an_ambito_is_the_punteggio_weighted_mean_of_its_objectives():
    areas = score_areas(
        [
            (D(60), D(100), ["a1"]),
            (D(30), D(70), ["a1", "a2"]),
            (D(30), None, ["a2"]),
        ]
    )
    # a1: (60·100 + 30·70) / 90 = 90; a2: only one of two measured.
    assert areas == {
        "a1": Aggregate(D("90.00"), 2, 2, False),
        "a2": Aggregate(D("70.00"), 2, 1, False),
    }


def test_a_blank_punteggio_gives_equal_weights():
    areas = score_areas([(None, D(100), [1]), (D(90), D(50), [1])])
    assert areas == {1: Aggregate(D("75.00"), 2, 2, True)}


def test_an_objective_counts_once_per_ambito_and_without_ambiti_nowhere():
    areas = score_areas([(D(1), D("33.333"), ["a", "a"]), (D(1), D(10), [])])
    assert areas == {"a": Aggregate(D("33.33"), 1, 1, False)}


# Results as the engine reports them: rounded to 2 places.
results = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n) / 100)
members = st.lists(
    st.tuples(
        st.none() | decimals(0, 100),
        st.none() | results,
        st.lists(st.sampled_from(("a1", "a2", "a3")), max_size=3),
    ),
    max_size=12,
)


@given(members)
def test_an_ambito_lies_between_its_objectives(members):
    areas = score_areas(members)
    for key, aggregate in areas.items():
        values = [achievement for _w, achievement, keys in members if key in keys]
        measured = [value for value in values if value is not None]
        assert aggregate.objectives == len(values)
        assert aggregate.measured == len(measured)
        if measured:
            assert min(measured) <= aggregate.achievement <= max(measured)
        else:
            assert aggregate.achievement is None
    assert set(areas) == {key for _w, _a, keys in members for key in keys}
