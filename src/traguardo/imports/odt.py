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
from traguardo.imports.odf import (
    OFFICE,
    STYLE,
    TABLE,
    TEXT,
    paragraph_text,
    parse_xml,
    q,
    table_rows,
)
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


def read_odt(name: str, data: bytes) -> ImportDraft:
    """Read the schede of an OpenDocument text; never raises on a bad file, says why."""
    draft = ImportDraft(source_name=name, source_kind="odt")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = archive.read("content.xml")
            styles = archive.read("styles.xml") if "styles.xml" in archive.namelist() else b""
        root = parse_xml(content)
    except (zipfile.BadZipFile, KeyError, etree.LxmlError, ValueError):
        message = _("Il file «%(name)s» non è un documento LibreOffice (.odt) leggibile.") % {
            "name": name
        }
        draft.problems.append(Problem(Where(), message, blocking=True))
        return draft
    body = root.find(f"{q(OFFICE, 'body')}/{q(OFFICE, 'text')}")
    if body is None:
        message = _("Il file «%(name)s» non contiene un testo.") % {"name": name}
        draft.problems.append(Problem(Where(), message, blocking=True))
        return draft
    return read_blocks(draft, _blocks(body, _Budget()), _page_headers(styles))


def _page_headers(styles: bytes) -> list[str]:
    """The texts of the page headers (``style:header`` in the master pages)."""
    if not styles:
        return []
    try:
        root = parse_xml(styles)
    except (etree.LxmlError, ValueError):
        return []
    return [
        paragraph_text(p)
        for header in root.iter(q(STYLE, "header"), q(STYLE, "header-first"))
        for p in header.iter(q(TEXT, "p"), q(TEXT, "h"))
    ][:50]


_CONTAINERS = frozenset(
    f"{{{TEXT}}}{tag}" for tag in ("list", "list-item", "list-header", "section")
)


def _blocks(parent, budget: _Budget):
    for child in parent.iterchildren():
        if child.tag in (q(TEXT, "p"), q(TEXT, "h")):
            yield _Para(paragraph_text(child), child.tag == q(TEXT, "h"))
        elif child.tag == q(TABLE, "table"):
            yield _table(child, budget)
        elif child.tag in _CONTAINERS:
            yield from _blocks(child, budget)


def _repeat(element, attribute: str) -> int:
    try:
        return max(1, int(element.get(q(TABLE, attribute), "1")))
    except ValueError:
        return 1


def _table(element, budget: _Budget) -> _Table:
    rows: list[list[_Cell]] = []
    cut, width = "", 0
    for tr in table_rows(element):
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
    for cell in tr.iterchildren(q(TABLE, "table-cell"), q(TABLE, "covered-table-cell")):
        repeat = _repeat(cell, "number-columns-repeated")
        covered = cell.tag == q(TABLE, "covered-table-cell")
        text = "\n".join(paragraph_text(p) for p in cell.iter(q(TEXT, "p"), q(TEXT, "h")))
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
