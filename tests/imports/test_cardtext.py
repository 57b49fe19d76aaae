from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from traguardo.imports.cardtext import (
    ActivityRow,
    Card,
    CardTextError,
    IndicatorRow,
    SourceNote,
    parse_cards,
    parse_italian_date,
    parse_weight,
)

ROOT = Path(__file__).resolve().parents[2]
SEED_PATHS = (
    ROOT / "src/traguardo/imports/data/seed_2019.txt",
    ROOT.parent / "shared/seed/000_808931830977f27d.txt",
)
ALL_AREAS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
DELAY_GRADING = "gg ritardo 5= 90% / gg10=80% / gg15=60%"
DEADLINE_GRADING = "scadenza rispettata +5gg= 90% / +10gg=80% / +15gg=60%"
DELAY_GRADING_DASHES = "gg ritardo 5 = 90% - 10 = 80% - 15 = 60%"
DEADLINE_GRADING_PLUS = "scadenza rispettata + 5gg = 90% + 10gg = 80% +15gg =60%"


@pytest.fixture(scope="module")
def seed_text() -> str:
    for path in SEED_PATHS:
        if path.exists():
            return path.read_text(encoding="utf-8")
    pytest.skip(f"seed file not found in {', '.join(str(path) for path in SEED_PATHS)}")


@pytest.fixture(scope="module")
def cards(seed_text: str) -> list[Card]:
    return parse_cards(seed_text)


def _edit(text: str, line: int, old: str, new: str) -> str:
    """The seed with one replacement on one (1-based) line."""
    lines = text.split("\n")
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new)
    return "\n".join(lines)


def _truncated(text: str, last_line: int) -> str:
    return "\n".join(text.split("\n")[:last_line])


def test_the_seed_has_eleven_cards(cards: list[Card]) -> None:
    assert len(cards) == 11
    assert [card.ordinal for card in cards] == list(range(1, 12))
    assert [card.line for card in cards] == [3, 45, 113, 183, 229, 301, 357, 430, 503, 572, 625]


def test_card_2_reads_as_printed(cards: list[Card]) -> None:
    assert cards[1] == Card(
        line=45,
        ordinal=2,
        years=(2019,),
        code="2",
        dup_reference="",
        title="Piattaforma e-procurement SINTEL",
        unit="Dirigente Settore II",
        responsible="Giancarlo Serrao",
        involved_units="Ufficio Contratti e Appalti",
        objective_type="ANNUALE PLURIENNALE",
        expected_result=(
            "A seguito dell'intervenuto obbligo dello svolgimento delle procedure mediante "
            "modalità telematiche, l'obiettivo è di gestire le procedure di competenza della "
            "CUC mediante la piattaforma SINTEL fornita dalla Regione Lombardia."
        ),
        areas_listed=ALL_AREAS,
        strategic="",
        complexity="",
        kind="",
        weight_score="",
        indicators=(
            IndicatorRow(
                line=89,
                number=1,
                weight_text="50,00%",
                weight=Decimal("50.00"),
                name=(
                    'Organizzazione e gestione degli "impiegati ed uffici abilitati" in '
                    "piattaforma per tutti i settori dell'ente"
                ),
                formula="Giorni di ritardo",
                intermediate_value="",
                intermediate_date="",
                final_value="0",
                final_date="31 dicembre 2019",
                grading=DELAY_GRADING,
            ),
            IndicatorRow(
                line=90,
                number=2,
                weight_text="50,00%",
                weight=Decimal("50.00"),
                name="Prima procedura di gara SINTEL",
                formula="Giorni di ritardo rispetto al 30/09/2019",
                intermediate_value="",
                intermediate_date="",
                final_value="0",
                final_date="30 settembre 2019",
                grading=DELAY_GRADING,
            ),
        ),
        indicator_total="100,00% OK",
        notes="",
        activities=(
            ActivityRow(
                line=105,
                number=1,
                weight_text="25,00%",
                weight=Decimal("25.00"),
                title="Studio della normativa aggiornata e formazione",
                timing="31 dicembre 2019",
                indicator="termine rispettato",
                expected="0%",
                grading=DEADLINE_GRADING,
                achieved="",
            ),
            ActivityRow(
                line=106,
                number=2,
                weight_text="25,00%",
                weight=Decimal("25.00"),
                title="Abilitazione e registrazione sulla Piattaforma Sintel",
                timing="31 dicembre 2019",
                indicator="termine rispettato",
                expected="0%",
                grading=DEADLINE_GRADING,
                achieved="",
            ),
            ActivityRow(
                line=107,
                number=3,
                weight_text="25,00%",
                weight=Decimal("25.00"),
                title=(
                    'Organizzazione e gestione degli "impiegati ed uffici abilitati" in piattaforma'
                ),
                timing="31 dicembre 2019",
                indicator="termine rispettato",
                expected="0%",
                grading=DEADLINE_GRADING,
                achieved="",
            ),
            ActivityRow(
                line=108,
                number=4,
                weight_text="25,00%",
                weight=Decimal("25.00"),
                title="Configurazione dei modelli di procedure più utilizzati dai vari settori",
                timing="31 dicembre 2020",
                indicator="termine rispettato",
                expected="0%",
                grading=DEADLINE_GRADING,
                achieved="",
            ),
        ),
        activity_total="100,00% OK",
        source_notes=(),
    )


