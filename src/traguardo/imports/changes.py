"""What replacing a scheda of the plan with the file's would change, in a person's words.

The dry run compares the two as ``pipeline.objective_content`` and ``Resolved.content`` give
them (the same shape: header fields, involved units, ambiti, indicator and activity rows by
number). ``differences`` lists what differs, compactly ("indicatore 2: peso 50,00% → 40,00%",
"attività aggiunte: 3"), and warns where a row that has measurements would change its name or
its measure (the measurements stay on the row of that number). ``removed_measured`` names the
rows with measurements that the file leaves out: such a scheda cannot be replaced, since the
replacement would delete their measurements and evidence.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from traguardo.core.formats import date_it, number_it
from traguardo.planning.domain.rows import ACTIVITY_FIELDS, INDICATOR_FIELDS
from traguardo.scoring import format_percent

# The fields compared, in the order of the card (the content tuples follow these orders).
HEADER_KEYS = (
    "code", "title", "year", "first_year", "last_year", "dup_goal_id", "dup_text", "unit_id",
    "unit_text", "responsible_id", "responsible_text", "involved_text", "expected_result",
    "notes", "strategic_level_id", "complexity_level_id", "kind_level_id",
)  # fmt: skip
# A row's fields: those the one writer of rows writes (planning.domain.rows), in its order.
INDICATOR_KEYS = INDICATOR_FIELDS
ACTIVITY_KEYS = ACTIVITY_FIELDS

_HEADER_LABELS = {
    "code": gettext_lazy("codice obiettivo"),
    "title": gettext_lazy("denominazione"),
    "year": gettext_lazy("anno"),
    "first_year": gettext_lazy("primo anno"),
    "last_year": gettext_lazy("ultimo anno"),
    "dup_goal_id": gettext_lazy("obiettivo del DUP"),
    "dup_text": gettext_lazy("riferimento DUP"),
    "unit_id": gettext_lazy("unità organizzativa responsabile"),
    "unit_text": gettext_lazy("unità responsabile (testo della scheda)"),
    "responsible_id": gettext_lazy("responsabile"),
    "responsible_text": gettext_lazy("responsabile (testo della scheda)"),
    "involved": gettext_lazy("unità organizzative coinvolte"),
    "involved_text": gettext_lazy("unità coinvolte (testo della scheda)"),
    "areas": gettext_lazy("ambiti"),
    "expected_result": gettext_lazy("risultato atteso"),
    "notes": gettext_lazy("note"),
    "strategic_level_id": gettext_lazy("strategicità"),
    "complexity_level_id": gettext_lazy("complessità"),
    "kind_level_id": gettext_lazy("tipologia"),
}
# A text field said only when its resolved twin did not change (the unit's name says it all).
_TWINS = {
    "dup_text": "dup_goal_id",
    "unit_text": "unit_id",
    "responsible_text": "responsible_id",
    "involved_text": "involved",
}
_ROW_LABELS = {
    "weight": gettext_lazy("peso"),
    "name": gettext_lazy("denominazione"),
    "title": gettext_lazy("denominazione"),
    "formula_text": gettext_lazy("formula di calcolo"),
    "measure": gettext_lazy("misura"),
    "direction": gettext_lazy("verso"),
    "baseline": gettext_lazy("valore di riferimento"),
    "baseline_text": gettext_lazy("valore di riferimento (testo)"),
    "variation_percent": gettext_lazy("variazione in percentuale"),
    "grading_text": gettext_lazy("graduazione"),
    "scale": gettext_lazy("scala di graduazione"),
    "start_date": gettext_lazy("inizio"),
    "end_date": gettext_lazy("fine"),
    "timing_text": gettext_lazy("tempi"),
    "indicator_text": gettext_lazy("indicatori"),
    "expected_text": gettext_lazy("livello atteso"),
    "achieved_text": gettext_lazy("raggiunto"),
}
_MEASURES = {
    "ratio": gettext_lazy("rapporto"),
    "deadline": gettext_lazy("scadenza"),
    "delay_days": gettext_lazy("giorni di ritardo"),
    "number": gettext_lazy("numero"),
    "percentage": gettext_lazy("percentuale"),
    "variation": gettext_lazy("variazione"),
    "boolean": gettext_lazy("sì/no"),
}
_DIRECTIONS = {
    "higher": gettext_lazy("più alto è meglio"),
    "lower": gettext_lazy("più basso è meglio"),
}
_TARGET_KINDS = {
    "intermediate": gettext_lazy("livello intermedio"),
    "final": gettext_lazy("livello finale"),
}
_TEXT_MAX = 60


@dataclass
class Change:
    """One line of what a replacement would change; ``warning``: a person should think twice."""

    text: str
    warning: bool = False

    def as_dict(self) -> dict:
        return {"text": self.text, "warning": self.warning}


def differences(
    old: dict,
    new: dict,
    labels: dict[str, dict],
    measured_indicators: AbstractSet[int] = frozenset(),
    measured_activities: AbstractSet[int] = frozenset(),
) -> list[Change]:
    """What turning ``old`` (the plan's scheda) into ``new`` (the file's) changes.

    ``labels`` maps an id field to the names of its ids (``Names.labels``); the ``measured_*``
    sets are the numbers of the plan's rows that have measurements."""
    changes: list[Change] = []
    for key in (*HEADER_KEYS[:12], "involved", "areas", *HEADER_KEYS[12:]):
        before, after = old[key], new[key]
        twin = _TWINS.get(key)
        if before == after or (twin and old[twin] != new[twin]):
            continue
        changes.append(
            Change(
                _("%(field)s: %(old)s → %(new)s")
                % {
                    "field": _HEADER_LABELS[key],
                    "old": _header_value(key, before, labels),
                    "new": _header_value(key, after, labels),
                }
            )
        )
    changes += _rows(
        old["indicators"],
        new["indicators"],
        INDICATOR_KEYS,
        measured_indicators,
        indicator=True,
    )
    changes += _rows(
        old["activities"],
        new["activities"],
        ACTIVITY_KEYS,
        measured_activities,
        indicator=False,
    )
    return changes


