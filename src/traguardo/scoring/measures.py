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
)
from .types import Direction, Measure, Status
from .values import HUNDRED, ZERO, clamp_percent


@dataclass(frozen=True)
class Scored:
    """An exact, unrounded outcome."""

    status: Status
    achievement: Decimal | None = None
    value: Decimal | None = None
    days_late: int | None = None


def _final(context: Context) -> Status:
    """A figure computed "as of today" is final only once the period is closed."""
    return Status.MEASURED if context.closed else Status.PROVISIONAL


def _days_after(later: date, earlier: date) -> int:
    return max(0, (later - earlier).days)


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
    completed_on: date | None,
    context: Context,
    value: Decimal | None = None,
) -> Scored:
    """Grade by lateness; not completed → days late as of the reference date.

    Not completed and not yet due gives MISSING (there is nothing to grade yet), also in a
    closed period, where the objective then counts it as 0: it was not done in the period.
    """
    if due_on is None:
        return Scored(Status.NOT_MEASURABLE, value=value)
    if completed_on is not None:
        status, days = Status.MEASURED, _days_after(completed_on, due_on)
    elif context.as_of <= due_on:
        return Scored(Status.MISSING, value=value)
    else:
        status, days = _final(context), _days_after(context.as_of, due_on)
    grade = deadline_grade(scale, days)
    if grade is None:
        return Scored(Status.NOT_MEASURABLE, value=value, days_late=days)
    return Scored(status, grade, value, days)


def _by_value(
    scale: GradingScale | None, value: Decimal, target: Decimal | None, direction: Direction
) -> Scored:
    """Grade a value against its target; no scale means the target is met or not (Binary)."""
    scale = Binary() if scale is None else scale
    if target is None or isinstance(scale, DelaySteps):
        return Scored(Status.NOT_MEASURABLE, value=value)
    if target < 0 and not isinstance(scale, Binary):
        return Scored(Status.NOT_MEASURABLE, value=value)
    return Scored(Status.MEASURED, grade_ratio(scale, value, target, direction), value)


def _reached(value: Decimal, target: Decimal, direction: Direction) -> bool:
    return value >= target if direction is Direction.HIGHER else value <= target


def _ratio(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    """numerator / denominator * 100; graded by delay it counts the day the target was reached.

    That day is `completed_on` when given (trusted over the numbers). A ratio already at its
    target without that date is taken as reached on the reference date: on time is final,
    late stays provisional until a person enters the date.
    """
    if obs.denominator == 0 or (obs.numerator is None) != (obs.denominator is None):
        return Scored(Status.NOT_MEASURABLE)
    value = None
    if obs.numerator is not None and obs.denominator is not None:
        value = obs.numerator * HUNDRED / obs.denominator
    if isinstance(spec.scale, DelaySteps) and obs.completed_on is not None:
        return _by_date(spec.scale, spec.due_on, obs.completed_on, context, value)
    if value is None:
        return Scored(Status.MISSING)
    if not isinstance(spec.scale, DelaySteps):
        return _by_value(spec.scale, value, spec.target, spec.direction)
    if spec.target is None or spec.due_on is None:
        return Scored(Status.NOT_MEASURABLE, value=value)
    if not _reached(value, spec.target, spec.direction):
        return _by_date(spec.scale, spec.due_on, None, context, value)
    days = _days_after(context.as_of, spec.due_on)
    status = Status.MEASURED if days == 0 else _final(context)
    return Scored(status, grade_delay(spec.scale, days), value, days)


def _deadline(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    return _by_date(spec.scale, spec.due_on, obs.completed_on, context)


def _delay_days(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    """Days of delay entered directly; lower is better whatever `direction` says.

    A part of a day counts as a whole day late.
    """
    if obs.value is None:
        return Scored(Status.MISSING)
    days = int(max(obs.value, ZERO).to_integral_value(rounding=ROUND_CEILING))
    if spec.target is None:
        return Scored(Status.NOT_MEASURABLE, value=obs.value, days_late=days)
    if isinstance(spec.scale, DelaySteps):
        over = max(obs.value - spec.target, ZERO).to_integral_value(rounding=ROUND_CEILING)
        return Scored(Status.MEASURED, grade_delay(spec.scale, int(over)), obs.value, days)
    return replace(_by_value(spec.scale, obs.value, spec.target, Direction.LOWER), days_late=days)


def _number(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    if obs.value is None:
        return Scored(Status.MISSING)
    return _by_value(spec.scale, obs.value, spec.target, spec.direction)


def _variation(spec: IndicatorSpec, obs: Observation, context: Context) -> Scored:
    """Change from the baseline, against the wanted change (e.g. -20 events).

    The percent variation divides by |baseline| so that its sign always says up or down. A
    target of 0 means "no worse than the baseline", in the direction of the indicator.
    """
    actual, baseline, target = obs.value, spec.baseline, spec.target
    if actual is None:
        return Scored(Status.MISSING)
    if baseline is None or target is None or (spec.variation_percent and baseline == 0):
        return Scored(Status.NOT_MEASURABLE)
    variation = actual - baseline
    if spec.variation_percent:
        variation = variation * HUNDRED / abs(baseline)
    scale = Binary() if spec.scale is None else spec.scale
    if not isinstance(scale, Proportional | Bands | Binary):
        return Scored(Status.NOT_MEASURABLE, value=variation)
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
        return Scored(Status.MISSING)
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

    An excluded indicator stays excluded even if it also carries a forced achievement.
    """
    if spec.excluded:
        scored = Scored(Status.EXCLUDED)
    else:
        if spec.observation is None:
            scored = Scored(Status.MISSING)
        else:
            scored = _MEASURES[spec.measure](spec, spec.observation, context)
        if spec.forced is not None:
            scored = replace(scored, status=Status.FORCED, achievement=spec.forced)
    exact = None if scored.achievement is None else clamp_percent(scored.achievement)
    result = IndicatorResult(
        spec.key, scored.status, _rounded(scored.value), _rounded(exact), scored.days_late
    )
    return result, exact


def score_indicator(spec: IndicatorSpec, context: Context) -> IndicatorResult:
    """Score one indicator on its own."""
    return indicator_outcome(spec, context)[0]


def activity_outcome(spec: ActivitySpec, context: Context) -> tuple[ActivityResult, Decimal | None]:
    """The rounded result and the exact achievement of one activity.

    Completed: graded on its lateness (no due date → on time; a Proportional or Bands scale
    grades progress, so a completed activity is 100). Not completed: the lower of its progress
    and what its lateness as of the reference date is worth; neither known → MISSING.
    """
    if spec.excluded:
        scored = Scored(Status.EXCLUDED)
    elif spec.completed_on is not None:
        days = 0 if spec.due_on is None else _days_after(spec.completed_on, spec.due_on)
        grade = deadline_grade(spec.scale, days)
        scored = Scored(Status.MEASURED, HUNDRED if grade is None else grade, days_late=days)
    else:
        days = None if spec.due_on is None else _days_after(context.as_of, spec.due_on)
        grades = [] if spec.progress is None else [spec.progress]
        if days:
            grade = deadline_grade(spec.scale, days)
            grades += [] if grade is None else [grade]
        if grades:
            scored = Scored(_final(context), min(grades), days_late=days)
        else:
            scored = Scored(Status.MISSING, days_late=days)
    exact = None if scored.achievement is None else clamp_percent(scored.achievement)
    return ActivityResult(spec.key, scored.status, _rounded(exact), scored.days_late), exact


def score_activity(spec: ActivitySpec, context: Context) -> ActivityResult:
    """Score one activity on its own."""
    return activity_outcome(spec, context)[0]
