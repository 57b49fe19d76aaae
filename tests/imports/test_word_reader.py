"""The Word reader: .docx files built here in the card's layout, with the seed's variants."""

import io
from datetime import date
from decimal import Decimal

from docx import Document

from tests.imports.docx_cards import DEADLINE, DELAY, Card, build
from traguardo.imports.word import read_docx
from traguardo.scoring import describe_scale, parse_scale


def messages(scheda) -> list[str]:
    return [f"{p.where}: {p.message}" for p in scheda.problems]


def test_a_card_in_the_seed_layout_is_read_whole():
    draft = read_docx("schede.docx", build(Card()))
    assert (draft.source_name, draft.source_kind, draft.problems) == ("schede.docx", "docx", [])
    (scheda,) = draft.schede
    assert (scheda.ordinal, scheda.year, scheda.first_year, scheda.last_year) == (
        1,
        2019,
        2019,
        2019,
    )
    assert scheda.code == "2"
    assert scheda.title == "Piattaforma e-procurement SINTEL"
    assert scheda.dup_text == ""
    assert scheda.unit_text == "Dirigente Settore II"
    assert scheda.responsible_text == "Giancarlo Serrao"
    assert scheda.involved_text == "Ufficio Contratti e Appalti"
    assert scheda.expected_result == "Gestire le procedure della CUC sulla piattaforma SINTEL."
    assert scheda.notes == ""
    assert (scheda.strategic_text, scheda.complexity_text, scheda.kind_text) == ("", "", "")
    first, second = scheda.indicators
    assert (first.position, first.weight, first.weight_text) == (1, Decimal("50.00"), "50,00%")
    assert (second.name, second.formula_text) == (
        "Prima procedura di gara SINTEL",
        "Giorni di ritardo",
    )
    assert second.grading_text == DELAY
    assert (second.measure, second.direction) == ("", "")  # read by the pipeline, as the seed's
    (target,) = second.targets
    assert (target.kind, target.year, target.value, target.value_text) == ("final", 2019, 0, "0")
    assert (target.due_date, target.due_text) == (date(2019, 9, 30), "30 settembre 2019")
    assert str(second.where) == "scheda 1, tabella «Indicatori», riga 4"
    assert [a.title for a in scheda.activities] == [
        "Studio della normativa",
        "Abilitazione sulla piattaforma",
    ]
    activity = scheda.activities[0]
    assert (activity.end_date, activity.timing_text) == (date(2019, 12, 31), "31 dicembre 2019")
    assert (activity.indicator_text, activity.expected_text) == ("termine rispettato", "0%")
    assert activity.grading_text == DEADLINE
    # The paper's numbered empty rows and the weight totals are not rows; nothing is wrong.
    assert len(scheda.indicators) == 2 and len(scheda.activities) == 2
    assert scheda.problems == []
    # The ambiti are listed without ticks, as in the seed: said, as the seed loader says it.
    assert scheda.area_numbers == []
    assert scheda.import_notes == [
        {
            "field": "areas",
            "message": "Il documento elenca gli ambiti ma non si legge quali fossero "
            "selezionati: nessun ambito è stato assegnato.",
        }
    ]


def test_two_schede_in_one_file_are_read_in_order():
    second = Card(
        header=[
            ("Codice obiettivo:", "3"),
            ("Denominazione", "Avvio procedura elenchi incarichi legali"),
        ],
        marked_areas=(2, 9),
    )
    draft = read_docx("due.docx", build(Card(), second, preamble="PEG 2019 — Settore II"))
    assert [(s.ordinal, s.code, s.title) for s in draft.schede] == [
        (1, "2", "Piattaforma e-procurement SINTEL"),
        (2, "3", "Avvio procedura elenchi incarichi legali"),
    ]
    assert draft.schede[1].area_numbers == [2, 9]
    assert len(draft.schede[1].indicators) == 2
    # The second card names no unit, responsible…: each missing label is noted on it.
    notes = [n["message"] for n in draft.schede[1].import_notes]
    assert "Manca l'etichetta «Unità organizzativa responsabile»." in notes
    assert "Manca l'etichetta «Responsabile»." in notes


