from decimal import Decimal

import pytest

from traguardo.scoring import format_decimal, format_percent, parse_decimal, round_half_up


def test_round_half_up_rounds_fives_away_from_zero():
    assert round_half_up(Decimal("0.125")) == Decimal("0.13")
    assert round_half_up(Decimal("2.675")) == Decimal("2.68")
    assert round_half_up(Decimal("-0.125")) == Decimal("-0.13")
    assert round_half_up(Decimal("7.5"), places=0) == Decimal("8")


def test_round_half_up_keeps_two_places():
    assert str(round_half_up(Decimal(76))) == "76.00"
    assert str(round_half_up(Decimal("1") / Decimal("3") * 100)) == "33.33"


def test_round_half_up_refuses_floats():
    with pytest.raises(TypeError):
        round_half_up(0.125)


def test_format_decimal_is_italian():
    assert format_decimal(Decimal("1234.5")) == "1.234,50"
    assert format_decimal(Decimal("1234567.891")) == "1.234.567,89"
    assert format_decimal(Decimal("-20")) == "-20,00"
    assert format_decimal(Decimal("0.005")) == "0,01"
    assert format_decimal(Decimal("1234.5"), places=0) == "1.235"


def test_format_percent():
    assert format_percent(Decimal(25)) == "25,00%"
    assert format_percent(Decimal("100")) == "100,00%"
    assert format_percent(Decimal("12.345"), places=1) == "12,3%"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100,00%", Decimal("100.00")),
        ("1.234,5", Decimal("1234.5")),
        ("-20", Decimal(-20)),
        ("5", Decimal(5)),
        (" 25 % ", Decimal(25)),
        ("1.234.567", Decimal(1234567)),
        ("+3,5", Decimal("3.5")),
        ("\u22125", Decimal(-5)),
    ],
)
def test_parse_decimal(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1.5", "1,2,3", "12.34", "%", "5 giorni", "1e3"])
def test_parse_decimal_refuses_garbage(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_parse_and_format_agree():
    assert parse_decimal(format_decimal(Decimal("98765.43"))) == Decimal("98765.43")
