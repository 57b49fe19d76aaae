"""The plan workbook in Excel: export, import template and reader (``layout`` is the shape).

Every sheet: bold header on a coloured band (editable columns blue, computed ones grey),
frozen header row, auto-filter, column widths, number and date formats, and drop-down lists
fed by the "Elenchi" sheet. Texts that a spreadsheet would run as a formula are written as
text cells with the ``quotePrefix`` mark (``cells``). Reading is bounded whatever size a
sheet declares: only the layout's sheets, their columns plus a slack, ``reading.MAX_ROWS``
rows (``reading``); the cells are streamed (``xlsx_reading``), openpyxl writes.
"""

from __future__ import annotations

from collections.abc import Generator
from io import BytesIO
from itertools import islice
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from traguardo.exchange import layout, reading, xlsx_reading
from traguardo.exchange.cells import put_xlsx
from traguardo.exchange.layout import Column, PlanData, Table
from traguardo.exchange.reading import read_tables, sheets_to_read, too_many_rows
from traguardo.imports.authority import authority_names
from traguardo.imports.draft import ImportDraft, Problem, Where
from traguardo.organization.models import Authority
from traguardo.planning.models import Plan

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_FONT = Font(bold=True)
EDITABLE_FILL = PatternFill("solid", fgColor="DCE6F1")
COMPUTED_FILL = PatternFill("solid", fgColor="EDEDED")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATE_FORMAT = "DD/MM/YYYY"
FORMATS = {layout.INT: "0", layout.DATE: DATE_FORMAT}
# Drop-downs cover the rows written plus room to add schede in the spreadsheet.
SPARE_ROWS = 300


def plan_workbook(plan: Plan) -> bytes:
    """The whole plan: the editable sheets, measurements, results, instructions and lists."""
    return _workbook(layout.collect(plan), layout.TABLES)


def template_workbook(authority: Authority, plan: Plan | None = None) -> bytes:
    """The import template: the same editable sheets, empty, with instructions and lists."""
    return _workbook(layout.empty(authority, plan), layout.EDITABLE)


def read_workbook(name: str, data: bytes) -> ImportDraft:
    """The schede of a plan workbook (export or filled-in template), with located problems."""
    try:
        book = xlsx_reading.Workbook(data)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError):
        draft = ImportDraft(source_name=name, source_kind="xlsx")
        draft.problems.append(
            Problem(
                Where(),
                _("Il file «%(name)s» non è una cartella di lavoro Excel (.xlsx) leggibile.")
                % {"name": name},
                blocking=True,
            )
        )
        return draft
    try:
        # Only the layout's sheets are read, and within bounds: a sheet's declared size is
        # ignored, columns stop at the layout's plus a slack, rows at MAX_ROWS. The other
        # sheets are only named.
        sheets: dict[str, list[tuple]] = {title: [] for title in book.parts}
        for title, width in sheets_to_read(book.parts).items():
            rows = _bounded_rows(book.rows(title, width))
            if rows is None:
                return too_many_rows(name, "xlsx", title)
            sheets[title] = rows
        said = []
        if str(layout.INSTRUCTIONS_SHEET) in book.parts:
            # The instructions name the plan and its authority: a file of another is said.
            lines = book.rows(str(layout.INSTRUCTIONS_SHEET), 1)
            try:
                said = [row[0] for row in islice(lines, 10) if isinstance(row[0], str)]
            finally:
                lines.close()
    finally:
        book.close()
    draft = read_tables(name, "xlsx", sheets)
    draft.authority_names = authority_names(said)
    return draft


def _bounded_rows(rows: Generator[tuple, None, None]) -> list[tuple] | None:
    """The header and at most ``MAX_ROWS`` rows; None if the sheet goes on. Rows the file
    skips come as blank rows, so a row beyond the limit means the file really has one there."""
    try:
        kept = list(islice(rows, reading.MAX_ROWS + 1))
        beyond = next(rows, None) is not None
    finally:
        rows.close()
    return None if beyond else kept


# --- writing ------------------------------------------------------------------------------


def _workbook(data: PlanData, tables: tuple[Table, ...]) -> bytes:
    book = Workbook()
    _instructions(book.active, data)
    list_ranges = _list_ranges(data)
    for table in tables:
        _table_sheet(book.create_sheet(_title(table.title)), table, data, list_ranges)
    _lists_sheet(book.create_sheet(str(layout.LISTS_SHEET)), data)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _title(text: str) -> str:
    return text[:31]  # Excel's limit on sheet names


def _instructions(sheet: Worksheet, data: PlanData) -> None:
    sheet.title = str(layout.INSTRUCTIONS_SHEET)
    sheet.column_dimensions["A"].width = 110
    for number, line in enumerate(layout.instructions(data), start=1):
        cell = sheet.cell(row=number, column=1)
        put_xlsx(cell, line)
        cell.alignment = WRAP
    sheet["A1"].font = Font(bold=True, size=14)


def _table_sheet(
    sheet: Worksheet, table: Table, data: PlanData, list_ranges: dict[str, str]
) -> None:
    columns = table.columns
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.data_type = "s"
        cell.font = HEADER_FONT
        cell.fill = EDITABLE_FILL if column.editable and table.editable else COMPUTED_FILL
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    formats = [_format(column) for column in columns]
    wrapped = [column.kind == layout.TEXT and column.width >= 30 for column in columns]
    last = 1
    for last, values in enumerate(table.values(data), start=2):
        for index, value in enumerate(values):
            if value is None or value == "":
                continue
            cell = sheet.cell(row=last, column=index + 1)
            put_xlsx(cell, value)
            if formats[index]:
                cell.number_format = formats[index]
            cell.alignment = WRAP if wrapped[index] else TOP
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(last, 2)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    if table.editable:
        _validations(sheet, columns, list_ranges, last + SPARE_ROWS)


def _format(column: Column) -> str:
    return column.number_format or FORMATS.get(column.kind, "")


def _validations(
    sheet: Worksheet, columns: tuple[Column, ...], list_ranges: dict[str, str], last_row: int
) -> None:
    for index, column in enumerate(columns, start=1):
        source = list_ranges.get(column.choices)
        if not column.editable or source is None:
            continue
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=_("Valore non in elenco"),
            error=_("Scegliere una voce del foglio «%(sheet)s».") % {"sheet": layout.LISTS_SHEET},
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)


def _list_ranges(data: PlanData) -> dict[str, str]:
    """The "Elenchi" range of each non-empty list, for the drop-downs."""
    sheet = quote_sheetname(str(layout.LISTS_SHEET))
    ranges = {}
    for index, (key, _header, values) in enumerate(data.lists.columns(), start=1):
        if values:
            letter = get_column_letter(index)
            ranges[key] = f"{sheet}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _lists_sheet(sheet: Worksheet, data: PlanData) -> None:
    for index, (_key, header, values) in enumerate(data.lists.columns(), start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = HEADER_FONT
        cell.fill = COMPUTED_FILL
        longest = max((len(str(v)) for v in values), default=0)
        sheet.column_dimensions[get_column_letter(index)].width = max(16, min(60, longest + 2))
        for number, value in enumerate(values, start=2):
            put_xlsx(sheet.cell(row=number, column=index), value)
    sheet.freeze_panes = "A2"
