"""The plan workbook in Excel: every cell against the database, formatting, template, reader."""

import io
import re
import tracemalloc
import zipfile
from datetime import date, datetime

import pytest
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from tests.exchange.helpers import (
    as_dicts,
    canon,
    canon_row,
    draft_differences,
    expected_tables,
    project,
    xlsx_sheets,
)
from traguardo.exchange import layout, reading
from traguardo.exchange.xlsx import plan_workbook, read_workbook, template_workbook
from traguardo.organization.models import Person

pytestmark = pytest.mark.django_db

SHEETS = [
    "Istruzioni",
    "Schede",
    "Indicatori",
    "Livelli attesi",
    "Attività",
    "Misurazioni",
    "Risultati",
    "Elenchi",
]


@pytest.fixture(params=["demo", "rich"])
def plan(request):
    return request.getfixturevalue(request.param)


def export(plan) -> bytes:
    with scope(authority=plan.authority):
        return plan_workbook(plan)


def test_every_cell_of_every_table_is_the_database(plan):
    sheets = xlsx_sheets(export(plan))
    assert list(sheets) == SHEETS
    with scopes_disabled():
        expected = expected_tables(plan)
    for name in ("Schede", "Indicatori", "Livelli attesi", "Attività", "Misurazioni"):
        found = as_dicts(sheets[name])
        assert [canon_row(r) for r in project(found, expected[name])] == [
            canon_row(r) for r in expected[name]
        ], name
    # Every row of "Risultati" (scheda, indicator and activity rows) is the engine's.
    results = as_dicts(sheets["Risultati"])
    assert [(r["N. scheda"], r["Riga"], r["N."]) for r in results] == [
        (w["N. scheda"], w["Riga"], w.get("N.")) for w in expected["Risultati"]
    ]
    assert "Attività" in {r["Riga"] for r in results}
    for found, wanted in zip(results, expected["Risultati"], strict=True):
        assert canon_row({k: found[k] for k in wanted}) == canon_row(wanted)


def test_the_demo_plan_has_its_eleven_schede_and_the_engine_results(demo):
    sheets = xlsx_sheets(export(demo))
    schede = as_dicts(sheets["Schede"])
    assert [r["N. scheda"] for r in schede] == list(range(1, 12))
    assert schede[0]["Codice obiettivo"] is None  # card 1 has no code: left blank, not invented
    results = {(r["N. scheda"], r["Riga"], r["N."]): r for r in as_dicts(sheets["Risultati"])}
    # Card 1, indicator 1: 180 of 200 records by the period's date → 90% of a ratio target.
    assert results[(1, "Indicatore", 1)]["Valore rilevato"] == 90
    assert results[(2, "Indicatore", 2)]["Giorni di ritardo"] == 4
    assert results[(2, "Indicatore", 2)]["Raggiungimento (%)"] == 90
    # Card 1, activity 1: 50% done, past its end: the lower of progress and lateness.
    assert results[(1, "Attività", 1)]["Raggiungimento (%)"] == 0
    measurements = as_dicts(sheets["Misurazioni"])
    assert [m["Commento"] for m in measurements][:2] == ["=SOMMA(A1:A3)", "Gara pubblicata il 4/10"]
    assert measurements[2]["Motivo della forzatura"] == "-Ritardo non imputabile all'ufficio"


def test_numbers_are_numbers_and_dates_are_dates(rich):
    sheets = xlsx_sheets(export(rich))
    indicator = as_dicts(sheets["Indicatori"])[1]
    assert indicator["Peso (%)"] == 40 and isinstance(indicator["Peso (%)"], int | float)
    assert indicator["Livello finale atteso (valore)"] == -20  # a negative number, not a text
    assert indicator["Livello finale atteso (testo)"] == "-20"  # the card's text, kept as text
    first = as_dicts(sheets["Indicatori"])[0]
    assert first["Livello finale alla data"] == datetime(2019, 12, 31)
    activity = as_dicts(sheets["Attività"])[0]
    assert activity["Peso (%)"] == pytest.approx(33.33)
    assert activity["Inizio"] == datetime(2019, 2, 1)


