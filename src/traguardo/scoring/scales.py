"""Grading scales (graduazione conseguimento): how a value becomes a percent of achievement.

Scales are plain frozen data so that an authority can store and edit its own (DESIGN.md §4.2).
"""

from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from .types import Direction
from .values import HUNDRED, ZERO, as_decimal, as_optional_percent, as_percent, clamp_percent

INFINITY = Decimal("Infinity")


@dataclass(frozen=True)
class DelayStep:
    """Up to `up_to_days` days late (after the previous step) the achievement is `percent`."""

    up_to_days: int
    percent: Decimal

    def __post_init__(self) -> None:
        if isinstance(self.up_to_days, bool) or not isinstance(self.up_to_days, int):
            raise TypeError("up_to_days must be an int")
        if self.up_to_days <= 0:
            raise ValueError("up_to_days must be positive: 0 days late is always 100%")
        object.__setattr__(self, "percent", as_percent(self.percent, "percent"))


@dataclass(frozen=True)
class DelaySteps:
    """Days late → percent: 0 days → 100, then each step in turn, more than the last → `beyond`."""

    steps: tuple[DelayStep, ...]
    beyond: Decimal = ZERO

    def __post_init__(self) -> None:
        steps = tuple(self.steps)
        if not steps:
            raise ValueError("a delay scale needs at least one step")
        if not all(isinstance(step, DelayStep) for step in steps):
            raise TypeError("steps must be DelayStep")
        days = [step.up_to_days for step in steps]
        if any(a >= b for a, b in pairwise(days)):
            raise ValueError("steps must have strictly increasing days")
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "beyond", as_percent(self.beyond, "beyond"))


@dataclass(frozen=True)
class Proportional:
    """min(actual/target, 1) * 100; below the access threshold (a percent of the ratio) → 0."""

    threshold: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", as_optional_percent(self.threshold, "threshold"))


@dataclass(frozen=True)
class Band:
    """Ratios from `lower` (included) to `upper` (excluded; None = no limit), both in percent.

    The achievement is `percent` throughout, or grows linearly from `percent` at `lower`
    to `percent_at_upper` at `upper` when that is given.
    """

    lower: Decimal
    upper: Decimal | None
    percent: Decimal
    percent_at_upper: Decimal | None = None

    def __post_init__(self) -> None:
        lower = as_decimal(self.lower, "lower")
        upper = None if self.upper is None else as_decimal(self.upper, "upper")
        if lower < 0:
            raise ValueError("a band cannot start below 0%")
        if upper is not None and upper <= lower:
            raise ValueError("a band must end above its start")
        if upper is None and self.percent_at_upper is not None:
            raise ValueError("an open band cannot be linear: it has no upper end")
        object.__setattr__(self, "lower", lower)
        object.__setattr__(self, "upper", upper)
        object.__setattr__(self, "percent", as_percent(self.percent, "percent"))
        at_upper = as_optional_percent(self.percent_at_upper, "percent_at_upper")
        object.__setattr__(self, "percent_at_upper", at_upper)


@dataclass(frozen=True)
class Bands:
    """Contiguous bands in increasing order, the last one open; ratios below the first → `below`.

    Requiring contiguity and an open last band makes the scale total: every ratio has exactly
    one answer, so no value can fall into a gap nobody thought about.
    """

    bands: tuple[Band, ...]
    below: Decimal = ZERO

    def __post_init__(self) -> None:
        bands = tuple(self.bands)
        if not bands:
            raise ValueError("a band scale needs at least one band")
        if not all(isinstance(band, Band) for band in bands):
            raise TypeError("bands must be Band")
        for band, following in pairwise(bands):
            if band.upper != following.lower:
                raise ValueError("each band must end where the next one starts")
        if bands[-1].upper is not None:
            raise ValueError("the last band must be open (upper None)")
        object.__setattr__(self, "bands", bands)
        object.__setattr__(self, "below", as_percent(self.below, "below"))


@dataclass(frozen=True)
class Binary:
    """Reached → 100, otherwise 0 ("fatto/non fatto")."""


GradingScale = DelaySteps | Proportional | Bands | Binary


def grade_delay(scale: DelaySteps, days_late: int) -> Decimal:
    """The percent a delay of `days_late` calendar days is worth."""
    if isinstance(days_late, bool) or not isinstance(days_late, int):
        raise TypeError("days_late must be an int")
    if days_late < 0:
        raise ValueError("days_late cannot be negative")
    if days_late == 0:
        return HUNDRED
    for step in scale.steps:
        if days_late <= step.up_to_days:
            return step.percent
    return scale.beyond


def performance_ratio(actual: Decimal, target: Decimal, direction: Direction) -> Decimal:
    """How much of the target was met, in percent, 100 meaning "just met" in both directions.

    Lower-is-better uses target/actual so that bands and thresholds read the same way for both
    directions. A result that is met with nothing to divide by (target 0 and actual ≥ 0 when
    higher is better, actual ≤ 0 when lower is better) is +Infinity; a miss against a target
    of 0 is -Infinity (higher) or 0 (lower: target/actual).
    """
    actual = as_decimal(actual, "actual")
    target = as_decimal(target, "target")
    if target < 0:
        raise ValueError("a ratio scale needs a target of 0 or more")
    if Direction(direction) is Direction.HIGHER:
        if target == 0:
            return INFINITY if actual >= 0 else -INFINITY
        return actual * HUNDRED / target
    if actual <= 0:
        return INFINITY
    return target * HUNDRED / actual


