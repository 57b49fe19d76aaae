"""The cells of an Excel workbook (.xlsx), streamed: the values openpyxl's read-only mode gives,
in a fraction of its time and memory.

openpyxl reads the package's small parts: the manifest, the workbook (sheet names and their
parts, the 1900 or 1904 date system) and the stylesheet (which cell styles are dates). The
sheets and the shared strings — nearly all of a file's bytes — are streamed here through the
standard library's C parser: an element is dropped as soon as it is read, a row is a tuple of
values, and only the columns asked for are converted. Values are those of openpyxl's
``load_workbook(read_only=True, data_only=True)`` ``iter_rows(values_only=True)``: text, int,
float, datetime (a number in a date style), bool, an error's text (``#N/A``); a formula gives
the value the spreadsheet stored, never the formula; rows missing from the file come as blank
rows, so a row's place is its number. ``tests/exchange/test_xlsx_reading.py`` holds the two
readers to the same output.

The file has passed ``imports.safety`` (its XML streamed through expat, DTDs and entities
refused); the parser used here expands no external entity, and a part that declares a DTD is
refused again (``ValueError``).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from io import BytesIO
from string import digits
from typing import IO, Any, Literal, cast
from xml.etree.ElementTree import XMLPullParser

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

_NS = f"{{{SHEET_MAIN_NS}}}"
ROW, CELL, VALUE, INLINE = _NS + "row", _NS + "c", _NS + "v", _NS + "is"
TEXT, RUN, SHEET_DATA, STRING = _NS + "t", _NS + "r", _NS + "sheetData", _NS + "si"
CHUNK = 1 << 16
# Elements read and not yet dropped: a row of Excel's 16,384 cells has about 50,000.
MAX_PENDING = 100_000
# Kept until their row is read (the rest, formulas and run formats included, is emptied).
_IN_CELL = frozenset({CELL, VALUE, INLINE, TEXT, RUN})
_COLUMNS: dict[str, int] = {}


class _Package(ExcelReader):
    """openpyxl's reader stopped before the strings and the sheets."""

    def read(self) -> None:
        self.read_manifest()
        self.read_workbook()
        apply_stylesheet(self.archive, self.wb)


