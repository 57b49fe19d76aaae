"""Every finding the engine (``scoring.individual``, ``scoring.pay``) or the bridge
(``evaluation.scores``) can return has an Italian sentence, with its parameters filled.

Each code is produced here by the engine itself, as a page would meet it, with our keys
(("scheda", id), ("behaviour", id)…) and their names; the sentence must name the thing, not
print a key, a placeholder or a number in the engine's notation. A code found in the sources
that no case below produces fails the suite: write its case, and its sentence.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from tests.factories import AssignmentFactory, FamilyFactory, SchemeFactory
from traguardo import scoring
from traguardo.evaluation.messages import message
from traguardo.evaluation.scores import assignment_result
from traguardo.scoring import (
    Behaviour,
    Component,
    ComponentKind,
    DifferentiationSettings,
    Family,
    ObjectivesRule,
    RatingScale,
    SchedaScore,
    Status,
    behaviours_score,
    check_family,
    differentiation_score,
    evaluate,
    not_applicable,
    objectives_score,
)
from traguardo.scoring.pay import (
    Differentiation,
    Fund,
    PayBand,
    PayBands,
    Payee,
    PayRules,
    Service,
    distribute,
)

SOURCES = [
    Path(scoring.__file__).parent / "individual.py",
    Path(scoring.__file__).parent / "pay.py",
    Path(scoring.__file__).parent.parent / "evaluation" / "scores.py",
]
UNIT = ComponentKind.UNIT_OBJECTIVES
BEHAVIOURS = ComponentKind.BEHAVIOURS
NAMES = {
    ("scheda", 11): "S1 Gara unica dei servizi",
    ("scheda", 12): "S2 Sportello unico digitale",
    ("behaviour", 21): "Leadership",
    ("assignment", 31): "Mario Rossi",
}
SCALE = RatingScale(Decimal(1), Decimal(5))
BANDS = PayBands(
    (PayBand(Decimal(0), Decimal(0)), PayBand(Decimal(50), Decimal(60)), PayBand(Decimal(90), 100))
)
YEAR = Service(365)


def _codes_in_sources() -> set[str]:
    return {
        code
        for path in SOURCES
        for code in re.findall(r'Issue\(\s*"(\w+)"', path.read_text(encoding="utf-8"))
    }


def _issues(score) -> list:
    return list(score.issues)


def _distribution(payees, **differentiation):
    rules = PayRules(BANDS, differentiation=Differentiation(**differentiation))
    return list(distribute(Fund("dirigenti", 2025, Decimal("1000.00")), payees, rules).issues)


def _engine_cases() -> dict[str, list]:
    """code → the issues the engine returns for it, from its public functions."""
    s1, s2 = ("scheda", 11), ("scheda", 12)
    leadership = ("behaviour", 21)
    two = (Component(UNIT, Decimal(60)), Component(BEHAVIOURS, Decimal(40)))
    few = (Decimal(90), Decimal(80))
    return {
        "component_weights": check_family(Family("f", (Component(UNIT, Decimal(60)),))),
        "unit_objectives_not_prevailing": check_family(
            Family("f", (Component(UNIT, Decimal(40)), Component(BEHAVIOURS, Decimal(60))))
        ),
        "component_not_applicable": [
            *_issues(objectives_score(UNIT, [], ObjectivesRule.BY_PUNTEGGIO)),
            *_issues(not_applicable(ComponentKind.DIFFERENTIATION, "nessun collaboratore")),
            *_issues(behaviours_score([], SCALE)),
            *_issues(not_applicable(ComponentKind.INDIVIDUAL_OBJECTIVES, "no_goals")),
        ],
        "schede_left_out": _issues(
            objectives_score(
                UNIT,
                [
                    SchedaScore(s1, None, Decimal(90), status=Status.NOT_DUE),
                    SchedaScore(s2, Decimal(80), Decimal(60)),
                ],
                ObjectivesRule.BY_PUNTEGGIO,
            )
        ),
        "scheda_without_score": _issues(
            objectives_score(
                UNIT, [SchedaScore(s1, None, status=Status.MISSING)], ObjectivesRule.BY_PUNTEGGIO
            )
        ),
        "scheda_not_final": _issues(
            objectives_score(
                UNIT,
                [SchedaScore(s1, Decimal(70), Decimal(90), status=Status.PROVISIONAL)],
                ObjectivesRule.BY_PUNTEGGIO,
            )
        ),
        "scheda_without_weight": _issues(
            objectives_score(UNIT, [SchedaScore(s1, Decimal(70))], ObjectivesRule.BY_WEIGHT)
        ),
        "equal_weights": _issues(
            objectives_score(UNIT, [SchedaScore(s1, Decimal(70))], ObjectivesRule.BY_PUNTEGGIO)
        ),
        "missing_rating": _issues(behaviours_score([Behaviour(leadership, None)], SCALE)),
        "rating_off_scale": _issues(
            behaviours_score([Behaviour(leadership, Decimal("7.5"))], SCALE)
        ),
        "too_few_evaluations": _issues(differentiation_score(few, DifferentiationSettings())),
        "component_missing": list(
            evaluate(Family("f", two), [not_applicable(BEHAVIOURS, "no_behaviours")]).issues
        ),
        "nothing_to_evaluate": list(
            evaluate(
                Family("f", two),
                [not_applicable(UNIT, "no_schede"), not_applicable(BEHAVIOURS, "no_behaviours")],
            ).issues
        ),
        "increase_nobody": _distribution(
            [Payee(("assignment", k), Decimal(80), YEAR) for k in range(3)]
        ),
        "increase_tie": _distribution(
            [Payee(("assignment", k), Decimal("92.50"), YEAR) for k in range(2)]
            + [Payee(("assignment", k), Decimal(70), YEAR) for k in range(2, 10)]
        ),
        "missing_score": _distribution([Payee(("assignment", 31), None, YEAR)]),
        "nobody_paid": _distribution([Payee(("assignment", 31), Decimal(40), YEAR)]),
    }


def _is_worded(text: str) -> bool:
    """No placeholder, no key tuple, no engine notation of a number (a dot as decimal mark)."""
    return not (
        "%(" in text
        or re.search(r"\(\s*'[a-z_]+',", text)
        or re.search(r"\d\.\d", text)
        or re.search(r"\b[a-z]+_[a-z_]+\b", text)  # a code or a kind left in English
    )


CASES = _engine_cases()


def test_every_code_in_the_engine_and_the_bridge_has_a_case_here():
    # Cased in the test below; the moved final total in test_conversation.py.
    bridge = {"rating_scale_invalid", "pay_bands_invalid", "final_total_moved"}
    assert _codes_in_sources() == set(CASES) | bridge


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_finding_of_the_engine_reads_as_an_italian_sentence(code):
    issues = [issue for issue in CASES[code] if issue.code == code]
    assert issues, f"the case for {code} does not produce it"
    for issue in issues:
        text = message(issue, NAMES)
        assert text[0].isupper() and text.endswith("."), text  # a sentence
        assert _is_worded(text), text
        for value in issue.param_dict().values():
            if value in NAMES:  # the thing it is about, by its name
                assert NAMES[value] in text, text


@pytest.mark.parametrize("code", sorted(CASES))
def test_a_finding_without_the_names_still_prints_no_key(code):
    for issue in CASES[code]:
        assert _is_worded(message(issue, {})), message(issue, {})


def test_an_unnamed_key_is_said_by_its_kind_and_number():
    (missing,) = [i for i in CASES["missing_rating"] if i.code == "missing_rating"]
    assert message(missing) == "Il comportamento «comportamento n. 21» non è ancora valutato."


def test_the_findings_name_what_they_are_about_in_the_users_words():
    def text(code: str) -> str:
        return " | ".join(message(i, NAMES) for i in CASES[code] if i.code == code)

    assert text("component_weights") == "I pesi delle componenti sommano a 60%, non a 100%."
    assert text("schede_left_out") == (
        "Schede fuori dal calcolo (non dovute o escluse): S1 Gara unica dei servizi."
    )
    assert text("rating_off_scale") == (
        "Il comportamento «Leadership» ha una valutazione (7,50) fuori scala."
    )
    assert "2 valutazioni definitive date, ne servono almeno 5" in text("too_few_evaluations")
    assert "2 persone a pari punteggio (92,50) per 1 posto;" in text("increase_tie")
    assert text("missing_score").startswith("Mario Rossi non ha una valutazione definitiva")
    assert text("component_not_applicable").split(" | ") == [
        "Obiettivi della struttura: non applicabile, il suo peso va alle altre componenti "
        "(nessuna scheda del piano è assegnata).",
        "Capacità di differenziare le valutazioni: non applicabile, il suo peso va alle altre "
        "componenti (nessun collaboratore).",
        "Comportamenti organizzativi: non applicabile, il suo peso va alle altre componenti "
        "(la famiglia non ha comportamenti nel catalogo).",
        "Obiettivi individuali: non applicabile, il suo peso va alle altre componenti "
        "(nessun obiettivo individuale è assegnato).",
    ]


@pytest.mark.django_db
@scopes_disabled()
def test_the_bridges_own_findings_a_broken_scale_and_missing_bands():
    scheme = SchemeFactory(rating_min=Decimal(5), rating_max=Decimal(1))
    scheme.pay_bands.all().delete()
    family = FamilyFactory(scheme=scheme, components={"behaviours": 100})
    result = assignment_result(AssignmentFactory(family=family))

    texts = [(f.severity, f.text) for f in result.findings]

    assert texts == [
        (
            "error",
            "La scala dei comportamenti del sistema di valutazione non è valida (minimo, "
            "massimo e passo): i comportamenti non si possono valutare.",
        ),
        (
            "warning",
            "Le fasce di premio del sistema di valutazione mancano o non sono valide (la "
            "prima parte da 0, le quote non scendono): la fascia non si può indicare.",
        ),
    ]
    assert all(_is_worded(text) for _severity, text in texts)
