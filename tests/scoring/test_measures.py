from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from traguardo.scoring import (
    ActivitySpec,
    Band,
    Bands,
    Binary,
    Context,
    DelayStep,
    DelaySteps,
    Direction,
    IndicatorResult,
    IndicatorSpec,
    Measure,
    Observation,
    Proportional,
    Status,
    Why,
    score_activity,
    score_indicator,
)

D = Decimal
STEPS = DelaySteps((DelayStep(5, D(90)), DelayStep(10, D(80)), DelayStep(15, D(60))))
YEAR_END = Context(as_of=date(2019, 12, 31), closed=True)
CLOSED_2020 = Context(as_of=date(2020, 1, 31), closed=True)


def indicator(measure, observation, **fields):
    defaults = {
        "key": "i",
        "weight": D(100),
        "measure": measure,
        "scale": None,
        "target": None,
        "due_on": None,
        "observation": observation,
    }
    return IndicatorSpec(**{**defaults, **fields})


# DESIGN.md §4.6, card 2 indicator 2 "Prima procedura di gara SINTEL"
@pytest.mark.parametrize(
    ("completed_on", "expected", "days_late"),
    [
        (date(2019, 9, 30), D("100.00"), 0),
        (date(2019, 10, 4), D("90.00"), 4),
        (date(2019, 10, 10), D("80.00"), 10),
        (date(2019, 10, 15), D("60.00"), 15),
        (date(2019, 10, 16), D("0.00"), 16),
    ],
)
def test_card_2_deadline(completed_on, expected, days_late):
    spec = indicator(
        Measure.DEADLINE,
        Observation(completed_on=completed_on),
        scale=STEPS,
        target=D(0),
        due_on=date(2019, 9, 30),
    )
    assert score_indicator(spec, YEAR_END) == IndicatorResult(
        "i", Status.MEASURED, None, expected, days_late
    )


# DESIGN.md §4.6, card 1 indicator 1 "Completare inserimento dati"
def test_card_1_ratio_graded_by_delay():
    spec = indicator(
        Measure.RATIO,
        Observation(numerator=D(200), denominator=D(200), completed_on=date(2020, 1, 7)),
        scale=STEPS,
        target=D(100),
        due_on=date(2019, 12, 31),
    )
    assert score_indicator(spec, CLOSED_2020) == IndicatorResult(
        "i", Status.MEASURED, D("100.00"), D("80.00"), 7
    )


def test_card_1_ratio_proportional():
    spec = indicator(
        Measure.RATIO,
        Observation(numerator=D(180), denominator=D(200)),
        scale=Proportional(),
        target=D(100),
        due_on=date(2019, 12, 31),
    )
    assert score_indicator(spec, YEAR_END) == IndicatorResult(
        "i", Status.MEASURED, D("90.00"), D("90.00"), None
    )


# DESIGN.md §4.6, card 7: PTPC measures
def test_card_7_ptpc_measures():
    spec = indicator(
        Measure.RATIO,
        Observation(numerator=D(18), denominator=D(24)),
        scale=Proportional(),
        target=D(100),
    )
    assert score_indicator(spec, YEAR_END).achievement == D("75.00")


def ratio_by_delay(observation):
    return indicator(
        Measure.RATIO, observation, scale=STEPS, target=D(100), due_on=date(2019, 12, 31)
    )


def test_ratio_below_target_is_late_as_of_the_reference_date():
    spec = ratio_by_delay(Observation(numerator=D(150), denominator=D(200)))
    open_period = Context(as_of=date(2020, 1, 8), closed=False)
    assert score_indicator(spec, open_period) == IndicatorResult(
        "i", Status.PROVISIONAL, D("75.00"), D("80.00"), 8, Why.NOT_REACHED
    )
    closed = Context(as_of=date(2020, 1, 8), closed=True)
    assert score_indicator(spec, closed).status == Status.MEASURED


def test_ratio_due_after_the_reference_date_is_not_due_whatever_was_recorded():
    spec = ratio_by_delay(Observation(numerator=D(200), denominator=D(200)))
    result = score_indicator(spec, Context(as_of=date(2019, 6, 30), closed=True))
    assert result == IndicatorResult("i", Status.NOT_DUE, None, None, None)


def test_ratio_below_target_on_its_due_date_is_not_reached_yet():
    spec = ratio_by_delay(Observation(numerator=D(150), denominator=D(200)))
    result = score_indicator(spec, Context(as_of=date(2019, 12, 31), closed=False))
    assert result == IndicatorResult("i", Status.MISSING, D("75.00"), None, 0, Why.NOT_REACHED)


