"""Reader for schede written with LibreOffice Writer (.odt): read like a Word document.

The ODF body (``content.xml``, already streamed through defusedxml by ``safety``) is walked
in order; paragraphs, headings, lists and sections become the same paragraph and table
blocks the Word reader builds, and ``word.read_blocks`` reads them: same card labels, same
tables, same ambiti grid read by adjacency, same problems. Spanned cells are read once (text
in the first column they cover, ``table:covered-table-cell`` continues it); repeated rows
and columns are bounded by the Word reader's caps, whatever the file declares.
"""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _
from lxml import etree

from traguardo.imports.draft import ImportDraft, Problem, Where
from traguardo.imports.word import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_DOCUMENT_ROWS,
    MAX_TABLE_CELLS,
    _Budget,
    _Cell,
    _Para,
    _Table,
    read_blocks,
)

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def read_odt(name: str, data: bytes) -> ImportDraft:
    """Read the schede of an OpenDocument text; never raises on a bad file, says why."""
    draft = ImportDraft(source_name=name, source_kind="odt")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = archive.read("content.xml")
            styles = archive.read("styles.xml") if "styles.xml" in archive.namelist() else b""
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(content, parser)
    except (zipfile.BadZipFile, KeyError, etree.LxmlError, ValueError):
        message = _("Il file «%(name)s» non è un documento LibreOffice (.odt) leggibile.") % {
            "name": name
        }
        draft.problems.append(Problem(Where(), message, blocking=True))
        return draft
    body = root.find(f"{_q(OFFICE, 'body')}/{_q(OFFICE, 'text')}")
    if body is None:
        message = _("Il file «%(name)s» non contiene un testo.") % {"name": name}
        draft.problems.append(Problem(Where(), message, blocking=True))
        return draft
    return read_blocks(draft, _blocks(body, _Budget()), _page_headers(styles, parser))


def _page_headers(styles: bytes, parser) -> list[str]:
    """The texts of the page headers (``style:header`` in the master pages)."""
    if not styles:
        return []
    try:
        root = etree.fromstring(styles, parser)
    except etree.LxmlError:
        return []
    return [
        _text(p)
        for header in root.iter(_q(STYLE, "header"), _q(STYLE, "header-first"))
        for p in header.iter(_q(TEXT, "p"), _q(TEXT, "h"))
    ][:50]


_CONTAINERS = frozenset(
    f"{{{TEXT}}}{tag}" for tag in ("list", "list-item", "list-header", "section")
)


def _blocks(parent, budget: _Budget):
    for child in parent.iterchildren():
        if child.tag in (_q(TEXT, "p"), _q(TEXT, "h")):
            yield _Para(_text(child), child.tag == _q(TEXT, "h"))
        elif child.tag == _q(TABLE, "table"):
            yield _table(child, budget)
        elif child.tag in _CONTAINERS:
            yield from _blocks(child, budget)


def _text(element) -> str:
    """A paragraph's text: spans and links read through, ``text:s`` spaces, tabs and line
    breaks as the Word reader gives them; notes and annotations left out."""
    parts = [element.text or ""]
    for child in element.iterchildren():
        tag = child.tag
        if tag == _q(TEXT, "s"):
            parts.append(" " * min(int(child.get(_q(TEXT, "c"), "1") or 1), 100))
        elif tag == _q(TEXT, "tab"):
            parts.append("\t")
        elif tag == _q(TEXT, "line-break"):
            parts.append("\n")
        elif tag in (_q(TEXT, "note"), _q(OFFICE, "annotation")):
            pass
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _rows(table):
    for child in table.iterchildren():
        if child.tag == _q(TABLE, "table-row"):
            yield child
        elif child.tag in (
            _q(TABLE, "table-header-rows"),
            _q(TABLE, "table-rows"),
            _q(TABLE, "table-row-group"),
        ):
            yield from _rows(child)


def _repeat(element, attribute: str) -> int:
    try:
        return max(1, int(element.get(_q(TABLE, attribute), "1")))
    except ValueError:
        return 1


def _table(element, budget: _Budget) -> _Table:
    rows: list[list[_Cell]] = []
    cut, width = "", 0
    for tr in _rows(element):
        cells, cut = _row(tr)
        if cut:
            break
        # A repeated row is the same row again; an empty one (LibreOffice pads tables with
        # thousands of them) counts once.
        repeat = _repeat(tr, "number-rows-repeated")
        if not any(cell.text.strip() for cell in cells):
            repeat = 1
        for _n in range(min(repeat, MAX_DOCUMENT_ROWS)):
            if budget.rows >= MAX_DOCUMENT_ROWS or budget.cells + len(rows) * width > MAX_CELLS:
                return _Table(rows, "document")
            budget.rows += 1
            rows.append([_Cell(c.text, c.start, hcont=c.hcont) for c in cells])
            width = max(width, len(cells))
            if len(rows) * width > MAX_TABLE_CELLS:
                return _Table(rows, "cells")
    for row in rows:
        row += [_Cell("", len(row) + i) for i in range(width - len(row))]
    budget.cells += len(rows) * width
    return _Table(rows, cut)


def _row(tr) -> tuple[list[_Cell], str]:
    cells: list[_Cell] = []
    for cell in tr.iterchildren(_q(TABLE, "table-cell"), _q(TABLE, "covered-table-cell")):
        repeat = _repeat(cell, "number-columns-repeated")
        covered = cell.tag == _q(TABLE, "covered-table-cell")
        text = "\n".join(_text(p) for p in cell.iter(_q(TEXT, "p"), _q(TEXT, "h")))
        if not text.strip():
            # Trailing empty columns repeated by the thousand: only up to Word's width.
            repeat = min(repeat, max(0, MAX_COLUMNS - len(cells)))
        if len(cells) + repeat > MAX_COLUMNS:
            return [], "columns"
        for _n in range(repeat):
            start = len(cells)
            if covered:
                owner = next((c.start for c in reversed(cells) if not c.hcont), start)
                cells.append(_Cell("", owner, hcont=True))
            else:
                cells.append(_Cell(text, start))
    return cells, ""


__all__ = ["read_odt"]
