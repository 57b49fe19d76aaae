"""The plan workbook read from OpenDocument (.ods): the LibreOffice twin of ``xlsx.read_workbook``.

Only the layout's sheets are read (``reading.sheets_to_read``), at most ``reading.MAX_ROWS``
rows below the header and the layout's columns plus a slack, whatever the file declares: a row
or a cell repeated a million times (LibreOffice pads sheets so) is read as far as the bounds
and no further. Cells come out as openpyxl gives them (text, int or float, date, bool), so
that ``reading.read_tables`` reads both formats the same way; a formula is never evaluated —
the value LibreOffice stored is read, as ``data_only`` does for Excel.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import islice

from django.utils.translation import gettext as _
from lxml import etree

from traguardo.exchange import layout, reading
from traguardo.imports.authority import authority_names
from traguardo.imports.draft import ImportDraft, Problem, Where
from traguardo.imports.odf import OFFICE, TABLE, TEXT, paragraph_text, parse_xml, q, table_rows


def read_ods(name: str, data: bytes) -> ImportDraft:
    """The schede of a plan workbook saved as .ods, with located problems."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = archive.read("content.xml")
        root = parse_xml(content)
    except (zipfile.BadZipFile, KeyError, etree.LxmlError, ValueError):
        draft = ImportDraft(source_name=name, source_kind="ods")
        draft.problems.append(
            Problem(
                Where(),
                _("Il file «%(name)s» non è un foglio di calcolo LibreOffice (.ods) leggibile.")
                % {"name": name},
                blocking=True,
            )
        )
        return draft
    spreadsheet = root.find(f"{q(OFFICE, 'body')}/{q(OFFICE, 'spreadsheet')}")
    tables = [] if spreadsheet is None else list(spreadsheet.iterchildren(q(TABLE, "table")))
    by_name = {table.get(q(TABLE, "name"), ""): table for table in tables}
    sheets: dict[str, list[tuple]] = {title: [] for title in by_name}
    for title, width in reading.sheets_to_read(by_name).items():
        rows = _bounded_rows(by_name[title], width)
        if rows is None:
            return reading.too_many_rows(name, "ods", title)
        sheets[title] = rows
    draft = reading.read_tables(name, "ods", sheets)
    instructions = by_name.get(str(layout.INSTRUCTIONS_SHEET))
    if instructions is not None:  # they name the plan and its authority
        lines = [_row(tr, 1)[0] for tr in islice(table_rows(instructions), 10)]
        draft.authority_names = authority_names([t for t in lines if isinstance(t, str)])
    return draft


def _repeat(element, attribute: str, limit: int) -> int:
    try:
        return max(1, min(int(element.get(q(TABLE, attribute), "1")), limit))
    except ValueError:
        return 1


def _bounded_rows(table, width: int) -> list[tuple] | None:
    """The header and at most ``MAX_ROWS`` rows of ``width`` cells; None if the sheet goes on
    with a non-empty row beyond them. Trailing empty rows are not rows."""
    limit = reading.MAX_ROWS + 1
    kept: list[tuple] = []
    pending_blank = 0
    for tr in table_rows(table):
        values = _row(tr, width)
        repeat = _repeat(tr, "number-rows-repeated", limit + 1)
        if all(reading._blank(v) for v in values):
            pending_blank += repeat
            continue
        if len(kept) + pending_blank + repeat > limit:
            return None
        kept += [tuple([None] * width)] * min(pending_blank, limit)
        pending_blank = 0
        kept += [values] * repeat
    return kept


def _row(tr, width: int) -> tuple:
    values: list = []
    for cell in tr.iterchildren(q(TABLE, "table-cell"), q(TABLE, "covered-table-cell")):
        repeat = _repeat(cell, "number-columns-repeated", width)
        value = _value(cell)
        for _n in range(repeat):
            if len(values) >= width:
                break
            values.append(value)
        if len(values) >= width:
            break
    return tuple(values + [None] * (width - len(values)))


def _value(cell):
    kind = cell.get(q(OFFICE, "value-type"), "")
    if kind in ("float", "percentage", "currency"):
        try:
            number = Decimal(cell.get(q(OFFICE, "value"), ""))
        except InvalidOperation:
            return _text(cell) or None
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "date":
        raw = cell.get(q(OFFICE, "date-value"), "")
        try:
            return datetime.fromisoformat(raw) if "T" in raw else date.fromisoformat(raw)
        except ValueError:
            return _text(cell) or None
    if kind == "boolean":
        return cell.get(q(OFFICE, "boolean-value"), "").lower() == "true"
    text = _text(cell)
    return text if text else None


def _text(cell) -> str:
    return "\n".join(paragraph_text(p) for p in cell.iterchildren(q(TEXT, "p")))


__all__ = ["read_ods"]