def removed_measured(
    old: dict, new: dict, measured_indicators: set[int], measured_activities: set[int]
) -> list[str]:
    """Why the file's scheda cannot replace the plan's: rows with measurements it leaves out."""
    reasons = []
    kept = {row[0] for row in new["indicators"]}
    for position in sorted({row[0] for row in old["indicators"]} - kept):
        if position in measured_indicators:
            reasons.append(
                _("L'indicatore %(n)s ha rilevazioni: non si può rimuovere con un'importazione.")
                % {"n": position}
            )
    kept = {row[0] for row in new["activities"]}
    for position in sorted({row[0] for row in old["activities"]} - kept):
        if position in measured_activities:
            reasons.append(
                _("L'attività %(n)s ha rilevazioni: non si può rimuovere con un'importazione.")
                % {"n": position}
            )
    return reasons


def _rows(old_rows, new_rows, keys, measured: AbstractSet[int], *, indicator: bool) -> list[Change]:
    before = {row[0]: row for row in old_rows}
    after = {row[0]: row for row in new_rows}
    changes = []
    for position in sorted(before.keys() & after.keys()):
        parts = _row_parts(before[position], after[position], keys, indicator)
        if not parts:
            continue
        what = _("indicatore %(n)s") if indicator else _("attività %(n)s")
        changes.append(Change(f"{what % {'n': position}}: {'; '.join(parts)}"))
        if position in measured:
            changes.extend(_measured_warning(before[position], after[position], keys, indicator))
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    numbers = ", ".join
    if added:
        text = (
            ngettext("indicatore aggiunto: %(n)s", "indicatori aggiunti: %(n)s", len(added))
            if indicator
            else ngettext("attività aggiunta: %(n)s", "attività aggiunte: %(n)s", len(added))
        )
        changes.append(Change(text % {"n": numbers(str(n) for n in added)}))
    if removed:
        text = (
            ngettext("indicatore rimosso: %(n)s", "indicatori rimossi: %(n)s", len(removed))
            if indicator
            else ngettext("attività rimossa: %(n)s", "attività rimosse: %(n)s", len(removed))
        )
        changes.append(Change(text % {"n": numbers(str(n) for n in removed)}))
    return changes


