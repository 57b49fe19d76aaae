"""Read the plan workbook's editable sheets back into an ``ImportDraft``.

The sheets arrive as plain rows of cell values (whatever the file format gave: str, int,
float, date, datetime, bool, None). Each value is read by its column's kind; what cannot be
read becomes a ``Problem`` located by sheet, row and column header, in Italian. Names (units,
people, scales, SMVP levels, DUP goals) stay text: resolving them is the import pipeline's.

Blocking problems: a missing sheet or key column, a row whose scheda cannot be found, a
repeated "N. scheda" (the file as a whole); a value that cannot be read (a weight that is not
a number, a date that is not a date) blocks its scheda. A drop-down value that is not in the
list is only reported: the pipeline reads the measure and direction from the formula then.

Bounds (a workbook is untrusted input): only the sheets of the layout are read, each at most
``MAX_ROWS`` rows below its header and its layout's columns plus ``COLUMN_SLACK`` across,
whatever size the sheet declares; a sheet that goes on beyond ``MAX_ROWS`` blocks the file
(``too_many_rows``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from traguardo.exchange import layout
from traguardo.exchange.layout import Column, Table
from traguardo.imports.cardtext import parse_italian_date
from traguardo.imports.draft import (
    ActivityDraft,
    ImportDraft,
    IndicatorDraft,
    Problem,
    SchedaDraft,
    TargetDraft,
    Where,
)
from traguardo.planning.notes import field_from_label
from traguardo.scoring import parse_decimal

TRUE_WORDS = {"sì", "si", "s", "vero", "true", "x", "1"}
FALSE_WORDS = {"no", "n", "falso", "false", "0"}
_NOTE = re.compile(r"^([^:\n]{1,60}): (.*)$", re.DOTALL)
_FIELD_NAME = re.compile(r"^[a-z_]+$")
_SPLIT_NUMBERS = re.compile(r"[,;\s]+")
_SPLIT_NAMES = re.compile(r"[;\n]")

# A plan has a few hundred rows per sheet; these bounds leave ample room and keep a hostile
# file (a sheet declaring 16,384 columns or a million rows) from filling the memory.
MAX_ROWS = 20_000  # rows read below the header of one sheet
COLUMN_SLACK = 10  # columns read beyond the layout's, to report unexpected ones


class Unreadable(ValueError):
    """A cell whose value its column cannot take; ``args[0]`` is the Italian message."""


def _normal(text: Any) -> str:
    return " ".join(str(text or "").split()).casefold()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    """A cell value as a person would read it in a message."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return _decimal_text(Decimal(repr(value)))
    return str(value)


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return text.replace(".", ",")


# --- one cell -----------------------------------------------------------------------------


def read_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return layout.yes_no(value)
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return _shown(value)