def test_ratio_at_target_needs_the_day_it_was_reached():
    # Never "reached on the reference date" by guess.
    reached = Observation(numerator=D(200), denominator=D(200))
    result = score_indicator(ratio_by_delay(reached), Context(date(2020, 1, 3), closed=False))
    assert result == IndicatorResult(
        "i", Status.MISSING, D("100.00"), None, None, Why.NO_REACHED_DATE
    )
    dated = replace(reached, completed_on=date(2020, 1, 3))
    result = score_indicator(ratio_by_delay(dated), Context(date(2020, 1, 3), closed=False))
    assert result == IndicatorResult("i", Status.MEASURED, D("100.00"), D("90.00"), 3)


def test_a_reaching_day_does_not_count_while_the_ratio_is_below_target():
    # 95 of 100 with a "reached on" date: the delay runs to the reference date, not 100 %.
    below = Observation(numerator=D(95), denominator=D(100), completed_on=date(2019, 12, 31))
    result = score_indicator(ratio_by_delay(below), Context(date(2020, 1, 31), closed=True))
    assert result == IndicatorResult(
        "i", Status.MEASURED, D("95.00"), D("0.00"), 31, Why.NOT_REACHED
    )


@pytest.mark.parametrize(
    ("observation", "status"),
    [
        (Observation(numerator=D(5), denominator=D(0)), Status.NOT_MEASURABLE),
        (Observation(numerator=D(5)), Status.NOT_MEASURABLE),
        (Observation(denominator=D(5)), Status.NOT_MEASURABLE),
        (Observation(), Status.MISSING),
        (None, Status.MISSING),
    ],
)
def test_ratio_without_usable_numbers(observation, status):
    spec = indicator(Measure.RATIO, observation, scale=Proportional(), target=D(100))
    result = score_indicator(spec, YEAR_END)
    assert (result.status, result.achievement) == (status, None)


def test_ratio_without_target_is_not_measurable():
    spec = indicator(Measure.RATIO, Observation(numerator=D(1), denominator=D(2)))
    assert score_indicator(spec, YEAR_END).status == Status.NOT_MEASURABLE


def test_deadline_not_completed():
    spec = indicator(Measure.DEADLINE, Observation(), scale=STEPS, due_on=date(2019, 9, 30))
    earlier = score_indicator(spec, Context(as_of=date(2019, 9, 29), closed=False))
    assert earlier == IndicatorResult("i", Status.NOT_DUE, None, None, None)
    on_the_day = score_indicator(spec, Context(as_of=date(2019, 9, 30), closed=False))
    assert on_the_day == IndicatorResult("i", Status.MISSING, None, None, 0, Why.NOT_REACHED)
    after = score_indicator(spec, Context(as_of=date(2019, 10, 7), closed=False))
    assert after == IndicatorResult("i", Status.PROVISIONAL, None, D("80.00"), 7, Why.NOT_REACHED)
    closed = score_indicator(spec, Context(as_of=date(2019, 10, 7), closed=True))
    assert closed == IndicatorResult("i", Status.MEASURED, None, D("80.00"), 7, Why.NOT_REACHED)


@pytest.mark.parametrize("scale", [None, Binary()])
def test_deadline_without_steps_is_on_time_or_not(scale):
    due = date(2019, 9, 30)
    on_time = indicator(Measure.DEADLINE, Observation(completed_on=due), scale=scale, due_on=due)
    late = indicator(
        Measure.DEADLINE, Observation(completed_on=date(2019, 10, 1)), scale=scale, due_on=due
    )
    assert score_indicator(on_time, YEAR_END).achievement == D(100)
    assert score_indicator(late, YEAR_END).achievement == D(0)


def test_deadline_needs_a_date_and_a_lateness_scale():
    done = Observation(completed_on=date(2019, 9, 30))
    no_date = indicator(Measure.DEADLINE, done, scale=STEPS)
    assert score_indicator(no_date, YEAR_END).status == Status.NOT_MEASURABLE
    proportional = indicator(Measure.DEADLINE, done, scale=Proportional(), due_on=date(2019, 9, 30))
    assert score_indicator(proportional, YEAR_END).status == Status.NOT_MEASURABLE


