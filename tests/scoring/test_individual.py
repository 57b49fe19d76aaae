"""Individual evaluation: the family's components, their scores and the total (art. 9)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.scoring.strategies import decimals
from traguardo.scoring import (
    Behaviour,
    Component,
    ComponentKind,
    ComponentScore,
    Context,
    DifferentiationRule,
    DifferentiationSettings,
    Family,
    IndicatorSpec,
    Measure,
    ObjectiveSpec,
    ObjectivesRule,
    Observation,
    Policy,
    RatingRule,
    RatingScale,
    SchedaScore,
    Status,
    behaviours_score,
    check_family,
    differentiation_score,
    evaluate,
    individual_objectives_score,
    not_applicable,
    objectives_score,
)

D = Decimal
K = ComponentKind
ONE_TO_FIVE = RatingScale(D(1), D(5))
DIRIGENTI = Family(
    "dirigenti",
    (
        Component(K.UNIT_OBJECTIVES, D(60)),
        Component(K.BEHAVIOURS, D(30)),
        Component(K.DIFFERENTIATION, D(10)),
    ),
)
DIPENDENTI = Family("cat. C", (Component(K.UNIT_OBJECTIVES, D(60)), Component(K.BEHAVIOURS, D(40))))
THREE_SCHEDE = [
    SchedaScore("A1", D(100), punteggio=D(90)),
    SchedaScore("A2", D(80), punteggio=D(60)),
    SchedaScore("A3", D(50), punteggio=D(25)),
]
# 8 evaluations given, 2 of them in the top band (≥ 90): 6/8 = 75 % outside it.
GIVEN = [D(v) for v in (95, 92, 88, 85, 80, 78, 72, 65)]
OUTSIDE_TOP_80 = DifferentiationSettings(DifferentiationRule.OUTSIDE_TOP, D(80), D(90), 5)


def ratings(*values):
    return [Behaviour(f"c{i}", None if v is None else D(v)) for i, v in enumerate(values, 1)]


def codes(issues):
    return [issue.code for issue in issues]


def test_three_schede_punteggio_90_60_25_scored_100_80_50_give_86_00():
    # (90·100 + 60·80 + 25·50) / (90 + 60 + 25) = 15 050 / 175 = 86
    result = objectives_score(K.UNIT_OBJECTIVES, THREE_SCHEDE, ObjectivesRule.BY_PUNTEGGIO)
    assert result.score == D("86.00")
    assert result.issues == ()


def test_the_same_schede_by_declared_weights_50_30_20_give_84_00():
    schede = [
        SchedaScore(s.key, s.achievement, s.punteggio, weight)
        for s, weight in zip(THREE_SCHEDE, (D(50), D(30), D(20)), strict=True)
    ]
    result = objectives_score(K.UNIT_OBJECTIVES, schede, ObjectivesRule.BY_WEIGHT)
    assert result.score == D("84.00")  # (50·100 + 30·80 + 20·50) / 100


def test_a_scheda_without_a_score_is_an_error_not_a_zero():
    schede = [*THREE_SCHEDE[:2], SchedaScore("A3", None, D(25), status=Status.MISSING)]
    result = objectives_score(K.UNIT_OBJECTIVES, schede, ObjectivesRule.BY_PUNTEGGIO)
    assert result.score is None
    assert [(i.code, i.severity, i.position) for i in result.issues] == [
        ("scheda_without_score", "error", 3)
    ]


def test_an_excluded_scheda_stays_out_and_is_named():
    schede = [*THREE_SCHEDE[:2], SchedaScore("A3", None, D(25), status=Status.EXCLUDED)]
    result = objectives_score(K.UNIT_OBJECTIVES, schede, ObjectivesRule.BY_PUNTEGGIO)
    assert result.score == D("92.00")  # (90·100 + 60·80) / 150
    assert codes(result.issues) == ["schede_left_out"]
    assert result.issues[0].param_dict() == {"keys": ("A3",)}


def test_every_scheda_excluded_means_the_component_does_not_apply_and_says_so():
    schede = [SchedaScore("A1", None, D(90), status=Status.EXCLUDED)]
    result = objectives_score(K.UNIT_OBJECTIVES, schede, ObjectivesRule.BY_PUNTEGGIO)
    assert (result.applies, result.score) == (False, None)
    assert codes(result.issues) == ["schede_left_out", "component_not_applicable"]
    evaluation = evaluate(DIPENDENTI, [result, behaviours_score(ratings(4, 3), ONE_TO_FIVE)])
    assert (evaluation.total, evaluation.renormalised) == (D("70.00"), True)


def test_a_blank_punteggio_gives_equal_weights_and_says_so():
    schede = [*THREE_SCHEDE[:2], SchedaScore("A3", D(50), None)]
    result = objectives_score(K.UNIT_OBJECTIVES, schede, ObjectivesRule.BY_PUNTEGGIO)
    assert result.score == D("76.67")  # (100 + 80 + 50) / 3
    assert codes(result.issues) == ["equal_weights"]


def test_declared_weights_missing_is_an_error():
    result = objectives_score(K.UNIT_OBJECTIVES, THREE_SCHEDE, ObjectivesRule.BY_WEIGHT)
    assert result.score is None
    assert codes(result.issues) == ["scheda_without_weight"] * 3


def test_no_schede_means_the_component_does_not_apply():
    result = objectives_score(K.INDIVIDUAL_OBJECTIVES, [], ObjectivesRule.BY_PUNTEGGIO)
    assert (result.applies, result.score) == (False, None)


def test_individual_objectives_are_scored_by_the_engine():
    def boolean(key, done, punteggio):
        indicator = IndicatorSpec(
            key=f"{key}.1",
            weight=D(100),
            measure=Measure.BOOLEAN,
            scale=None,
            target=None,
            due_on=None,
            observation=Observation(done=done),
        )
        return ObjectiveSpec(key, (indicator,), weight_score=D(punteggio))

    context = Context(as_of=date(2025, 12, 31), closed=True)
    specs = [boolean("I1", True, 75), boolean("I2", False, 25)]
    result = individual_objectives_score(specs, policy=Policy(), context=context)
    assert result.kind is K.INDIVIDUAL_OBJECTIVES
    assert result.score == D("75.00")  # (75·100 + 25·0) / 100


def test_ratings_4_3_5_4_on_1_to_5_are_80_00_of_max_and_75_00_min_to_max():
    assert behaviours_score(ratings(4, 3, 5, 4), ONE_TO_FIVE).score == D("80.00")
    min_max = RatingScale(D(1), D(5), RatingRule.MIN_MAX)
    assert behaviours_score(ratings(4, 3, 5, 4), min_max).score == D("75.00")


def test_a_missing_rating_is_an_error_naming_the_behaviour_never_a_zero():
    result = behaviours_score(ratings(4, None, 5, 4), ONE_TO_FIVE)
    assert result.score is None
    assert [(i.code, i.position, i.param_dict()) for i in result.issues] == [
        ("missing_rating", 2, {"key": "c2"})
    ]


def test_a_rating_off_the_scale_is_an_error():
    result = behaviours_score(ratings(4, 6, D("3.5")), ONE_TO_FIVE)
    assert codes(result.issues) == ["rating_off_scale", "rating_off_scale"]


def test_six_of_eight_evaluations_outside_the_top_band_against_80_percent_give_93_75():
    assert differentiation_score(GIVEN, OUTSIDE_TOP_80).score == D("93.75")  # 75 / 80


def test_spread_of_60_to_100_against_a_cv_of_0_20_gives_88_39():
    # mean 80, σ = √200 = 14.142…, CV = 0.17678 → 0.17678 / 0.20 = 88.39 %
    settings = DifferentiationSettings(DifferentiationRule.SPREAD, D("0.20"))
    given = [D(60), D(70), D(80), D(90), D(100)]
    assert differentiation_score(given, settings).score == D("88.39")
    assert differentiation_score([D(80)] * 5, settings).score == D("0.00")


def test_fewer_evaluations_than_the_minimum_is_an_error():
    result = differentiation_score(GIVEN[:4], OUTSIDE_TOP_80)
    assert result.score is None
    assert result.issues[0].param_dict() == {"count": 4, "minimum": 5}


def test_dirigente_86_00_by_60_80_00_by_30_93_75_by_10_totals_84_98():
    # 0.6·86 + 0.3·80 + 0.1·93.75 = 51.6 + 24 + 9.375 = 84.975 → 84.98 (half-up)
    evaluation = evaluate(
        DIRIGENTI,
        [
            objectives_score(K.UNIT_OBJECTIVES, THREE_SCHEDE, ObjectivesRule.BY_PUNTEGGIO),
            behaviours_score(ratings(4, 3, 5, 4), ONE_TO_FIVE),
            differentiation_score(GIVEN, OUTSIDE_TOP_80),
        ],
    )
    assert evaluation.total == D("84.98")
    assert evaluation.renormalised is False
    assert evaluation.issues == ()


def test_differentiation_not_applicable_renormalises_to_66_67_and_33_33_and_says_so():
    evaluation = evaluate(
        DIRIGENTI,
        [
            objectives_score(K.UNIT_OBJECTIVES, THREE_SCHEDE, ObjectivesRule.BY_PUNTEGGIO),
            behaviours_score(ratings(4, 3, 5, 4), ONE_TO_FIVE),
            not_applicable(K.DIFFERENTIATION, "nessun collaboratore"),
        ],
    )
    assert evaluation.total == D("84.00")  # (60·86 + 30·80) / 90
    assert evaluation.renormalised is True
    assert evaluation.weights == {K.UNIT_OBJECTIVES: D("66.67"), K.BEHAVIOURS: D("33.33")}
    assert codes(evaluation.issues) == ["component_not_applicable"]


def test_a_missing_component_or_rating_leaves_the_total_open():
    objectives = objectives_score(K.UNIT_OBJECTIVES, THREE_SCHEDE, ObjectivesRule.BY_PUNTEGGIO)
    missing = evaluate(DIPENDENTI, [objectives])
    assert missing.total is None
    assert codes(missing.issues) == ["component_missing"]
    unrated = evaluate(DIPENDENTI, [objectives, behaviours_score(ratings(4, None), ONE_TO_FIVE)])
    assert unrated.total is None
    assert codes(unrated.issues) == ["missing_rating"]


def test_weights_not_adding_to_100_are_an_error_of_the_model():
    family = Family("EQ", (Component(K.UNIT_OBJECTIVES, D(60)), Component(K.BEHAVIOURS, D(30))))
    assert [(i.code, i.param_dict()["difference"]) for i in check_family(family)] == [
        ("component_weights", D(10))
    ]
    scores = [ComponentScore(K.UNIT_OBJECTIVES, D(80)), ComponentScore(K.BEHAVIOURS, D(80))]
    assert evaluate(family, scores).total is None


def test_unit_objectives_without_a_prevailing_weight_are_a_warning():
    family = Family(
        "dirigenti",
        (
            Component(K.UNIT_OBJECTIVES, D(40)),
            Component(K.INDIVIDUAL_OBJECTIVES, D(40)),
            Component(K.BEHAVIOURS, D(20)),
        ),
    )
    assert codes(check_family(family)) == ["unit_objectives_not_prevailing"]
    assert check_family(DIRIGENTI) == []


def test_a_component_outside_the_family_or_twice_is_refused():
    with pytest.raises(ValueError, match="not in family"):
        evaluate(DIPENDENTI, [ComponentScore(K.DIFFERENTIATION, D(50))])
    with pytest.raises(ValueError, match="twice"):
        evaluate(DIPENDENTI, [ComponentScore(K.BEHAVIOURS, D(50))] * 2)


@given(st.lists(st.tuples(decimals(0, 100), st.none() | decimals(0, 200)), min_size=1))
def test_objectives_score_is_a_percent_and_recomputing_changes_nothing(pairs):
    schede = [SchedaScore(i, a, p) for i, (a, p) in enumerate(pairs)]
    first = objectives_score(K.UNIT_OBJECTIVES, schede, ObjectivesRule.BY_PUNTEGGIO)
    assert first.score is not None and D(0) <= first.score <= D(100)
    assert objectives_score(K.UNIT_OBJECTIVES, schede, ObjectivesRule.BY_PUNTEGGIO) == first


@given(st.lists(st.integers(1, 5), min_size=1, max_size=12), st.sampled_from(list(RatingRule)))
def test_behaviours_score_is_a_percent(values, rule):
    score = behaviours_score(ratings(*values), RatingScale(D(1), D(5), rule)).score
    assert score is not None and D(0) <= score <= D(100)


@given(
    st.lists(decimals(0, 100), min_size=5, max_size=30), st.sampled_from(list(DifferentiationRule))
)
def test_differentiation_index_is_a_percent(given_scores, rule):
    settings = DifferentiationSettings(
        rule, D("0.1") if rule is DifferentiationRule.SPREAD else D(50)
    )
    score = differentiation_score(given_scores, settings).score
    assert score is not None and D(0) <= score <= D(100)


@given(st.lists(decimals(0, 100), min_size=3, max_size=3), st.sets(st.sampled_from(list(K)[:3])))
def test_the_total_is_a_percent_between_its_components(values, dropped):
    family = Family(
        "f",
        (
            Component(K.UNIT_OBJECTIVES, D(50)),
            Component(K.INDIVIDUAL_OBJECTIVES, D(20)),
            Component(K.BEHAVIOURS, D(30)),
        ),
    )
    components = [
        not_applicable(kind) if kind in dropped else ComponentScore(kind, value)
        for kind, value in zip(list(K)[:3], values, strict=True)
    ]
    evaluation = evaluate(family, components)
    applying = [c.score for c in components if c.applies]
    if not applying:
        assert evaluation.total is None
        return
    assert evaluation.total is not None
    assert min(applying) <= evaluation.total <= max(applying)
    assert evaluate(family, components) == evaluation


def test_floats_are_refused_as_everywhere_in_the_engine():
    with pytest.raises(TypeError):
        SchedaScore("A1", 86.0, D(90))
    with pytest.raises(TypeError):
        Behaviour("c1", 4.0)
