"""Punteggio: how much an objective weighs in the roll-up (DESIGN.md §4.4)."""

from decimal import Decimal
from typing import overload

from .values import as_optional_decimal

# One Italian product's published scale; an authority's ScoringPolicy may replace it.
DEFAULT_STRATEGIC: dict[str, Decimal] = {
    "bassa": Decimal(30),
    "media": Decimal(50),
    "alta": Decimal(60),
}
DEFAULT_COMPLEXITY: dict[str, Decimal] = {
    "bassa": Decimal(20),
    "media": Decimal(30),
    "alta": Decimal(40),
}
DEFAULT_KIND: dict[str, Decimal] = {
    "mantenimento": Decimal("0.5"),
    "miglioramento": Decimal("0.75"),
    "sviluppo": Decimal("1.0"),
}


@overload
def weight_score(
    strategic_points: Decimal, complexity_points: Decimal, kind_factor: Decimal
) -> Decimal: ...
@overload
def weight_score(
    strategic_points: Decimal | None,
    complexity_points: Decimal | None,
    kind_factor: Decimal | None,
) -> Decimal | None: ...
def weight_score(
    strategic_points: Decimal | None,
    complexity_points: Decimal | None,
    kind_factor: Decimal | None,
) -> Decimal | None:
    """(strategic + complexity) * kind; None while any part is blank, as on the seed's cards.

    A blank Punteggio is not 0: the roll-up then falls back to equal weights.
    """
    strategic = as_optional_decimal(strategic_points, "strategic_points")
    complexity = as_optional_decimal(complexity_points, "complexity_points")
    kind = as_optional_decimal(kind_factor, "kind_factor")
    if strategic is None or complexity is None or kind is None:
        return None
    return (strategic + complexity) * kind
