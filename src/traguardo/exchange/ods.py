"""The plan workbook as OpenDocument (ODS), the open format a public administration offers.

The same sheets as the Excel export (``layout``): numbers as float cells, dates as date
cells shown gg/mm/aaaa, bold header on a coloured band, column widths, the header row frozen.
Every text is a string-typed cell holding the text as it is, also one that starts with
= + - @: only a ``table:formula`` attribute makes a formula in ODF, and none is ever written
(``cells``). Line ends are written as line breaks (ODF has no carriage return), runs of
spaces as ``text:s``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

from odf import config, number, style, table, text
from odf.opendocument import OpenDocumentSpreadsheet

from traguardo.exchange import layout
from traguardo.exchange.cells import date_text, decimal_text, xml_safe
from traguardo.exchange.layout import PlanData, Table
from traguardo.planning.models import Plan

CONTENT_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
CM_PER_CHARACTER = 0.21


def plan_ods(plan: Plan) -> bytes:
    """The whole plan: the same sheets as ``xlsx.plan_workbook``."""
    return _Writer(layout.collect(plan)).write(layout.TABLES)


class _Writer:
    def __init__(self, data: PlanData) -> None:
        self.data = data
        self.doc = OpenDocumentSpreadsheet()
        self.column_styles: dict[int, style.Style] = {}
        self._styles()
        self.frozen: list[str] = []

    def _styles(self) -> None:
        doc = self.doc
        day = number.DateStyle(name="data-italiana")
        for part in (
            number.Day(style="long"),
            number.Text(text="/"),
            number.Month(style="long"),
            number.Text(text="/"),
            number.Year(style="long"),
        ):
            day.addElement(part)
        doc.automaticstyles.addElement(day)
        self.date_style = style.Style(name="cella-data", family="table-cell", datastylename=day)
        doc.automaticstyles.addElement(self.date_style)
        self.wrap_style = style.Style(name="cella-testo", family="table-cell")
        self.wrap_style.addElement(
            style.TableCellProperties(wrapoption="wrap", verticalalign="top")
        )
        doc.automaticstyles.addElement(self.wrap_style)
        self.header_style = style.Style(name="intestazione", family="table-cell")
        self.header_style.addElement(style.TextProperties(fontweight="bold"))
        self.header_style.addElement(
            style.TableCellProperties(backgroundcolor="#dce6f1", wrapoption="wrap")
        )
        doc.automaticstyles.addElement(self.header_style)

    def _column_style(self, width: int) -> style.Style:
        if width not in self.column_styles:
            column_style = style.Style(name=f"colonna-{width}", family="table-column")
            column_style.addElement(
                style.TableColumnProperties(columnwidth=f"{width * CM_PER_CHARACTER:.2f}cm")
            )
            self.doc.automaticstyles.addElement(column_style)
            self.column_styles[width] = column_style
        return self.column_styles[width]

    def write(self, tables: tuple[Table, ...]) -> bytes:
        sheet = self._sheet(str(layout.INSTRUCTIONS_SHEET), [110])
        for line in layout.instructions(self.data):
            row = table.TableRow()
            row.addElement(self._cell(line))
            sheet.addElement(row)
        for each in tables:
            self._table(each)
        self._lists()
        self._freeze()
        out = BytesIO()
        self.doc.write(out)
        return out.getvalue()

    def _sheet(self, name: str, widths: list[int]) -> table.Table:
        sheet = table.Table(name=name)
        for width in widths:
            sheet.addElement(table.TableColumn(stylename=self._column_style(width)))
        self.doc.spreadsheet.addElement(sheet)
        return sheet

    def _header(self, sheet: table.Table, titles: list[str]) -> None:
        row = table.TableRow()
        for title in titles:
            row.addElement(self._cell(title, self.header_style))
        sheet.addElement(row)
        self.frozen.append(sheet.getAttribute("name"))

    def _table(self, each: Table) -> None:
        sheet = self._sheet(each.title, [c.width for c in each.columns])
        self._header(sheet, [c.title for c in each.columns])
        for values in each.values(self.data):
            row = table.TableRow()
            for column, value in zip(each.columns, values, strict=True):
                wrap = column.kind == layout.TEXT and column.width >= 30
                row.addElement(self._cell(value, self.wrap_style if wrap else None))
            sheet.addElement(row)

    def _lists(self) -> None:
        columns = self.data.lists.columns()
        sheet = self._sheet(str(layout.LISTS_SHEET), [26] * len(columns))
        self._header(sheet, [header for _key, header, _values in columns])
        longest = max((len(values) for _k, _h, values in columns), default=0)
        for index in range(longest):
            row = table.TableRow()
            for _key, _header, values in columns:
                row.addElement(self._cell(values[index] if index < len(values) else None))
            sheet.addElement(row)

    def _cell(self, value: Any, cell_style: style.Style | None = None) -> table.TableCell:
        extra = {"stylename": cell_style} if cell_style is not None else {}
        if value is None or value == "":
            return table.TableCell(**extra)
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            cell = table.TableCell(valuetype="float", value=str(value), **extra)
            shown = decimal_text(Decimal(value))
        elif isinstance(value, date):
            cell = table.TableCell(
                valuetype="date", datevalue=value.isoformat(), stylename=self.date_style
            )
            shown = date_text(value)
        else:
            # A string cell is never a formula: the text is written as it is, no apostrophe.
            cell = table.TableCell(valuetype="string", **extra)
            paragraph = text.P()
            _add_text(paragraph, xml_safe(str(value)))
            cell.addElement(paragraph)
            return cell
        cell.addElement(text.P(text=shown))
        return cell

    def _freeze(self) -> None:
        """Freeze the header row of every table (LibreOffice's view settings)."""
        view_settings = config.ConfigItemSet(name="ooo:view-settings")
        views = config.ConfigItemMapIndexed(name="Views")
        view = config.ConfigItemMapEntry()
        view.addElement(_item("ViewId", "string", "view1"))
        tables = config.ConfigItemMapNamed(name="Tables")
        for name in self.frozen:
            entry = config.ConfigItemMapEntry(name=name)
            for key, kind, value in (
                ("HorizontalSplitMode", "short", "0"),
                ("VerticalSplitMode", "short", "2"),
                ("VerticalSplitPosition", "int", "1"),
                ("ActiveSplitRange", "short", "2"),
                ("PositionTop", "int", "0"),
                ("PositionBottom", "int", "1"),
            ):
                entry.addElement(_item(key, kind, value))
            tables.addElement(entry)
        view.addElement(tables)
        views.addElement(view)
        view_settings.addElement(views)
        self.doc.settings.addElement(view_settings)


def _item(name: str, kind: str, value: str) -> config.ConfigItem:
    item = config.ConfigItem(name=name, type=kind)
    item.addText(value)
    return item


def _add_text(paragraph: text.P, value: str) -> None:
    """Text with its whitespace kept: ODF collapses spaces unless they are ``text:s``."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number_of_line, line in enumerate(lines):
        if number_of_line:
            paragraph.addElement(text.LineBreak())
        for index, part in enumerate(line.split("\t")):
            if index:
                paragraph.addElement(text.Tab())
            _add_spaced(paragraph, part)


def _add_spaced(paragraph: text.P, part: str) -> None:
    buffer: list[str] = []
    i = 0
    while i < len(part):
        if part[i] != " ":
            buffer.append(part[i])
            i += 1
            continue
        run = len(part[i:]) - len(part[i:].lstrip(" "))
        single_inside = run == 1 and buffer and i + 1 < len(part)
        if single_inside:
            buffer.append(" ")
        else:
            if buffer:
                paragraph.addText("".join(buffer))
                buffer = []
            paragraph.addElement(text.S(c=run))
        i += run
    if buffer:
        paragraph.addText("".join(buffer))
