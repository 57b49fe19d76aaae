"""What the review page asks before anything is written, and what the answers mean.

A reading the importer is not sure of is never guessed: it becomes a ``Question`` on its
scheda, shown on the review page with the text it came from. Confirm stays disabled while a
required question has no answer; the answers are kept in the dry-run job and the dry run is
made again with them (``pipeline.prepare(..., answers=...)``), so what the person confirms is
what is written.

- ``code``: two schede of the file have the same code → a new code, do not import it, or
  keep this one with the code;
- ``strategic`` / ``complexity`` / ``kind``: the Punteggio's value matches no SMVP level (or
  several) → the SMVP's levels of that dimension;
- ``responsible``: the name matches several people → those people;
- ``unit``: the name is the short name of several units → those units;
- ``measure-<n>``: shown for every inferred measure, required when no rule is sure → a
  measure with its direction.

Answers are plain strings keyed as above (``answers[ordinal][key]``); ``code-new`` carries
the new code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from traguardo.scoring import Direction, Measure

RENAME, SKIP, KEEP_CODE = "rinomina", "salta", "tieni"

MEASURE_WORDS = {
    Measure.RATIO: gettext_lazy("rapporto in percentuale (numeratore / denominatore × 100)"),
    Measure.DEADLINE: gettext_lazy("scadenza: giorni di ritardo sulla data attesa"),
    Measure.DELAY_DAYS: gettext_lazy("giorni di ritardo inseriti come numero"),
    Measure.NUMBER: gettext_lazy("numero"),
    Measure.PERCENTAGE: gettext_lazy("percentuale"),
    Measure.VARIATION: gettext_lazy("variazione rispetto a un valore di riferimento"),
    Measure.BOOLEAN: gettext_lazy("fatto / non fatto"),
}
UNIT_WORDS = {
    "giorni": gettext_lazy("tempo medio in giorni"),
    "ore": gettext_lazy("tempo medio in ore"),
    "euro": gettext_lazy("importo medio in euro"),
}
DIRECTION_WORDS = {
    Direction.HIGHER: gettext_lazy("maggiore è meglio"),
    Direction.LOWER: gettext_lazy("minore è meglio"),
}
# The measures a person may choose on the review page, with their direction.
MEASURE_CHOICES = (
    (Measure.RATIO, Direction.HIGHER),
    (Measure.DEADLINE, Direction.LOWER),
    (Measure.DELAY_DAYS, Direction.LOWER),
    (Measure.NUMBER, Direction.HIGHER),
    (Measure.NUMBER, Direction.LOWER),
    (Measure.PERCENTAGE, Direction.HIGHER),
    (Measure.PERCENTAGE, Direction.LOWER),
    (Measure.VARIATION, Direction.HIGHER),
    (Measure.VARIATION, Direction.LOWER),
    (Measure.BOOLEAN, Direction.HIGHER),
)


def measure_label(measure: str, direction: str, unit: str = "") -> str:
    """ "tempo medio in giorni (minore è meglio)" """
    words = UNIT_WORDS.get(unit) if measure == Measure.NUMBER and unit else None
    words = words or MEASURE_WORDS[Measure(measure)]
    return f"{words} ({DIRECTION_WORDS[Direction(direction)]})"


def measure_value(measure: str, direction: str) -> str:
    return f"{measure}|{direction}"


def measure_options() -> list[tuple[str, str]]:
    return [
        (measure_value(m.value, d.value), measure_label(m.value, d.value))
        for m, d in MEASURE_CHOICES
    ]


@dataclass
class Question:
    """One thing the person must (``required``) or may decide on a scheda before confirm."""

    key: str
    text: str  # Italian: what was read and why it is asked
    options: list[tuple[str, str]]  # (value, label)
    answer: str = ""  # the answer given, or the reading proposed (not required questions)
    required: bool = True
    extra: dict = field(default_factory=dict)  # "code-new": the new code typed

    @property
    def open(self) -> bool:
        return self.required and not self.answer

    def as_dict(self) -> dict:
        data = asdict(self)
        data["options"] = [list(option) for option in self.options]
        data["open"] = self.open
        return data


def code_options() -> list[tuple[str, str]]:
    return [
        (RENAME, _("importala con un nuovo codice")),
        (SKIP, _("non importarla (si tiene l'altra)")),
        (KEEP_CODE, _("importala con questo codice")),
    ]


__all__ = [
    "KEEP_CODE",
    "RENAME",
    "SKIP",
    "Question",
    "code_options",
    "measure_label",
    "measure_options",
    "measure_value",
]