def test_card_5_reads_as_printed(cards: list[Card]) -> None:
    def indicator(line: int, number: int, weight: str, name: str, final_date: str) -> IndicatorRow:
        return IndicatorRow(
            line=line,
            number=number,
            weight_text=f"{weight},00%",
            weight=Decimal(f"{weight}.00"),
            name=name,
            formula="Giorni di ritardo",
            intermediate_value="",
            intermediate_date="",
            final_value="0",
            final_date=final_date,
            grading=DELAY_GRADING_DASHES,
        )

    def activity(line: int, number: int, weight: str, title: str) -> ActivityRow:
        return ActivityRow(
            line=line,
            number=number,
            weight_text=f"{weight},00%",
            weight=Decimal(f"{weight}.00"),
            title=title,
            timing="",
            indicator="termine rispettato",
            expected="100%",
            grading=DEADLINE_GRADING_PLUS,
            achieved="",
        )

    spaces = "Individuazione ed assegnazione degli spazi per la propaganda elettorale"
    lists = "Revisione straordinaria delle liste elettorali"
    scrutiny = (
        "Trasmissione dati dello scrutinio alla Prefettura e al Ministero tramite Web Services"
    )
    assert cards[4] == Card(
        line=229,
        ordinal=5,
        years=(2019,),
        code="5",
        dup_reference="",
        title="Elezioni Europee 2019",
        unit="Dirigente Settore II",
        responsible="GIANCARLO SERRAO",
        involved_units="SERVIZI ELETTORALI - DEMOGRAFICI - STATO CIVILE",
        objective_type="ANNUALE PLURIENNALE",
        expected_result=(
            "Svolgimento di tutti gli adempimenti connessi alle elezioni europee del maggio "
            "2019, con il coordinamento del personale dei vari servizi autorizzati a svolgere "
            "attività per l'ufficio elettorale."
        ),
        areas_listed=ALL_AREAS,
        strategic="",
        complexity="",
        kind="",
        weight_score="",
        indicators=(
            indicator(277, 1, "40", spaces, "30 aprile 2019"),
            indicator(278, 2, "40", lists, "30 aprile 2019"),
            indicator(279, 3, "20", scrutiny, "31 maggio 2019"),
        ),
        indicator_total="100,00% OK",
        notes="",
        activities=(
            activity(293, 1, "40", spaces),
            activity(294, 2, "40", lists),
            activity(295, 3, "20", scrutiny),
        ),
        activity_total="100,00% OK",
        source_notes=(),
    )


