"""Word files in the layout of the paper card, built with python-docx for the reader's tests.

The layout follows the seed (shared/seed): "ANNO 2019", the header (a label/value table or
paragraphs), "Risultato atteso", the ambiti table, the Punteggio line, the "Indicatori" table
with its two header rows and merged cells, "Note:", the "Piano operativo" table and totals.
"""

import io
from dataclasses import dataclass, field

from docx import Document

DELAY = "gg ritardo 5= 90% / gg10=80% / gg15=60%"
DEADLINE = "scadenza rispettata +5gg= 90% / +10gg=80% / +15gg=60%"
AREAS = [
    "Attuazione delle politiche attivate sulla soddisfazione finale dei bisogni",
    "Attuazione di piani e programmi",
    "Rilevazione del grado di soddisfazione dei destinatari",
    "Modernizzazione e miglioramento qualitativo dell'organizzazione",
    "Sviluppo qualitativo e quantitativo delle relazioni con i cittadini",
    "Efficienza nell'impiego delle risorse",
    "Qualità e quantità delle prestazioni e dei servizi erogati",
    "Raggiungimento degli obiettivi di promozione delle pari opportunità",
    "Implementazione o miglioramento delle politiche anticorruzione e trasparenza",
    "Implementazione o miglioramento di sistemi di monitoraggio finanziario",
]
INDICATOR_TOP = ["N°", "PESO", "DENOMINAZIONE", "FORMULA DI CALCOLO"]
ACTIVITY_HEAD = [
    "N°",
    "PESO",
    "SUB-OBIETTIVO / ATTIVITÀ",
    "TEMPI (I/F)",
    "INDICATORI",
    "LIVELLO ATTESO",
    "GRADUAZIONE CONSEGUIMENTO",
    "RAGGIUNTO",
]


@dataclass
class Card:
    year_line: str = "ANNO 2019"
    header: list[tuple[str, str]] = field(
        default_factory=lambda: [
            ("Codice obiettivo:", "2"),
            ("Riferimento DUP", ""),
            ("Denominazione", "Piattaforma e-procurement SINTEL"),
            ("Unità organizzativa responsabile", "Dirigente Settore II"),
            ("Responsabile", "Giancarlo Serrao"),
            ("Unità organizzative coinvolte", "Ufficio Contratti e Appalti"),
            ("Obiettivo", "ANNUALE PLURIENNALE"),
        ]
    )
    header_as_table: bool = True
    # Real bold runs (``run.bold = True``), as Word writes them: the year line and, in a header
    # of paragraphs, each label glued to its value ("Denominazione" bold, then the name).
    bold_labels: bool = False
    expected: str = "Gestire le procedure della CUC sulla piattaforma SINTEL."
    marked_areas: tuple[int, ...] | None = None  # None: listed without marks, as in the seed
    score: str = "(Strategicità: + Complessità:) x Tipologia: = Punteggio:"
    indicators: list[list[str]] = field(
        default_factory=lambda: [
            ["1", "50,00%", "Impiegati abilitati", "Giorni di ritardo", "", "", "0",
             "31 dicembre 2019", DELAY],
            ["2", "50,00%", "Prima procedura di gara SINTEL", "Giorni di ritardo", "", "", "0",
             "30 settembre 2019", DELAY],
        ]
    )  # fmt: skip
    indicator_extra: str = ""  # an extra column's header, appended after GRADUAZIONE
    indicator_drop: str = ""  # a column of the card left out
    merge_grading: bool = False  # GRADUAZIONE merged vertically over the indicator rows
    merge_name_formula: bool = False  # the first indicator's name and formula in one cell
    notes: str = ""
    activities: list[list[str]] = field(
        default_factory=lambda: [
            ["1", "50,00%", "Studio della normativa", "31 dicembre 2019", "termine rispettato",
             "0%", DEADLINE, ""],
            ["2", "50,00%", "Abilitazione sulla piattaforma", "31 dicembre 2019",
             "termine rispettato", "0%", DEADLINE, ""],
        ]
    )  # fmt: skip
    empty_rows: int = 4  # the paper's numbered empty rows after the filled ones


