"""Reader for schede obiettivo written in Word (.docx), laid out like the paper card.

The document body is walked in order, paragraphs and tables interleaved. A scheda starts at an
"ANNO"/"ANNI" header (a paragraph or a table's first cell) or at a "Codice obiettivo" label
met after the previous scheda's header; its header (labels and values, in paragraphs or in a
two-column table) is cut at the card's labels as the text reader does; the tables are told
apart by their header row ("PESO", "DENOMINAZIONE", "FORMULA" → Indicatori; "SUB-OBIETTIVO /
ATTIVITÀ", "TEMPI" → Piano operativo), whatever their column order.

Real files vary, and nothing is repaired silently: merged cells are read once (text in the
first column they cover), empty rows are skipped, extra columns are reported and ignored,
missing columns are named, ``**`` bold markers are dropped, grading texts are kept verbatim for
the pipeline to parse (``scoring.parse_scale`` reads "gg10=80%" and "gg 10 = 80%" alike, but not
"**" markers, hence their removal). What the reader interpreted goes to the scheda's import
notes, as the seed loader writes them; what is wrong or missing is a located ``Problem``.
Names (units, people, scales, SMVP levels) stay text: the pipeline resolves them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, replace

import docx
from django.utils.translation import gettext as _
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from traguardo.imports.authority import authority_names
from traguardo.imports.cardtext import parse_italian_date, parse_weight
from traguardo.imports.draft import (
    ActivityDraft,
    ImportDraft,
    IndicatorDraft,
    Problem,
    SchedaDraft,
    TargetDraft,
    Where,
)
from traguardo.imports.interpret import read_number

INDICATORS = "Indicatori"
ACTIVITIES = "Piano operativo"

# Caps on what a document may make the reader build (a 36 KB file saying gridSpan=300000 would
# otherwise become millions of cells). Word allows 63 columns; a card's table has about 10
# columns and 20 rows; 500 schede make about 100,000 cells and 20,000 table rows.
MAX_COLUMNS = 63
MAX_TABLE_CELLS = 10_000
MAX_DOCUMENT_ROWS = 50_000
MAX_CELLS = 500_000

# The card's header labels in the order the card prints them (a label met out of this order is
# ordinary text, e.g. "Responsabile" inside a risultato atteso) and the draft field they fill.
_HEADER_FIELDS: dict[str, tuple[int, str]] = {
    "codice obiettivo": (0, "code"),
    "riferimento dup": (1, "dup_text"),
    "denominazione": (2, "title"),
    "unità organizzativa responsabile": (3, "unit_text"),
    "responsabile": (4, "responsible_text"),
    "unità organizzative coinvolte": (5, "involved_text"),
    "obiettivo": (6, "objective_type"),
    "risultato atteso": (7, "expected_result"),
    "risultato atte": (7, "expected_result"),
}
_LABEL_NAMES = {
    "code": "Codice obiettivo",
    "dup_text": "Riferimento DUP",
    "title": "Denominazione",
    "unit_text": "Unità organizzativa responsabile",
    "responsible_text": "Responsabile",
    "involved_text": "Unità organizzative coinvolte",
    "objective_type": "Obiettivo",
    "expected_result": "Risultato atteso",
}
_LABEL_RE = re.compile(
    r"(Codice obiettivo|Riferimento DUP|Denominazione|Unità organizzativa responsabile"
    r"|Unità organizzative coinvolte|Responsabile|Obiettivo|Risultato atte(?:so)?)(?!\w)",
    re.IGNORECASE,
)
_CODE_LABEL_RE = re.compile(r"\s*(?:\*\*)?Codice obiettivo(?!\w)", re.IGNORECASE)
_START_RE = re.compile(
    r"^\s*(?:\*\*)?ANN[OI](?![^\W\d_])(?:\*\*)?\s*:?\s*"
    r"(?P<years>\d{4}(?:\s*[-\u2013/,]\s*\d{4})*)?(?:\*\*)?(?P<rest>.*)$",
    re.IGNORECASE,
)
_YEARS_RE = re.compile(r"\s*(\d{4}(?:\s*[-\u2013/,]\s*\d{4})*)")
_SERIES_YEAR_RE = re.compile(r"\(?\s*scheda dell'anno\s+(\d{4})\s*\)?", re.IGNORECASE)
_SCORE_RE = re.compile(
    r"\(\s*Strategicit[àa]\s*:(?P<strategic>.*?)\+\s*Complessit[àa]\s*:(?P<complexity>.*?)\)"
    r"\s*[x×X]\s*Tipologia\s*:(?P<kind>.*?)=\s*Punteggio\s*:(?P<score>.*)",
    re.IGNORECASE,
)
# The same line as offices also write it: without brackets or signs, or as a table of labels
# and values ("Strategicità | 50 | Complessità | 30 | Tipologia | 1 | Punteggio | 80").
_LOOSE_SCORE_RE = re.compile(
    r"\(?\s*Strategicit[àa]\s*:?(?P<strategic>.*?)\+?\s*Complessit[àa]\s*:?(?P<complexity>.*?)"
    r"\)?\s*[x×X*]?\s*Tipologia\s*:?(?P<kind>.*?)=?\s*Punteggio\s*:?(?P<score>.*)",
    re.IGNORECASE,
)
_SCORE_START_RE = re.compile(r"^\(?\s*Strategicit[àa]\b", re.IGNORECASE)
# "Alta (60)", "Sviluppo (×1)": the exporter prints the level's points after its label.
_LEVEL_POINTS_RE = re.compile(r"\s*\(\s*[x×]?\s*[\d.,]+\s*\)\s*$")
_DATE_IN_TEXT_RE = re.compile(
    r"(?<!\d)(?:\d{1,2}(?:\s*[°º]\s*|\s+)[^\W\d_]+\.?\s+\d{4}|\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2}))(?!\d)"
)
_TYPE_WORDS = frozenset({"ANNUALE", "PLURIENNALE"})
_MARKED = frozenset("☒☑✔✓✅■●xX")
_UNMARKED = frozenset("☐□○")
_HEADING_STYLES = ("heading", "title", "titolo", "subtitle", "sottotitolo")
# The exporter's second line of a grading cell ("letta come: 0 gg → 100%; …"): not the card's text.
_READ_AS_RE = re.compile(r"^letta come\s*:", re.IGNORECASE)
_TOTAL_RE = re.compile(
    r"(?:totale\s*:?\s*)?[\d.,\s%]*(?:OK|KO|mancano\b.*|eccedenza\b.*|nessun peso)?",
    re.IGNORECASE,
)
_TRAILER_RE = re.compile(
    r"^(Raggiungimento dell'obiettivo|Segnalazioni|Note di importazione)\b", re.IGNORECASE
)


def read_docx(name: str, data: bytes) -> ImportDraft:
    """Read the schede of a Word document; never raises on a bad file, says why instead."""
    draft = ImportDraft(source_name=name, source_kind="docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError):
        message = _("Il file «%(name)s» non è un documento Word (.docx) leggibile.") % {
            "name": name
        }
        draft.problems.append(Problem(Where(), message, blocking=True))
        return draft
    said = [_paragraph_text(p) for p in _page_headers(document)]
    return read_blocks(draft, _blocks(document.element.body, _Budget()), said)


def read_blocks(draft: ImportDraft, blocks, said: list[str]) -> ImportDraft:
    """The schede of a document given as blocks (``_Para``/``_Table``) in body order: the
    part every word-processor reader shares (Word here, LibreOffice in ``imports.odt``).
    ``said``: the page headers' texts, where the authority's name may be."""
    reader: _SchedaReader | None = None
    readers: list[_SchedaReader] = []
    said = list(said)
    for block in blocks:
        if reader is None and isinstance(block, _Para):
            said.append(block.text)
        if isinstance(block, _Table) and block.cut == "document":
            # Past the document's caps nothing more is read: the file is refused whole.
            number = (reader.tables if reader else 0) + 1
            where = Where(
                sheet=reader.sheet if reader else "", table=_("tabella %(n)s") % {"n": number}
            )
            message = _(
                "Il documento ha troppe tabelle o tabelle troppo grandi (al massimo "
                "%(rows)s righe e %(cells)s celle in tutto): la lettura si è fermata qui e "
                "nulla può essere importato. Dividi il documento in più file."
            ) % {"rows": _thousands(MAX_DOCUMENT_ROWS), "cells": _thousands(MAX_CELLS)}
            draft.problems.append(Problem(where, message, blocking=True))
            break
        if _starts_scheda(block, reader):
            reader = _SchedaReader(len(readers) + 1)
            readers.append(reader)
        if reader is not None:
            reader.feed(block)
    if not readers:
        message = _(
            "Nessuna scheda trovata nel documento: manca l'intestazione «ANNO»/«ANNI» "
            "o l'etichetta «Codice obiettivo»."
        )
        draft.problems.append(Problem(Where(), message, blocking=True))
    draft.schede = [reader.finish() for reader in readers]
    draft.authority_names = authority_names(said)
    return draft


def _page_headers(document):
    """The paragraphs of the page headers of every section (never more than a few)."""
    for section in document.sections[:20]:
        for part in (section.header, section.first_page_header):
            try:
                element = part._element if part.is_linked_to_previous is False else None
            except (KeyError, ValueError):
                element = None
            if element is None:
                continue
            yield from element.iter(qn("w:p"))


# -- the document as blocks ----------------------------------------------------------------


@dataclass
class _Para:
    text: str
    heading: bool

    def lines(self) -> list[str]:
        return [line for line in (_squash(raw) for raw in self.text.split("\n")) if line]


@dataclass(slots=True)
class _Cell:
    text: str  # the <w:tc>'s text, paragraphs joined by "\n"; "" where a horizontal merge goes on
    start: int  # grid column where its <w:tc> starts
    hcont: bool = False  # covered by a cell to its left (gridSpan)
    vcont: bool = False  # continues the cell above (vMerge): its text is the one above

    @property
    def own(self) -> bool:
        return not (self.hcont or self.vcont)


@dataclass
class _Table:
    rows: list[list[_Cell]]
    # Why the table was not read whole: "columns" (a row wider than Word allows), "cells"
    # (beyond MAX_TABLE_CELLS), "document" (the document's caps were reached before it).
    cut: str = ""


@dataclass
class _Budget:
    """What the document's tables have used so far, against its caps."""

    rows: int = 0
    cells: int = 0


