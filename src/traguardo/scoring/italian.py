"""Italian number formats: the cards and the reports write "1.234,50" and "25,00%"."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from .values import as_decimal

# Dots are only thousands separators, in groups of three: "1.5" is refused rather than guessed.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")


def round_half_up(d: Decimal, places: int = 2) -> Decimal:
    """Round the way an Italian office rounds by hand (0,005 → 0,01), not banker's rounding."""
    d = as_decimal(d, "d")
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, d.adjusted() + places + 2)
        return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_decimal(d: Decimal, places: int = 2) -> str:
    """ "1.234,50": thousands with ".", decimals with ","."""
    english = f"{round_half_up(d, places):,.{places}f}"
    return english.translate(str.maketrans(",.", ".,"))


def format_percent(d: Decimal, places: int = 2) -> str:
    """ "25,00%", as the weight check on the paper card prints it."""
    return f"{format_decimal(d, places)}%"


def parse_decimal(text: str) -> Decimal:
    """Read a number typed the Italian way: "100,00%", "1.234,5", "-20", "5"."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    cleaned = re.sub(r"\s+", "", text).replace("\u2212", "-").removesuffix("%")
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(f"not an Italian number: {text!r}")
    return Decimal(cleaned.replace(".", "").replace(",", "."))


# One number inside a text ("5 giorni", "entro il 100%").
_NUMBER_IN_TEXT = re.compile(r"-?\d+(?:[.,]\d+)?")


def read_number(text: str) -> Decimal | None:
    """The number in a target text: "100" → 100, "100%" → 100, "5 giorni" → 5, "-20" → -20."""
    text = text.strip()
    if not text:
        return None
    try:
        return parse_decimal(text)
    except (ValueError, InvalidOperation):
        pass
    numbers = _NUMBER_IN_TEXT.findall(text)
    if len(numbers) != 1:
        return None
    return parse_decimal(numbers[0])
