from datetime import date
from decimal import Decimal

import pytest

from traguardo.scoring import (
    ActivitySpec,
    Aggregate,
    Context,
    DelayStep,
    DelaySteps,
    IndicatorSpec,
    Measure,
    ObjectiveSpec,
    Observation,
    Policy,
    Status,
    score_objective,
    score_plan,
)

D = Decimal
STEPS = DelaySteps((DelayStep(5, D(90)), DelayStep(10, D(80)), DelayStep(15, D(60))))
OPEN = Context(as_of=date(2019, 12, 31), closed=False)
CLOSED = Context(as_of=date(2019, 12, 31), closed=True)
INDICATORS_ONLY = Policy()


def done(key, weight, achievement=None, *, done_flag=True, excluded=False, forced=None):
    """An indicator worth `achievement`: a forced one, or a boolean done / not done."""
    observation = None if done_flag is None else Observation(done=done_flag)
    return IndicatorSpec(
        key=key,
        weight=D(weight),
        measure=Measure.BOOLEAN,
        scale=None,
        target=None,
        due_on=None,
        observation=observation,
        excluded=excluded,
        forced=None if achievement is None else D(achievement),
    )


# DESIGN.md §4.6, card 5: the three electoral indicators, with the card's own scale
def test_card_5_objective():
    scale = DelaySteps((DelayStep(5, D(90)), DelayStep(10, D(80)), DelayStep(15, D(60))))

    def deadline(key, weight, due, completed):
        return IndicatorSpec(
            key=key,
            weight=D(weight),
            measure=Measure.DEADLINE,
            scale=scale,
            target=D(0),
            due_on=due,
            observation=Observation(completed_on=completed),
        )

    spec = ObjectiveSpec(
        key="card-5",
        indicators=(
            deadline(1, 40, date(2019, 4, 30), date(2019, 4, 30)),
            deadline(2, 40, date(2019, 4, 30), date(2019, 5, 3)),
            deadline(3, 20, date(2019, 5, 31), date(2019, 7, 1)),
        ),
    )
    result = score_objective(spec, INDICATORS_ONLY, CLOSED)
    assert [i.achievement for i in result.indicators] == [D(100), D(90), D(0)]
    assert (result.status, result.achievement) == (Status.MEASURED, D("76.00"))
    assert result.indicator_achievement == D("76.00")
    assert result.activity_progress is None


def test_missing_indicator_leaves_the_objective_partial_until_closed():
    spec = ObjectiveSpec("o", (done(1, 60), done(2, 40, done_flag=None)))
    partial = score_objective(spec, INDICATORS_ONLY, OPEN)
    assert (partial.status, partial.achievement) == (Status.PARTIAL, D("100.00"))
    closed = score_objective(spec, INDICATORS_ONLY, CLOSED)
    assert (closed.status, closed.achievement) == (Status.MEASURED, D("60.00"))


def test_nothing_measured_yet():
    spec = ObjectiveSpec("o", (done(1, 100, done_flag=None),))
    result = score_objective(spec, INDICATORS_ONLY, OPEN)
    assert (result.status, result.achievement) == (Status.PARTIAL, None)


def test_excluded_indicator_renormalises_the_others():
    spec = ObjectiveSpec("o", (done(1, 50, 80), done(2, 30, 40), done(3, 20, 0, excluded=True)))
    result = score_objective(spec, INDICATORS_ONLY, CLOSED)
    # (50·80 + 30·40) / 80 = 65
    assert result.achievement == D("65.00")


def test_all_excluded():
    spec = ObjectiveSpec("o", (done(1, 50, excluded=True), done(2, 50, excluded=True)))
    result = score_objective(spec, INDICATORS_ONLY, CLOSED)
    assert (result.status, result.achievement) == (Status.EXCLUDED, None)


def test_no_indicators():
    result = score_objective(ObjectiveSpec("o", ()), INDICATORS_ONLY, CLOSED)
    assert (result.status, result.achievement) == (Status.NOT_MEASURABLE, None)


def test_provisional_indicator_makes_the_objective_provisional():
    spec = ObjectiveSpec("o", (done(1, 50), done(2, 50, done_flag=False)))
    result = score_objective(spec, INDICATORS_ONLY, OPEN)
    assert (result.status, result.achievement) == (Status.PROVISIONAL, D("50.00"))


def test_exact_until_the_end():
    # thirds: rounding each indicator first would give 33.33·3 = 99.99
    third = D(100) / 3
    spec = ObjectiveSpec("o", (done(1, third, 100), done(2, third, 100), done(3, third, 100)))
    assert score_objective(spec, INDICATORS_ONLY, CLOSED).achievement == D("100.00")
    spec = ObjectiveSpec("o", (done(1, 1, "33.335"), done(2, 1, "33.335")))
    assert score_objective(spec, INDICATORS_ONLY, CLOSED).achievement == D("33.34")