def _blocks(body, budget: _Budget):
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            style = (child.style or "").casefold()
            yield _Para(_marked_text(child), style.startswith(_HEADING_STYLES))
        elif child.tag == qn("w:tbl"):
            yield _table(child, budget)
        elif child.tag == qn("w:sdt"):  # a content control wrapping paragraphs or tables
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, budget)


def _marked_text(p) -> str:
    """A paragraph's text with its bold runs between ``**``, as the card text writes them: a
    bold label glued to its value ("**Denominazione**Piattaforma…") is still found."""
    parts: list[str] = []
    bold: list[str] = []

    def flush() -> None:
        for i, line in enumerate("".join(bold).split("\n")):
            core = line.strip()
            lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
            parts.append(("\n" if i else "") + (f"{lead}**{core}**{trail}" if core else line))
        bold.clear()

    for element in p.xpath("w:r | w:hyperlink/w:r"):
        text = element.text
        if _is_bold(element):
            bold.append(text)
        else:
            flush()
            parts.append(text)
    flush()
    return "".join(parts)


def _is_bold(run) -> bool:
    """Bold by direct formatting (``<w:b/>``, not ``w:val="0"``)."""
    flag = run.find(f"{qn('w:rPr')}/{qn('w:b')}")
    return flag is not None and flag.get(qn("w:val"), "true").lower() not in ("0", "false", "off")


def _table(tbl, budget: _Budget) -> _Table:
    """The table's grid, within the caps: a table beyond them is cut (``_Table.cut``) and
    keeps the rows read so far (its header names it)."""
    rows: list[list[_Cell]] = []
    cut, width = "", 0
    for tr in _children(tbl, "w:tr"):
        if budget.rows >= MAX_DOCUMENT_ROWS or budget.cells + len(rows) * width > MAX_CELLS:
            cut = "document"
            break
        budget.rows += 1
        cells, cut = _row(tr, rows[-1] if rows else [])
        if cut:
            break
        rows.append(cells)
        width = max(width, len(cells))
        if len(rows) * width > MAX_TABLE_CELLS:
            cut = "cells"
            break
    for row in rows:
        row += [_Cell("", len(row) + i) for i in range(width - len(row))]
    budget.cells += len(rows) * width
    return _Table(rows, cut)


def _row(tr, above: list[_Cell]) -> tuple[list[_Cell], str]:
    """One row's cells, or "columns" when the row is wider than Word allows."""
    cells: list[_Cell] = []
    before = tr.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}")
    if before is not None:
        skipped = _span(before.get(qn("w:val")), 0)
        if skipped > MAX_COLUMNS:
            return [], "columns"
        cells += [_Cell("", i) for i in range(skipped)]
    for cell in _children(tr, "w:tc"):
        column = len(cells)
        grid_span = cell.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
        span = max(1, _span(grid_span.get(qn("w:val")), 1)) if grid_span is not None else 1
        if column + span > MAX_COLUMNS:
            return [], "columns"
        text = "\n".join(_paragraph_text(p) for p in cell.iter(qn("w:p")))
        vcont = cell.vMerge == "continue"
        if vcont:
            text = above[column].text if column < len(above) else ""
        cells.append(_Cell(text, column, vcont=vcont))
        cells += [_Cell("", column, hcont=True, vcont=vcont) for _ in range(span - 1)]
    return cells, ""


_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