@pytest.mark.parametrize(
    ("value", "achievement", "days_late"),
    [(D(3), D(100), 3), (D(5), D(100), 5), (D(6), D(90), 6), (D(12), D(80), 12), (D(21), D(0), 21)],
)
def test_delay_days_grades_the_days_over_the_target(value, achievement, days_late):
    spec = indicator(Measure.DELAY_DAYS, Observation(value=value), scale=STEPS, target=D(5))
    assert score_indicator(spec, YEAR_END) == IndicatorResult(
        "i", Status.MEASURED, value, achievement, days_late
    )


def test_delay_days_part_of_a_day_counts_as_a_day():
    spec = indicator(Measure.DELAY_DAYS, Observation(value=D("5.5")), scale=STEPS, target=D(5))
    assert score_indicator(spec, YEAR_END).achievement == D(90)


def test_delay_days_proportional_is_lower_is_better():
    spec = indicator(
        Measure.DELAY_DAYS,
        Observation(value=D(10)),
        scale=Proportional(),
        target=D(5),
        direction=Direction.HIGHER,
    )
    assert score_indicator(spec, YEAR_END).achievement == D(50)
    zero = indicator(Measure.DELAY_DAYS, Observation(value=D(0)), scale=Proportional(), target=D(5))
    assert score_indicator(zero, YEAR_END).achievement == D(100)


@pytest.mark.parametrize(
    ("measure", "value", "target", "direction", "scale", "expected"),
    [
        (Measure.NUMBER, D(8), D(10), Direction.HIGHER, Proportional(), D(80)),
        (Measure.NUMBER, D(12), D(10), Direction.HIGHER, Proportional(), D(100)),
        (Measure.NUMBER, D(8), D(10), Direction.HIGHER, None, D(0)),
        (Measure.NUMBER, D(10), D(10), Direction.HIGHER, Binary(), D(100)),
        (Measure.NUMBER, D(20), D(10), Direction.LOWER, Proportional(), D(50)),
        (Measure.NUMBER, D(9), D(10), Direction.LOWER, Binary(), D(100)),
        (Measure.PERCENTAGE, D("72.5"), D(100), Direction.HIGHER, Proportional(), D("72.5")),
        (
            Measure.PERCENTAGE,
            D(80),
            D(100),
            Direction.HIGHER,
            Bands((Band(D(50), D(90), D(60)), Band(D(90), None, D(100)))),
            D(60),
        ),
    ],
)
def test_number_and_percentage(measure, value, target, direction, scale, expected):
    spec = indicator(
        measure, Observation(value=value), scale=scale, target=target, direction=direction
    )
    assert score_indicator(spec, YEAR_END).achievement == expected


def test_number_graded_by_delay_steps_without_a_due_date_is_not_measurable():
    spec = indicator(Measure.NUMBER, Observation(value=D(1)), scale=STEPS, target=D(1))
    result = score_indicator(spec, YEAR_END)
    assert (result.status, result.why) == (Status.NOT_MEASURABLE, Why.NO_DUE_DATE)


def test_number_graded_by_delay_counts_to_the_day_it_was_reached():
    observation = Observation(value=D(12), completed_on=date(2019, 10, 10))
    spec = indicator(
        Measure.NUMBER, observation, scale=STEPS, target=D(12), due_on=date(2019, 9, 30)
    )
    result = score_indicator(spec, YEAR_END)
    assert (result.status, result.achievement, result.days_late) == (Status.MEASURED, D(80), 10)


def variation(actual, scale, target=Decimal(-20), baseline=Decimal(100), **fields):
    spec = indicator(
        Measure.VARIATION,
        Observation(value=actual),
        scale=scale,
        target=target,
        baseline=baseline,
        **fields,
    )
    return score_indicator(spec, YEAR_END)


def test_variation_events_outside_the_programme():
    # card: "n° eventi fuori programma rispetto al 2018: -20"
    assert variation(D(75), Binary()) == IndicatorResult(
        "i", Status.MEASURED, D("-25.00"), D("100.00"), None
    )
    assert variation(D(85), Binary()).achievement == D(0)
    assert variation(D(90), Proportional()).achievement == D(50)
    assert variation(D(105), Proportional()).achievement == D(0)
    assert variation(D(70), Proportional()).achievement == D(100)


def test_variation_in_percent_of_the_baseline():
    result = variation(D(45), Proportional(), baseline=D(50), variation_percent=True)
    assert (result.value, result.achievement) == (D("-10.00"), D("50.00"))


def test_variation_not_measurable():
    zero_base = variation(D(5), Binary(), baseline=D(0), variation_percent=True)
    assert zero_base.status == Status.NOT_MEASURABLE
    assert variation(D(5), Binary(), baseline=None).status == Status.NOT_MEASURABLE