def test_card_7_reads_as_printed(cards: list[Card]) -> None:
    assert cards[6] == Card(
        line=357,
        ordinal=7,
        years=(2019, 2020, 2021),
        code="7",
        dup_reference="",
        title="Attuazione delle misure anticorruzione",
        unit="Dirigente Settore II",
        responsible="GIANCARLO SERRAO",
        involved_units="APPALTI - LEGALE - TURISMO -CULTURA-SPORT-ELETTORALE-A",
        objective_type="ANNUALE PLURIENNALE",
        expected_result=(
            "Rispetto degli adempimenti di pubblicazione come indicato nella tabella allegata "
            "al PTPC 2019-2021 approvato con Delibera di Giunta Comunale n. 17 del 05/02/2019."
        ),
        areas_listed=ALL_AREAS,
        strategic="",
        complexity="",
        kind="",
        weight_score="",
        indicators=(
            IndicatorRow(
                line=407,
                number=1,
                weight_text="100,00%",
                weight=Decimal("100.00"),
                name="Attuazione delle misure",
                formula="N° misure attuate / N° misure da attuare in base al PTPC",
                intermediate_value="",
                intermediate_date="",
                final_value="100%",
                final_date="31 dicembre 2019",
                grading="Proporzionale",
            ),
        ),
        indicator_total="100,00% OK",
        notes="",
        activities=(
            ActivityRow(
                line=421,
                number=1,
                weight_text="100,00%",
                weight=Decimal("100.00"),
                title="Attuazione misure",
                timing="31 dic 2019",
                indicator="termine rispettato",
                expected="",
                grading=DEADLINE_GRADING_PLUS,
                achieved="",
            ),
        ),
        activity_total="100,00% OK",
        source_notes=(),
    )


def test_codes_are_kept_as_written_blank_included(cards: list[Card]) -> None:
    codes = [card.code for card in cards]
    assert codes == ["", "2", "3", "4", "5", "", "7", "8", "1", "10", "10"]


def test_years_of_annual_and_multi_year_cards(cards: list[Card]) -> None:
    assert [card.years for card in cards[:6]] == [(2019,)] * 6
    assert [card.years for card in cards[6:]] == [(2019, 2020, 2021)] * 5


def test_card_1_labels_run_together_on_one_line(cards: list[Card]) -> None:
    card = cards[0]
    assert card.title == (
        "Implementazione software gestionale con i dati catastali e patrimoniali provenienti "
        "dall'Ufficio Patrimonio dell'Ente"
    )
    assert (card.code, card.dup_reference, card.unit, card.responsible) == ("", "", "", "")
    assert (card.involved_units, card.objective_type) == ("", "")
    assert card.expected_result.startswith("L'Ufficio Contratti e Appalti si è dotato")
    assert card.activity_total == "100,00% OK"


def test_card_4_bold_runs_and_activities_without_dates(cards: list[Card]) -> None:
    card = cards[3]
    assert card.title == "Manifestazioni turistiche, culturali e sportive"
    assert card.involved_units == "Uffici: Turismo -Cultura - Sport"
    assert card.objective_type == "ANNUALE PLURIENNALE"
    assert [activity.timing for activity in card.activities] == ["", "", ""]
    assert [activity.weight for activity in card.activities] == [
        Decimal("70.00"),
        Decimal("20.00"),
        Decimal("10.00"),
    ]
    assert card.indicators[1].final_value == "-20"
    assert card.indicators[1].grading == ""
    assert card.indicator_total == "100,00% OK"


def test_card_6_keeps_its_blank_header_and_moves_the_risultato_atteso(cards: list[Card]) -> None:
    card = cards[5]
    assert card.title == ""
    assert (card.unit, card.responsible, card.involved_units, card.objective_type) == (
        "",
        "",
        "",
        "",
    )
    assert card.expected_result == (
        "Miglioramento delle forme di comunicazione con l'Ufficio Stampa per una maggiore "
        "diffusione degli eventi culturali, turistici e sportivi."
    )
    assert card.indicators[0].final_value == "5 giorni"
    assert card.indicators[0].final_date == "entro la fine di ogni anno"


def test_multi_line_values_are_joined_with_a_space(cards: list[Card]) -> None:
    expected = (
        "UFFICIO CONTRATTI E APPALTI - LEGALE -TURISMO - "
        "CULTURA-SPORT-ELETTORALE-ANAGRAFE-STATO CIVILE"
    )
    assert [card.involved_units for card in cards[8:]] == [expected] * 3
    assert cards[7].involved_units == "PPALTI - LEGALE - CULTURA -TURISMO-SPORT-ELETTORALE-A"


def test_card_10_risultato_atteso_found_above_its_label(cards: list[Card]) -> None:
    card = cards[9]
    assert card.title == "PROTEZIONE DEI DATI PERSONALI"
    assert card.objective_type == "ANNUALE PLURIENNALE"
    assert card.expected_result.endswith("ANNO 2020")
    assert [card.expected_result[-9:] for card in cards[8:]] == [
        "ANNO 2019",
        "ANNO 2020",
        "ANNO 2021",
    ]


