"""Read the meaning of a card's free text: measures, targets, scales.

The card says "Giorni di ritardo", "n° dati inseriti / n° dati da inserire", "5 giorni",
"-20", "gg ritardo 5= 90% …". The engine needs a measure, a number and a scale. These rules
are deliberately few and visible; whatever they cannot read stays as text and is flagged.
"""

import re
from dataclasses import dataclass

from traguardo.scoring import Direction, Measure, read_number

_BASELINE_YEAR = re.compile(r"rispetto al(?:l')?\s*(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class MeasureReading:
    """The measure an indicator's text describes, and how sure the rule that read it is.

    ``sure`` False: no rule is sure, the review page asks. ``unit``: what an average counts
    ("giorni", "ore", "euro"), "" otherwise.
    """

    measure: Measure
    direction: Direction
    baseline_text: str = ""
    sure: bool = True
    unit: str = ""


# A date written in the formula ("rispetto al 30/09/2019") is not a division.
_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}")
_UNITS = (
    ("giorni", re.compile(r"\b(?:giorni|giorno|gg)\b", re.IGNORECASE)),
    ("ore", re.compile(r"\b(?:ore|ora|h)\b", re.IGNORECASE)),
    ("euro", re.compile(r"(?:\beuro\b|€)", re.IGNORECASE)),
)
_COUNT = re.compile(r"(?:\bn\s*[°º.]|\bnumero\b|\bnum\.)", re.IGNORECASE)
_TIMES_100 = re.compile(r"(?:[x×*]\s*100\b|%)", re.IGNORECASE)
_NEGATED_LOWER = re.compile(r"\bnon (?:oltre|superiore|più di)\b", re.IGNORECASE)
_NEGATED_HIGHER = re.compile(r"\bnon (?:inferiore|meno di)\b", re.IGNORECASE)
_LOWER_WORDS = re.compile(
    r"(?:≤|<=|<|\bentro\b|\bmax(?:imo)?\b|\binferiore\b|\bridu(?:zione|rre)\b"
    r"|\bmeno di\b|\bal di sotto\b)",
    re.IGNORECASE,
)
_HIGHER_WORDS = re.compile(
    r"(?:≥|>=|>|\balmeno\b|\bmin(?:imo)?\b|\bsuperiore\b|\baumento\b|\bpiù di\b)",
    re.IGNORECASE,
)
_DELAY_GRADING = re.compile(r"(?:ritard|\bgg\b|\bgg\s*\d|\d\s*gg\b|giorn)", re.IGNORECASE)


def _unit(*texts: str) -> str:
    for name, pattern in _UNITS:
        if any(pattern.search(text) for text in texts):
            return name
    return ""


def _wording(text: str) -> Direction | None:
    """The direction the target's words say ("entro 45 gg", "almeno 10"), if any."""
    if _NEGATED_LOWER.search(text):
        return Direction.LOWER
    if _NEGATED_HIGHER.search(text):
        return Direction.HIGHER
    if _HIGHER_WORDS.search(text) and not _LOWER_WORDS.search(text):
        return Direction.HIGHER
    if _LOWER_WORDS.search(text) and not _HIGHER_WORDS.search(text):
        return Direction.LOWER
    return None


def read_measure(formula: str, final_value: str, grading: str = "") -> MeasureReading:
    """The measure an indicator's formula, target and graduation describe.

    The rules, in order (each is shown on the review page, and can be changed there):
    1. the formula speaks of delay ("Giorni di ritardo"): a deadline, or days of delay entered
       directly when the target is a number of days ("5 giorni");
    2. a division ("somma giorni / n. pratiche"): an average in days, hours or euros is a
       number whose direction follows the target's words (time: lower is better unless the
       words say otherwise; euros: asked unless they say); counts over counts ("n° atti /
       n° atti previsti") are a ratio ×100 — the value is multiplied by 100 only then, or
       when the formula says "× 100" or "%"; any other division is asked;
    3. "rispetto al 2018": a variation on that year, down when the target is negative;
    4. a graduation in days of delay ("gg ritardo 10 = 90%") with a date-like formula ("Data
       di aggiudicazione"): a deadline;
    5. a target in "%": a percentage; else a number, higher is better — sure only when the
       formula counts something ("N° …"), asked otherwise.
    """
    text = formula.lower()
    target = final_value or ""
    if "ritardo" in text:
        if "giorn" in target.lower() or re.search(r"\bgg\b", target.lower()):
            return MeasureReading(Measure.DELAY_DAYS, Direction.LOWER)
        return MeasureReading(Measure.DEADLINE, Direction.LOWER)
    undated = _DATE.sub("", formula)
    if "/" in undated:
        unit = _unit(undated, target)
        if unit:
            said = _wording(target)
            if said is not None:
                return MeasureReading(Measure.NUMBER, said, unit=unit)
            if unit in ("giorni", "ore"):
                return MeasureReading(Measure.NUMBER, Direction.LOWER, unit=unit)
            return MeasureReading(Measure.NUMBER, Direction.HIGHER, sure=False, unit=unit)
        numerator, _slash, denominator = undated.partition("/")
        counts = bool(_COUNT.search(numerator) and _COUNT.search(denominator))
        value = read_number(target)
        percent_target = "%" in target or value is None or value == 100
        if _TIMES_100.search(undated) or (counts and percent_target):
            return MeasureReading(Measure.RATIO, _wording(target) or Direction.HIGHER)
        return MeasureReading(Measure.NUMBER, Direction.HIGHER, sure=False)
    baseline = _BASELINE_YEAR.search(formula)
    if baseline:
        value = read_number(target)
        direction = Direction.LOWER if value is not None and value < 0 else Direction.HIGHER
        return MeasureReading(Measure.VARIATION, direction, baseline.group(1))
    if grading and _DELAY_GRADING.search(grading) and not _COUNT.search(formula):
        return MeasureReading(Measure.DEADLINE, Direction.LOWER)
    if "%" in target:
        return MeasureReading(Measure.PERCENTAGE, _wording(target) or Direction.HIGHER)
    said = _wording(target)
    unit = _unit(formula, target)
    if said is not None or _COUNT.search(formula):
        return MeasureReading(Measure.NUMBER, said or Direction.HIGHER, unit=unit)
    return MeasureReading(Measure.NUMBER, Direction.HIGHER, sure=False, unit=unit)
