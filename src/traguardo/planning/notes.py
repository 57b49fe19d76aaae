"""A scheda's import notes: what the loading noticed in the source document, each about a field.

A note describes the field as it was imported. Once a save changes that field the note no
longer holds: the save marks it resolved (``"resolved"``: the day), and every output — the
card on screen and in PDF, the Word file, the spreadsheets — shows the open notes only, from
``open_notes``. A note about no field in particular (``""``) stays until a new import.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The card's fields as the notes name them (the readers use several names for one field) and
# the field's label: the one objective_state uses, so a save's before and after tell which
# fields changed. The first name of a label is the one a spreadsheet's note is read back as.
_FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("Codice obiettivo",),
    "title": ("Denominazione",),
    "year": ("Anni",),
    "dup_text": ("Riferimento DUP",),
    "dup_reference": ("Riferimento DUP",),
    "unit": ("Unità organizzativa responsabile",),
    "unit_text": ("Unità organizzativa responsabile",),
    "responsible": ("Responsabile",),
    "responsible_text": ("Responsabile",),
    "involved_units": ("Unità organizzative coinvolte",),
    "involved_text": ("Unità organizzative coinvolte",),
    "expected_result": ("Risultato atteso",),
    "objective_type": ("Risultato atteso",),
    "areas": ("Ambiti",),
    "areas_listed": ("Ambiti",),
    "strategic_level": ("Strategicità",),
    "complexity_level": ("Complessità",),
    "kind_level": ("Tipologia",),
    "weight_score": ("Strategicità", "Complessità", "Tipologia"),
    "notes": ("Note",),
}
# The labels above, marked for translation (objective_state translates the same strings).
_LABELS = {
    "Codice obiettivo": gettext_lazy("Codice obiettivo"),
    "Denominazione": gettext_lazy("Denominazione"),
    "Anni": gettext_lazy("Anni"),
    "Riferimento DUP": gettext_lazy("Riferimento DUP"),
    "Unità organizzativa responsabile": gettext_lazy("Unità organizzativa responsabile"),
    "Responsabile": gettext_lazy("Responsabile"),
    "Unità organizzative coinvolte": gettext_lazy("Unità organizzative coinvolte"),
    "Risultato atteso": gettext_lazy("Risultato atteso"),
    "Ambiti": gettext_lazy("Ambiti"),
    "Strategicità": gettext_lazy("Strategicità"),
    "Complessità": gettext_lazy("Complessità"),
    "Tipologia": gettext_lazy("Tipologia"),
    "Note": gettext_lazy("Note"),
}
# Rows: a note about the indicators or the activities concerns every row of the table
# (objective_state labels them «Indicatore 1», «Attività 2»).
_ROWS = {"indicators": gettext_lazy("Indicatore"), "activities": gettext_lazy("Attività")}


def open_notes(notes: Iterable[Mapping] | None) -> list[Mapping]:
    """The notes that still hold (not resolved by a later save)."""
    return [note for note in notes or () if not note.get("resolved")]


def field_label(field: str) -> str:
    """«Ambiti» for ``areas``: how a person reads the field a note is about ("" for none)."""
    if field in _FIELDS:
        labels = _FIELDS[field]
        if field == "weight_score":
            return _("Punteggio")
        return str(_LABELS[labels[0]])
    if field == "indicators":
        return _("Indicatori")
    if field == "activities":
        return _("Piano operativo")
    return ""


def field_from_label(label: str) -> str | None:
    """The note field a label names (the inverse of ``field_label``), None if none does."""
    if label == _("Punteggio"):
        return "weight_score"
    if label == _("Indicatori"):
        return "indicators"
    if label == _("Piano operativo"):
        return "activities"
    for field, labels in _FIELDS.items():
        if len(labels) == 1 and str(_LABELS[labels[0]]) == label:
            return field
    return None


def resolve_notes(
    notes: Sequence[Mapping], before: Mapping[str, str], after: Mapping[str, str], *, on: date
) -> list[dict]:
    """The notes with those about a field the save changed marked resolved on ``on``.

    ``before`` and ``after``: the scheda's ``planning.versions.objective_state`` around the
    save. A note about no known field is left open.
    """
    changed = {label for label in set(before) | set(after) if before.get(label) != after.get(label)}
    resolved = []
    for note in notes:
        note = dict(note)
        if not note.get("resolved") and _concerns(note.get("field", ""), changed):
            note["resolved"] = on.isoformat()
        resolved.append(note)
    return resolved


def _concerns(field: str, changed: set[str]) -> bool:
    if field in _ROWS:
        prefix = f"{_ROWS[field]} "
        return any(label.startswith(prefix) for label in changed)
    return any(str(_LABELS[label]) in changed for label in _FIELDS.get(field, ()))


__all__ = ["field_from_label", "field_label", "open_notes", "resolve_notes"]