def test_the_seed_variants_in_paragraphs_bold_markers_and_a_missing_code():
    involved = "CULTURA-SPORT-STATO CIVILEObiettivo **ANNUALE** **PLURIENNALE**"
    indicator = ["1", "100,00%", "**Individuazione dei ruoli**", "n. atti / n. atti previsti"]
    card = Card(
        year_line="ANNI 2019-2020-2021",
        header_as_table=False,
        header=[
            ("Codice obiettivo:", ""),
            ("Denominazione **PROTEZIONE DEI DATI PERSONALI**", ""),
            ("Responsabile GIANCARLO SERRAO", ""),
            ("Unità organizzative coinvolte", involved),
            ("Miglioramento della protezione dei dati - ANNO 2020", ""),
        ],
        expected="",  # the risultato atteso moved above its label, as in seed cards 6 and 10
        indicators=[[*indicator, "", "", "100", "31 dicembre 2020", "gg10=80%"]],
    )
    data = build(card)
    (scheda,) = read_docx("protezione.docx", data).schede
    assert (scheda.first_year, scheda.last_year, scheda.year) == (2019, 2021, 2020)
    assert scheda.code == ""
    assert scheda.title == "PROTEZIONE DEI DATI PERSONALI"
    assert scheda.responsible_text == "GIANCARLO SERRAO"
    assert scheda.involved_text == "CULTURA-SPORT-STATO CIVILE"
    assert scheda.expected_result == "Miglioramento della protezione dei dati - ANNO 2020"
    (indicator,) = scheda.indicators
    assert indicator.name == "Individuazione dei ruoli"
    # "gg10=80%" is kept verbatim; the pipeline parses it, and the engine's parser reads it.
    assert indicator.grading_text == "gg10=80%"
    assert describe_scale(parse_scale(indicator.grading_text)) == (
        "0 gg → 100%; 1–10 gg → 80%; oltre 10 gg → 0%"
    )
    assert indicator.targets[0].year == 2020
    assert messages(scheda) == [
        "scheda 1, colonna «Codice obiettivo»: Manca il «Codice obiettivo»."
    ]
    notes = {n["field"]: n["message"] for n in scheda.import_notes}
    assert notes["year"] == (
        "Scheda pluriennale: l'anno 2020 è letto dalle date dei livelli finali."
    )
    assert notes["expected_result"] == (
        "Testo trovato tra «Obiettivo» e «Risultato atteso», che è vuoto: letto come "
        "risultato atteso."
    )


def test_merged_cells_an_extra_column_and_a_missing_one_are_located():
    card = Card(
        merge_grading=True,
        merge_name_formula=True,
        indicator_extra="RESPONSABILE DEL DATO",
        indicator_drop="FORMULA DI CALCOLO",
    )
    # Without FORMULA, the merged name spans the intermediate level's column.
    (scheda,) = read_docx("varianti.docx", build(card)).schede
    first, second = scheda.indicators
    # The vertically merged graduation belongs to every row it covers.
    assert first.grading_text == second.grading_text == DELAY
    assert first.formula_text == "" and second.formula_text == ""
    assert second.targets[0].due_date == date(2019, 9, 30)  # columns found by their header
    assert messages(scheda) == [
        "scheda 1, tabella «Indicatori», riga 1, colonna «RESPONSABILE DEL DATO»: "
        "Colonna non prevista «RESPONSABILE DEL DATO»: ignorata.",
        "scheda 1, tabella «Indicatori», riga 1, colonna «FORMULA DI CALCOLO»: "
        "Manca la colonna «FORMULA DI CALCOLO».",
        "scheda 1, tabella «Indicatori», riga 3, colonna «DENOMINAZIONE»: Celle unite: il "
        "testo «Impiegati abilitati» copre anche «LIVELLO INTERMEDIO – ATTESO» ed è letto "
        "nella colonna «DENOMINAZIONE».",
    ]