def _row_parts(old: tuple, new: tuple, keys, indicator: bool) -> list[str]:
    parts = []
    for index, key in enumerate(keys, start=1):
        if old[index] != new[index]:
            old_value, new_value = _row_value(key, old[index]), _row_value(key, new[index])
            parts.append(_pair(_ROW_LABELS[key], old_value, new_value))
    scale_at = len(keys) + 1
    if old[scale_at] != new[scale_at]:
        parts.append(_pair(_ROW_LABELS["scale"], _text(old[scale_at]), _text(new[scale_at])))
    if indicator and old[scale_at + 1] != new[scale_at + 1]:
        parts += _targets(old[scale_at + 1], new[scale_at + 1])
    return parts


def _measured_warning(old: tuple, new: tuple, keys, indicator: bool) -> list[Change]:
    name = keys.index("name" if indicator else "title") + 1
    changed = []
    if old[name] != new[name]:
        changed.append(_("la denominazione"))
    if indicator:
        measure = keys.index("measure") + 1
        if old[measure] != new[measure]:
            changed.append(_("la misura"))
    if not changed:
        return []
    position = old[0]
    if indicator:
        text = _(
            "L'indicatore %(n)s ha rilevazioni e nel file cambia %(what)s: le rilevazioni "
            "restano all'indicatore %(n)s del file. Controllare che misurino ancora la stessa cosa."
        )
    else:
        text = _(
            "L'attività %(n)s ha rilevazioni e nel file cambia %(what)s: le rilevazioni "
            "restano all'attività %(n)s del file. Controllare che misurino ancora la stessa cosa."
        )
    what = _(" e ").join(str(part) for part in changed)
    return [Change(text % {"n": position, "what": what}, warning=True)]


def _targets(old: list[tuple], new: list[tuple]) -> list[str]:
    """Targets are ``(kind, year, value, value_text, due_date, due_text)``."""
    before = {(t[0], t[1]): t for t in old}
    after = {(t[0], t[1]): t for t in new}
    parts = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[1], k[0] != "intermediate")):
        if before.get(key) != after.get(key):
            label = f"{_TARGET_KINDS.get(key[0], key[0])} {key[1]}"
            parts.append(_pair(label, _target(before.get(key)), _target(after.get(key))))
    return parts


def _target(target: tuple | None) -> str:
    if target is None:
        return "—"
    _kind, _year, value, value_text, due_date, due_text = target
    shown = value_text or (number_it(value) if value is not None else "")
    due = due_text or (date_it(due_date) if due_date else "")
    if due:
        return _("%(v)s alla data %(d)s") % {"v": _text(shown), "d": _text(due)}
    return _text(shown)


def _pair(label, old: str, new: str) -> str:
    return _("%(field)s %(old)s → %(new)s") % {"field": label, "old": old, "new": new}


def _header_value(key: str, value, labels: dict[str, dict]) -> str:
    if key in ("involved", "areas"):
        names = labels.get("unit_id" if key == "involved" else "areas", {})
        return ", ".join(names.get(pk, "?") for pk in value) or "—"
    if key in labels:
        return _text(labels[key].get(value, "")) if value is not None else "—"
    if isinstance(value, int):
        return str(value)
    return _text(value)


def _row_value(key: str, value) -> str:
    if value is None:
        return "—"
    if key == "weight":
        return format_percent(Decimal(value), 2)
    if key == "measure":
        return str(_MEASURES.get(value, value))
    if key == "direction":
        return str(_DIRECTIONS.get(value, value))
    if isinstance(value, bool):
        return _("sì") if value else _("no")
    if isinstance(value, Decimal):
        return number_it(value)
    if isinstance(value, date):
        return date_it(value)
    return _text(value)


def _text(value) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        return "—"
    if len(text) > _TEXT_MAX:
        text = text[: _TEXT_MAX - 1] + "…"
    return f"«{text}»"