def read_int(value: Any, column: Column) -> int | None:
    if _blank(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise Unreadable(
        _("%(what)s non è un numero intero: «%(value)s».")
        % {"what": column.noun, "value": _shown(value)}
    )


def read_decimal(value: Any, column: Column) -> Decimal | None:
    if _blank(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        try:
            return parse_decimal(value)
        except (ValueError, InvalidOperation):
            pass
    raise Unreadable(
        _("%(what)s non numerico: «%(value)s».") % {"what": column.noun, "value": _shown(value)}
    )


def read_date(value: Any, column: Column) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        # A date cell that lost its date format: spreadsheets count days from 1899-12-30.
        return from_excel(value).date()
    if isinstance(value, str):
        day = parse_italian_date(value)
        if day is None:
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                day = None
        if day is not None:
            return day
    raise Unreadable(
        _("%(what)s: «%(value)s» non è una data (scrivere gg/mm/aaaa).")
        % {"what": column.noun, "value": _shown(value)}
    )


def read_bool(value: Any, column: Column, words: tuple[str, str] | None = None) -> bool:
    """``words``: «Sì» and «No» normalized (``yes_no_words``), else found again."""
    if _blank(value):
        return False
    if isinstance(value, bool):
        return value
    word = _normal(value)
    yes, no = words or yes_no_words()
    if word in TRUE_WORDS or word == yes:
        return True
    if word in FALSE_WORDS or word == no:
        return False
    raise Unreadable(
        _("%(what)s: «%(value)s» non è «Sì» né «No».")
        % {"what": column.noun, "value": _shown(value)}
    )


def read_choice(value: Any, column: Column, words: dict[str, str] | None = None) -> str:
    """``words``: the column's ``choice_words``, else found again."""
    if _blank(value):
        return ""
    code = (words if words is not None else choice_words(column)).get(_normal(read_text(value)))
    if code is not None:
        return code
    raise Unreadable(
        _("%(what)s: «%(value)s» non è tra le voci dell'elenco; sarà dedotta dalla formula.")
        % {"what": column.noun, "value": _shown(value)}
    )


def yes_no_words() -> tuple[str, str]:
    """«Sì» and «No» in the active language, normalized."""
    return _normal(layout.YES), _normal(layout.NO)


def choice_words(column: Column) -> dict[str, str]:
    """A choice column's {label or code, normalized: code} in the active language; a word
    naming two codes is the first's."""
    words: dict[str, str] = {}
    for code, label in column.codes:
        words.setdefault(_normal(label), code)
        words.setdefault(_normal(code), code)
    return words


def read_names(value: Any) -> list[str]:
    return [part.strip() for part in _SPLIT_NAMES.split(read_text(value)) if part.strip()]


def read_numbers(value: Any, column: Column) -> list[int]:
    if _blank(value):
        return []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = read_int(value, column)
        return [] if number is None else [number]
    parts = [part for part in _SPLIT_NUMBERS.split(read_text(value)) if part]
    if all(part.isdigit() for part in parts):
        return [int(part) for part in parts]
    raise Unreadable(
        _("%(what)s: «%(value)s» non è un elenco di numeri separati da virgola.")
        % {"what": column.noun, "value": _shown(value)}
    )


def read_notes(value: Any) -> list[dict]:
    notes = []
    for line in read_text(value).splitlines():
        if not line.strip():
            continue
        match = _NOTE.match(line)
        field_name = field_from_label(match[1]) if match else None
        if field_name is None and match and _FIELD_NAME.match(match[1]):
            field_name = match[1]  # a file written before the labels: «areas: …»
        notes.append(
            {"field": field_name, "message": match[2]}
            if field_name and match
            else {"field": "", "message": line}
        )
    return notes


def read_cell(value: Any, column: Column) -> Any:
    """The value a column's cell holds for the draft; raises ``Unreadable``."""
    return cell_reader(column)(value)


def cell_reader(column: Column) -> Callable[[Any], Any]:
    """``read_cell`` for the cells of one column: what it needs (the lists' labels in the
    active language) found once, not once a cell."""
    kind = column.kind
    if kind == layout.INT:
        return lambda value: read_int(value, column)
    if kind == layout.DECIMAL:
        return lambda value: read_decimal(value, column)
    if kind == layout.DATE:
        return lambda value: read_date(value, column)
    if kind == layout.BOOL:
        yes_no = yes_no_words()
        return lambda value: read_bool(value, column, yes_no)
    if kind == layout.CHOICE:
        words = choice_words(column)
        return lambda value: read_choice(value, column, words)
    if kind == layout.NAMES:
        return read_names
    if kind == layout.NUMBERS:
        return lambda value: read_numbers(value, column)
    if kind == layout.NOTES:
        return read_notes
    return read_text


# --- one sheet ----------------------------------------------------------------------------


@dataclass
class Row:
    number: int  # the sheet's row number
    values: dict[str, Any]  # field → value read
    raw: dict[str, Any]  # field → the cell as found
    problems: list[Problem] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return any(p.blocking for p in self.problems)


@dataclass
class Sheet:
    table: Table
    name: str  # as the file spells it
    headers: dict[str, str]  # field → header as the file spells it
    rows: list[Row]

    def where(self, row: int | None = None, field_name: str = "") -> Where:
        column = self.headers.get(field_name) or next(
            (c.title for c in self.table.columns if c.field == field_name), ""
        )
        return Where(sheet=self.name, row=row, column=column)


def _find_sheet(table: Table, sheets: Iterable[str]) -> str | None:
    return next((name for name in sheets if _normal(name) == _normal(table.title)), None)


def sheets_to_read(names: Iterable[str]) -> dict[str, int]:
    """The sheets the reader uses (one per editable table), with how many columns to read."""
    names = list(names)
    wanted = {}
    for table in layout.EDITABLE:
        name = _find_sheet(table, names)
        if name is not None:
            wanted[name] = len(table.columns) + COLUMN_SLACK
    return wanted


def too_many_rows(source_name: str, source_kind: str, sheet: str) -> ImportDraft:
    """The draft of a file refused because ``sheet`` goes on beyond ``MAX_ROWS`` rows."""
    draft = ImportDraft(source_name=source_name, source_kind=source_kind)
    draft.problems.append(
        Problem(
            Where(sheet=sheet),
            _(
                "Il foglio «%(sheet)s» va oltre la riga %(last)s: se ne leggono al massimo "
                "%(rows)s righe sotto l'intestazione. Eliminare le righe in più (anche quelle "
                "vuote ma formattate) o dividi il piano in più file."
            )
            % {
                "sheet": sheet,
                "last": f"{MAX_ROWS + 1:,}".replace(",", "."),
                "rows": f"{MAX_ROWS:,}".replace(",", "."),
            },
            blocking=True,
        )
    )
    return draft


def read_sheet(table: Table, name: str, rows: list, problems: list[Problem]) -> Sheet | None:
    """The sheet's rows by field; file-level problems are added to ``problems``.

    Returns None when the sheet cannot be read (a key column is missing)."""
    header_row = list(rows[0]) if rows else []
    by_header = {_normal(c.title): c for c in table.columns}
    positions: dict[int, Column] = {}
    headers: dict[str, str] = {}
    unknown = []
    for index, cell in enumerate(header_row):
        if _blank(cell):
            continue
        column = by_header.get(_normal(cell))
        if column is None:
            unknown.append(str(cell).strip())
        elif column.editable and column.field not in headers:
            positions[index] = column
            headers[column.field] = str(cell).strip()
    if unknown:
        problems.append(
            Problem(
                Where(sheet=name, row=1),
                _("Colonne non previste, ignorate: %(names)s.")
                % {"names": ", ".join(f"«{n}»" for n in unknown)},
            )
        )
    missing = [c for c in table.columns if c.editable and c.field not in headers]
    required = [c for c in missing if c.required]
    if required:
        problems.append(
            Problem(
                Where(sheet=name, row=1),
                _("Manca la colonna %(names)s: il foglio non si può leggere.")
                % {"names": ", ".join(f"«{c.title}»" for c in required)},
                blocking=True,
            )
        )
        return None
    if missing:
        problems.append(
            Problem(
                Where(sheet=name, row=1),
                _("Mancano le colonne %(names)s: i loro valori restano vuoti.")
                % {"names": ", ".join(f"«{c.title}»" for c in missing)},
            )
        )
    sheet = Sheet(table=table, name=name, headers=headers, rows=[])
    readers = [(index, column, cell_reader(column)) for index, column in positions.items()]
    for number, cells in enumerate(rows[1:], start=2):
        width = len(cells)
        raw = {
            column.field: cells[index] if index < width else None
            for index, column, _read in readers
        }
        if all(_blank(value) for value in raw.values()):
            continue
        row = Row(number=number, values={}, raw=raw)
        for _index, column, read in readers:
            try:
                row.values[column.field] = read(raw[column.field])
            except Unreadable as error:
                blocking = column.kind != layout.CHOICE
                row.values[column.field] = "" if column.kind == layout.CHOICE else None
                row.problems.append(
                    Problem(sheet.where(number, column.field), str(error.args[0]), blocking)
                )
        sheet.rows.append(row)
    return sheet


# --- the workbook -------------------------------------------------------------------------

_SCHEDA_FIELDS = {c.field for c in layout.SCHEDE.columns if c.editable} - {"scheda"}
_TARGET_FIELDS = ("value_text", "value", "due_date", "due_text")
_KNOWN_SHEETS = {
    _normal(s)
    for s in (layout.INSTRUCTIONS_SHEET, layout.LISTS_SHEET, *(t.header for t in layout.TABLES))
}
_INDICATOR_FIELDS = (
    "formula_text", "measure", "direction", "baseline", "baseline_text", "variation_percent",
    "grading_text", "grading_scale_name",
)  # fmt: skip
_ACTIVITY_FIELDS = (
    "start_date", "end_date", "timing_text", "indicator_text", "expected_text", "grading_text",
    "grading_scale_name", "achieved_text",
)  # fmt: skip


class _Reader:
    def __init__(self, draft: ImportDraft) -> None:
        self.draft = draft
        self.schede: dict[int, SchedaDraft] = {}
        self.rows_of: dict[int, int] = {}  # N. scheda → its row in "Schede"

    def file_problem(self, where: Where, message: str, blocking: bool = True) -> None:
        self.draft.problems.append(Problem(where, message, blocking))

    def scheda_of(self, sheet: Sheet, row: Row) -> SchedaDraft | None:
        """The scheda a row of a linked sheet names; None (and a file problem) if none."""
        key = row.values.get("scheda")
        scheda = self.schede.get(key) if key is not None else None
        if scheda is not None:
            scheda.problems.extend(row.problems)
            return scheda
        self.draft.problems.extend(row.problems)
        where = sheet.where(row.number, "scheda")
        if key is not None:
            self.file_problem(
                where,
                _("N. scheda %(n)s non presente nel foglio «%(sheet)s».")
                % {"n": key, "sheet": layout.SCHEDE.title},
            )
        elif _blank(row.raw.get("scheda")):
            self.file_problem(
                where, _("N. scheda mancante: la riga non si può attribuire a una scheda.")
            )
        return None

    # -- Schede --

    def schede_rows(self, sheet: Sheet) -> None:
        for row in sheet.rows:
            key = row.values.get("scheda")
            if key is None:
                self.draft.problems.extend(row.problems)
                if _blank(row.raw.get("scheda")):
                    self.file_problem(
                        sheet.where(row.number, "scheda"),
                        _(
                            "N. scheda mancante: ogni scheda ha un numero intero, diverso dagli "
                            "altri."
                        ),
                    )
                continue
            if key in self.schede:
                self.file_problem(
                    sheet.where(row.number, "scheda"),
                    _("N. scheda %(n)s ripetuto (già usato alla riga %(row)s).")
                    % {"n": key, "row": self.rows_of[key]},
                )
                continue
            scheda = SchedaDraft(ordinal=key, where=Where(sheet=sheet.name, row=row.number))
            _fill(scheda, row.values, _SCHEDA_FIELDS)
            scheda.problems.extend(row.problems)
            self.schede[key] = scheda
            self.rows_of[key] = row.number
            self.draft.schede.append(scheda)

    # -- Indicatori, Attività --

    def _position(self, sheet: Sheet, row: Row, scheda: SchedaDraft, taken: set) -> int | None:
        position = row.values.get("position")
        if position is None:
            if "position" in row.values:
                scheda.problems.append(
                    Problem(
                        sheet.where(row.number, "position"),
                        _("Numero della riga mancante."),
                        blocking=True,
                    )
                )
            return None
        if (scheda.ordinal, position) in taken:
            scheda.problems.append(
                Problem(
                    sheet.where(row.number, "position"),
                    _("N. %(n)s ripetuto nella scheda %(scheda)s.")
                    % {"n": position, "scheda": scheda.ordinal},
                    blocking=True,
                )
            )
            return None
        taken.add((scheda.ordinal, position))
        return position

    def _weight(self, row: Row) -> dict:
        raw = row.raw.get("weight")
        return {
            "weight": row.values.get("weight"),
            "weight_text": "" if _blank(raw) else _shown(raw),
        }

    def indicator_rows(self, sheet: Sheet) -> None:
        taken: set = set()
        for row in sheet.rows:
            scheda = self.scheda_of(sheet, row)
            if scheda is None:
                continue
            position = self._position(sheet, row, scheda, taken)
            if position is None:
                continue
            values = row.values
            indicator = IndicatorDraft(
                position=position,
                name=values.get("name") or "",
                where=Where(sheet=sheet.name, row=row.number),
                **self._weight(row),
            )
            _fill(indicator, values, _INDICATOR_FIELDS)
            if not indicator.name.strip():
                scheda.problems.append(
                    Problem(
                        sheet.where(row.number, "name"),
                        _("Denominazione dell'indicatore mancante."),
                        blocking=True,
                    )
                )
            for kind in ("intermediate", "final"):
                parts = {name: values.get(f"{kind}.{name}") for name in _TARGET_FIELDS}
                if all(_blank(value) for value in parts.values()):
                    continue
                year = scheda.year or scheda.first_year
                if year is None:
                    scheda.problems.append(
                        Problem(
                            sheet.where(row.number, f"{kind}.value_text"),
                            _("La scheda non ha l'anno: il livello atteso non ha un anno."),
                            blocking=True,
                        )
                    )
                    continue
                indicator.targets.append(_target(kind, year, parts))
            scheda.indicators.append(indicator)

    def target_rows(self, sheet: Sheet) -> None:
        for row in sheet.rows:
            scheda = self.scheda_of(sheet, row)
            if scheda is None:
                continue
            values = row.values
            number = values.get("indicator")
            indicator = next((i for i in scheda.indicators if i.position == number), None)
            if indicator is None:
                scheda.problems.append(
                    Problem(
                        sheet.where(row.number, "indicator"),
                        _(
                            "L'indicatore %(n)s non è nel foglio «%(sheet)s» per la scheda "
                            "%(scheda)s."
                        )
                        % {
                            "n": number if number is not None else "—",
                            "sheet": layout.INDICATORI.title,
                            "scheda": scheda.ordinal,
                        },
                        blocking=True,
                    )
                )
                continue
            kind, year = values.get("kind") or "", values.get("year")
            if not kind or year is None:
                if not row.blocking:
                    scheda.problems.append(
                        Problem(
                            sheet.where(row.number, "kind" if not kind else "year"),
                            _("Indicare anno e livello (intermedio o finale)."),
                            blocking=True,
                        )
                    )
                continue
            if any(t.kind == kind and t.year == year for t in indicator.targets):
                scheda.problems.append(
                    Problem(
                        sheet.where(row.number, "year"),
                        _("L'indicatore %(n)s ha già un livello di questo tipo per il %(year)s.")
                        % {"n": number, "year": year},
                        blocking=True,
                    )
                )
                continue
            indicator.targets.append(
                _target(kind, year, {name: values.get(name) for name in _TARGET_FIELDS})
            )

    def activity_rows(self, sheet: Sheet) -> None:
        taken: set = set()
        for row in sheet.rows:
            scheda = self.scheda_of(sheet, row)
            if scheda is None:
                continue
            position = self._position(sheet, row, scheda, taken)
            if position is None:
                continue
            values = row.values
            activity = ActivityDraft(
                position=position,
                title=values.get("title") or "",
                where=Where(sheet=sheet.name, row=row.number),
                **self._weight(row),
            )
            _fill(activity, values, _ACTIVITY_FIELDS)
            scheda.activities.append(activity)


def _fill(draft, values: dict, names: Collection[str]) -> None:
    """Copy onto ``draft`` the fields of ``names`` the row gave a value (else the default)."""
    for name in names:
        if values.get(name) is not None:
            setattr(draft, name, values[name])


def _target(kind: str, year: int, parts: dict) -> TargetDraft:
    return TargetDraft(
        kind=kind,
        year=year,
        value=parts.get("value"),
        value_text=parts.get("value_text") or "",
        due_date=parts.get("due_date"),
        due_text=parts.get("due_text") or "",
    )


def read_tables(source_name: str, source_kind: str, sheets: dict[str, list]) -> ImportDraft:
    """The draft of a plan workbook given as {sheet name: rows of cell values}."""
    draft = ImportDraft(source_name=source_name, source_kind=source_kind)
    reader = _Reader(draft)
    found: dict[str, Sheet] = {}
    for table in layout.EDITABLE:
        name = _find_sheet(table, sheets)
        if name is None:
            if table.required:
                draft.problems.append(
                    Problem(
                        Where(sheet=table.title),
                        _(
                            "Manca il foglio «%(sheet)s»: usare il modello di importazione "
                            "del piano."
                        )
                        % {"sheet": table.title},
                        blocking=True,
                    )
                )
            continue
        sheet = read_sheet(table, name, sheets[name], draft.problems)
        if sheet is not None:
            found[table.slug] = sheet
    if draft.blocking:
        return draft
    others = [name for name in sheets if _normal(name) not in _KNOWN_SHEETS]
    if others:
        draft.problems.append(
            Problem(
                Where(),
                _("Fogli non previsti, ignorati: %(names)s.")
                % {"names": ", ".join(f"«{n}»" for n in others)},
            )
        )
    reader.schede_rows(found[layout.SCHEDE.slug])
    reader.indicator_rows(found[layout.INDICATORI.slug])
    if layout.LIVELLI.slug in found:
        reader.target_rows(found[layout.LIVELLI.slug])
    reader.activity_rows(found[layout.ATTIVITA.slug])
    if not draft.schede and not draft.blocking:
        draft.problems.append(
            Problem(
                Where(sheet=found[layout.SCHEDE.slug].name),
                _("Il foglio «%(sheet)s» non contiene nessuna scheda.")
                % {"sheet": layout.SCHEDE.title},
                blocking=True,
            )
        )
    return draft
