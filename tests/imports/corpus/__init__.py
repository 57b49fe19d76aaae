"""Schede as Comuni write them, built in the tests: one spec, a Word (python-docx) or a
LibreOffice Writer (odfpy) file.

A ``Spec`` says what a scheda means (its ambiti, Punteggio, indicators…) and how the office
laid it out (where the tick goes, one or two ambiti per row, the header as a table or as
paragraphs…). ``build_docx``/``build_odt`` write it; the corpus tests and the property test
compare what the importer read with what the spec means.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from tests.imports.docx_cards import AREAS

AREA_NAMES = AREAS  # the default ambiti, as the seed lists them
PROPORTIONAL = "Proporzionale"
DELAY = "gg ritardo 5= 90% / gg10=80% / gg15=60%"


@dataclass
class Ambiti:
    """The ambiti grid: which are ticked and how the office drew the ticks."""

    ticked: frozenset[int] = frozenset()
    order: str = "BNT"  # a group's cells: B(ox), N(umber), T(ext), in any order
    per_row: int = 2
    tick: str = "☒"
    untick: str = "☐"  # "" = an empty cell
    controls: bool = False  # Word checkbox content controls instead of glyphs
    drop: tuple[int, int] | None = None  # (row, cell) left out: a damaged grid
    count: int = 10  # ambiti listed; two per row: the first half left, the rest right
    style: str = "table"  # table | tabs (a paragraph a row, cells between tabs) | lines

    def groups(self) -> list[list[int]]:
        """The ambiti of each row, as the exporter lays them out."""
        if self.per_row == 1:
            return [[n] for n in range(1, self.count + 1)]
        half = (self.count + 1) // 2
        return [[i + 1] + ([i + 1 + half] if i + half < self.count else []) for i in range(half)]

    def rows(self) -> list[list[tuple[str, object]]]:
        """Each row as cells: ("text", str) or ("box", bool)."""
        groups = self.groups()
        rows = []
        for numbers in groups:
            cells: list[tuple[str, object]] = []
            for number in numbers:
                for kind in self.order:
                    if kind == "N":
                        cells.append(("text", str(number)))
                    elif kind == "T":
                        cells.append(("text", AREA_NAMES[number - 1]))
                    else:
                        cells.append(("box", number in self.ticked))
            rows.append(cells)
        if self.drop is not None:
            row, cell = self.drop
            del rows[row][cell]
        return rows

    def glyph(self, ticked: bool) -> str:
        return self.tick if ticked else self.untick


@dataclass
class Indicator:
    name: str
    formula: str
    final: str
    due: str = "31 dicembre 2019"
    grading: str = PROPORTIONAL
    weight: str = "100,00%"


@dataclass
class Spec:
    code: str = "1"
    title: str = "Gare telematiche"
    year_line: str = "ANNO 2019"
    unit: str = "Settore A"
    responsible: str = "Alice Alberti"
    involved: str = "Settore B"
    expected: str = "Tutte le gare sulla piattaforma."
    header: str = "table"  # table | paragraphs | inline | mixed
    ambiti: Ambiti = field(default_factory=Ambiti)
    # (strategicità, complessità, tipologia, punteggio) as written; None: the blank line
    score: tuple[str, str, str, str] | None = None
    score_style: str = "line"  # line | loose (no brackets nor signs) | table
    indicators: list[Indicator] = field(
        default_factory=lambda: [
            Indicator("Prima gara", "Giorni di ritardo", "0", "30 settembre 2019", DELAY)
        ]
    )
    activities: list[tuple[str, str, str]] = field(
        default_factory=lambda: [("Registrazione", "100,00%", "31 dicembre 2019")]
    )

    def header_rows(self) -> list[tuple[str, str]]:
        return [
            ("Codice obiettivo", self.code),
            ("Riferimento DUP", ""),
            ("Denominazione", self.title),
            ("Unità organizzativa responsabile", self.unit),
            ("Responsabile", self.responsible),
            ("Unità organizzative coinvolte", self.involved),
            ("Obiettivo", "ANNUALE"),
        ]

    def score_line(self) -> str:
        s, c, k, p = self.score or ("", "", "", "")
        if self.score_style == "loose":
            return f"Strategicità {s} Complessità {c} Tipologia {k} Punteggio {p}"
        return f"(Strategicità: {s} + Complessità: {c}) x Tipologia: {k} = Punteggio: {p}"

    def score_cells(self) -> list[str]:
        s, c, k, p = self.score or ("", "", "", "")
        return ["Strategicità", s, "Complessità", c, "Tipologia", k, "Punteggio", p]


INDICATOR_HEAD = [
    "N°", "PESO", "DENOMINAZIONE", "FORMULA DI CALCOLO", "LIVELLO INTERMEDIO", "",
    "LIVELLO FINALE", "", "GRADUAZIONE CONSEGUIMENTO",
]  # fmt: skip
INDICATOR_SUB = ["", "", "", "", "ATTESO", "ALLA DATA", "ATTESO", "ALLA DATA", ""]
ACTIVITY_HEAD = ["N°", "PESO", "SUB-OBIETTIVO / ATTIVITÀ", "TEMPI (I/F)", "INDICATORI"]


def indicator_rows(spec: Spec) -> list[list[str]]:
    return [
        [str(n), i.weight, i.name, i.formula, "", "", i.final, i.due, i.grading]
        for n, i in enumerate(spec.indicators, start=1)
    ]


def activity_rows(spec: Spec) -> list[list[str]]:
    return [
        [str(n), weight, title, timing, "termine rispettato"]
        for n, (title, weight, timing) in enumerate(spec.activities, start=1)
    ]


def ambiti_lines(ambiti: Ambiti) -> list[str]:
    """The grid as paragraphs: cells between tabs, or one ambito a line between spaces."""
    lines = []
    for row in ambiti.rows():
        cells = [value if kind == "text" else ambiti.glyph(value) for kind, value in row]
        if ambiti.style == "tabs":
            lines.append("\t".join(cells))
        else:
            lines.append(" ".join(cell for cell in cells if cell))
    return lines


# -- Word -------------------------------------------------------------------------------------

_W14 = 'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'


def build_docx(*specs: Spec, title: str = "", page_header: str = "") -> bytes:
    document = Document()
    if page_header:
        section = document.sections[0]
        section.header.is_linked_to_previous = False
        section.header.paragraphs[0].text = page_header
    if title:
        document.add_paragraph(title)
    for spec in specs:
        _docx_card(document, spec)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_card(document, spec: Spec) -> None:
    document.add_paragraph(spec.year_line)
    rows = spec.header_rows()
    if spec.header == "table":
        _docx_pairs(document, rows)
    elif spec.header == "paragraphs":
        for label, value in rows:
            document.add_paragraph(label)
            if value:
                document.add_paragraph(value)
    elif spec.header == "inline":
        for label, value in rows:
            document.add_paragraph(f"{label}: {value}")
    else:  # mixed: the code inline, the rest in a table
        document.add_paragraph(f"{rows[0][0]}: {rows[0][1]}")
        _docx_pairs(document, rows[1:])
    document.add_paragraph("Risultato atteso")
    document.add_paragraph(spec.expected)
    document.add_paragraph("Ambiti della performance organizzativa")
    if spec.ambiti.style == "table":
        _docx_ambiti(document, spec.ambiti)
    else:
        for line in ambiti_lines(spec.ambiti):
            document.add_paragraph(line)
    if spec.score_style == "table":
        cells = spec.score_cells()
        table = document.add_table(rows=1, cols=len(cells))
        for cell, value in zip(table.rows[0].cells, cells, strict=True):
            cell.text = value
    else:
        document.add_paragraph(spec.score_line())
    document.add_paragraph("Indicatori")
    table = document.add_table(rows=2, cols=len(INDICATOR_HEAD))
    for column, (head, sub) in enumerate(zip(INDICATOR_HEAD, INDICATOR_SUB, strict=True)):
        table.cell(0, column).text = head
        table.cell(1, column).text = sub
    for row in indicator_rows(spec):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    document.add_paragraph("Note:")
    document.add_paragraph("Piano operativo")
    table = document.add_table(rows=1, cols=len(ACTIVITY_HEAD))
    for column, head in enumerate(ACTIVITY_HEAD):
        table.cell(0, column).text = head
    for row in activity_rows(spec):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value


def _docx_pairs(document, rows) -> None:
    table = document.add_table(rows=0, cols=2)
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value


def _docx_ambiti(document, ambiti: Ambiti) -> None:
    rows = ambiti.rows()
    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width)
    for r, row in enumerate(rows):
        for c, (kind, value) in enumerate(row):
            cell = table.cell(r, c)
            if kind == "text":
                cell.text = value
            elif ambiti.controls:
                flag = "1" if value else "0"
                cell.paragraphs[0]._p.append(
                    parse_xml(
                        f"<w:sdt {nsdecls('w')} {_W14}><w:sdtPr><w14:checkbox>"
                        f'<w14:checked w14:val="{flag}"/></w14:checkbox></w:sdtPr>'
                        "<w:sdtContent><w:r><w:t></w:t></w:r></w:sdtContent></w:sdt>"
                    )
                )
            else:
                cell.text = ambiti.glyph(value)


# -- LibreOffice Writer -----------------------------------------------------------------------


def build_odt(*specs: Spec, title: str = "") -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentText()

    def para(text: str) -> None:
        document.text.addElement(P(text=text))

    def table(rows: list[list[str]]) -> None:
        width = max(len(row) for row in rows)
        element = Table()
        element.addElement(TableColumn(numbercolumnsrepeated=width))
        for row in rows:
            tr = TableRow()
            for value in [*row, *[""] * (width - len(row))]:
                cell = TableCell()
                cell.addElement(P(text=value))
                tr.addElement(cell)
            element.addElement(tr)
        document.text.addElement(element)

    if title:
        para(title)
    for spec in specs:
        para(spec.year_line)
        rows = spec.header_rows()
        if spec.header in ("table", "mixed"):
            if spec.header == "mixed":
                para(f"{rows[0][0]}: {rows[0][1]}")
                rows = rows[1:]
            table([list(pair) for pair in rows])
        else:
            for label, value in rows:
                para(f"{label}: {value}")
        para("Risultato atteso")
        para(spec.expected)
        para("Ambiti della performance organizzativa")
        ambiti = spec.ambiti
        if ambiti.style == "table":
            table(
                [
                    [value if kind == "text" else ambiti.glyph(value) for kind, value in row]
                    for row in ambiti.rows()
                ]
            )
        else:
            for line in ambiti_lines(ambiti):
                para(line)
        if spec.score_style == "table":
            table([spec.score_cells()])
        else:
            para(spec.score_line())
        para("Indicatori")
        table([INDICATOR_HEAD, INDICATOR_SUB, *indicator_rows(spec)])
        para("Note:")
        para("Piano operativo")
        table([ACTIVITY_HEAD, *activity_rows(spec)])
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()
