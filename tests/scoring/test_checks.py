from datetime import date
from decimal import Decimal

import pytest

from traguardo.scoring import (
    ActivityFacts,
    IndicatorFacts,
    Issue,
    ObjectiveFacts,
    WeightCheck,
    check_plan,
    check_weights,
    weight_check_label,
)

D = Decimal


@pytest.mark.parametrize(
    ("weights", "check", "label"),
    [
        ([D(40), D(40), D(20)], WeightCheck(D(100), "ok", D(0), ()), "100,00% OK"),
        ([D(50), D(40)], WeightCheck(D(90), "missing", D(10), ()), "mancano 10,00%"),
        ([D(70), D(35)], WeightCheck(D(105), "excess", D(5), ()), "eccedenza 5,00%"),
        ([], WeightCheck(D(0), "empty", D(100), ()), "nessun peso"),
        ([None, None], WeightCheck(D(0), "empty", D(100), (1, 2)), "nessun peso"),
        (
            [D("33.33"), D("33.33"), D("33.33")],
            WeightCheck(D("99.99"), "missing", D("0.01"), ()),
            "mancano 0,01%",
        ),
        ([D(100), D(0), None], WeightCheck(D(100), "ok", D(0), (2, 3)), "100,00% OK"),
    ],
)
def test_check_weights(weights, check, label):
    assert check_weights(weights) == check
    assert weight_check_label(check) == label


def test_check_weights_refuses_floats():
    with pytest.raises(TypeError):
        check_weights([50.0, D(50)])


def row(position, weight=Decimal(100), **fields):
    defaults = {
        "position": position,
        "weight": weight,
        "final_value": True,
        "final_due_on": date(2019, 12, 31),
        "final_due_text": "31 dicembre 2019",
        "intermediate_due_on": None,
        "has_scale": True,
    }
    return IndicatorFacts(**{**defaults, **fields})


def card(key, code="A1", indicators=None, activities=(), **fields):
    defaults = {
        "title": "Gestione patrimonio",
        "has_unit": True,
        "has_responsible": True,
        "has_weight_score": True,
        "has_areas": True,
    }
    indicators = (row(1),) if indicators is None else indicators
    return ObjectiveFacts(
        key, code, indicators=indicators, activities=activities, **{**defaults, **fields}
    )


def check(*cards):
    return check_plan(cards, first_year=2019, last_year=2021)


def test_clean_card():
    assert check(card(1)) == {1: []}


def test_card_fields():
    blank = card(
        1,
        code=" ",
        title="",
        has_unit=False,
        has_responsible=False,
        has_weight_score=False,
        has_areas=False,
        indicators=(),
    )
    assert check(blank) == {
        1: [
            Issue("missing_code", "warning", "code"),
            Issue("missing_title", "error", "title"),
            Issue("missing_unit", "warning", "unit"),
            Issue("missing_responsible", "warning", "responsible"),
            Issue("missing_weight_score", "warning", "weight_score"),
            Issue("no_areas", "warning", "areas"),
            Issue("no_indicators", "error", "indicators"),
        ]
    }


def test_duplicate_codes_like_the_seed():
    # "PROTEZIONE DEI DATI PERSONALI" 2020 and 2021 are both coded 10
    result = check(card("a", "1"), card("b", "10"), card("c", "10 "), card("d", ""))
    assert result["a"] == []
    assert result["b"] == [
        Issue(
            "duplicate_code",
            "error",
            "code",
            params={"code": "10", "others": ("c",), "positions": (3,)},
        )
    ]
    assert result["c"][0].param_dict() == {"code": "10", "others": ("b",), "positions": (2,)}
    assert result["d"] == [Issue("missing_code", "warning", "code")]


def test_indicator_weights():
    result = check(card(1, indicators=(row(1, D(50)), row(2, D(0)), row(3, None))))
    assert result[1] == [
        Issue(
            "indicator_weights",
            "error",
            "indicators",
            params={"state": "missing", "difference": D(50), "total": D(50)},
        ),
        Issue("nonpositive_weight", "error", "indicators", 2, {"weight": D(0)}),
        Issue("nonpositive_weight", "error", "indicators", 3, {"weight": None}),
    ]


def test_indicator_rows():
    rows = (
        row(1, D(25), final_value=False),
        row(2, D(25), final_due_on=None, final_due_text="entro la fine di ogni anno"),
        row(3, D(25), final_due_on=None, final_due_text="", has_scale=False),
        row(4, D(25), intermediate_due_on=date(2020, 1, 31), final_due_on=date(2022, 6, 30)),
    )
    assert check(card(1, indicators=rows))[1] == [
        Issue("missing_final_target", "error", "indicators", 1),
        Issue(
            "missing_final_date", "warning", "indicators", 2, {"text": "entro la fine di ogni anno"}
        ),
        Issue("missing_final_date", "warning", "indicators", 3),
        Issue("missing_scale", "warning", "indicators", 3),
        Issue(
            "date_outside_plan",
            "warning",
            "indicators",
            4,
            {"which": "final", "date": date(2022, 6, 30)},
        ),
    ]


def test_intermediate_after_final():
    late = row(1, intermediate_due_on=date(2019, 12, 31), final_due_on=date(2019, 6, 30))
    assert check(card(1, indicators=(late,)))[1] == [
        Issue(
            "intermediate_after_final",
            "error",
            "indicators",
            1,
            {"intermediate": date(2019, 12, 31), "final": date(2019, 6, 30)},
        )
    ]


def test_activities():
    activities = (
        ActivityFacts(1, D(40), None, None),
        ActivityFacts(2, D(40), date(2019, 9, 30), date(2019, 3, 1)),
        ActivityFacts(3, D(0), date(2018, 12, 1), date(2019, 1, 31)),
    )
    assert check(card(1, activities=activities))[1] == [
        Issue(
            "activity_weights",
            "error",
            "activities",
            params={"state": "missing", "difference": D(20), "total": D(80)},
        ),
        Issue("activity_nonpositive_weight", "error", "activities", 3, {"weight": D(0)}),
        Issue("activity_missing_dates", "warning", "activities", 1, {"missing": ("start", "end")}),
        Issue(
            "activity_dates_reversed",
            "error",
            "activities",
            2,
            {"start": date(2019, 9, 30), "end": date(2019, 3, 1)},
        ),
        Issue(
            "date_outside_plan",
            "warning",
            "activities",
            3,
            {"which": "start", "date": date(2018, 12, 1)},
        ),
    ]


def test_issues_are_hashable():
    issue = Issue("missing_final_date", "warning", "indicators", 2, {"text": "entro"})
    assert issue == Issue("missing_final_date", "warning", "indicators", 2, (("text", "entro"),))
    assert len({issue, issue}) == 1


def test_bad_arguments():
    with pytest.raises(ValueError):
        check_plan([], first_year=2021, last_year=2019)
    with pytest.raises(ValueError):
        check(card(1), card(1, code="B"))