def test_every_source_note_of_the_seed(cards: list[Card]) -> None:
    moved = (
        "testo trovato tra «Obiettivo» e «Risultato atteso», che è vuoto: "
        "letto come risultato atteso"
    )
    notes = [(card.ordinal, note) for card in cards for note in card.source_notes]
    assert notes == [
        (6, SourceNote(317, "expected_result", moved)),
        (
            6,
            SourceNote(
                319, "expected_result", "etichetta «Risultato atte» letta come «Risultato atteso»"
            ),
        ),
        (10, SourceNote(587, "expected_result", moved)),
    ]


def test_every_grading_text_of_the_seed(cards: list[Card]) -> None:
    rows = [row for card in cards for row in (*card.indicators, *card.activities)]
    assert sorted({row.grading for row in rows}) == sorted(
        {
            "",
            DELAY_GRADING,
            DELAY_GRADING_DASHES,
            DEADLINE_GRADING,
            DEADLINE_GRADING_PLUS,
            "Proporzionale",
        }
    )
    assert len(rows) == 39
    assert sum(1 for row in rows if not row.grading) == 12


def test_empty_paper_rows_are_dropped_and_totals_normalised(cards: list[Card]) -> None:
    assert [len(card.indicators) for card in cards] == [1, 2, 2, 2, 3, 1, 1, 1, 1, 1, 1]
    assert [len(card.activities) for card in cards] == [4, 4, 2, 3, 3, 2, 1, 1, 1, 1, 1]
    assert {card.indicator_total for card in cards} == {"100,00% OK"}
    assert {card.activity_total for card in cards} == {"100,00% OK"}
    assert {card.areas_listed for card in cards} == {ALL_AREAS}
    assert {(card.strategic, card.complexity, card.kind, card.weight_score) for card in cards} == {
        ("", "", "", "")
    }


@pytest.mark.parametrize(
    ("last_line", "error_line", "message"),
    [
        (20, 19, "la scheda 1 (riga 3) termina prima della tabella «Indicatori»"),
        (
            626,
            625,
            "la scheda 11 (riga 625) termina prima degli «Ambiti della performance organizzativa»",
        ),
        (651, 650, "la scheda 11 (riga 625) termina prima della tabella «Indicatori»"),
        (653, 652, "la scheda 11 (riga 625) termina prima della tabella «Indicatori»"),
        (
            658,
            658,
            "la scheda 11 (riga 625) termina prima del totale dei pesi della tabella «Indicatori»",
        ),
        (662, 662, "la scheda 11 (riga 625) termina prima del «Piano operativo»"),
        (665, 664, "la scheda 11 (riga 625) termina prima del «Piano operativo»"),
        (667, 666, "la scheda 11 (riga 625) termina prima della tabella del «Piano operativo»"),
        (
            672,
            672,
            "la scheda 11 (riga 625) termina prima del totale dei pesi del «Piano operativo»",
        ),
        (358, 357, "la scheda 7 non indica l'anno dopo «ANNO»/«ANNI»"),
    ],
)
def test_a_truncated_file_names_the_card_and_the_line(
    seed_text: str, last_line: int, error_line: int, message: str
) -> None:
    with pytest.raises(CardTextError) as caught:
        parse_cards(_truncated(seed_text, last_line))
    assert (caught.value.line, caught.value.message) == (error_line, message)
    assert str(caught.value) == f"riga {error_line}: {message}"


@pytest.mark.parametrize(
    ("line", "old", "new", "message"),
    [
        (161, "50,00%", "abc", "peso «abc» dell'indicatore 1 non è un numero"),
        (222, "20,00%", "venti", "peso «venti» dell'attività 2 non è un numero"),
        (
            277,
            "60%",
            "60%\textra",
            "l'indicatore 1 ha 10 celle, più delle 9 dell'intestazione",
        ),
        (
            201,
            "= Punteggio:",
            "Punteggio",
            "riga del punteggio non leggibile: "
            "«(Strategicità: + Complessità:) x Tipologia: Punteggio»",
        ),
        (
            159,
            "\tGRADUAZIONE CONSEGUITO",
            "",
            "l'intestazione della tabella «Indicatori» ha 7 colonne invece di 9",
        ),
        (
            300,
            "",
            "7\t10,00%\ttardi",
            "riga di tabella dopo il totale dei pesi del «Piano operativo»",
        ),
    ],
)
def test_malformed_input_names_the_line(
    seed_text: str, line: int, old: str, new: str, message: str
) -> None:
    with pytest.raises(CardTextError) as caught:
        parse_cards(_edit(seed_text, line, old, new))
    assert (caught.value.line, caught.value.message) == (line, message)


