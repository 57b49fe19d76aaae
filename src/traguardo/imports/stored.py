"""An ``ImportDraft`` as JSON and back, so that the dry run a person reviewed (kept in the
job's result) is the one confirmed, without reading the file again.

Decimals and dates are tagged (``{"__decimal__": "25.00"}``, ``{"__date__": "2019-09-30"}``)
so that they come back with their type; the dataclasses are rebuilt from their type hints.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any, get_args, get_origin, get_type_hints

from traguardo.imports.draft import ImportDraft


def dump(value: Any) -> Any:
    if is_dataclass(value):
        return {f.name: dump(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Decimal):
        return {"__decimal__": str(value)}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, list | tuple):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {key: dump(item) for key, item in value.items()}
    return value


def load_draft(data: dict) -> ImportDraft:
    return _load(ImportDraft, data)


def _load(cls, data: dict):
    hints = get_type_hints(cls)
    return cls(
        **{f.name: _value(hints[f.name], data[f.name]) for f in fields(cls) if f.name in data}
    )


def _value(hint, value):
    if isinstance(value, dict) and "__decimal__" in value:
        return Decimal(value["__decimal__"])
    if isinstance(value, dict) and "__date__" in value:
        return date.fromisoformat(value["__date__"])
    if isinstance(hint, type) and is_dataclass(hint):
        return _load(hint, value)
    if get_origin(hint) is list and isinstance(value, list):
        (item,) = get_args(hint) or (Any,)
        return [_value(item, v) for v in value]
    if isinstance(value, dict):
        return {key: _value(Any, item) for key, item in value.items()}
    return value