def _paragraph_text(p) -> str:
    """A paragraph's text, with what python-docx leaves out: the text of inline content
    controls, and a checkbox content control as the box it shows (☒ checked, ☐ not)."""
    parts = []
    for child in p.iterchildren():
        if child.tag in (qn("w:r"), qn("w:hyperlink")):
            parts.append(_run_text(child))
        elif child.tag == qn("w:sdt"):
            checkbox = child.find(f"{qn('w:sdtPr')}/{{{_W14}}}checkbox")
            if checkbox is not None:
                checked = checkbox.find(f"{{{_W14}}}checked")
                value = checked.get(f"{{{_W14}}}val", "0") if checked is not None else "0"
                parts.append("☒" if value.lower() in ("1", "true") else "☐")
                continue
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                parts.append(_paragraph_text(content))
    return "".join(parts)


def _run_text(element) -> str:
    if element.tag == qn("w:hyperlink"):
        return "".join(_run_text(r) for r in element.iterchildren(qn("w:r")))
    return element.text or ""


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _span(value: str | None, default: int) -> int:
    """A gridSpan or gridBefore as a number, at most one past Word's 63 columns (a file may
    say 300000: the caller refuses the row, nothing is built from the number)."""
    try:
        return max(0, min(int(value), MAX_COLUMNS + 1)) if value is not None else default
    except ValueError:
        return default


def _children(element, tag: str):
    """The element's children of ``tag``, also those wrapped in a content control."""
    for child in element.iterchildren():
        if child.tag == qn(tag):
            yield child
        elif child.tag == qn("w:sdt") and (content := child.find(qn("w:sdtContent"))) is not None:
            yield from _children(content, tag)


def _squash(text: str) -> str:
    """Whitespace collapsed, "**" bold markers kept (they help to find glued labels)."""
    return " ".join(text.replace("\t", " ").split())


def _clean(text: str) -> str:
    # "****" is the boundary of two bold runs ("**ANNUALE****PLURIENNALE**"): keep a space there.
    return " ".join(text.replace("****", " ").replace("**", "").split())


def _cell_text(cell: _Cell) -> str:
    return " ".join(part for part in (_clean(line) for line in cell.text.split("\n")) if part)


def _first_text(block) -> str:
    if isinstance(block, _Para):
        lines = block.lines()
        return lines[0] if lines else ""
    for row in block.rows:
        for cell in row:
            if cell.own and (lines := [_squash(x) for x in cell.text.split("\n") if x.strip()]):
                return lines[0]
    return ""


def _is_year_start(text: str) -> bool:
    match = _START_RE.match(text)
    if match is None:
        return False
    rest = _clean(match["rest"])
    return (
        not rest
        or (match["years"] is not None and _LABEL_RE.match(rest) is not None)
        or (match["years"] is not None and _SERIES_YEAR_RE.fullmatch(rest) is not None)
    )


def _starts_scheda(block, reader: _SchedaReader | None) -> bool:
    text = _first_text(block)
    if not text:
        return False
    if _is_year_start(text):
        return True
    if _CODE_LABEL_RE.match(text):
        return reader is None or reader.code_seen or reader.phase != "header"
    return False


# -- the columns of the two tables -------------------------------------------------------


def _number_column(head: str) -> bool:
    return re.fullmatch(r"N\s*[°º.]?|NUM(?:ERO)?\.?|N\.?\s*ORD(?:INE)?", head) is not None


def _indicator_field(head: str) -> str:
    if _number_column(head):
        return "number"
    if head.startswith("PESO"):
        return "weight"
    if "INTERMEDI" in head:
        return "intermediate_date" if "DATA" in head else "intermediate_value"
    if "FINAL" in head:
        return "final_date" if "DATA" in head else "final_value"
    if "FORMULA" in head:
        return "formula"
    if head.startswith("DENOMINAZIONE") or head in {"INDICATORE", "DESCRIZIONE"}:
        return "name"
    if "GRADUAZIONE" in head:
        return "grading"
    return ""


def _activity_field(head: str) -> str:
    if _number_column(head):
        return "number"
    if head.startswith("PESO"):
        return "weight"
    if "SUB-OBIETTIVO" in head or "SUBOBIETTIVO" in head or head.startswith("ATTIVIT"):
        return "title"
    if head.startswith("TEMPI") or head.startswith("SCADENZ"):
        if "INIZIO" in head:
            return "start"
        return "end" if re.search(r"\bFINE\b", head) else "timing"
    if head.startswith("INDICATOR"):
        return "indicator"
    if "GRADUAZIONE" in head:
        return "grading"
    if "LIVELLO" in head or head.startswith("ATTESO"):
        return "expected"
    if head.startswith("RAGGIUNT"):
        return "achieved"
    return ""


# Columns in the card's order, with the header the card prints (for "manca la colonna …").
_INDICATOR_COLUMNS = {
    "number": "N°",
    "weight": "PESO",
    "name": "DENOMINAZIONE",
    "formula": "FORMULA DI CALCOLO",
    "intermediate_value": "LIVELLO INTERMEDIO – ATTESO",
    "intermediate_date": "LIVELLO INTERMEDIO – ALLA DATA",
    "final_value": "LIVELLO FINALE – ATTESO",
    "final_date": "LIVELLO FINALE – ALLA DATA",
    "grading": "GRADUAZIONE CONSEGUIMENTO",
}
_ACTIVITY_COLUMNS = {
    "number": "N°",
    "weight": "PESO",
    "title": "SUB-OBIETTIVO / ATTIVITÀ",
    "timing": "TEMPI (I/F)",
    "indicator": "INDICATORI",
    "expected": "LIVELLO ATTESO",
    "grading": "GRADUAZIONE CONSEGUIMENTO",
    "achieved": "RAGGIUNTO",
}
_KINDS = {
    INDICATORS: (_indicator_field, _INDICATOR_COLUMNS, {"name", "formula"}),
    ACTIVITIES: (_activity_field, _ACTIVITY_COLUMNS, {"title", "timing", "start", "end"}),
}
_SUBHEADS = frozenset({"ATTESO", "ALLA DATA", "DATA", "VALORE", "INIZIO", "FINE", "I", "F"})


@dataclass
class _Layout:
    """How a data table's header reads: its kind, headers per grid column, first data row."""

    kind: str
    heads: list[str]  # as the file prints them (for messages)
    fields: list[str]  # draft field per grid column ("" = not a column of the card)
    header_row: int  # 0-based index of the (first) header row
    data_from: int  # 0-based index of the first data row


def _layout(table: _Table) -> _Layout | None:
    """The table's kind from its header row, or None when the header says neither."""
    rows = table.rows
    first = next((i for i, row in enumerate(rows) if any(_cell_text(c) for c in row)), None)
    if first is None:
        return None
    titles = [_cell_text(c) for c in rows[first] if c.own and _cell_text(c)]
    if len(titles) == 1 and titles[0].rstrip(":").casefold() in {"indicatori", "piano operativo"}:
        first += 1  # a title row above the header ("Indicatori" across the table)
        if first >= len(rows):
            return None
    top = [_cell_text(rows[first][c.start]) if c.hcont else _cell_text(c) for c in rows[first]]
    data_from = first + 1
    subs = [""] * len(top)
    if data_from < len(rows):
        below = rows[data_from]
        texts = [_cell_text(c).upper() if c.own else "" for c in below]
        if any(texts) and all(t in _SUBHEADS for t in texts if t):
            subs, data_from = [_cell_text(c) if c.own else "" for c in below], data_from + 1
    heads = []
    for column, (head, sub) in enumerate(zip(top, subs, strict=True)):
        if sub and not head:  # the group's label is in a cell to the left, not merged
            head = next((top[c] for c in range(column - 1, -1, -1) if top[c]), "")
        heads.append(f"{head} – {sub}" if head and sub else head or sub)
    upper = [head.upper() for head in heads]
    best = None
    for kind, (field_of, _columns, signature) in _KINDS.items():
        fields = [field_of(head) for head in upper]
        if not signature & set(fields) or len({f for f in fields if f}) < 3:
            continue
        if best is None or len(set(fields)) > len(set(best.fields)):
            best = _Layout(kind, heads, fields, first, data_from)
    return best