def test_the_sheets_are_formatted_for_people(rich):
    book = load_workbook(io.BytesIO(export(rich)))
    for name in SHEETS[1:-1]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref.startswith("A1:"), name
        assert all(cell.font.b for cell in sheet[1]), name
    schede = book["Schede"]
    assert schede.column_dimensions["C"].width == 50  # Denominazione
    indicatori = book["Indicatori"]
    header = [c.value for c in indicatori[1]]
    weight = indicatori.cell(row=2, column=header.index("Peso (%)") + 1)
    assert weight.number_format == "0.00"
    due = indicatori.cell(row=2, column=header.index("Livello finale alla data") + 1)
    assert due.number_format == "DD/MM/YYYY"
    assert due.is_date


def test_drop_down_lists_come_from_the_lists_sheet(rich):
    book = load_workbook(io.BytesIO(export(rich)))
    lists = book["Elenchi"]
    columns = {c.value: c.column_letter for c in lists[1]}
    units = [c.value for c in lists[columns["Unità organizzative"]][1:] if c.value]
    assert units == ["Settore A", "Settore B"]
    scales = [c.value for c in lists[columns["Graduazioni"]][1:] if c.value]
    assert scales == ["Ritardo standard"]
    measures = [c.value for c in lists[columns["Misure"]][1:] if c.value]
    assert "Rapporto (numeratore / denominatore × 100)" in measures
    validations = {
        (dv.formula1, str(dv.sqref).split(":")[0][:1])
        for dv in book["Schede"].data_validations.dataValidation
    }
    header = [c.value for c in book["Schede"][1]]
    unit_letter = chr(ord("A") + header.index("Unità responsabile"))
    letter = columns["Unità organizzative"]
    assert (f"'Elenchi'!${letter}$2:${letter}$3", unit_letter) in validations
    indicator_formulas = {dv.formula1 for dv in book["Indicatori"].data_validations.dataValidation}
    assert f"'Elenchi'!${columns['Misure']}$2:${columns['Misure']}$8" in indicator_formulas


def test_formula_like_texts_are_text_cells_marked_as_such(rich):
    book = load_workbook(io.BytesIO(export(rich)))
    risky = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r":
                    risky.append(cell)
    assert {c.value for c in risky} >= {"=DUP 1.2 «Ente digitale»", "+39 nota", "-20", "@fatto"}
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)


def test_the_workbook_reads_back_into_drafts_equal_to_the_database(plan):
    draft = read_workbook("piano.xlsx", export(plan))
    assert draft.problems == []
    assert draft.source_kind == "xlsx"
    with scopes_disabled():
        assert draft_differences(plan, draft) == []


def test_the_template_has_the_editable_sheets_empty_with_lists(rich):
    with scope(authority=rich.authority):
        data = template_workbook(rich.authority, rich)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "Istruzioni",
        "Schede",
        "Indicatori",
        "Livelli attesi",
        "Attività",
        "Elenchi",
    ]
    assert book["Schede"].max_row == 1
    assert "Piano 2019 (2019–2021), Comune di Prova." in [c.value for c in book["Istruzioni"]["A"]]
    assert book["Schede"].data_validations.dataValidation  # the drop-downs are there already
    draft = read_workbook("modello.xlsx", data)
    assert [(p.message, p.blocking) for p in draft.problems] == [
        ("Il foglio «Schede» non contiene nessuna scheda.", True)
    ]


def test_the_template_needs_no_plan(authority):
    with scope(authority=authority):
        data = template_workbook(authority)
    assert load_workbook(io.BytesIO(data)).sheetnames[1] == "Schede"


# --- bad workbooks ------------------------------------------------------------------------


def edited(plan, change) -> bytes:
    book = load_workbook(io.BytesIO(export(plan)))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell(sheet, row: int, header: str):
    columns = [c.value for c in sheet[1]]
    return sheet.cell(row=row, column=columns.index(header) + 1)


def located(problems) -> list[tuple]:
    return [(p.where.sheet, p.where.row, p.where.column, p.message, p.blocking) for p in problems]


def test_a_missing_sheet_blocks_the_file(rich):
    draft = read_workbook("piano.xlsx", edited(rich, lambda b: b.remove(b["Attività"])))
    assert located(draft.problems) == [
        (
            "Attività",
            None,
            "",
            "Manca il foglio «Attività»: usare il modello di importazione del piano.",
            True,
        )
    ]
    assert draft.blocking and draft.schede == []