def test_variation_target_zero_follows_the_direction():
    assert variation(D(99), Binary(), target=D(0), direction=Direction.LOWER).achievement == D(100)
    assert variation(D(101), Binary(), target=D(0), direction=Direction.LOWER).achievement == D(0)
    assert variation(D(101), Binary(), target=D(0)).achievement == D(100)


def test_boolean():
    def result(done, closed=True):
        spec = indicator(Measure.BOOLEAN, Observation(done=done))
        return score_indicator(spec, Context(as_of=date(2019, 12, 31), closed=closed))

    assert result(True) == IndicatorResult("i", Status.MEASURED, None, D(100), None)
    assert result(False) == IndicatorResult("i", Status.MEASURED, None, D(0), None)
    assert result(False, closed=False).status == Status.PROVISIONAL
    assert result(None).status == Status.MISSING


def test_excluded_and_forced():
    observation = Observation(numerator=D(1), denominator=D(2))
    base = {"scale": Proportional(), "target": D(100)}
    excluded = indicator(Measure.RATIO, observation, excluded=True, forced=D(10), **base)
    assert score_indicator(excluded, YEAR_END) == IndicatorResult(
        "i", Status.EXCLUDED, None, None, None
    )
    forced = indicator(Measure.RATIO, observation, forced=D("66.666"), **base)
    assert score_indicator(forced, YEAR_END) == IndicatorResult(
        "i", Status.FORCED, D("50.00"), D("66.67"), None
    )
    forced_missing = indicator(Measure.RATIO, None, forced=D(70), **base)
    assert score_indicator(forced_missing, YEAR_END).achievement == D(70)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        Observation(value=1.5)
    with pytest.raises(TypeError):
        indicator(Measure.NUMBER, None, weight=50.0)
    with pytest.raises(TypeError):
        indicator(Measure.NUMBER, None, target=1.0)


def test_inputs_are_checked():
    with pytest.raises(ValueError):
        indicator("nonsense", None)
    with pytest.raises(ValueError):
        indicator(Measure.NUMBER, None, weight=D(-1))
    with pytest.raises(ValueError):
        indicator(Measure.NUMBER, None, forced=D(101))
    with pytest.raises(TypeError):
        Observation(completed_on="2019-09-30")
    with pytest.raises(TypeError):
        Context(as_of=None, closed=False)


def activity(**fields):
    defaults = {"key": "a", "weight": D(25), "due_on": date(2019, 9, 30), "scale": STEPS}
    return ActivitySpec(**{**defaults, **fields})


def test_activity_completed_is_graded_on_its_lateness():
    result = score_activity(activity(completed_on=date(2019, 10, 4)), YEAR_END)
    assert (result.status, result.achievement, result.days_late) == (Status.MEASURED, D(90), 4)
    no_date = score_activity(activity(due_on=None, completed_on=date(2019, 10, 4)), YEAR_END)
    assert (no_date.achievement, no_date.days_late) == (D(100), 0)


def test_activity_in_progress():
    early = Context(as_of=date(2019, 6, 30), closed=False)
    assert score_activity(activity(progress=D(40)), early).status == Status.NOT_DUE
    on_the_day = Context(as_of=date(2019, 9, 30), closed=False)
    result = score_activity(activity(progress=D(40)), on_the_day)
    assert (result.status, result.achievement) == (Status.PROVISIONAL, D(40))
    late = Context(as_of=date(2019, 10, 12), closed=False)
    # 12 days late is worth 60: an unfinished activity gets the lower of progress and lateness
    assert score_activity(activity(progress=D(90)), late).achievement == D(60)
    assert score_activity(activity(progress=D(30)), late).achievement == D(30)


def test_an_activity_nobody_reported_on_is_not_measured_never_zero():
    for context in (Context(date(2019, 10, 12), closed=False), YEAR_END):
        result = score_activity(activity(), context)
        assert (result.status, result.achievement) == (Status.MISSING, None)
        assert result.completed is False


def test_an_undated_activity_is_due_by_the_end_of_its_year():
    undated = activity(due_on=None, due_year=2019)
    assert score_activity(undated, Context(date(2019, 6, 30), closed=True)).status == (
        Status.NOT_DUE
    )
    assert score_activity(undated, YEAR_END).status == Status.MISSING


def test_activity_excluded():
    result = score_activity(activity(excluded=True, completed_on=date(2019, 9, 1)), YEAR_END)
    assert (result.status, result.achievement) == (Status.EXCLUDED, None)
