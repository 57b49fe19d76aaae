"""Cell values as spreadsheets see them: formula escaping and characters XML cannot hold.

A text that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a carriage return, which
some programs skip before such a sign) is a formula to Excel and LibreOffice when a file is
opened or pasted: a scheda's target "-20" or a note "=HYPERLINK(…)" must stay text. Each
format keeps it text in its own way, and the text a person reads is the database's:

- XLSX: a string cell (``t="s"``) with the ``quotePrefix`` style, the mark Excel itself sets
  when one types an apostrophe; the value is unchanged (``put_xlsx``).
- ODS: a string-typed cell (``office:value-type="string"``, the text in ``text:p``) and never
  a ``table:formula`` attribute: in OpenDocument only that attribute makes a formula, so the
  text is written as it is. An apostrophe there would be shown literally ("'-20").
- CSV: a file of bare texts with no types, so the text gets a leading apostrophe, the sign
  spreadsheets read as "this is text" (``escape_text``), and readers strip it back
  (``unescape_text``). A text that already starts with an apostrophe gets one more, so that
  every text survives the round trip exactly. The public open data CSV is escaped the same
  way (``reports.opendata``).

Numbers are never escaped: -20 as a number is a number.
"""

import re
from datetime import date
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_START = (*FORMULA_START, "'")

# XML 1.0 has no place for these (and openpyxl refuses them); they never carry meaning in a
# plan, so they are dropped from what is written.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could run this text as a formula."""
    return text.startswith(FORMULA_START)


def escape_text(text: str) -> str:
    """The text as a CSV field holds it: an apostrophe before a formula-like text."""
    return "'" + text if text.startswith(_ESCAPED_START) else text


def unescape_text(text: str) -> str:
    """The inverse of ``escape_text``."""
    return text[1:] if text.startswith("'") else text


def xml_safe(text: str) -> str:
    """The text without the control characters XML cannot hold."""
    return _NOT_IN_XML.sub("", text)


def decimal_text(value: Decimal) -> str:
    """A number the way Italian spreadsheets read it from text: "33,3333", "-20", "100"."""
    return format(value.normalize(), "f").replace(".", ",")


def date_text(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def put_xlsx(cell: Any, value: Any) -> None:
    """Write a value in an openpyxl cell; a formula-like text stays text (a string cell
    marked ``quotePrefix``), an empty text leaves the cell empty."""
    if isinstance(value, str):
        if not value:
            return
        cell.value = xml_safe(value)
        cell.data_type = "s"
        if is_formula_like(cell.value):
            cell.quotePrefix = True
    else:
        cell.value = value