def test_a_weight_that_is_not_a_number_blocks_its_scheda(rich):
    def change(book):
        cell(book["Indicatori"], 3, "Peso (%)").value = "dieci"

    draft = read_workbook("piano.xlsx", edited(rich, change))
    assert draft.problems == []
    scheda = draft.schede[0]
    assert located(scheda.problems) == [
        ("Indicatori", 3, "Peso (%)", "Peso non numerico: «dieci».", True)
    ]
    assert [s.problems for s in draft.schede[1:]] == [[], []]


def test_a_bad_date_blocks_its_scheda(rich):
    def change(book):
        cell(book["Attività"], 2, "Fine").value = "31/02/2019"
        cell(book["Attività"], 2, "Inizio").value = "1/2/2019"  # typed as text: still a date

    draft = read_workbook("piano.xlsx", edited(rich, change))
    activity = draft.schede[0].activities[0]
    assert activity.start_date == date(2019, 2, 1)
    assert located(draft.schede[0].problems) == [
        ("Attività", 2, "Fine", "Fine: «31/02/2019» non è una data (scrivere gg/mm/aaaa).", True)
    ]


def test_an_unknown_scheda_number_in_the_indicators_is_located(rich):
    draft = read_workbook(
        "piano.xlsx",
        edited(rich, lambda b: setattr(cell(b["Indicatori"], 2, "N. scheda"), "value", 99)),
    )
    assert located(draft.problems) == [
        ("Indicatori", 2, "N. scheda", "N. scheda 99 non presente nel foglio «Schede».", True)
    ]
    assert [i.position for i in draft.schede[0].indicators] == [2]


def test_a_repeated_scheda_number_is_located(rich):
    draft = read_workbook(
        "piano.xlsx", edited(rich, lambda b: setattr(cell(b["Schede"], 3, "N. scheda"), "value", 1))
    )
    assert located(draft.problems)[0] == (
        "Schede",
        3,
        "N. scheda",
        "N. scheda 1 ripetuto (già usato alla riga 2).",
        True,
    )
    assert draft.blocking


def test_unknown_columns_and_values_outside_the_lists_are_reported(rich):
    def change(book):
        cell(book["Schede"], 1, "Note").value = "Osservazioni"
        cell(book["Indicatori"], 2, "Misura").value = "A occhio"

    draft = read_workbook("piano.xlsx", edited(rich, change))
    assert located(draft.problems) == [
        ("Schede", 1, "", "Colonne non previste, ignorate: «Osservazioni».", False),
        ("Schede", 1, "", "Mancano le colonne «Note»: i loro valori restano vuoti.", False),
    ]
    assert draft.schede[0].indicators[0].measure == ""  # the pipeline reads it from the formula
    assert located(draft.schede[0].problems) == [
        (
            "Indicatori",
            2,
            "Misura",
            "Misura: «A occhio» non è tra le voci dell'elenco; sarà dedotta dalla formula.",
            False,
        )
    ]
    assert not draft.blocking


def test_a_file_that_is_not_a_workbook_is_refused(db):
    draft = read_workbook("piano.xlsx", b"PK\x03\x04 non proprio")
    assert located(draft.problems) == [
        (
            "",
            None,
            "",
            "Il file «piano.xlsx» non è una cartella di lavoro Excel (.xlsx) leggibile.",
            True,
        )
    ]


def test_a_missing_key_column_blocks_the_file(rich):
    def change(book):
        book["Attività"].delete_cols(3)  # "N."

    draft = read_workbook("piano.xlsx", edited(rich, change))
    assert located(draft.problems) == [
        ("Attività", 1, "", "Manca la colonna «N.»: il foglio non si può leggere.", True)
    ]


def test_a_value_cell_may_hold_canon_values(rich):
    """Canonical spellings are what the comparisons above rely on."""
    assert canon(1.5) == "1.5" and canon(date(2019, 1, 2)) == "2019-01-02" and canon(None) == ""