# -- the ambiti grid ----------------------------------------------------------------------

# A tick as offices write it; "x"/"X" only as a cell (or box) of its own.
_TICKS = frozenset("☒☑✔✓✅■●✗✘")
_BOXES = frozenset("☐□○")
_AREA_NUMBER_RE = re.compile(r"(?P<pre>[^\w\s]?)\s*(?P<n>\d{1,2})[.)]?\s*(?P<post>[^\w\s]?)")


@dataclass(frozen=True)
class AreaRow:
    """What one row of the ambiti grid says: the numbers listed, those ticked, whether it
    shows boxes at all, and whether its ticks cannot be told apart (then nothing is read)."""

    texts: tuple[str, ...]
    numbers: tuple[int, ...]
    marked: tuple[int, ...]
    boxes: bool
    ambiguous: bool
    layout: tuple = ()  # (group size, number's place, text's place): rows of a grid agree


_MARK = "[☒☑✔✓✅■●✗✘☐□○]"
_AREA_LINE_RE = re.compile(
    rf"(?P<pre>{_MARK}|[xX](?=\s))?\s*(?P<n>\d{{1,2}})(?!\d)\s*[.)\-–:]?\s*"
    rf"(?P<mid>{_MARK}|[xX](?=\s))?\s*(?P<text>[^\W\d].*?)(?:\s+(?P<post>{_MARK}|[xX]))?\s*"
)


def _has_tick(text: str) -> bool:
    """A tick in a line: a tick glyph, or an X standing alone (a name of an ambito with a
    lone "x" in it is asked too: better a question than a lost tick)."""
    return any(c in _TICKS for c in text) or re.search(r"(?:^|\s)[xX](?:\s|$)", text) is not None


def _kind(text: str) -> tuple[str, bool | None]:
    """A cell as N(umber), T(ext), B(ox) or E(mpty), and the tick it carries (None: no box)."""
    if not text:
        return "E", None
    if text in _TICKS or text in ("x", "X"):
        return "B", True
    if text in _BOXES:
        return "B", False
    if match := _AREA_NUMBER_RE.fullmatch(text):
        glyphs = {match["pre"], match["post"]} - {""}
        if glyphs <= _TICKS | _BOXES:
            tick = bool(glyphs & _TICKS) if glyphs else None
            return "N", tick
    head = text[0]
    if head in _TICKS:
        return "T", True
    if head in _BOXES:
        return "T", False
    if text[:2] in ("X ", "x ") and len(text) > 2 and text[2].isalpha():
        return "T", True
    return "T", None


def _prevailing(values):
    """The value most of ``values`` have, or None when none prevails."""
    ranked = Counter(values).most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return ranked[0][0]
    return None


def _area_number(text: str) -> int:
    """The number of an ambito's cell (the cells were picked by this pattern)."""
    match = _AREA_NUMBER_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"not an ambito's number: {text!r}")
    return int(match["n"])


