"""Decimal helpers shared by the scoring modules.

Scores are money-like figures that end up in official reports, so every input is checked to be a
`Decimal` (an `int` is accepted and converted, a `float` never is) and every sum is exact.
"""

from collections.abc import Iterable
from decimal import MAX_PREC, Decimal, localcontext

HUNDRED = Decimal(100)
ZERO = Decimal(0)


def as_decimal(value: object, name: str) -> Decimal:
    """Return `value` as a finite Decimal; floats are refused because they are inexact."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value}")
    return result


def as_optional_decimal(value: object, name: str) -> Decimal | None:
    """Like `as_decimal`, letting None through: a blank field stays blank."""
    return None if value is None else as_decimal(value, name)


def as_percent(value: object, name: str) -> Decimal:
    """A Decimal in [0, 100]: every percent of achievement lives there."""
    result = as_decimal(value, name)
    if not ZERO <= result <= HUNDRED:
        raise ValueError(f"{name} must be between 0 and 100, not {result}")
    return result


def as_optional_percent(value: object, name: str) -> Decimal | None:
    """Like `as_percent`, letting None through."""
    return None if value is None else as_percent(value, name)


def as_nonnegative(value: object, name: str) -> Decimal:
    """A Decimal ≥ 0, for weights: a negative weight has no meaning."""
    result = as_decimal(value, name)
    if result < 0:
        raise ValueError(f"{name} must not be negative, not {result}")
    return result


def clamp_percent(value: Decimal) -> Decimal:
    """Keep an achievement inside [0, 100] whatever the measure produced."""
    return min(max(value, ZERO), HUNDRED)


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """Sum without rounding, so that the order of the terms can never change a result."""
    with localcontext() as ctx:
        ctx.prec = MAX_PREC
        return sum(values, ZERO)


def exact_product(a: Decimal, b: Decimal) -> Decimal:
    """Multiply without rounding (the result has at most the digits of both factors)."""
    with localcontext() as ctx:
        ctx.prec = MAX_PREC
        return a * b


def weighted_mean(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Σw·a / Σw over (weight, value) pairs; None when there is nothing to average.

    When the weights add up to zero (all blank or zero) every value counts the same: an
    objective whose weights were never filled in is still worth a mean, not a division by zero.
    """
    pairs = list(pairs)
    if not pairs:
        return None
    total_weight = exact_sum(w for w, _ in pairs)
    if total_weight == 0:
        return exact_sum(a for _, a in pairs) / len(pairs)
    return exact_sum(exact_product(w, a) for w, a in pairs) / total_weight
