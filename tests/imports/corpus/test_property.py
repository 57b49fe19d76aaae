"""Property: no file of the corpus, and no hypothesis-mutated copy of one, yields an ambito, a
Punteggio level or a measure that is neither right nor flagged (a blocking problem or an open
question on the review page)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import PersonFactory, PlanFactory
from tests.imports.corpus import (
    DELAY,
    PROPORTIONAL,
    Ambiti,
    Indicator,
    Spec,
    build_docx,
    build_odt,
)
from tests.imports.corpus.cases import CASES
from traguardo.imports.odt import read_odt
from traguardo.imports.pipeline import prepare
from traguardo.imports.word import read_docx
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import PerformanceArea, PolicyLevel

pytestmark = pytest.mark.django_db

ASK = None
# (formula, target, graduation) → the measure and direction that are right, or ASK.
MEASURES = [
    (("Giorni di ritardo", "0", DELAY), ("deadline", "lower")),
    (
        ("Data di aggiudicazione", "30/09/2019", "gg ritardo 10= 90% / gg20=70%"),
        ("deadline", "lower"),
    ),
    (("somma giorni / n. pratiche", "45 gg", PROPORTIONAL), ("number", "lower")),
    (("somma ore / n. richieste", "entro 8 ore", PROPORTIONAL), ("number", "lower")),
    (("spesa totale / n. utenti", "almeno 100 euro", PROPORTIONAL), ("number", "higher")),
    (("spesa totale / n. utenti", "100 €", PROPORTIONAL), ASK),
    (("n° dati inseriti / n° dati da inserire", "100", DELAY), ("ratio", "higher")),
    (("N. misure attuate / N. misure previste x 100", "90", PROPORTIONAL), ("ratio", "higher")),
    (("valore / soglia", "0,8", PROPORTIONAL), ASK),
    (
        ("Giorni di ritardo rispetto a variazioni di bilancio", "5 giorni", DELAY),
        ("delay_days", "lower"),
    ),
    (("Numero eventi fuori programma rispetto al 2018", "-20", ""), ("variation", "lower")),
    (("N° misure attuate", "10", PROPORTIONAL), ("number", "higher")),
    (("Percentuale di pratiche evase", "80%", PROPORTIONAL), ("percentage", "higher")),
    (("Questionario di gradimento", "buona", ""), ASK),
]
# What a Punteggio cell may say → the level's code that is right, or ASK; "" = blank.
STRATEGIC = {
    "": "",
    "30": "bassa",
    "50": "media",
    "60": "alta",
    "Alta": "alta",
    "media": "media",
    "55": ASK,
    "Altissima": ASK,
}
COMPLEXITY = {"": "", "20": "bassa", "30": "media", "40": "alta", "Bassa": "bassa", "35": ASK}
KIND = {
    "": "",
    "1": "sviluppo",
    "0,75": "miglioramento",
    "0,5": "mantenimento",
    "×1": "sviluppo",
    "2": ASK,
    "Sviluppo": "sviluppo",
}


@pytest.fixture
def plan(authority, unit_a, unit_b):
    with scopes_disabled():
        ensure_policy(authority)
        for number in range(1, 11):
            PerformanceArea.objects.create(
                authority=authority, number=number, name=f"Ambito {number}"
            )
        PersonFactory(authority=authority, first_name="Laura", last_name="Rossi")
        return PlanFactory(authority=authority, year=2019)


@st.composite
def mutated(draw):
    """A corpus scheda with its layout, ticks, Punteggio and indicators changed."""
    base = draw(st.sampled_from([spec for case in CASES for spec in case.specs]))
    per_row = draw(st.sampled_from([1, 2]))
    order = "".join(draw(st.permutations("BNT")))
    kind = draw(st.sampled_from(["docx", "odt"]))
    count = draw(st.sampled_from([10, 10, 9, 3, 1]))
    style = draw(st.sampled_from(["table", "table", "tabs", "lines"]))
    if style == "lines":
        per_row = 1
    width = per_row * 3
    rows = len(Ambiti(per_row=per_row, count=count).groups())
    drop = draw(st.none() | st.tuples(st.integers(0, rows - 1), st.integers(0, width - 1)))
    if drop is not None and drop[1] >= 3 * len(
        Ambiti(per_row=per_row, count=count).groups()[drop[0]]
    ):
        drop = None  # nothing there to lose
    ambiti = Ambiti(
        ticked=draw(st.frozensets(st.integers(1, count), max_size=count)),
        count=count,
        style=style,
        order=order,
        per_row=per_row,
        tick=draw(st.sampled_from(["☒", "✔", "✓", "X", "x", "■"])),
        untick=draw(st.sampled_from(["☐", ""])),
        controls=kind == "docx" and style == "table" and draw(st.booleans()),
        drop=drop,
    )
    score = (
        draw(st.sampled_from(sorted(STRATEGIC))),
        draw(st.sampled_from(sorted(COMPLEXITY))),
        draw(st.sampled_from(sorted(KIND))),
        draw(st.sampled_from(["", "80", "100"])),
    )
    chosen = draw(st.lists(st.sampled_from(range(len(MEASURES))), min_size=1, max_size=3))
    indicators = [
        Indicator(f"Indicatore {n}", *MEASURES[i][0][:2], grading=MEASURES[i][0][2])
        for n, i in enumerate(chosen, start=1)
    ]
    header = draw(st.sampled_from(["table", "paragraphs", "inline", "mixed"]))
    score_style = draw(st.sampled_from(["line", "loose", "table"]))
    spec = replace(
        base,
        ambiti=ambiti,
        score=score,
        score_style=score_style,
        indicators=indicators,
        header=header,
    )
    return kind, spec, [MEASURES[i][1] for i in chosen]


def expected_ticks(ambiti: Ambiti) -> set[int]:
    """The ambiti the (possibly damaged) grid still ticks: a lost box or number takes its
    ambito's tick with it."""
    ticked = set(ambiti.ticked)
    if ambiti.drop is not None:
        row, cell = ambiti.drop
        numbers = ambiti.groups()[row]
        if ambiti.order[cell % 3] in "BN":
            ticked.discard(numbers[cell // 3])
    return ticked


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=mutated())
# Found by this test: a row that lost a number, with the tick of the other ambito past it.
@example(
    case=(
        "odt",
        Spec(ambiti=Ambiti(frozenset({6}), order="NBT", drop=(0, 0)), score=("", "", "", "")),
        [("deadline", "lower")],
    )
)
# …and one that lost a text cell, with one ambito a row.
@example(
    case=(
        "docx",
        Spec(
            ambiti=Ambiti(frozenset({1}), order="BNT", per_row=1, drop=(0, 2)),
            score=("", "", "", ""),
        ),
        [("deadline", "lower")],
    )
)
def test_no_reading_is_wrong_without_a_flag(plan, admin, case):
    kind, spec, measures = case
    data = build_odt(spec) if kind == "odt" else build_docx(spec)
    with scope(authority=plan.authority):
        draft = read_odt("s.odt", data) if kind == "odt" else read_docx("s.docx", data)
        result = prepare(draft, plan, admin)
        (scheda,) = result.schede
        codes = {level.pk: level.code for level in PolicyLevel.objects.all()}
    flagged_areas = any(p.blocking and p.message.startswith("Ambiti") for p in scheda.problems)
    open_keys = {q.key for q in scheda.open_questions} | {q.key for q in scheda.questions if q.open}
    # Ambiti: right, or the row is a blocking problem.
    read = set(scheda.draft.area_numbers)
    if spec.ambiti.drop is None and spec.ambiti.style != "lines":
        assert read == set(spec.ambiti.ticked) and not flagged_areas
    elif spec.ambiti.drop is None:  # one a line: some orders cannot be read, then asked
        assert flagged_areas or read == set(spec.ambiti.ticked)
    else:
        assert flagged_areas or read == expected_ticks(spec.ambiti)
    # Punteggio: each level right, or asked; never another level.
    header = scheda.resolved.header
    for dimension, written, table in zip(
        ("strategic", "complexity", "kind"),
        spec.score[:3],
        (STRATEGIC, COMPLEXITY, KIND),
        strict=True,
    ):
        got = codes.get(header[f"{dimension}_level_id"], "")
        right = table[written]
        if right is ASK:
            assert got == "" and dimension in open_keys
        else:
            assert got == right
    # Measures: right, or asked.
    for row, right in zip(scheda.resolved.indicators, measures, strict=True):
        got = (row.values["measure"], row.values["direction"])
        if right is ASK:
            assert f"measure-{row.position}" in open_keys
        else:
            assert got == right


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_no_corpus_file_has_a_reading_neither_right_nor_flagged(plan, admin, case):
    data = build_docx(*case.specs, title=case.title)
    with scope(authority=plan.authority):
        result = prepare(read_docx("s.docx", data), plan, admin)
    for spec, scheda in zip(case.specs, result.schede, strict=True):
        flagged = any(p.blocking for p in scheda.problems)
        assert flagged or set(scheda.draft.area_numbers) == set(spec.ambiti.ticked)