def read_area_row(texts: list[str], size: int | None = None) -> AreaRow | None:
    """Read a row of the ambiti grid by adjacency: the row is cut into as many equal groups
    as it lists numbers, each group holds one number, and a tick belongs to the number of its
    own group, whatever the order of number, text and tick. Groups laid out differently
    (the number not in the same place, two ticks in one group) make the row ambiguous.
    ``size``: the group size the grid's other rows have (a row with fewer ambiti is read with
    it, and must hold nothing past its groups).
    None when the row lists no ambito (a number with a text or a box somewhere)."""
    kinds = [_kind(text) for text in texts]
    numbers = [i for i, (kind, _tick) in enumerate(kinds) if kind == "N"]
    if not numbers or not any(kind in ("T", "B") for kind, _tick in kinds):
        return None
    count = len(numbers)
    boxes = any(tick is not None for _kind_, tick in kinds)
    ticks_anywhere = any(tick for _kind_, tick in kinds)
    beyond = False
    if size is None:
        size = -(-len(kinds) // count)
    else:  # the grid's group size: anything past this row's groups is out of place
        beyond = any(kind != "E" for kind, _tick in kinds[size * count :])
        kinds = kinds[: size * count]
    padded = kinds + [("E", None)] * (size * count - len(kinds))
    groups = [padded[g * size : (g + 1) * size] for g in range(count)]
    listed = tuple(_area_number(texts[i]) for i in numbers)
    layout = {tuple(i for i, (kind, _t) in enumerate(group) if kind == "N") for group in groups}
    texts_at = {
        tuple(i for i, (kind, _t) in enumerate(group) if kind == "T")
        for group in groups
        if any(kind == "T" for kind, _t in group)
    }
    boxes_at = {
        tuple(i for i, (kind, _t) in enumerate(group) if kind == "B")
        for group in groups
        if any(kind == "B" for kind, _t in group)
    }
    consistent = (
        not beyond
        and len(kinds) % count == 0  # a cell missing somewhere: which group lost it is unknown
        and all(len(n) == 1 for n in layout)
        and len(layout) == 1
        and len(texts_at) <= 1
        and len(boxes_at) <= 1
        and all(len(b) <= 1 for b in boxes_at)
    )
    marked = []
    for number, group in zip(listed, groups, strict=True):
        ticks = [tick for _kind_, tick in group if tick is not None]
        if len(ticks) > 1:
            consistent = False
        if any(ticks):
            marked.append(number)
    ambiguous = ticks_anywhere and not consistent
    return AreaRow(
        texts=tuple(texts),
        numbers=listed,
        marked=() if ambiguous else tuple(marked),
        boxes=boxes,
        ambiguous=ambiguous,
        layout=(size, tuple(sorted(layout)), tuple(sorted(texts_at))),
    )


# -- one scheda --------------------------------------------------------------------------


@dataclass
class _Segment:
    text: str  # one line, whitespace collapsed, bold markers kept
    cell: bool = False  # from a table cell
    row_start: bool = False  # the first line of the first non-empty cell of its row


_PHASES = ("header", "areas", "indicators", "after_indicators", "notes", "activities", "trailer")


class _SchedaReader:
    """Collects one scheda's blocks as they come, then builds its draft in ``finish``."""

    def __init__(self, ordinal: int) -> None:
        self.sheet = _("scheda %(n)s") % {"n": ordinal}
        self.draft = SchedaDraft(ordinal=ordinal, where=Where(sheet=self.sheet))
        self.phase = "header"
        self.segments: list[_Segment] = []
        self.code_seen = False
        self.score_seen = False
        self.areas_listed: set[int] = set()
        self.areas_marked: set[int] = set()
        self.boxes_seen = False
        self.areas_unreadable = False
        self.area_rows = 0
        self.area_lines: list[tuple[str, str, Where]] = []  # paragraphs with tabs, read at once
        self.notes_seen = False
        self.notes: list[str] = []
        self.tables_seen: set[str] = set()
        self.tables = 0
        self.heads: dict[str, str] = {}  # the current data table's header per field

    # -- what comes in

    def feed(self, block) -> None:
        if not (isinstance(block, _Para) and self.phase == "areas" and "\t" in block.text):
            self._flush_area_lines()
        if isinstance(block, _Para):
            self._paragraph(block)
        else:
            self.tables += 1
            self._table(block)

    def _at_least(self, phase: str) -> bool:
        return _PHASES.index(self.phase) >= _PHASES.index(phase)

    def _paragraph(self, para: _Para) -> None:
        lines = para.lines()
        if not lines:
            return
        first = _clean(lines[0])
        if _TRAILER_RE.match(first) and self._at_least("indicators"):
            self.phase = "trailer"
        elif self.phase == "trailer":
            return
        elif first.casefold().startswith("ambiti della") and not self._at_least("indicators"):
            self.phase = "areas"
        elif _SCORE_START_RE.match(first) and not self._at_least("indicators"):
            self._score(" ".join(_clean(line) for line in lines))
            self.phase = "areas"
        elif first.rstrip(":").casefold() == "indicatori" and not self._at_least("indicators"):
            self.phase = "indicators"
        elif re.match(r"Note\b", first, re.IGNORECASE) and self._at_least("indicators"):
            if self._at_least("activities"):
                self._unread(first)
                return
            self.phase, self.notes_seen = "notes", True
            head = re.sub(r"^Note\s*:?", "", first, flags=re.IGNORECASE).strip()
            self.notes += [line for line in (head, *map(_clean, lines[1:])) if line]
        elif first.rstrip(":").casefold() == "piano operativo" and not self._at_least("activities"):
            self.phase = "activities"
        elif self.phase == "header":
            self.segments += [_Segment(line) for line in lines]
            self.code_seen = self.code_seen or any(_CODE_LABEL_RE.search(x) for x in lines)
        elif self.phase == "notes":
            self.notes += [_clean(line) for line in lines]
        elif self.phase == "areas" and "\t" in para.text:
            self.area_rows += 1
            where = Where(sheet=self.sheet, table=_("Ambiti"), row=self.area_rows)
            self.area_lines.append((para.text, first, where))
        elif (
            self.phase == "areas"
            and (line := _AREA_LINE_RE.fullmatch(first))
            and not _has_tick(line["text"])
        ):
            # One ambito a paragraph: "☒ 1. Attuazione delle politiche…", "1 Attuazione… ☒".
            self.area_rows += 1
            where = Where(sheet=self.sheet, table=_("Ambiti"), row=self.area_rows)
            parts = ("pre", "n", "mid", "text", "post")
            self._area_row([_Cell(line[k] or "", i) for i, k in enumerate(parts)], where)
        elif self.phase == "areas" and _has_tick(first):
            self.area_rows += 1
            where = Where(sheet=self.sheet, table=_("Ambiti"), row=self.area_rows)
            self._unticked_or_unread(first, where)
        elif para.heading or _TOTAL_RE.fullmatch(first):
            return  # a title of the document's own, or a weight total written under a table
        else:
            self._unread(first)

    def _unticked_or_unread(self, text: str, where: Where) -> None:
        """A line of the ambiti not read: with a tick in it, a tick would be lost — blocking."""
        if _has_tick(text):
            message = _(
                "Ambiti, riga %(row)s («%(text)s»): c'è una spunta ma non si legge a quale "
                "ambito appartiene. Occorre correggere il file oppure scegliere gli ambiti "
                "nell'editor dopo l'importazione."
            ) % {"row": where.row, "text": text[:160]}
            self.areas_unreadable = True
            self._problem(where, message, blocking=True)
        else:
            self._unread(text)

    def _unread(self, text: str) -> None:
        self._note("", _("Testo non letto: «%(text)s».") % {"text": text[:200]})

    def _table(self, table: _Table) -> None:
        layout = _layout(table)
        if table.cut:
            self._cut_table(table, layout)
            return
        if layout is not None:
            self._data_table(table, layout)
            return
        if self.phase == "trailer":
            return
        if self.phase in ("header", "areas") and _SCORE_START_RE.match(_clean(_first_text(table))):
            texts = [_cell_text(c) for row in table.rows for c in row if c.own and _cell_text(c)]
            self._score(" ".join(texts))
            self.phase = "areas"
            return
        if self.phase == "header" and self._header_table(table):
            return
        if self.phase in ("header", "areas") and self._areas_table(table):
            self.phase = "areas"
            return
        first = _clean(_first_text(table))
        if re.match(r"Note\b", first, re.IGNORECASE) and self._at_least("indicators"):
            self.phase, self.notes_seen = "notes", True
            text = "\n".join(_cell_text(c) for row in table.rows for c in row if c.own)
            head = re.sub(r"^Note\s*:?", "", text.strip(), flags=re.IGNORECASE).strip()
            self.notes += [line for line in head.split("\n") if line]
            return
        expected = {"indicators": INDICATORS, "activities": ACTIVITIES}.get(self.phase)
        name = expected or _("tabella %(n)s") % {"n": self.tables}
        heads = [_cell_text(c) for row in table.rows[:1] for c in row if c.own and _cell_text(c)]
        message = _(
            "Intestazione non riconosciuta (%(heads)s): non è quella della tabella "
            "«Indicatori» (N°, PESO, DENOMINAZIONE, FORMULA DI CALCOLO…) né del «Piano "
            "operativo» (N°, PESO, SUB-OBIETTIVO / ATTIVITÀ, TEMPI…); tabella non letta."
        ) % {"heads": ", ".join(f"«{h}»" for h in heads[:6]) or _("vuota")}
        self._problem(Where(sheet=self.sheet, table=name, row=1), message)
        if expected:
            self.tables_seen.add(expected)
            self.phase = "after_indicators" if expected == INDICATORS else "trailer"

    def _cut_table(self, table: _Table, layout: _Layout | None) -> None:
        """A table beyond the caps is not read, and its scheda cannot be imported."""
        expected = {"indicators": INDICATORS, "activities": ACTIVITIES}.get(self.phase)
        name = layout.kind if layout else expected or _("tabella %(n)s") % {"n": self.tables}
        if table.cut == "columns":
            message = _(
                "La tabella ha righe di più di %(max)s colonne (il massimo di Word): non è "
                "letta e la scheda non può essere importata."
            ) % {"max": MAX_COLUMNS}
        else:
            message = _(
                "La tabella è troppo grande (più di %(max)s celle): non è letta e la scheda "
                "non può essere importata."
            ) % {"max": _thousands(MAX_TABLE_CELLS)}
        self._problem(Where(sheet=self.sheet, table=name), message, blocking=True)
        self.tables_seen.add(name)
        if name in (INDICATORS, ACTIVITIES):
            self.phase = "after_indicators" if name == INDICATORS else "trailer"

    def _header_table(self, table: _Table) -> bool:
        segments: list[_Segment] = []
        labelled = False
        for row in table.rows:
            first_cell = True
            for cell in row:
                lines = [_squash(line) for line in cell.text.split("\n")] if cell.own else []
                lines = [line for line in lines if line]
                for i, line in enumerate(lines):
                    segment = _Segment(line, cell=True, row_start=first_cell and i == 0)
                    labelled = labelled or bool(
                        (_LABEL_RE.match(line) or _START_RE.match(line)) and segment.row_start
                    )
                    segments.append(segment)
                first_cell = first_cell and not lines
        if not labelled:
            return False
        self.segments += segments
        self.code_seen = self.code_seen or any(_CODE_LABEL_RE.match(s.text) for s in segments)
        return True

    def _areas_table(self, table: _Table) -> bool:
        rows = [[_cell_text(c) for c in row if c.own] for row in table.rows]
        wheres = []
        for index in range(1, len(rows) + 1):
            self.area_rows += 1
            wheres.append(Where(sheet=self.sheet, table=_("Ambiti"), row=index))
        return any(self._area_grid(rows, wheres))

    def _area_grid(self, rows: list[list[str]], wheres: list[Where]) -> list[bool]:
        """A grid's rows (a table's, or paragraphs with tabs), each read by adjacency with
        the group size most rows have; a row laid out unlike the others (a cell lost, a tick
        moved) that holds a tick is not trusted either. Whether each row was an ambiti row."""
        first = [read_area_row(row) for row in rows]
        # The group size is told by the rows listing the most ambiti (a row with fewer, the
        # last of an odd list, is read with it).
        sound = [r for r in first if r is not None and not r.ambiguous]
        most = max((len(r.numbers) for r in sound), default=0)
        size = _prevailing(r.layout[0] for r in sound if len(r.numbers) == most)
        readings = [
            read_area_row(row, size=size) if r is not None and size and r.layout[0] != size else r
            for row, r in zip(rows, first, strict=True)
        ]
        layouts = {r.layout for r in readings if r is not None and not r.ambiguous}
        usual = _prevailing(r.layout for r in readings if r is not None and not r.ambiguous)
        for reading, where in zip(readings, wheres, strict=True):
            if reading is None:
                continue
            if reading.marked and len(layouts) > 1 and reading.layout != usual:
                reading = replace(reading, ambiguous=True, marked=())
            self._area_reading(reading, where)
        return [reading is not None for reading in readings]

    def _flush_area_lines(self) -> None:
        """The paragraphs with tabs of the ambiti, read together as one grid."""
        if not self.area_lines:
            return
        lines, self.area_lines = self.area_lines, []
        rows = [text.split("\t") for text, _first, _where in lines]
        found = self._area_grid([[_clean(c) for c in row] for row in rows], [w for *_x, w in lines])
        for (_text, first, where), read in zip(lines, found, strict=True):
            if not read:
                self._unticked_or_unread(first, where)

    def _area_row(self, cells: list[_Cell], where: Where) -> bool:
        """One row of the ambiti grid, read by adjacency (``read_area_row``)."""
        reading = read_area_row([_cell_text(cell) for cell in cells])
        if reading is None:
            return False
        self._area_reading(reading, where)
        return True

    def _area_reading(self, reading: AreaRow, where: Where) -> None:
        self.areas_listed.update(reading.numbers)
        self.boxes_seen = self.boxes_seen or reading.boxes
        if reading.ambiguous:
            message = _(
                "Ambiti, riga %(row)s («%(text)s»): non si capisce a quale numero appartiene "
                "la spunta. Occorre correggere la griglia nel file (numero, testo e casella "
                "di ogni ambito vicini) oppure scegliere gli ambiti nell'editor dopo "
                "l'importazione."
            ) % {"row": where.row, "text": " | ".join(t for t in reading.texts if t)[:160]}
            self.areas_unreadable = True
            self._problem(where, message, blocking=True)
        else:
            self.areas_marked.update(reading.marked)

    def _score(self, text: str) -> None:
        match = _SCORE_RE.fullmatch(text) or _LOOSE_SCORE_RE.fullmatch(text)
        if match is None:
            self._note("weight_score", _("Riga del punteggio non letta: «%(t)s».") % {"t": text})
            return
        self.score_seen = True
        for group, attribute in (
            ("strategic", "strategic_text"),
            ("complexity", "complexity_text"),
            ("kind", "kind_text"),
        ):
            value = _LEVEL_POINTS_RE.sub("", _clean(match[group])).strip(" .…")
            setattr(self.draft, attribute, value)
        self.draft.score_text = _clean(match["score"]).strip(" .…")

    # -- the data tables

    def _data_table(self, table: _Table, layout: _Layout) -> None:
        name = layout.kind
        if name in self.tables_seen:
            message = _("Seconda tabella «%(name)s» nella stessa scheda: letta di seguito.")
            self._problem(Where(sheet=self.sheet, table=name), message % {"name": name})
        self.tables_seen.add(name)
        self.phase = "after_indicators" if name == INDICATORS else "trailer"
        columns = self._columns(layout)
        self.heads = {field: layout.heads[column] for field, column in columns.items()}
        sequence = [*self.draft.indicators] if name == INDICATORS else [*self.draft.activities]
        positions = {item.position for item in sequence}
        total_seen = False
        for index in range(layout.data_from, len(table.rows)):
            row = table.rows[index]
            number = index + 1
            if not any(_cell_text(cell) for cell in row if cell.own):
                continue  # an empty row (the paper card has six of them)
            values = {
                field: _cell_text(row[column]) if field != "grading" else _grading(row[column])
                for field, column in columns.items()
            }
            main = values.get("name" if name == INDICATORS else "title", "")
            position_text = values.get("number", "")
            others = " ".join(
                _cell_text(cell)
                for column, cell in enumerate(row)
                if cell.own and column != columns.get("number")
            ).strip()
            numbered = re.fullmatch(r"\d+", position_text) is not None
            if not numbered and (not main or _TOTAL_RE.fullmatch(others)):
                total_seen = True  # the weight check ("100,00% OK"): recomputed, not read
                continue
            if numbered and not others:
                continue  # a numbered empty row of the paper template
            where = Where(sheet=self.sheet, table=name, row=number)
            if total_seen:
                message = _("Riga dopo il totale dei pesi: letta comunque.")
                self._problem(where, message)
            self._merged(row, layout, where)
            self._unknown_cells(row, layout, where)
            position = self._position(position_text, positions, where, layout)
            positions.add(position)
            weight = self._weight(values.get("weight", ""), where, layout)
            if name == INDICATORS:
                self.draft.indicators.append(self._indicator(values, position, weight, where))
            else:
                self.draft.activities.append(self._activity(values, position, weight, where))

    def _columns(self, layout: _Layout) -> dict[str, int]:
        _field_of, expected, _signature = _KINDS[layout.kind]
        columns: dict[str, int] = {}
        header = Where(sheet=self.sheet, table=layout.kind, row=layout.header_row + 1)
        self.heads = {}
        for column, (head, field) in enumerate(zip(layout.heads, layout.fields, strict=True)):
            if not head or (column and head == layout.heads[column - 1] and not field):
                continue
            if field and field not in columns:
                columns[field] = column
                continue
            where = replace(header, column=head)
            if field:
                message = _("Colonna «%(head)s» ripetuta: ignorata.") % {"head": head}
            else:
                message = _("Colonna non prevista «%(head)s»: ignorata.") % {"head": head}
            self._problem(where, message)
            layout.fields[column] = ""
        if layout.kind == ACTIVITIES and ("start" in columns or "end" in columns):
            expected = {k: v for k, v in expected.items() if k != "timing"}
        for field, head in expected.items():
            if field not in columns:
                where = replace(header, column=head)
                self._problem(where, _("Manca la colonna «%(head)s».") % {"head": head})
        return columns

    def _merged(self, row: list[_Cell], layout: _Layout, where: Where) -> None:
        """A <w:tc> spanning columns of different fields: its text went to the first."""
        for cell in row:
            if not cell.own or not _cell_text(cell):
                continue
            covered = [
                i
                for i, c in enumerate(row)
                if c.hcont and c.start == cell.start and not c.vcont and layout.fields[i]
            ]
            if covered and layout.fields[cell.start]:
                heads = ", ".join(f"«{layout.heads[i]}»" for i in covered)
                message = _(
                    "Celle unite: il testo «%(text)s» copre anche %(heads)s ed è letto nella "
                    "colonna «%(head)s»."
                ) % {
                    "text": _cell_text(cell)[:80],
                    "heads": heads,
                    "head": layout.heads[cell.start],
                }
                self._problem(replace(where, column=layout.heads[cell.start]), message)

    def _unknown_cells(self, row: list[_Cell], layout: _Layout, where: Where) -> None:
        """Text under a column without a header: said once per row, then ignored."""
        for column, cell in enumerate(row):
            if cell.own and not layout.heads[column] and _cell_text(cell):
                message = _("Testo in una colonna senza intestazione, ignorato: «%(t)s».") % {
                    "t": _cell_text(cell)[:80]
                }
                self._problem(where, message)

    def _position(self, text: str, taken: set[int], where: Where, layout: _Layout) -> int:
        nxt = max(taken, default=0) + 1
        head = layout.heads[layout.fields.index("number")] if "number" in layout.fields else "N°"
        at = replace(where, column=head)
        if not text:
            if "number" in layout.fields:
                self._problem(at, _("N° mancante: numerato %(n)s.") % {"n": nxt})
            return nxt
        if not re.fullmatch(r"\d+", text):
            self._problem(
                at, _("N° «%(t)s» non è un numero: numerato %(n)s.") % {"t": text, "n": nxt}
            )
            return nxt
        if int(text) in taken or int(text) == 0:
            self._problem(at, _("N° %(t)s ripetuto: numerato %(n)s.") % {"t": text, "n": nxt})
            return nxt
        return int(text)

    def _weight(self, text: str, where: Where, layout: _Layout):
        try:
            return parse_weight(text)
        except ValueError:
            head = layout.heads[layout.fields.index("weight")]
            message = _("Peso non numerico: «%(t)s»; la riga è letta senza peso.") % {"t": text}
            self._problem(replace(where, column=head), message)
            return None

    def _indicator(self, values: dict, position: int, weight, where: Where) -> IndicatorDraft:
        targets = []
        for kind, value_field, date_field in (
            ("intermediate", "intermediate_value", "intermediate_date"),
            ("final", "final_value", "final_date"),
        ):
            value, due = values.get(value_field, ""), values.get(date_field, "")
            if not (value or due):
                continue
            due_date = parse_italian_date(due)
            if due and due_date is None:
                message = _("Data «%(t)s» non riconosciuta: resta come testo.") % {"t": due}
                self._problem(replace(where, column=self.heads.get(date_field, "")), message)
            targets.append(
                TargetDraft(
                    kind=kind,
                    year=0,  # set in finish(), once the scheda's year is known
                    value=read_number(value),
                    value_text=value,
                    due_date=due_date,
                    due_text=due,
                )
            )
        return IndicatorDraft(
            position=position,
            name=values.get("name", ""),
            weight=weight,
            weight_text=values.get("weight", ""),
            formula_text=values.get("formula", ""),
            grading_text=values.get("grading", ""),
            targets=targets,
            where=where,
        )

    def _activity(self, values: dict, position: int, weight, where: Where) -> ActivityDraft:
        timing = values.get("timing", "")
        if "start" in values or "end" in values:
            parts = [values.get("start", ""), values.get("end", "")]
            timing = " – ".join(part for part in parts if part)
        dates = [parse_italian_date(m[0]) for m in _DATE_IN_TEXT_RE.finditer(timing)]
        dates = [d for d in dates if d is not None]
        if timing and not dates:
            message = _("Tempi «%(t)s» non letti come data: restano come testo.") % {"t": timing}
            column = self.heads.get("timing") or self.heads.get("end", "")
            self._problem(replace(where, column=column), message)
        start, end = (
            (dates[0], dates[-1]) if len(dates) > 1 else (None, dates[0] if dates else None)
        )
        return ActivityDraft(
            position=position,
            title=values.get("title", ""),
            weight=weight,
            weight_text=values.get("weight", ""),
            start_date=start,
            end_date=end,
            timing_text=timing,
            indicator_text=values.get("indicator", ""),
            expected_text=values.get("expected", ""),
            grading_text=values.get("grading", ""),
            achieved_text=values.get("achieved", ""),
            where=where,
        )

    # -- what goes out

    def _note(self, field: str, message: str) -> None:
        self.draft.import_notes.append({"field": field, "message": message})

    def _problem(self, where: Where, message: str, blocking: bool = False) -> None:
        self.draft.problems.append(Problem(where, message, blocking))

    def finish(self) -> SchedaDraft:
        self._flush_area_lines()
        draft = self.draft
        segments = self._years(self.segments)
        self._header(segments)
        if not self.score_seen:
            message = _("Manca la riga «(Strategicità + Complessità) x Tipologia = Punteggio».")
            self._note("weight_score", message)
        if self.areas_listed and not self.areas_marked and not self.boxes_seen:
            self._note(
                "areas",
                _(
                    "Il documento elenca gli ambiti ma non si legge quali fossero "
                    "selezionati: nessun ambito è stato assegnato."
                ),
            )
        draft.area_numbers = sorted(self.areas_marked)
        draft.notes = "\n".join(self.notes)
        if not self.notes_seen:
            self._note("notes", _("Manca l'etichetta «Note»."))
        for name in (INDICATORS, ACTIVITIES):
            if name not in self.tables_seen:
                message = _("Manca la tabella «%(name)s».") % {"name": name}
                self._problem(Where(sheet=self.sheet, table=name), message)
        self._year()
        for indicator in draft.indicators:
            for target in indicator.targets:
                due_year = target.due_date.year if target.due_date else 0
                target.year = draft.year or draft.first_year or due_year
        if not draft.code:
            message = _("Manca il «Codice obiettivo».")
            self._problem(Where(sheet=self.sheet, column=_("Codice obiettivo")), message)
        if not draft.title:
            # A real card may lack it (seed card 6): kept, to be named in the editor.
            message = _("Manca la «Denominazione»: la scheda è letta senza nome, da completare.")
            self._problem(Where(sheet=self.sheet, column=_("Denominazione")), message)
        if not (draft.title or draft.code or draft.indicators or draft.activities):
            message = _(
                "Scheda vuota: né «Denominazione», né «Codice obiettivo», né indicatori o "
                "attività leggibili; non può essere importata."
            )
            self._problem(Where(sheet=self.sheet), message, True)
        return draft

    def _years(self, segments: list[_Segment]) -> list[_Segment]:
        """Read "ANNO 2019" / "ANNI 2019-2021 (scheda dell'anno 2020)"; the rest is header."""
        where = Where(sheet=self.sheet, column="ANNO")
        match = _START_RE.match(segments[0].text) if segments else None
        if match is None:
            message = _("Manca l'intestazione «ANNO»/«ANNI»: l'anno della scheda non è indicato.")
            self._problem(where, message)
            return segments
        years_text, rest, consumed = match["years"], match["rest"], 1
        if years_text is None:
            nxt = segments[1].text if len(segments) > 1 else ""
            found = _YEARS_RE.match(_clean(nxt))
            if found is None:
                self._problem(where, _("Manca l'anno dopo «ANNO»/«ANNI»."))
                return [_Segment(rest), *segments[1:]]
            years_text, rest, consumed = found[1], _clean(nxt)[found.end() :], 2
        if series := _SERIES_YEAR_RE.search(rest):
            self.draft.year = int(series[1])
            rest = rest[: series.start()] + rest[series.end() :]
        years = [int(year) for year in re.findall(r"\d{4}", years_text)]
        if years != sorted(set(years)):
            self._problem(where, _("Gli anni «%(t)s» non sono in ordine.") % {"t": years_text})
        self.draft.first_year, self.draft.last_year = min(years), max(years)
        return [_Segment(rest), *segments[consumed:]]

    def _year(self) -> None:
        """The year of the targets: said, single, or read from the final dates like the seed."""
        draft = self.draft
        if draft.first_year is None or draft.last_year is None:
            return
        span = range(draft.first_year, draft.last_year + 1)
        if draft.year is not None:
            if draft.year not in span:
                message = _("L'anno della scheda %(y)s è fuori dagli anni %(a)s–%(b)s.") % {
                    "y": draft.year,
                    "a": draft.first_year,
                    "b": draft.last_year,
                }
                self._problem(Where(sheet=self.sheet, column="ANNO"), message)
            return
        if draft.first_year == draft.last_year:
            draft.year = draft.first_year
            return
        finals = {
            t.due_date.year
            for i in draft.indicators
            for t in i.targets
            if t.kind == "final" and t.due_date
        }
        if len(finals) == 1 and finals <= set(span):
            draft.year = finals.pop()
            message = _("Scheda pluriennale: l'anno %(y)s è letto dalle date dei livelli finali.")
            self._note("year", message % {"y": draft.year})
        else:
            message = _("Scheda pluriennale senza l'anno dei livelli attesi: da indicare.")
            self._note("year", message)

    def _header(self, segments: list[_Segment]) -> None:
        """Cut the header at the card's labels, whether run together on a line or not."""
        pieces: dict[str, list[str]] = {}
        current, last = "", -1
        for segment in segments:
            raw, position, after_label = segment.text, 0, False
            for match in _LABEL_RE.finditer(raw):
                order, field = _HEADER_FIELDS[match[1].casefold()]
                if order <= last or not self._label_at(segment, match):
                    continue
                self._piece(pieces, current, raw[position : match.start()], after_label)
                if match[1].casefold() == "risultato atte":
                    message = _("Etichetta «Risultato atte» letta come «Risultato atteso».")
                    self._note(field, message)
                current, last, position, after_label = field, order, match.end(), True
                pieces[field] = []
            self._piece(pieces, current, raw[position:], after_label)
        for field, label in _LABEL_NAMES.items():
            if field not in pieces:
                self._note(field, _("Manca l'etichetta «%(label)s».") % {"label": label})
        values = {
            field: ("\n" if field == "expected_result" else " ").join(pieces.get(field, []))
            for field in _LABEL_NAMES
        }
        self._move_expected_result(pieces.get("objective_type", []), values)
        for field, value in values.items():
            if field != "objective_type":
                setattr(self.draft, field, value)

    @staticmethod
    def _label_at(segment: _Segment, match: re.Match) -> bool:
        """A label counts at the start of a line, or run on after ":"/"**"/a glued word.

        In a table, a label that opens a value cell (not the row's first) must stand alone or
        be followed by ":": a Denominazione reading "Obiettivo trasparenza" is not a label.
        """
        raw, start = segment.text, match.start()
        after = raw[match.end() :]
        if not raw[:start].strip():
            if segment.cell and not segment.row_start:
                return re.match(r"\s*(?::|\*\*\s*$|$)", after) is not None
            return True
        if not re.match(r"\s*(?::|\*\*|$)", after):
            return False
        before = raw[:start].rstrip()
        if before[-1] in ":*":
            return True
        return before == raw[:start] and before[-1].isalnum() and match[1][0].isupper()

    def _piece(self, pieces: dict[str, list[str]], field: str, raw: str, after: bool) -> None:
        text = _clean(raw)
        text = text.removeprefix(":").strip() if after else text
        if text and not field:
            message = _("Testo prima di «Codice obiettivo», non letto: «%(t)s».") % {"t": text}
            self._note("", message)
        elif text:
            pieces[field].append(text)

    def _move_expected_result(self, objective: list[str], values: dict[str, str]) -> None:
        """Text found under "Obiettivo" that is not ANNUALE/PLURIENNALE, with an empty
        risultato atteso, is the risultato atteso moved above its label (seed cards 6, 10)."""
        words = [{w.strip("☐☒☑□■:") for w in text.upper().split()} - {""} for text in objective]
        stray = [text for text, ws in zip(objective, words, strict=True) if not ws <= _TYPE_WORDS]
        if not stray or values["expected_result"]:
            return
        values["expected_result"] = "\n".join(stray)
        message = _(
            "Testo trovato tra «Obiettivo» e «Risultato atteso», che è vuoto: letto come "
            "risultato atteso."
        )
        self._note("expected_result", message)


def _grading(cell: _Cell) -> str:
    """The graduation as written, without the exporter's "letta come: …" line."""
    lines = [_clean(line) for line in cell.text.split("\n")]
    return " ".join(line for line in lines if line and not _READ_AS_RE.match(line))


__all__ = ["read_docx"]
