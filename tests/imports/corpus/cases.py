"""The corpus: each case a real-world arrangement, the files that show it and what they mean.

``reading`` is what a person must find on the review page (and then in the plan) for each
scheda: the code written, its unit and responsible, the ambiti ticked, the Punteggio levels,
each indicator's measure and direction, the questions still open, whether it is blocked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.imports.corpus import DELAY, Ambiti, Indicator, Spec

MEASURE_KINDS = [
    Indicator(
        "Aggiudicazione della gara",
        "Data di aggiudicazione",
        "30/09/2019",
        "30 settembre 2019",
        "gg ritardo 10= 90% / gg20=70% / gg30=50%",
        "20,00%",
    ),
    Indicator(
        "Tempo medio di rilascio",
        "somma giorni / n. pratiche",
        "45 gg",
        weight="20,00%",
    ),
    Indicator(
        "Dati inseriti",
        "n° dati inseriti / n° dati da inserire",
        "100",
        grading=DELAY,
        weight="20,00%",
    ),
    Indicator(
        "Variazioni di bilancio",
        "Giorni di ritardo rispetto a variazioni di bilancio",
        "5 giorni",
        grading=DELAY,
        weight="10,00%",
    ),
    Indicator(
        "Eventi fuori programma",
        "Numero eventi fuori programma rispetto al 2018",
        "-20",
        weight="10,00%",
    ),
    Indicator("Misure attuate", "N° misure attuate", "10", weight="10,00%"),
    Indicator("Pratiche evase", "Percentuale di pratiche evase", "80%", weight="10,00%"),
]


@dataclass
class Case:
    name: str
    specs: list[Spec]
    # one dict per scheda of the file (see ``reading`` in test_corpus)
    expected: list[dict]
    title: str = "Comune di Prova — Piano della performance 2019"
    page_header: str = ""
    formats: tuple[str, ...] = ("docx",)
    answers: dict[int, dict[str, str]] = field(default_factory=dict)
    file_warnings: list[str] = field(default_factory=list)


def plain(**extra) -> dict:
    """The reading of a default ``Spec`` (header table, one deadline indicator)."""
    return {
        "code": "1",
        "title": "Gare telematiche",
        "unit": "Settore A",
        "responsible": "Alice Alberti",
        "areas": [],
        "levels": None,
        "measures": [("deadline", "lower")],
        "open": [],
        "blocking": False,
        **extra,
    }


CASES = [
    Case(
        "spunta dopo il testo, due ambiti per riga, Punteggio in punti",
        [Spec(ambiti=Ambiti(frozenset({1, 2, 6}), order="NTB"), score=("50", "30", "1", "80"))],
        [plain(areas=[1, 2, 6], levels=("Media", "Media", "Sviluppo"))],
        formats=("docx", "odt"),
    ),
    Case(
        "spunta prima del numero, due per riga, Punteggio in nomi, intestazione in paragrafi",
        [
            Spec(
                header="paragraphs",
                ambiti=Ambiti(frozenset({5, 7}), order="BNT"),
                score=("Alta", "Bassa", "Miglioramento", "60"),
            )
        ],
        [plain(areas=[5, 7], levels=("Alta", "Bassa", "Miglioramento"))],
        formats=("docx", "odt"),
    ),
    Case(
        "spunta in una colonna sua, un ambito per riga, Punteggio vuoto, intestazione in linea",
        [
            Spec(
                header="inline",
                ambiti=Ambiti(frozenset({7}), order="NTB", per_row=1, untick=""),
            )
        ],
        [plain(areas=[7])],
    ),
    Case(
        "✔ prima del numero, uno per riga, livelli per codice, intestazione mista",
        [
            Spec(
                header="mixed",
                ambiti=Ambiti(frozenset({3, 10}), order="BNT", per_row=1, tick="✔", untick=""),
                score=("alta", "media", "sviluppo", "90"),
            )
        ],
        [plain(areas=[3, 10], levels=("Alta", "Media", "Sviluppo"))],
        formats=("docx", "odt"),
    ),
    Case(
        "Punteggio in una tabella di etichette e valori",
        [
            Spec(
                ambiti=Ambiti(frozenset({1}), order="NTB"),
                score=("60", "40", "0,75", "75"),
                score_style="table",
            )
        ],
        [plain(areas=[1], levels=("Alta", "Alta", "Miglioramento"))],
        formats=("docx", "odt"),
    ),
    Case(
        "Punteggio senza parentesi né segni",
        [Spec(score=("Bassa", "20", "0,5", "25"), score_style="loose")],
        [plain(levels=("Bassa", "Bassa", "Mantenimento"))],
    ),
    Case(
        "ambiti in paragrafi, uno per riga, la spunta prima del numero",
        [Spec(ambiti=Ambiti(frozenset({2, 8}), order="BNT", per_row=1, style="lines"))],
        [plain(areas=[2, 8])],
        formats=("docx", "odt"),
    ),
    Case(
        "ambiti in paragrafi con tabulazioni, due per riga, la spunta dopo il testo",
        [Spec(ambiti=Ambiti(frozenset({1, 9}), order="NTB", style="tabs", untick=""))],
        [plain(areas=[1, 9])],
    ),
    Case(
        "caselle di controllo di Word",
        [Spec(ambiti=Ambiti(frozenset({2, 9}), order="NTB", controls=True))],
        [plain(areas=[2, 9])],
    ),
    Case(
        "X dopo il testo con il numero in mezzo, due per riga",
        [Spec(ambiti=Ambiti(frozenset({4, 8}), order="TNB", tick="X", untick=""))],
        [plain(areas=[4, 8])],
    ),
    Case(
        "un codice ripetuto nel file",
        [
            Spec(code="5", title="Gare telematiche"),
            Spec(code="5", title="Albo fornitori", unit="Settore B", responsible="Bruno Bassi"),
        ],
        [
            plain(code="5"),
            plain(
                code="5-bis",
                title="Albo fornitori",
                unit="Settore B",
                responsible="Bruno Bassi",
            ),
        ],
        answers={1: {"code": "tieni"}, 2: {"code": "rinomina", "code-new": "5-bis"}},
    ),
    Case(
        "titoli, cognome prima del nome, un nome abbreviato che due persone condividono",
        [
            Spec(code="1", responsible="Ing. Laura Rossi"),
            Spec(code="2", responsible="ROSSI LAURA"),
            Spec(code="3", responsible="Dott.ssa Alberti Alice"),
            Spec(code="4", responsible="Sig. M. Verdi"),
            Spec(code="5", responsible="Verdi Mario"),
        ],
        [
            plain(code="1", responsible="Laura Rossi"),
            plain(code="2", responsible="Laura Rossi"),
            plain(code="3", responsible="Alice Alberti"),
            plain(code="4", responsible=None, open=["responsible"]),
            plain(code="5", responsible="Mario Verdi"),
        ],
    ),
    Case(
        "un'unità che due unità dell'ente condividono, con e senza risposta",
        [Spec(code="1", unit="Servizi Sociali"), Spec(code="2", unit="Servizi sociali")],
        [
            plain(code="1", unit="Settore Servizi Sociali"),
            plain(code="2", unit=None, open=["unit"]),
        ],
        answers={1: {"unit": "unit:Settore Servizi Sociali"}},
    ),
    Case(
        "un file di un altro Comune",
        [Spec()],
        [plain()],
        title="Comune di Altrove — Piano della performance 2019",
        file_warnings=["Il file è intestato a «Comune di Altrove», non a «Comune di Prova»"],
        formats=("docx", "odt"),
    ),
    Case(
        "un altro Comune nell'intestazione di pagina",
        [Spec()],
        [plain()],
        title="Piano della performance 2019",
        page_header="Comune di Altrove - Settore Finanziario",
        file_warnings=["Il file è intestato a «Comune di Altrove», non a «Comune di Prova»"],
    ),
    Case(
        "un indicatore per ogni misura",
        [Spec(indicators=list(MEASURE_KINDS))],
        [
            plain(
                measures=[
                    ("deadline", "lower"),
                    ("number", "lower"),
                    ("ratio", "higher"),
                    ("delay_days", "lower"),
                    ("variation", "lower"),
                    ("number", "higher"),
                    ("percentage", "higher"),
                ]
            )
        ],
        formats=("docx", "odt"),
    ),
    Case(
        "Strategicità che nessun livello vale",
        [Spec(score=("55", "30", "1", "85"))],
        [plain(levels=("Alta", "Media", "Sviluppo"))],
        answers={1: {"strategic": "level:alta"}},
    ),
    Case(
        "Strategicità che nessun livello vale, senza risposta",
        [Spec(score=("55", "30", "1", "85"))],
        [plain(levels=None, open=["strategic"])],
    ),
    Case(
        "griglia degli ambiti rovinata: una casella manca",
        [Spec(ambiti=Ambiti(frozenset({6}), order="BNT", drop=(0, 0)))],
        [plain(blocking=True)],
    ),
    Case(
        "una misura che nessuna regola legge con sicurezza",
        [
            Spec(
                indicators=[
                    Indicator("Soddisfazione utenti", "Questionario di gradimento", "buona")
                ]
            )
        ],
        [plain(measures=[("number", "higher")], open=["measure-1"])],
    ),
    Case(
        "una misura incerta, con la risposta",
        [
            Spec(
                indicators=[
                    Indicator("Soddisfazione utenti", "Questionario di gradimento", "buona")
                ]
            )
        ],
        [plain(measures=[("boolean", "higher")])],
        answers={1: {"measure-1": "boolean|higher"}},
    ),
]
