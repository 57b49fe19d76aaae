"""Hypothesis strategies for the scoring engine's inputs.

Every strategy is built once at module level: strategies created inside a draw are validated
again on every example, which made the plan-level properties several times slower.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from traguardo.scoring import (
    ActivitySpec,
    Band,
    Bands,
    Binary,
    Context,
    DelayStep,
    DelaySteps,
    Direction,
    IndicatorSpec,
    Measure,
    ObjectiveSpec,
    Observation,
    Proportional,
)


def decimals(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Decimals in [low, high] with up to three places, like the figures people type."""
    return st.integers(min_value=low * 1000, max_value=high * 1000).map(lambda n: Decimal(n) / 1000)


percents = decimals(0, 100)
optional_percents = st.none() | percents
# Exclusions and overrides are the exception: keep most examples about real measuring.
rarely_true = st.sampled_from((False, False, False, True))
rarely_percent = st.sampled_from((False, False, False, True)).flatmap(
    lambda forced: percents if forced else st.none()
)
dates = st.dates(min_value=date(2019, 1, 1), max_value=date(2021, 12, 31))
optional_dates = st.none() | dates
contexts = st.builds(Context, as_of=dates, closed=st.booleans())

_step_days = st.sets(st.integers(min_value=1, max_value=400), min_size=1, max_size=5)
_band_lowers = st.sets(decimals(0, 300), min_size=1, max_size=5)


@st.composite
def _delay_steps(draw: st.DrawFn) -> DelaySteps:
    steps = tuple(DelayStep(day, draw(percents)) for day in sorted(draw(_step_days)))
    return DelaySteps(steps, draw(percents))


@st.composite
def _bands(draw: st.DrawFn) -> Bands:
    lowers = sorted(draw(_band_lowers))
    uppers = [*lowers[1:], None]
    result = tuple(
        Band(lower, upper, draw(percents), None if upper is None else draw(optional_percents))
        for lower, upper in zip(lowers, uppers, strict=True)
    )
    return Bands(result, draw(percents))


scales = st.one_of(
    _delay_steps(),
    st.builds(Proportional, optional_percents),
    _bands(),
    st.just(Binary()),
)
optional_scales = st.none() | scales

observations = st.builds(
    Observation,
    numerator=st.none() | decimals(0, 500),
    denominator=st.none() | decimals(0, 500),
    value=st.none() | decimals(-500, 500),
    completed_on=optional_dates,
    done=st.none() | st.booleans(),
)

indicators = st.builds(
    IndicatorSpec,
    key=st.just("i"),
    weight=decimals(0, 100),
    measure=st.sampled_from(Measure),
    scale=optional_scales,
    target=st.none() | decimals(-100, 200),
    due_on=optional_dates,
    direction=st.sampled_from(Direction),
    baseline=st.none() | decimals(-100, 500),
    variation_percent=st.booleans(),
    observation=st.none() | observations,
    excluded=rarely_true,
    forced=rarely_percent,
    due_year=st.none() | st.integers(min_value=2019, max_value=2021),
)

activities = st.builds(
    ActivitySpec,
    key=st.just("a"),
    weight=decimals(0, 100),
    due_on=optional_dates,
    scale=optional_scales,
    completed_on=optional_dates,
    progress=optional_percents,
    excluded=rarely_true,
    due_year=st.none() | st.integers(min_value=2019, max_value=2021),
)

UNITS = ("u1", "u2", "u3")
_indicator_lists = st.lists(indicators, min_size=1, max_size=3)
_activity_lists = st.lists(activities, max_size=2)
_weight_scores = st.none() | decimals(0, 100)
_unit_keys = st.none() | st.sampled_from(UNITS)
_person_keys = st.none() | st.sampled_from(("p1", "p2"))


@st.composite
def _objective(draw: st.DrawFn, key: str) -> ObjectiveSpec:
    """An objective whose rows have distinct keys, as a real card has."""
    return ObjectiveSpec(
        key=key,
        indicators=tuple(
            replace(i, key=f"{key}-i{n}") for n, i in enumerate(draw(_indicator_lists))
        ),
        activities=tuple(
            replace(a, key=f"{key}-a{n}") for n, a in enumerate(draw(_activity_lists))
        ),
        weight_score=draw(_weight_scores),
        unit_key=draw(_unit_keys),
        person_key=draw(_person_keys),
        forced=draw(rarely_percent),
    )


objectives = _objective("o")
_plan_objectives = [_objective(f"o{n}") for n in range(4)]
_plan_sizes = st.integers(min_value=1, max_value=len(_plan_objectives))


@st.composite
def _plan(draw: st.DrawFn) -> list[ObjectiveSpec]:
    return [draw(strategy) for strategy in _plan_objectives[: draw(_plan_sizes)]]


plans = _plan()
