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
    NOT_DUE = "not_due"


class Why(StrEnum):
    """Why a result has no score (MISSING, NOT_MEASURABLE) or is still running: the pages say it."""

    NO_VALUE = "no_value"  # nothing recorded that the measure can use
    NO_REACHED_DATE = "no_reached_date"  # the expected level is reached: on which day?
    NOT_REACHED = "not_reached"  # the expected level is not reached (yet): the delay runs
    NO_TARGET = "no_target"  # no expected level for the year
    NO_DUE_DATE = "no_due_date"  # graded by delay, but the target has no date
    SCALE_MISMATCH = "scale_mismatch"  # the scale cannot grade this measure
    ZERO_DENOMINATOR = "zero_denominator"
    INCOMPLETE_RATIO = "incomplete_ratio"  # a numerator without a denominator, or the reverse
    NEGATIVE_TARGET = "negative_target"
    NO_BASELINE = "no_baseline"


class ItemState(StrEnum):
    """What a row of a scheda is, as of a date: one vocabulary for every page and file."""

    NOT_DUE = "not_due"  # non ancora dovuto/a
    EXCLUDED = "excluded"  # non valutabile
    FORCED = "forced"  # risultato forzato
    NOT_MEASURED = "not_measured"  # non misurato/a
    NOT_MEASURABLE = "not_measurable"  # non calcolabile
    ON_TIME = "on_time"  # completata in tempo / raggiunto in tempo
    COMPLETED_LATE = "completed_late"  # completata con N giorni di ritardo
    LATE = "late"  # in ritardo di N giorni (not done as of the date)
    IN_PROGRESS = "in_progress"  # avanzamento registrato, non ancora in ritardo
    MEASURED = "measured"  # misurato (a value graded against its target)