def grade_performance(scale: Proportional | Bands | Binary, ratio: Decimal) -> Decimal:
    """Grade a performance ratio (percent of the target met, possibly ±Infinity)."""
    if isinstance(scale, Binary):
        return HUNDRED if ratio >= HUNDRED else ZERO
    if isinstance(scale, Proportional):
        if scale.threshold is not None and ratio < scale.threshold:
            return ZERO
        return clamp_percent(min(ratio, HUNDRED))
    if isinstance(scale, Bands):
        return _grade_bands(scale, ratio)
    raise TypeError(f"{type(scale).__name__} does not grade ratios")


def _grade_bands(scale: Bands, ratio: Decimal) -> Decimal:
    reached = [band for band in scale.bands if band.lower <= ratio]
    if not reached:
        return scale.below
    band = reached[-1]
    if band.percent_at_upper is None or band.upper is None:
        return band.percent
    share = (ratio - band.lower) / (band.upper - band.lower)
    return band.percent + (band.percent_at_upper - band.percent) * share


def grade_ratio(
    scale: Proportional | Bands | Binary, actual: Decimal, target: Decimal, direction: Direction
) -> Decimal:
    """Grade a value against its target.

    Binary compares directly (so any target, even negative, works); Proportional and Bands go
    through `performance_ratio` and therefore need a target of 0 or more.
    """
    if isinstance(scale, Binary):
        actual = as_decimal(actual, "actual")
        target = as_decimal(target, "target")
        higher = Direction(direction) is Direction.HIGHER
        reached = actual >= target if higher else actual <= target
        return HUNDRED if reached else ZERO
    if not isinstance(scale, Proportional | Bands):
        raise TypeError(f"{type(scale).__name__} does not grade ratios")
    return grade_performance(scale, performance_ratio(actual, target, direction))


def scale_to_dict(scale: GradingScale) -> dict[str, Any]:
    """A JSON-safe form of the scale (Decimals as strings), for storage."""
    if isinstance(scale, DelaySteps):
        steps = [{"up_to_days": s.up_to_days, "percent": str(s.percent)} for s in scale.steps]
        return {"kind": "delay_steps", "steps": steps, "beyond": str(scale.beyond)}
    if isinstance(scale, Proportional):
        threshold = None if scale.threshold is None else str(scale.threshold)
        return {"kind": "proportional", "threshold": threshold}
    if isinstance(scale, Bands):
        bands = [
            {
                "lower": str(b.lower),
                "upper": _str_or_none(b.upper),
                "percent": str(b.percent),
                "percent_at_upper": _str_or_none(b.percent_at_upper),
            }
            for b in scale.bands
        ]
        return {"kind": "bands", "bands": bands, "below": str(scale.below)}
    if isinstance(scale, Binary):
        return {"kind": "binary"}
    raise TypeError(f"not a grading scale: {type(scale).__name__}")


def scale_from_dict(data: Any) -> GradingScale:
    """Rebuild a scale stored by `scale_to_dict`; any malformed data raises ValueError."""
    try:
        return _from_dict(data)
    except (TypeError, KeyError, AttributeError) as error:
        raise ValueError(f"not a stored grading scale: {data!r}") from error


def _from_dict(data: dict[str, Any]) -> GradingScale:
    kind = data["kind"]
    if kind == "delay_steps":
        _expect_keys(data, {"kind", "steps", "beyond"})
        steps = []
        for step in data["steps"]:
            _expect_keys(step, {"up_to_days", "percent"})
            steps.append(DelayStep(step["up_to_days"], _dec(step["percent"])))
        return DelaySteps(tuple(steps), _dec(data["beyond"]))
    if kind == "proportional":
        _expect_keys(data, {"kind", "threshold"})
        threshold = data["threshold"]
        return Proportional(None if threshold is None else _dec(threshold))
    if kind == "bands":
        _expect_keys(data, {"kind", "bands", "below"})
        bands = []
        for band in data["bands"]:
            _expect_keys(band, {"lower", "upper", "percent", "percent_at_upper"})
            at_upper = band["percent_at_upper"]
            bands.append(
                Band(
                    _dec(band["lower"]),
                    None if band["upper"] is None else _dec(band["upper"]),
                    _dec(band["percent"]),
                    None if at_upper is None else _dec(at_upper),
                )
            )
        return Bands(tuple(bands), _dec(data["below"]))
    if kind == "binary":
        _expect_keys(data, {"kind"})
        return Binary()
    raise ValueError(f"unknown grading scale kind: {kind!r}")


def _expect_keys(data: dict[str, Any], keys: set[str]) -> None:
    if not isinstance(data, dict) or set(data) != keys:
        raise ValueError(f"expected the keys {sorted(keys)}, got {data!r}")


def _dec(text: Any) -> Decimal:
    """Stored Decimals are strings; a float or a malformed string is bad data."""
    if not isinstance(text, str):
        raise ValueError(f"expected a number as a string, got {text!r}")
    try:
        value = Decimal(text)
    except ArithmeticError as error:
        raise ValueError(f"not a number: {text!r}") from error
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value


def _str_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