def test_merged_name_and_formula_read_in_the_name():
    (scheda,) = read_docx("unite.docx", build(Card(merge_name_formula=True))).schede
    first = scheda.indicators[0]
    assert (first.name, first.formula_text) == ("Impiegati abilitati", "")
    assert messages(scheda) == [
        "scheda 1, tabella «Indicatori», riga 3, colonna «DENOMINAZIONE»: Celle unite: il "
        "testo «Impiegati abilitati» copre anche «FORMULA DI CALCOLO» ed è letto nella "
        "colonna «DENOMINAZIONE».",
    ]


def test_a_weight_that_is_not_a_number_and_a_scheda_without_denominazione():
    rows = Card().indicators
    rows[1][1] = "dieci"
    card = Card(
        header=[("Codice obiettivo:", "9"), ("Denominazione", "")],
        indicators=rows,
    )
    draft = read_docx("pesi.docx", build(card))
    (scheda,) = draft.schede
    assert scheda.indicators[1].weight is None
    assert scheda.indicators[1].weight_text == "dieci"
    assert messages(scheda) == [
        "scheda 1, tabella «Indicatori», riga 4, colonna «PESO»: Peso non numerico: «dieci»; "
        "la riga è letta senza peso.",
        "scheda 1, colonna «Denominazione»: Manca la «Denominazione»: la scheda è letta senza "
        "nome, da completare.",
    ]
    assert not draft.blocking and not any(p.blocking for p in scheda.problems)


def test_a_table_with_no_recognisable_header_is_named_and_skipped():
    document = Document()
    document.add_paragraph("ANNO 2019")
    document.add_paragraph("Codice obiettivo: 4")
    document.add_paragraph("Denominazione")
    document.add_paragraph("Manifestazioni turistiche")
    document.add_paragraph("Indicatori")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["Voce", "Importo", "Capitolo"], strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "Spese"
    document.add_paragraph("Note: da rivedere")
    document.add_paragraph("Piano operativo")
    buffer = io.BytesIO()
    document.save(buffer)
    (scheda,) = read_docx("tabella.docx", buffer.getvalue()).schede
    assert scheda.title == "Manifestazioni turistiche" and scheda.code == "4"
    assert scheda.indicators == [] and scheda.notes == "da rivedere"
    assert messages(scheda) == [
        "scheda 1, tabella «Indicatori», riga 1: Intestazione non riconosciuta («Voce», "
        "«Importo», «Capitolo»): non è quella della tabella «Indicatori» (N°, PESO, "
        "DENOMINAZIONE, FORMULA DI CALCOLO…) né del «Piano operativo» (N°, PESO, "
        "SUB-OBIETTIVO / ATTIVITÀ, TEMPI…); tabella non letta.",
        "scheda 1, tabella «Piano operativo»: Manca la tabella «Piano operativo».",
    ]


def test_a_scheda_starting_at_codice_obiettivo_and_dates_of_start_and_end():
    rows = Card().activities
    rows[0][3] = "dal 1° marzo 2019 al 30/09/2019"
    rows[1][3] = "entro l'estate"
    first = Card()
    second = Card(year_line="", header=[("Codice obiettivo:", "5"), ("Denominazione", "Elezioni")])
    second.activities = rows
    draft = read_docx("senza-anno.docx", build(first, second))
    assert [s.code for s in draft.schede] == ["2", "5"]
    scheda = draft.schede[1]
    assert (scheda.year, scheda.first_year) == (None, None)
    start, vague = scheda.activities
    assert (start.start_date, start.end_date) == (date(2019, 3, 1), date(2019, 9, 30))
    assert start.timing_text == "dal 1° marzo 2019 al 30/09/2019"
    assert (vague.start_date, vague.end_date, vague.timing_text) == (None, None, "entro l'estate")
    assert scheda.indicators[0].targets[0].year == 2019  # from its date, the card says no year
    assert messages(scheda) == [
        "scheda 2, tabella «Piano operativo», riga 3, colonna «TEMPI (I/F)»: Tempi «entro "
        "l'estate» non letti come data: restano come testo.",
        "scheda 2, colonna «ANNO»: Manca l'intestazione «ANNO»/«ANNI»: l'anno della scheda "
        "non è indicato.",
    ]