def work(key, weight, progress):
    return ActivitySpec(key, D(weight), None, None, progress=D(progress))


def test_activities_share():
    spec = ObjectiveSpec("o", (done(1, 100, 100),), (work("a", 50, 40), work("b", 50, 60)))
    shown_only = score_objective(spec, INDICATORS_ONLY, CLOSED)
    assert (shown_only.achievement, shown_only.activity_progress) == (D("100.00"), D("50.00"))
    mixed = score_objective(spec, Policy(activity_share=D(30)), CLOSED)
    assert mixed.achievement == D("85.00")
    activities_only = score_objective(spec, Policy(activity_share=D(100)), CLOSED)
    assert activities_only.achievement == D("50.00")


def test_activities_share_without_activities_uses_the_indicators():
    spec = ObjectiveSpec("o", (done(1, 100, 70),))
    assert score_objective(spec, Policy(activity_share=D(30)), CLOSED).achievement == D("70.00")


def test_missing_activities_count_only_when_they_share():
    missing = ActivitySpec("a", D(100), None, None)
    spec = ObjectiveSpec("o", (done(1, 100, 70),), (missing,))
    shown_only = score_objective(spec, INDICATORS_ONLY, OPEN)
    assert shown_only.activity_progress is None
    shared = score_objective(spec, Policy(activity_share=D(30)), OPEN)
    assert (shared.status, shared.achievement) == (Status.PARTIAL, D("70.00"))


def test_forced_objective():
    spec = ObjectiveSpec("o", (done(1, 100, 70),), forced=D(95))
    result = score_objective(spec, INDICATORS_ONLY, CLOSED)
    assert (result.status, result.achievement, result.indicator_achievement) == (
        Status.FORCED,
        D("95.00"),
        D("70.00"),
    )


def objective(key, achievement, weight_score=None, unit=None, person=None):
    """An objective worth `achievement`; None leaves its only indicator unmeasured."""
    measured = None if achievement is None else True
    return ObjectiveSpec(
        key,
        (done(1, 100, achievement, done_flag=measured),),
        weight_score=None if weight_score is None else D(weight_score),
        unit_key=unit,
        person_key=person,
    )


def test_plan_weights_by_punteggio_and_includes_child_units():
    plan = [
        objective("o1", 100, 100, unit="servizio", person="serrao"),
        objective("o2", 50, 25, unit="settore", person="serrao"),
        objective("o3", 80, 50, unit="altro"),
    ]
    parents = {"servizio": "settore", "settore": "ente", "altro": "ente", "vuoto": "settore"}
    result = score_plan(plan, policy=INDICATORS_ONLY, context=CLOSED, unit_parents=parents)
    assert result.units == {
        "servizio": Aggregate(D("100.00"), 1, 1, False),
        # (100·100 + 50·25) / 125 = 90
        "settore": Aggregate(D("90.00"), 2, 2, False),
        "altro": Aggregate(D("80.00"), 1, 1, False),
        # (100·100 + 50·25 + 80·50) / 175 = 87.142857…
        "ente": Aggregate(D("87.14"), 3, 3, False),
        "vuoto": Aggregate(None, 0, 0, False),
    }
    assert result.people == {"serrao": Aggregate(D("90.00"), 2, 2, False)}
    assert result.authority == Aggregate(D("87.14"), 3, 3, False)
    assert result.objectives["o2"].achievement == D("50.00")


def test_plan_blank_punteggio_gives_equal_weights():
    plan = [objective("o1", 100, 100), objective("o2", 50), objective("o3", None, 10)]
    result = score_plan(plan, policy=INDICATORS_ONLY, context=OPEN)
    assert result.authority == Aggregate(D("75.00"), 3, 2, True)


def test_plan_all_zero_punteggio_gives_equal_weights():
    plan = [objective("o1", 100, 0), objective("o2", 50, 0)]
    result = score_plan(plan, policy=INDICATORS_ONLY, context=CLOSED)
    assert result.authority == Aggregate(D("75.00"), 2, 2, True)


def test_empty_plan():
    result = score_plan([], policy=INDICATORS_ONLY, context=CLOSED)
    assert result.authority == Aggregate(None, 0, 0, False)
    assert (result.objectives, result.units, result.people) == ({}, {}, {})


def test_plan_refuses_duplicate_keys_and_cycles():
    with pytest.raises(ValueError):
        score_plan([objective("o", 1), objective("o", 2)], policy=INDICATORS_ONLY, context=OPEN)
    with pytest.raises(ValueError):
        score_plan(
            [objective("o", 1, unit="a")],
            policy=INDICATORS_ONLY,
            context=OPEN,
            unit_parents={"a": "b", "b": "a"},
        )


def test_objective_refuses_duplicate_indicator_keys():
    with pytest.raises(ValueError):
        ObjectiveSpec("o", (done(1, 50), done(1, 50)))