def test_the_template_offers_the_authoritys_people_in_a_drop_down(rich):
    """The "Responsabile" column of the template takes a person from "Elenchi" › "Persone"."""
    with scopes_disabled():
        people = sorted(str(p) for p in Person.objects.filter(authority=rich.authority))
    assert people == ["Alice Alberti", "Bruno Bassi"]
    with scope(authority=rich.authority):
        book = load_workbook(io.BytesIO(template_workbook(rich.authority, rich)))
    lists = book["Elenchi"]
    letter = {c.value: c.column_letter for c in lists[1]}["Persone"]
    assert sorted(c.value for c in lists[letter][1:] if c.value) == people
    header = [c.value for c in book["Schede"][1]]
    column = get_column_letter(header.index("Responsabile") + 1)
    validations = [
        dv
        for dv in book["Schede"].data_validations.dataValidation
        if str(dv.sqref).startswith(f"{column}2:")
    ]
    assert len(validations) == 1
    people_list = validations[0]
    assert people_list.type == "list"
    assert people_list.formula1 == f"'Elenchi'!${letter}$2:${letter}${len(people) + 1}"
    assert str(people_list.sqref) == f"{column}2:{column}301"  # the rows to fill in
    # The responsible read back is the name chosen from the list.
    book["Schede"].append([1, "", "Scheda nuova", 2019, 2019, 2019])
    book["Schede"].cell(row=2, column=header.index("Responsabile") + 1, value=people[1])
    out = io.BytesIO()
    book.save(out)
    draft = read_workbook("modello.xlsx", out.getvalue())
    assert [s.responsible_name for s in draft.schede] == ["Bruno Bassi"]


# --- hostile workbooks: bounded reading ---------------------------------------------------


def declared_huge(rows: int, *, extra_sheet: bool = True, far_cell: str = "") -> bytes:
    """A small workbook whose sheets declare 16,384 columns (``<dimension ref="A1:XFD…">``):
    openpyxl's read-only mode pads every row it yields to the declared width."""
    book = Workbook()
    book.active.title = "Istruzioni"
    for table in layout.EDITABLE:
        sheet = book.create_sheet(table.title)
        sheet.append([c.title for c in table.columns])
        if table is layout.SCHEDE:
            for n in range(1, rows + 1):
                sheet.append([n])
            if far_cell:
                sheet[far_cell] = "ancora"
    if extra_sheet:
        notes = book.create_sheet("Appunti")
        for n in range(rows // 4):
            notes.append([n])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data, count = re.subn(
                    rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data
                )
                assert count == 1
            target.writestr(info.filename, data)
    return out.getvalue()


def measured(data: bytes):
    """The draft and the reading's Python heap peak (its time is ``make bench``'s to print)."""
    tracemalloc.start()
    try:
        draft = read_workbook("piano.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return draft, peak


def test_a_sheet_declaring_16384_columns_is_read_within_bounds(db):
    """About 20 KB on disk; read naively, 2,000 rows padded to 16,384 cells take ~280 MB."""
    data = declared_huge(2000)
    assert len(data) < 32_000
    draft, peak = measured(data)
    assert peak < 100 * 1024 * 1024, f"{peak / 1e6:.0f} MB"
    assert len(draft.schede) == 2000 and draft.schede[-1].ordinal == 2000
    # The sheet the layout does not know is named, never read.
    assert [p.message for p in draft.problems] == ["Fogli non previsti, ignorati: «Appunti»."]


def test_a_sheet_beyond_the_row_limit_blocks_the_file(db, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 50)
    assert read_workbook("piano.xlsx", declared_huge(50, extra_sheet=False)).schede
    draft = read_workbook("piano.xlsx", declared_huge(51, extra_sheet=False))
    assert located(draft.problems) == [
        (
            "Schede",
            None,
            "",
            "Il foglio «Schede» va oltre la riga 51: se ne leggono al massimo 50 righe sotto "
            "l'intestazione. Eliminare le righe in più (anche quelle vuote ma formattate) o "
            "dividi il piano in più file.",
            True,
        )
    ]
    assert draft.blocking and draft.schede == []


def test_a_cell_on_the_last_row_of_the_sheet_is_refused_at_the_row_limit(db):
    """One row, then a cell on row 1,048,576: refused at the limit, not read a million rows."""
    draft, peak = measured(declared_huge(1, far_cell="B1048576"))
    assert [(p.where.sheet, p.blocking) for p in draft.problems] == [("Schede", True)]
    assert "va oltre la riga 20.001" in draft.problems[0].message
    assert peak < 100 * 1024 * 1024