def test_risultato_atte_notes_on_several_lines_and_text_after_the_card():
    document = Document(io.BytesIO(build(Card(notes="prima riga"))))
    label = next(p for p in document.paragraphs if p.text == "Risultato atteso")
    label.text = "Risultato atte"  # the typo of seed card 6
    piano = next(p for p in document.paragraphs if p.text == "Piano operativo")
    piano.insert_paragraph_before("seconda riga")
    piano.insert_paragraph_before("")  # an empty paragraph is not a line
    document.add_paragraph("Il Dirigente")  # after the card: the document's own text
    buffer = io.BytesIO()
    document.save(buffer)
    (scheda,) = read_docx("note.docx", buffer.getvalue()).schede
    assert scheda.notes == "prima riga\nseconda riga"
    assert scheda.expected_result == "Gestire le procedure della CUC sulla piattaforma SINTEL."
    assert {
        "field": "expected_result",
        "message": "Etichetta «Risultato atte» letta come «Risultato atteso».",
    } in scheda.import_notes
    assert scheda.problems == []


def test_a_file_that_is_not_word_or_holds_no_scheda_is_refused_whole():
    broken = read_docx("finto.docx", b"PK\x03\x04 non un documento")
    assert broken.schede == []
    assert [(str(p.where), p.message, p.blocking) for p in broken.problems] == [
        ("", "Il file «finto.docx» non è un documento Word (.docx) leggibile.", True)
    ]
    document = Document()
    document.add_paragraph("Verbale della riunione del 3 marzo")
    buffer = io.BytesIO()
    document.save(buffer)
    empty = read_docx("verbale.docx", buffer.getvalue())
    assert empty.schede == [] and empty.blocking
    assert empty.problems[0].message == (
        "Nessuna scheda trovata nel documento: manca l'intestazione «ANNO»/«ANNI» o "
        "l'etichetta «Codice obiettivo»."
    )


def test_real_bold_runs_mark_labels_glued_to_their_values():
    # Word's own bold, no "**" in the text: "Denominazione" (bold) then the name, no space.
    bold = Card(header_as_table=False, bold_labels=True)
    (scheda,) = read_docx("grassetto.docx", build(bold)).schede
    (plain,) = read_docx("schede.docx", build(Card())).schede
    fields = (
        "year", "code", "title", "unit_text", "responsible_text", "involved_text",
        "expected_result",
    )  # fmt: skip
    assert {f: getattr(scheda, f) for f in fields} == {f: getattr(plain, f) for f in fields}
    assert scheda.title == "Piattaforma e-procurement SINTEL"
    assert scheda.unit_text == "Dirigente Settore II"
    assert scheda.expected_result == "Gestire le procedure della CUC sulla piattaforma SINTEL."
    assert scheda.problems == []
    # A bold run inside a paragraph keeps its words, without markers.
    document = Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("ANNO ").bold = True
    paragraph.add_run("2019")
    paragraph = document.add_paragraph()
    paragraph.add_run("Codice obiettivo:").bold = True
    paragraph.add_run(" 7")
    paragraph = document.add_paragraph()
    paragraph.add_run("Denominazione").bold = True
    paragraph.add_run("Gare ")
    paragraph.add_run("telematiche").bold = True
    out = io.BytesIO()
    document.save(out)
    (scheda,) = read_docx("corsivo.docx", out.getvalue()).schede
    assert (scheda.year, scheda.code, scheda.title) == (2019, "7", "Gare telematiche")