class Workbook:
    """An .xlsx file's sheets by title, each read row by row on demand (``rows``).

    Raises what ``openpyxl.load_workbook`` raises on a file that is not a workbook."""

    def __init__(self, data: bytes) -> None:
        package = _Package(BytesIO(data), read_only=True, data_only=True)
        package.read()
        self._archive = package.archive
        # As openpyxl lists ``worksheets``: parts the file has, chart sheets left out.
        self.parts: dict[str, str] = {
            sheet.name: rel.target
            for sheet, rel in package.parser.find_sheets()
            if rel.target in package.valid_files and "chartsheet" not in rel.Type
        }
        strings = package.package.find(SHARED_STRINGS)
        self._strings_part = strings.PartName[1:] if strings is not None else None
        self._strings: list[str] | None = None
        self._epoch = package.wb.epoch
        self._dates = set(package.wb._date_formats)
        self._durations = set(package.wb._timedelta_formats)

    def close(self) -> None:
        self._archive.close()

    @property
    def titles(self) -> list[str]:
        return list(self.parts)

    def rows(self, title: str, width: int) -> Generator[tuple, None, None]:
        """The sheet's rows from the first, each a tuple of its first ``width`` values (None
        for an empty cell); a row the file skips is a blank row. Lazy: the part is read only
        as far as the rows taken."""
        empty = (None,) * width
        expected = 1
        with self._archive.open(self.parts[title]) as source:
            for number, values in self._sheet_rows(source, width):
                while expected < number:
                    yield empty
                    expected += 1
                if expected == number:  # a row repeated or out of order is skipped
                    yield values
                    expected += 1

    # -- the sheet's XML --

    def _sheet_rows(self, source: IO[bytes], width: int) -> Iterator[tuple[int, tuple]]:
        """(row number, values) of each ``<row>`` of the part, in the file's order.

        A row is read when it ends, then emptied; what comes before the cells is emptied as
        it ends. Emptied elements stay in the tree as bare shells (a few dozen bytes): at most
        ``MAX_PENDING`` of them between two rows, else the part is refused."""
        number = 0
        pending = 0
        for _event, element in _events(source, ("end",)):
            tag = element.tag
            if tag == ROW:
                number = _row_number(element.get("r"), number)
                values = [None] * width
                column = 0
                for cell in element:  # openpyxl takes every child of a row for a cell
                    reference = cell.get("r")
                    column = _column(reference) if reference else column + 1
                    if column <= width:
                        values[column - 1] = self._value(cell)
                element.clear()
                pending = 0
                yield number, tuple(values)
            elif tag == SHEET_DATA:
                return  # nothing after the cells matters
            else:
                pending += 1
                if pending > MAX_PENDING:
                    raise ValueError("too many elements outside the rows or in one row")
                if tag not in _IN_CELL:
                    element.clear()

    def _value(self, cell) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(INLINE)
            return None if inline is None else _text(inline)
        value = cell.findtext(VALUE) or None
        if value is None:
            return None
        if kind == "n":
            number = float(value) if "." in value or "E" in value or "e" in value else int(value)
            style = cell.get("s")
            style = int(style) if style else (0 if style is None else style)
            if style in self._dates:
                try:
                    return from_excel(number, self._epoch, timedelta=style in self._durations)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self._shared()[int(value)]
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            return from_ISO8601(value)
        return value  # "str" (a formula's text), "e" (an error: #N/A, #DIV/0!…)

    def _shared(self) -> list[str]:
        """The shared strings table, read the first time a cell needs it."""
        if self._strings is None:
            self._strings = []
            if self._strings_part is not None:
                with self._archive.open(self._strings_part) as source:
                    self._strings = _shared_strings(source)
        return self._strings


_Event = Literal["start", "end"]


def _events(source: IO[bytes], events: tuple[_Event, ...]) -> Iterator[tuple[str, Any]]:
    parser: XMLPullParser = XMLPullParser(events=events)
    first = True
    while chunk := source.read(CHUNK):
        if first and (b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk):
            raise ValueError("DTD in a workbook part")
        first = False
        parser.feed(chunk)
        yield from _pairs(parser)
    parser.close()
    yield from _pairs(parser)


def _pairs(parser: XMLPullParser) -> Iterator[tuple[str, Any]]:
    # Only "start" and "end" are asked for: every event is an (event, element) pair.
    return cast("Iterator[tuple[str, Any]]", parser.read_events())


def _shared_strings(source: IO[bytes]) -> list[str]:
    strings = []
    depth = 0
    root = None
    for event, element in _events(source, ("start", "end")):
        if event == "start":
            depth += 1
            if root is None:
                root = element
            continue
        depth -= 1
        if depth == 1:  # a child of <sst>
            if element.tag == STRING:
                strings.append(_text(element).replace("x005F_", ""))
            if root is not None:
                root.clear()
    return strings


def _text(element) -> str:
    """The text of a string item (``<si>``, ``<is>``): its plain text, then its runs' — as
    openpyxl's ``Text.content``, phonetic runs left out."""
    plain = None
    runs = []
    for child in element:
        if child.tag == TEXT:
            plain = child.text
        elif child.tag == RUN:
            text = None
            for part in child:
                if part.tag == TEXT:
                    text = part.text
            if text is not None:
                runs.append(text)
    if plain is not None:
        runs.insert(0, plain)
    return "".join(runs)


def _row_number(text: str | None, previous: int) -> int:
    if text is None:
        return previous + 1
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise ValueError(f"{text} is not a valid row number") from None
        return int(number)


def _column(reference: str) -> int:
    letters = reference.rstrip(digits)
    column = _COLUMNS.get(letters)
    if column is None:
        if letters == reference:
            raise ValueError(f"{reference} is not a cell reference")
        column = _COLUMNS[letters] = column_index_from_string(letters)
    return column
