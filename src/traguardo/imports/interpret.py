"""Read the meaning of a card's free text: measures, targets, scales.

The card says "Giorni di ritardo", "n° dati inseriti / n° dati da inserire", "5 giorni",
"-20", "gg ritardo 5= 90% …". The engine needs a measure, a number and a scale. These rules
are deliberately few and visible; whatever they cannot read stays as text and is flagged.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from traguardo.scoring import Direction, Measure, parse_decimal

_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
_BASELINE_YEAR = re.compile(r"rispetto al(?:l')?\s*(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class MeasureReading:
    measure: Measure
    direction: Direction
    baseline_text: str = ""


def read_measure(formula: str, final_value: str) -> MeasureReading:
    """The measure an indicator's formula and target describe."""
    text = formula.lower()
    if "ritardo" in text:
        # "5 giorni" as target: a tolerated delay entered as days; "0": a deadline.
        if "giorn" in final_value.lower():
            return MeasureReading(Measure.DELAY_DAYS, Direction.LOWER)
        return MeasureReading(Measure.DEADLINE, Direction.LOWER)
    if "/" in text:
        return MeasureReading(Measure.RATIO, Direction.HIGHER)
    baseline = _BASELINE_YEAR.search(formula)
    if baseline:
        value = read_number(final_value)
        direction = Direction.LOWER if value is not None and value < 0 else Direction.HIGHER
        return MeasureReading(Measure.VARIATION, direction, baseline.group(1))
    if "%" in final_value:
        return MeasureReading(Measure.PERCENTAGE, Direction.HIGHER)
    return MeasureReading(Measure.NUMBER, Direction.HIGHER)


def read_number(text: str) -> Decimal | None:
    """The number in a target text: "100" → 100, "100%" → 100, "5 giorni" → 5, "-20" → -20."""
    text = text.strip()
    if not text:
        return None
    try:
        return parse_decimal(text)
    except (ValueError, InvalidOperation):
        pass
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1:
        return None
    return parse_decimal(numbers[0])
