"""The engine's vocabularies: what an indicator measures, which way is better, what a result is."""

from enum import StrEnum


class Measure(StrEnum):
    """How an indicator's value is obtained (DESIGN.md §4.1)."""

    RATIO = "ratio"
    DEADLINE = "deadline"
    DELAY_DAYS = "delay_days"
    NUMBER = "number"
    PERCENTAGE = "percentage"
    VARIATION = "variation"
    BOOLEAN = "boolean"


class Direction(StrEnum):
    """Whether a bigger value is better (measures done) or worse (days late, complaints)."""

    HIGHER = "higher"
    LOWER = "lower"


class Status(StrEnum):
    """How far a result can be trusted; reports show it beside every figure."""

    MEASURED = "measured"
    PROVISIONAL = "provisional"
    MISSING = "missing"
    NOT_MEASURABLE = "not_measurable"
    EXCLUDED = "excluded"
    FORCED = "forced"
    PARTIAL = "partial"