def build(*cards: Card, preamble: str = "") -> bytes:
    document = Document()
    if preamble:
        document.add_paragraph(preamble)
    for card in cards:
        _card(document, card)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _card(document, card: Card) -> None:
    if card.bold_labels:
        document.add_paragraph().add_run(card.year_line).bold = True
    else:
        document.add_paragraph(card.year_line)
    if card.header_as_table:
        table = document.add_table(rows=0, cols=2)
        for label, value in card.header:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
    elif card.bold_labels:
        for label, value in card.header:
            paragraph = document.add_paragraph()
            paragraph.add_run(label).bold = True
            if value:
                paragraph.add_run(value)
    else:
        for label, value in card.header:
            document.add_paragraph(label)
            if value:
                document.add_paragraph(value)
    if card.bold_labels:
        paragraph = document.add_paragraph()
        paragraph.add_run("Risultato atteso").bold = True
        paragraph.add_run(card.expected)
    else:
        document.add_paragraph("Risultato atteso")
        document.add_paragraph(card.expected)
    document.add_paragraph("Ambiti della performance organizzativa")
    areas = document.add_table(rows=5, cols=6 if card.marked_areas is not None else 4)
    for i in range(5):
        for side in (0, 1):
            number = i + 1 + side * 5
            cells = areas.rows[i].cells
            if card.marked_areas is None:
                cells[side * 2].text, cells[side * 2 + 1].text = str(number), AREAS[number - 1]
            else:
                mark = "☒" if number in card.marked_areas else "☐"
                base = side * 3
                cells[base].text, cells[base + 1].text = mark, str(number)
                cells[base + 2].text = AREAS[number - 1]
    document.add_paragraph(card.score)
    document.add_paragraph("Indicatori")
    _indicators(document, card)
    document.add_paragraph("100,00% OK")
    document.add_paragraph("Note:" + (f" {card.notes}" if card.notes else ""))
    document.add_paragraph("Piano operativo")
    _activities(document, card)


def _indicators(document, card: Card) -> None:
    columns = [*INDICATOR_TOP, "LIVELLO INTERMEDIO", "", "LIVELLO FINALE", "", "GRADUAZIONE"]
    columns[-1] = "GRADUAZIONE CONSEGUIMENTO"
    subs = ["", "", "", "", "ATTESO", "ALLA DATA", "ATTESO", "ALLA DATA", ""]
    rows = [list(row) for row in card.indicators]
    if card.indicator_extra:
        columns.append(card.indicator_extra)
        subs.append("")
        for row in rows:
            row.append("da verificare")
    if card.indicator_drop:
        drop = columns.index(card.indicator_drop)
        for values in (columns, subs, *rows):
            del values[drop]
    width = len(columns)
    filled = len(rows)
    table = document.add_table(rows=2 + filled + card.empty_rows + 1, cols=width)
    for column, (head, sub) in enumerate(zip(columns, subs, strict=True)):
        table.cell(0, column).text = head
        if sub:
            table.cell(1, column).text = sub
    for column, head in enumerate(columns):
        if head.startswith("LIVELLO"):
            table.cell(0, column).merge(table.cell(0, column + 1))
        elif head and not subs[column]:
            table.cell(0, column).merge(table.cell(1, column))
    for r, row in enumerate(rows, start=2):
        for column, value in enumerate(row):
            table.cell(r, column).text = value
    for r in range(filled, filled + card.empty_rows):
        table.cell(2 + r, 0).text = str(r + 1)
    if card.merge_name_formula:
        table.cell(2, 3).text = ""
        table.cell(2, 2).merge(table.cell(2, 3))
    if card.merge_grading:
        grading = columns.index("GRADUAZIONE CONSEGUIMENTO")
        top = table.cell(2, grading)
        merged = top.merge(table.cell(1 + filled, grading))
        merged.text = rows[0][grading]
    total = table.rows[-1].cells
    total[1].text, total[2].text = "100,00%", "OK"


def _activities(document, card: Card) -> None:
    filled = len(card.activities)
    table = document.add_table(rows=1 + filled + card.empty_rows + 1, cols=len(ACTIVITY_HEAD))
    for column, head in enumerate(ACTIVITY_HEAD):
        table.cell(0, column).text = head
    for r, row in enumerate(card.activities, start=1):
        for column, value in enumerate(row):
            table.cell(r, column).text = value
    for r in range(filled, filled + card.empty_rows):
        table.cell(1 + r, 0).text = str(r + 1)
    total = table.rows[-1].cells
    total[1].text, total[2].text = "100,00%", "OK"
