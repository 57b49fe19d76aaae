"""What the scheda editor shows as the user types, and where a refused save's messages go.

The editor's view parses the submitted rows (``objective_forms.rows_of``) and renders; the
figures come from here: the weight totals, the Punteggio of the chosen levels, each graduation
read back as a table. All through the engine, on the values as typed (nothing is saved).
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from traguardo.core.domain import InvalidData
from traguardo.organization.models import GradingScale, PolicyLevel
from traguardo.scoring import (
    ScaleParseError,
    check_weights,
    parse_decimal,
    parse_scale,
    scale_rows,
    weight_check_label,
    weight_score,
)

LEVEL_FIELDS = ("strategic_level", "complexity_level", "kind_level")


def weight_check(raw_weights: Sequence[str]) -> dict[str, Any]:
    """The total of the weights as typed (an unreadable one counts as missing): whether it
    is 100, the sentence saying so, the number of rows."""
    weights = []
    for raw in raw_weights:
        try:
            weights.append(parse_decimal(raw) if str(raw).strip() else None)
        except ValueError:
            weights.append(None)
    check = check_weights(weights)
    return {"ok": check.state == "ok", "label": weight_check_label(check), "rows": len(weights)}


def level_score(level_ids: Sequence[str | int | None]) -> dict[str, Any]:
    """The Punteggio of the SMVP levels chosen (strategic, complexity, kind; ids as submitted
    or stored), and each level's value (None when not chosen)."""
    chosen = [i for i in level_ids if i]
    levels = {str(level.pk): level for level in PolicyLevel.objects.filter(pk__in=chosen)}
    values = [levels[str(i)].value if str(i) in levels else None for i in level_ids]
    return {"value": weight_score(*values), "levels": values}


def scales_by_id() -> dict[str, GradingScale]:
    """The authority's scales by id as a form submits it (text)."""
    return {str(scale.pk): scale for scale in GradingScale.objects.all()}


def scale_preview(
    text: str, scale_id: str | int | None, scales: Mapping[str, GradingScale]
) -> dict[str, Any]:
    """A graduation read back as a table: the typed text if any (or why it cannot be read),
    else the chosen scale of the authority; ``{}`` for none."""
    if text and text.strip():
        try:
            return {"rows": scale_rows(parse_scale(text))}
        except ScaleParseError as error:
            return {"error": error.message}
    scale = scales.get(str(scale_id)) if scale_id else None
    return {"rows": scale_rows(scale.scale)} if scale else {}


def scale_previews(
    rows: Iterable[tuple[str, str, str | int | None]], scales: Mapping[str, GradingScale]
) -> dict[str, dict[str, Any]]:
    """``scale_preview`` of each (row id, typed text, chosen scale id), by row id."""
    return {row_id: scale_preview(text, scale_id, scales) for row_id, text, scale_id in rows}


class _Form(Protocol):
    fields: Mapping[str, Any]

    def add_error(self, field: str | None, error: str) -> None: ...


def place_errors(
    error: InvalidData, header: _Form, indicators: Iterable[_Form], activities: Iterable[_Form]
) -> dict[str, list[str]]:
    """Put each of a refused save's messages next to its field (keys as the domain gives
    them: ``indicators-2-weight``, ``title``); return those of a whole table or of no field,
    by table (``indicators``, ``activities``, ``header``)."""
    tables: dict[str, list[str]] = {"indicators": [], "activities": [], "header": []}
    rows = {"indicators": list(indicators), "activities": list(activities)}
    aliases = {"weight_score": "strategic_level"}
    for key, message in error.errors:
        parts = key.split("-")
        name = aliases.get(parts[0], parts[0])
        if name in rows and len(parts) == 1:
            tables[name].append(message)
        elif name in rows:
            index = int(parts[1]) - 1
            if 0 <= index < len(rows[name]):
                form = rows[name][index]
                field = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
                form.add_error(field, message)
            else:
                tables[name].append(message)
        elif name in header.fields:
            header.add_error(name, message)
        else:
            tables["header"].append(message)
    return tables