@pytest.mark.parametrize("text", ["", "\n\n", "Codice obiettivo: 2\nDenominazione\nSINTEL\n"])
def test_a_text_without_a_card_header_is_refused(text: str) -> None:
    with pytest.raises(CardTextError) as caught:
        parse_cards(text)
    assert str(caught.value) == (
        "riga 1: nessuna scheda trovata: manca l'intestazione «ANNO»/«ANNI»"
    )


def test_labels_inside_free_text_stay_text(seed_text: str) -> None:
    text = "Nomina del Responsabile della protezione dei dati. Obiettivo raggiunto a dicembre."
    cards = parse_cards(_edit(seed_text, 73, seed_text.split("\n")[72], text))
    assert cards[1].expected_result == text
    assert cards[1].responsible == "Giancarlo Serrao"


def test_crlf_line_endings_read_the_same(seed_text: str, cards: list[Card]) -> None:
    assert parse_cards(seed_text.replace("\n", "\r\n")) == cards


def test_scores_and_notes_are_read_when_filled_in(seed_text: str) -> None:
    text = _edit(
        seed_text,
        201,
        "(Strategicità: + Complessità:) x Tipologia: = Punteggio:",
        "(Strategicità: alta + Complessità: media) x Tipologia: sviluppo = Punteggio: 90",
    )
    text = _edit(text, 216, "Note:", "Note: calendario condiviso con")
    text = _edit(text, 217, "", "la Pro Loco")
    card = parse_cards(text)[3]
    assert (card.strategic, card.complexity, card.kind, card.weight_score) == (
        "alta",
        "media",
        "sviluppo",
        "90",
    )
    assert card.notes == "calendario condiviso con la Pro Loco"
    assert card.source_notes == ()


def test_a_missing_label_is_pointed_out_not_invented(seed_text: str) -> None:
    card = parse_cards(_edit(seed_text, 47, "Riferimento DUP", ""))[1]
    assert card.dup_reference == ""
    assert card.source_notes == (
        SourceNote(45, "dup_reference", "manca l'etichetta «Riferimento DUP»"),
    )


def test_text_before_the_first_card_is_pointed_out(seed_text: str) -> None:
    cards = parse_cards("PIANO DEGLI OBIETTIVI 2019" + seed_text)
    assert cards[0].source_notes == (
        SourceNote(
            1, "", "testo prima della prima scheda, non letto: «PIANO DEGLI OBIETTIVI 2019»"
        ),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31 dicembre 2019", date(2019, 12, 31)),
        ("31 dic 2019", date(2019, 12, 31)),
        ("30 ott 2019", date(2019, 10, 30)),
        ("30/09/2019", date(2019, 9, 30)),
        ("30.09.2019", date(2019, 9, 30)),
        ("1° marzo 2019", date(2019, 3, 1)),
        ("  30 Settembre 2019 ", date(2019, 9, 30)),
        ("entro la fine di ogni anno", None),
        ("", None),
        ("31 febbraio 2019", None),
        ("Giorni di ritardo rispetto al 30/09/2019", None),
    ],
)
def test_parse_italian_date(text: str, expected: date | None) -> None:
    assert parse_italian_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25,00%", Decimal("25.00")),
        ("100,00%", Decimal("100.00")),
        ("12,5 %", Decimal("12.5")),
        ("25%", Decimal("25")),
        ("", None),
        ("  ", None),
    ],
)
def test_parse_weight(text: str, expected: Decimal | None) -> None:
    assert parse_weight(text) == expected


@pytest.mark.parametrize("text", ["abc", "25,00% circa", "-5%", "1.000,00%"])
def test_parse_weight_refuses_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="peso non numerico"):
        parse_weight(text)
