"""From one observation to one achievement: the measures of DESIGN.md §4.1.

Each measure returns an exact `Scored`; rounding happens once, when the public result is built,
so that the roll-up works on exact figures.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_CEILING, Decimal

from .italian import round_half_up
from .scales import (
    INFINITY,
    Bands,
    Binary,
    DelaySteps,
    GradingScale,
    Proportional,
    grade_delay,
    grade_performance,
    grade_ratio,
)
from .specs import (
    ActivityResult,
    ActivitySpec,
    Context,
    IndicatorResult,
    IndicatorSpec,
    Observation,
    due_by,
)
from .types import Direction, Measure, Status, Why
from .values import HUNDRED, ZERO, clamp_percent


@dataclass(frozen=True)
class Scored:
    """An exact, unrounded outcome."""

    status: Status
    achievement: Decimal | None = None
    value: Decimal | None = None
    days_late: int | None = None
    why: Why | None = None


def _final(context: Context) -> Status:
    """A figure computed "as of today" is final only once the period is closed."""
    return Status.MEASURED if context.closed else Status.PROVISIONAL


def _days_after(later: date, earlier: date) -> int:
    return max(0, (later - earlier).days)


def is_due(due_on: date | None, due_year: int | None, context: Context) -> bool:
    """Due as of the reference date: its date (else its year's end) is not after it."""
    deadline = due_by(due_on, due_year)
    return deadline is None or deadline <= context.as_of


def deadline_grade(scale: GradingScale | None, days_late: int) -> Decimal | None:
    """Grade lateness: by the steps, or on time → 100 and late → 0 (no scale, Binary).

    None for Proportional and Bands, which say nothing about lateness.
    """
    if isinstance(scale, DelaySteps):
        return grade_delay(scale, days_late)
    if scale is None or isinstance(scale, Binary):
        return HUNDRED if days_late == 0 else ZERO
    return None


def _by_date(
    scale: GradingScale | None,
    due_on: date | None,
    reached_on: date | None,
    context: Context,
    value: Decimal | None = None,
) -> Scored:
    """Grade by the delay from the due date to the day the expected level was reached.

    Not reached: the delay runs to the reference date and the scale grades it (provisional
    while the period is open). On the due date itself nothing is late yet: MISSING, with
    NOT_REACHED, until a person records the day it is reached or decides otherwise.
    """
    if due_on is None:
        return Scored(Status.NOT_MEASURABLE, value=value, why=Why.NO_DUE_DATE)
    if reached_on is not None:
        status, days, why = Status.MEASURED, _days_after(reached_on, due_on), None
    else:
        days, why = _days_after(context.as_of, due_on), Why.NOT_REACHED
        if days == 0:
            return Scored(Status.MISSING, value=value, days_late=0, why=why)
        status = _final(context)
    grade = deadline_grade(scale, days)
    if grade is None:
        return Scored(Status.NOT_MEASURABLE, value=value, days_late=days, why=Why.SCALE_MISMATCH)
    return Scored(status, grade, value, days, why)


def _by_value(
    scale: Proportional | Bands | Binary | None,
    value: Decimal,
    target: Decimal | None,
    direction: Direction,
) -> Scored:
    """Grade a value against its target; no scale means the target is met or not (Binary)."""
    scale = Binary() if scale is None else scale
    if target is None:
        return Scored(Status.NOT_MEASURABLE, value=value, why=Why.NO_TARGET)
    if target < 0 and not isinstance(scale, Binary):
        return Scored(Status.NOT_MEASURABLE, value=value, why=Why.NEGATIVE_TARGET)
    return Scored(Status.MEASURED, grade_ratio(scale, value, target, direction), value)


def _reached(value: Decimal, target: Decimal, direction: Direction) -> bool:
    return value >= target if direction is Direction.HIGHER else value <= target


def _value_by_delay(
    spec: IndicatorSpec, value: Decimal, obs: Observation, context: Context
) -> Scored:
    """A value graded by days of delay (DESIGN.md §4.6, card 1): the delay counts to the day
    the value reached its expected level, which a person records (``completed_on``).

    Reached without that day: MISSING with NO_REACHED_DATE, never a guess. A day recorded
    while the value is below the expected level is not a reaching day: the delay runs on.
    """
    if spec.target is None:
        return Scored(Status.NOT_MEASURABLE, value=value, why=Why.NO_TARGET)
    if spec.due_on is None:
        return Scored(Status.NOT_MEASURABLE, value=value, why=Why.NO_DUE_DATE)
    if _reached(value, spec.target, spec.direction):
        if obs.completed_on is None:
            return Scored(Status.MISSING, value=value, why=Why.NO_REACHED_DATE)
        return _by_date(spec.scale, spec.due_on, obs.completed_on, context, value)
    return _by_date(spec.scale, spec.due_on, None, context, value)


def _ratio(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    """numerator / denominator * 100, graded against the target or by days of delay."""
    if obs.numerator is None and obs.denominator is None:
        return Scored(Status.MISSING, why=Why.NO_VALUE)
    if obs.numerator is None or obs.denominator is None:
        return Scored(Status.NOT_MEASURABLE, why=Why.INCOMPLETE_RATIO)
    if obs.denominator == 0:
        return Scored(Status.NOT_MEASURABLE, why=Why.ZERO_DENOMINATOR)
    value = obs.numerator * HUNDRED / obs.denominator
    if isinstance(spec.scale, DelaySteps):
        return _value_by_delay(spec, value, obs, context)
    return _by_value(spec.scale, value, spec.target, spec.direction)


def _deadline(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    return _by_date(spec.scale, spec.due_on, obs.completed_on, context)


def _delay_days(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    """Days of delay entered directly; lower is better whatever `direction` says.

    A part of a day counts as a whole day late.
    """
    if obs.value is None:
        return Scored(Status.MISSING, why=Why.NO_VALUE)
    days = int(max(obs.value, ZERO).to_integral_value(rounding=ROUND_CEILING))
    if spec.target is None:
        return Scored(Status.NOT_MEASURABLE, value=obs.value, days_late=days, why=Why.NO_TARGET)
    if isinstance(spec.scale, DelaySteps):
        over = max(obs.value - spec.target, ZERO).to_integral_value(rounding=ROUND_CEILING)
        return Scored(Status.MEASURED, grade_delay(spec.scale, int(over)), obs.value, days)
    return replace(_by_value(spec.scale, obs.value, spec.target, Direction.LOWER), days_late=days)


def _number(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    if obs.value is None:
        return Scored(Status.MISSING, why=Why.NO_VALUE)
    if isinstance(spec.scale, DelaySteps):
        return _value_by_delay(spec, obs.value, obs, context)
    return _by_value(spec.scale, obs.value, spec.target, spec.direction)


def _variation(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    """Change from the baseline, against the wanted change (e.g. -20 events).

    The percent variation divides by |baseline| so that its sign always says up or down. A
    target of 0 means "no worse than the baseline", in the direction of the indicator.
    """
    actual, baseline, target = obs.value, spec.baseline, spec.target
    if actual is None:
        return Scored(Status.MISSING, why=Why.NO_VALUE)
    if target is None:
        return Scored(Status.NOT_MEASURABLE, why=Why.NO_TARGET)
    if baseline is None or (spec.variation_percent and baseline == 0):
        return Scored(Status.NOT_MEASURABLE, why=Why.NO_BASELINE)
    variation = actual - baseline
    if spec.variation_percent:
        variation = variation * HUNDRED / abs(baseline)
    scale = Binary() if spec.scale is None else spec.scale
    if not isinstance(scale, Proportional | Bands | Binary):
        return Scored(Status.NOT_MEASURABLE, value=variation, why=Why.SCALE_MISMATCH)
    if target != 0:
        ratio = variation * HUNDRED / target
    elif _reached(variation, ZERO, spec.direction):
        ratio = INFINITY
    else:
        ratio = -INFINITY
    return Scored(Status.MEASURED, grade_performance(scale, ratio), variation)


def _boolean(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    """Done → 100; not done → 0, provisional while the period is open (it may still be done)."""
    if obs.done is None:
        return Scored(Status.MISSING, why=Why.NO_VALUE)
    if obs.done:
        return Scored(Status.MEASURED, HUNDRED)
    return Scored(_final(context), ZERO)


_MEASURES: dict[Measure, Callable[[IndicatorSpec, Observation, Context], Scored]] = {
    Measure.RATIO: _ratio,
    Measure.DEADLINE: _deadline,
    Measure.DELAY_DAYS: _delay_days,
    Measure.NUMBER: _number,
    Measure.PERCENTAGE: _number,
    Measure.VARIATION: _variation,
    Measure.BOOLEAN: _boolean,
}


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_half_up(value)


def indicator_outcome(
    spec: IndicatorSpec, context: Context
) -> tuple[IndicatorResult, Decimal | None]:
    """The rounded result and the exact achievement the roll-up uses.

    A person's decision comes first: excluded ("non valutabile") stays excluded even if it
    also carries a forced achievement, and a forced result stands. Then an indicator not due
    as of the reference date is NOT_DUE, whatever was recorded: it belongs to a later period.
    """
    if spec.excluded:
        scored = Scored(Status.EXCLUDED)
    elif spec.forced is not None:
        scored = _measured(spec, context)
        scored = Scored(Status.FORCED, spec.forced, scored.value, scored.days_late)
    elif not is_due(spec.due_on, spec.due_year, context):
        scored = Scored(Status.NOT_DUE)
    else:
        scored = _measured(spec, context)
    exact = None if scored.achievement is None else clamp_percent(scored.achievement)
    result = IndicatorResult(
        spec.key,
        scored.status,
        _rounded(scored.value),
        _rounded(exact),
        scored.days_late,
        scored.why,
    )
    return result, exact


def _measured(spec: IndicatorSpec, context: Context) -> Scored:
    if spec.observation is None:
        return Scored(Status.MISSING, why=Why.NO_VALUE)
    return _MEASURES[spec.measure](spec, spec.observation, context)


def score_indicator(spec: IndicatorSpec, context: Context) -> IndicatorResult:
    """Score one indicator on its own."""
    return indicator_outcome(spec, context)[0]


def activity_outcome(spec: ActivitySpec, context: Context) -> tuple[ActivityResult, Decimal | None]:
    """The rounded result and the exact achievement of one activity.

    Excluded, or not due as of the reference date (NOT_DUE), it does not count. Completed:
    graded on its lateness (no due date → on time; a Proportional or Bands scale grades
    progress, so a completed activity is 100). Progress recorded: the lower of the progress
    and what its lateness as of the reference date is worth. Nothing recorded: MISSING, never
    a grade — an activity nobody reported on is not 0 % done.
    """
    days = None if spec.due_on is None else _days_after(context.as_of, spec.due_on)
    if spec.excluded:
        scored = Scored(Status.EXCLUDED)
    elif not is_due(spec.due_on, spec.due_year, context):
        scored = Scored(Status.NOT_DUE)
    elif spec.completed_on is not None:
        days = 0 if spec.due_on is None else _days_after(spec.completed_on, spec.due_on)
        grade = deadline_grade(spec.scale, days)
        scored = Scored(Status.MEASURED, HUNDRED if grade is None else grade, days_late=days)
    elif spec.progress is not None:
        grades = [spec.progress]
        if days:
            grade = deadline_grade(spec.scale, days)
            grades += [] if grade is None else [grade]
        scored = Scored(_final(context), min(grades), days_late=days)
    else:
        scored = Scored(Status.MISSING, days_late=days)
    exact = None if scored.achievement is None else clamp_percent(scored.achievement)
    completed = spec.completed_on is not None and scored.status is Status.MEASURED
    result = ActivityResult(spec.key, scored.status, _rounded(exact), scored.days_late, completed)
    return result, exact


def score_activity(spec: ActivitySpec, context: Context) -> ActivityResult:
    """Score one activity on its own."""
    return activity_outcome(spec, context)[0]
