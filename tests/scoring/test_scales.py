from decimal import Decimal

import pytest

from traguardo.scoring import (
    Band,
    Bands,
    Binary,
    DelayStep,
    DelaySteps,
    Direction,
    Proportional,
    grade_delay,
    grade_ratio,
    scale_from_dict,
    scale_to_dict,
)

D = Decimal
HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
STEPS = DelaySteps((DelayStep(5, D(90)), DelayStep(10, D(80)), DelayStep(15, D(60))))
BANDS = Bands(
    (
        Band(D(50), D(70), D(0), D(50)),
        Band(D(70), D(90), D(80)),
        Band(D(90), None, D(100)),
    ),
    below=D(0),
)


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, 100), (1, 90), (5, 90), (6, 80), (10, 80), (11, 60), (15, 60), (16, 0), (400, 0)],
)
def test_grade_delay(days, expected):
    assert grade_delay(STEPS, days) == D(expected)


def test_grade_delay_beyond():
    scale = DelaySteps((DelayStep(15, D(60)),), beyond=D(10))
    assert grade_delay(scale, 16) == D(10)


def test_grade_delay_refuses_negative_days():
    with pytest.raises(ValueError):
        grade_delay(STEPS, -1)


@pytest.mark.parametrize(
    ("steps", "error"),
    [
        ((), ValueError),
        ((DelayStep(10, D(80)), DelayStep(5, D(90))), ValueError),
        ((DelayStep(5, D(90)), DelayStep(5, D(80))), ValueError),
    ],
)
def test_delay_steps_validation(steps, error):
    with pytest.raises(error):
        DelaySteps(steps)


def test_delay_step_validation():
    with pytest.raises(ValueError):
        DelayStep(0, D(90))
    with pytest.raises(ValueError):
        DelayStep(5, D(101))
    with pytest.raises(TypeError):
        DelayStep(5, 90.0)
    with pytest.raises(TypeError):
        DelayStep(True, D(90))


def test_ints_become_decimals():
    assert DelayStep(5, 90).percent == D(90)
    assert type(DelayStep(5, 90).percent) is Decimal


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        (D(180), D(200), HIGHER, D(90)),
        (D(250), D(200), HIGHER, D(100)),
        (D(-5), D(200), HIGHER, D(0)),
        (D(0), D(0), HIGHER, D(100)),
        (D(10), D(5), LOWER, D(50)),
        (D(4), D(5), LOWER, D(100)),
        (D(0), D(5), LOWER, D(100)),
        (D(3), D(0), LOWER, D(0)),
    ],
)
def test_proportional(actual, target, direction, expected):
    assert grade_ratio(Proportional(), actual, target, direction) == expected


def test_proportional_threshold():
    scale = Proportional(threshold=D(50))
    assert grade_ratio(scale, D(49), D(100), HIGHER) == D(0)
    assert grade_ratio(scale, D(50), D(100), HIGHER) == D(50)


def test_proportional_needs_nonnegative_target():
    with pytest.raises(ValueError):
        grade_ratio(Proportional(), D(5), D(-20), HIGHER)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(D(40), D(0)), (D(50), D(0)), (D(60), D(25)), (D(70), D(80)), (D(89), D(80)), (D(95), D(100))],
)
def test_bands(actual, expected):
    assert grade_ratio(BANDS, actual, D(100), HIGHER) == expected


def test_bands_lower_is_better_reads_target_over_actual():
    # 100 / 125 = 80% of the target met
    assert grade_ratio(BANDS, D(125), D(100), LOWER) == D(80)


def test_bands_validation():
    with pytest.raises(ValueError):
        Bands((Band(D(0), D(50), D(0)), Band(D(60), None, D(100))))
    with pytest.raises(ValueError):
        Bands((Band(D(0), D(50), D(0)),))
    with pytest.raises(ValueError):
        Band(D(50), D(50), D(10))
    with pytest.raises(ValueError):
        Band(D(50), None, D(10), D(20))
    with pytest.raises(ValueError):
        Bands(())


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        (D(100), D(100), HIGHER, D(100)),
        (D(99), D(100), HIGHER, D(0)),
        (D(5), D(5), LOWER, D(100)),
        (D(6), D(5), LOWER, D(0)),
        (D(-25), D(-20), LOWER, D(100)),
    ],
)
def test_binary(actual, target, direction, expected):
    assert grade_ratio(Binary(), actual, target, direction) == expected


def test_grade_ratio_refuses_delay_steps():
    with pytest.raises(TypeError):
        grade_ratio(STEPS, D(1), D(1), HIGHER)


@pytest.mark.parametrize(
    "scale",
    [
        STEPS,
        Proportional(),
        Proportional(D("50.5")),
        BANDS,
        Binary(),
        DelaySteps(STEPS.steps, D(5)),
    ],
)
def test_dict_round_trip(scale):
    assert scale_from_dict(scale_to_dict(scale)) == scale


def test_dict_is_json_safe():
    assert scale_to_dict(STEPS) == {
        "kind": "delay_steps",
        "steps": [
            {"up_to_days": 5, "percent": "90"},
            {"up_to_days": 10, "percent": "80"},
            {"up_to_days": 15, "percent": "60"},
        ],
        "beyond": "0",
    }
    assert scale_to_dict(Proportional(D(50))) == {"kind": "proportional", "threshold": "50"}
    assert scale_to_dict(Binary()) == {"kind": "binary"}


@pytest.mark.parametrize(
    "data",
    [
        {},
        [],
        "binary",
        {"kind": "nonsense"},
        {"kind": "binary", "extra": 1},
        {"kind": "proportional", "threshold": 50.0},
        {"kind": "proportional", "threshold": "abc"},
        {"kind": "proportional", "threshold": "NaN"},
        {"kind": "proportional", "threshold": "150"},
        {"kind": "delay_steps", "steps": [], "beyond": "0"},
        {"kind": "delay_steps", "steps": [{"up_to_days": "5", "percent": "90"}], "beyond": "0"},
        {"kind": "delay_steps", "steps": "abc", "beyond": "0"},
        {"kind": "bands", "bands": [{"lower": "0"}], "below": "0"},
    ],
)
def test_dict_bad_data(data):
    with pytest.raises(ValueError):
        scale_from_dict(data)
