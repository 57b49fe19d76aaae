"""What goes into the engine and what comes out: plain frozen data, checked on construction.

Keys are whatever the caller uses to find its rows again (primary keys, codes): any hashable.
"""

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .scales import Bands, Binary, DelaySteps, GradingScale, Proportional
from .types import Direction, Measure, Status, Why
from .values import (
    as_nonnegative,
    as_optional_decimal,
    as_optional_percent,
    as_percent,
)

_SCALES = (DelaySteps, Proportional, Bands, Binary)


def _check_date(value: object, name: str) -> None:
    # A datetime is a date too, but subtracting it from a date fails late and confusingly.
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise TypeError(f"{name} must be a date")


def _check_scale(value: object) -> None:
    if value is not None and not isinstance(value, _SCALES):
        raise TypeError("scale must be a grading scale or None")


def _check_year(value: object) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError("due_year must be an int or None")


def due_by(due_on: date | None, due_year: int | None) -> date | None:
    """The day by which an item is due: its date, else the last day of its year."""
    if due_on is not None:
        return due_on
    return None if due_year is None else date(due_year, 12, 31)


def _set(instance: object, name: str, value: object) -> None:
    object.__setattr__(instance, name, value)


@dataclass(frozen=True)
class Observation:
    """What was recorded for an indicator: numbers, a completion date or a yes/no."""

    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    completed_on: date | None = None
    done: bool | None = None

    def __post_init__(self) -> None:
        for name in ("numerator", "denominator", "value"):
            _set(self, name, as_optional_decimal(getattr(self, name), name))
        _check_date(self.completed_on, "completed_on")
        if self.done is not None and not isinstance(self.done, bool):
            raise TypeError("done must be a bool or None")


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of a card, with the target of the period being scored.

    ``due_year`` is the year of that target: an undated target is due by the end of its year
    (the card's Livelli attesi of that year), which decides whether it is due as of a date.
    """

    key: Hashable
    weight: Decimal
    measure: Measure
    scale: GradingScale | None
    target: Decimal | None
    due_on: date | None
    direction: Direction = Direction.HIGHER
    baseline: Decimal | None = None
    variation_percent: bool = False
    observation: Observation | None = None
    excluded: bool = False
    forced: Decimal | None = None
    due_year: int | None = None

    def __post_init__(self) -> None:
        _set(self, "weight", as_nonnegative(self.weight, "weight"))
        _set(self, "measure", Measure(self.measure))
        _check_year(self.due_year)
        _set(self, "direction", Direction(self.direction))
        _check_scale(self.scale)
        _set(self, "target", as_optional_decimal(self.target, "target"))
        _set(self, "baseline", as_optional_decimal(self.baseline, "baseline"))
        _set(self, "forced", as_optional_percent(self.forced, "forced"))
        _check_date(self.due_on, "due_on")
        if self.observation is not None and not isinstance(self.observation, Observation):
            raise TypeError("observation must be an Observation or None")


@dataclass(frozen=True)
class ActivitySpec:
    """One step of the piano operativo: done by a date, or partly done (`progress` in percent).

    Neither given means nothing was recorded. ``due_year``: an undated activity is due by the
    end of that year (the card's year).
    """

    key: Hashable
    weight: Decimal
    due_on: date | None
    scale: GradingScale | None
    completed_on: date | None = None
    progress: Decimal | None = None
    excluded: bool = False
    due_year: int | None = None

    def __post_init__(self) -> None:
        _set(self, "weight", as_nonnegative(self.weight, "weight"))
        _check_year(self.due_year)
        _check_scale(self.scale)
        _check_date(self.due_on, "due_on")
        _check_date(self.completed_on, "completed_on")
        _set(self, "progress", as_optional_percent(self.progress, "progress"))


@dataclass(frozen=True)
class ObjectiveSpec:
    """One card: its indicators, its activities and what it weighs in the roll-up."""

    key: Hashable
    indicators: tuple[IndicatorSpec, ...]
    activities: tuple[ActivitySpec, ...] = ()
    weight_score: Decimal | None = None
    unit_key: Hashable | None = None
    person_key: Hashable | None = None
    forced: Decimal | None = None

    def __post_init__(self) -> None:
        _set(self, "indicators", tuple(self.indicators))
        _set(self, "activities", tuple(self.activities))
        for kind, items, cls in (
            ("indicator", self.indicators, IndicatorSpec),
            ("activity", self.activities, ActivitySpec),
        ):
            if not all(isinstance(item, cls) for item in items):
                raise TypeError(f"{kind} specs must be {cls.__name__}")
            keys = [item.key for item in items]
            if len(set(keys)) != len(keys):
                raise ValueError(f"objective {self.key!r} has two {kind}s with the same key")
        weight_score = self.weight_score
        if weight_score is not None:
            _set(self, "weight_score", as_nonnegative(weight_score, "weight_score"))
        _set(self, "forced", as_optional_percent(self.forced, "forced"))


@dataclass(frozen=True)
class Policy:
    """The authority's SMVP choices: which share (percent) of an objective comes from activities."""

    activity_share: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        _set(self, "activity_share", as_percent(self.activity_share, "activity_share"))


@dataclass(frozen=True)
class Context:
    """The reference date of the scoring and whether its period is closed (results final)."""

    as_of: date
    closed: bool

    def __post_init__(self) -> None:
        _check_date(self.as_of, "as_of")
        if self.as_of is None or not isinstance(self.closed, bool):
            raise TypeError("as_of must be a date and closed a bool")


@dataclass(frozen=True)
class IndicatorResult:
    """`value` is the measured figure (percent, number, variation, days); both rounded to 2.

    `why` says what a result without a score lacks, or that the expected level is not reached.
    """

    key: Hashable
    status: Status
    value: Decimal | None
    achievement: Decimal | None
    days_late: int | None
    why: Why | None = None


@dataclass(frozen=True)
class ActivityResult:
    """`completed` says the activity was recorded as done; `days_late` is at completion if so,
    else as of the reference date."""

    key: Hashable
    status: Status
    achievement: Decimal | None
    days_late: int | None
    completed: bool = False


@dataclass(frozen=True)
class ObjectiveResult:
    key: Hashable
    status: Status
    achievement: Decimal | None
    indicator_achievement: Decimal | None
    activity_progress: Decimal | None
    indicators: tuple[IndicatorResult, ...]
    activities: tuple[ActivityResult, ...]


@dataclass(frozen=True)
class Aggregate:
    """A group's mean achievement; `objectives` counts all, `measured` those with a result
    (`partial` of them still waiting for a figure), `not_due` those with nothing due as of the
    reference date and `excluded` those excluded whole ("non valutabile"), both out of the
    mean."""

    achievement: Decimal | None
    objectives: int
    measured: int
    equal_weights: bool
    not_due: int = 0
    partial: int = 0
    excluded: int = 0

    @property
    def due(self) -> int:
        """The objectives that count as of the reference date: not those not yet due, nor
        those a person excluded whole."""
        return self.objectives - self.not_due - self.excluded

    @property
    def complete(self) -> bool:
        """Every due objective has its whole result: nothing is waiting for a figure."""
        return self.measured == self.due and self.partial == 0


@dataclass(frozen=True)
class PlanResult:
    objectives: dict[Hashable, ObjectiveResult]
    units: dict[Hashable, Aggregate]
    people: dict[Hashable, Aggregate]
    authority: Aggregate
