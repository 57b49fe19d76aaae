# describe_scale prints day ranges with an en dash, so the tests spell it out.
from decimal import Decimal

import pytest
from hypothesis import given

from tests.scoring.strategies import scales
from traguardo.scoring import (
    Band,
    Bands,
    Binary,
    DelayStep,
    DelaySteps,
    Proportional,
    ScaleParseError,
    describe_scale,
    parse_scale,
    scale_rows,
)

D = Decimal
CARD_STEPS = DelaySteps((DelayStep(5, D(90)), DelayStep(10, D(80)), DelayStep(15, D(60))))


@pytest.mark.parametrize(
    "text",
    [
        "gg ritardo 5= 90% / gg10=80% / gg15=60%",
        "gg ritardo 5 = 90% - 10 = 80% - 15 = 60%",
        "scadenza rispettata +5gg= 90% / +10gg=80% / +15gg=60%",
        "scadenza rispettata + 5gg = 90% + 10gg = 80% +15gg =60%",
        "GG RITARDO 5 = 90% / 10 = 80% / 15 = 60%",
        "0 gg → 100%; 1–5 gg → 90%; 6–10 gg → 80%; 11–15 gg → 60%; oltre 15 gg → 0%",
        "1-5 gg -> 90%; 6-10 gg -> 80%; 11-15 gg -> 60%",
        "gg ritardo 15 = 60% / 5 = 90% / 10 = 80%",
    ],
)
def test_card_delay_forms(text):
    assert parse_scale(text) == CARD_STEPS


def test_single_step_without_spaces():
    assert parse_scale("gg10=80%") == DelaySteps((DelayStep(10, D(80)),))


def test_beyond():
    text = "gg ritardo 5= 90% / gg10=80% / gg15=60% / oltre 15 gg = 10%"
    assert parse_scale(text) == DelaySteps(CARD_STEPS.steps, beyond=D(10))


def test_decimal_percent_with_comma():
    assert parse_scale("gg 5 = 87,5%") == DelaySteps((DelayStep(5, D("87.5")),))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Proporzionale", Proportional()),
        ("proporzionale", Proportional()),
        ("PROPORZIONALE", Proportional()),
        ("proporzionale con soglia 50%", Proportional(D(50))),
        ("Proporzionale, soglia di accesso 50%", Proportional(D(50))),
        ("Proporzionale, soglia di accesso 33,5%", Proportional(D("33.5"))),
    ],
)
def test_proportional_forms(text, expected):
    assert parse_scale(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "fatto/non fatto",
        "Fatto / Non fatto",
        "SI/NO",
        "sì/no",
        "raggiunto / non raggiunto",
        "Raggiunto → 100%; non raggiunto → 0%",
    ],
)
def test_binary_forms(text):
    assert parse_scale(text) == Binary()


def test_bands_short_form():
    assert parse_scale("da 90% = 100% / da 70% = 80% / sotto 70% = 0%") == Bands(
        (Band(D(70), D(90), D(80)), Band(D(90), None, D(100))), below=D(0)
    )


def test_bands_linear_form():
    text = "da 90% = 100% / da 50% a 90% = da 20% a 100% / sotto 50% = 10%"
    assert parse_scale(text) == Bands(
        (Band(D(50), D(90), D(20), D(100)), Band(D(90), None, D(100))), below=D(10)
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "vuota"),
        ("   ", "vuota"),
        ("boh", "Non riconosco"),
        ("gg 5 = 90% / pippo", "«pippo»"),
        ("gg 5 = 120%", "supera 100%"),
        ("gg ritardo", "non trovo scaglioni"),
        ("1–5 gg = 90%; 7–10 gg = 80%", "non segue"),
        ("gg 5 = 90% / oltre 10 gg = 10%", "«oltre 10 gg»"),
        ("gg 5 = 90% / gg 5 = 80%", "due volte"),
        ("0 gg = 95%; 5 gg = 90%", "ritardo zero"),
        ("proporzionale ma non troppo", "Proporzionale con soglia"),
        ("da 70% a 90% = 80%", "aperta"),
        ("da 90% = 100% / sotto 80% = 0%", "sotto 80%"),
        ("da 90% = 100% / da 90% = 80%", "due fasce"),
        ("da 1.5% = 100%", "virgola"),
        ("sotto 50% = 0%", "non trovo fasce"),
    ],
)
def test_errors_say_what_could_not_be_read(text, words):
    with pytest.raises(ScaleParseError) as raised:
        parse_scale(text)
    assert words in raised.value.message


def test_parse_error_is_a_value_error():
    assert issubclass(ScaleParseError, ValueError)


def test_describe_delay_steps():
    assert describe_scale(CARD_STEPS) == (
        "0 gg → 100%; 1–5 gg → 90%; 6–10 gg → 80%; 11–15 gg → 60%; oltre 15 gg → 0%"
    )


def test_describe_single_day_step_and_decimals():
    scale = DelaySteps((DelayStep(1, D("95.5")), DelayStep(3, D(50))), beyond=D("12.25"))
    assert describe_scale(scale) == "0 gg → 100%; 1 gg → 95,5%; 2–3 gg → 50%; oltre 3 gg → 12,25%"


def test_describe_proportional_and_binary():
    assert describe_scale(Proportional()) == "Proporzionale"
    assert describe_scale(Proportional(D(50))) == "Proporzionale, soglia di accesso 50%"
    assert describe_scale(Binary()) == "Raggiunto → 100%; non raggiunto → 0%"


def test_describe_bands():
    scale = Bands((Band(D(50), D(90), D(20), D(100)), Band(D(90), None, D(100))))
    assert describe_scale(scale) == (
        "da 90% → 100%; da 50% a meno di 90% → da 20% a 100%; sotto 50% → 0%"
    )


def test_scale_rows():
    assert scale_rows(CARD_STEPS) == [
        ("0 gg", "100%"),
        ("1–5 gg", "90%"),
        ("6–10 gg", "80%"),
        ("11–15 gg", "60%"),
        ("oltre 15 gg", "0%"),
    ]
    assert scale_rows(Binary()) == [("Raggiunto", "100%"), ("non raggiunto", "0%")]
    assert scale_rows(Proportional(D(50))) == [
        ("in proporzione al valore atteso", "fino a 100%"),
        ("sotto la soglia di accesso del 50%", "0%"),
    ]


@given(scales)
def test_describe_then_parse_gives_the_scale_back(scale):
    assert parse_scale(describe_scale(scale)) == scale
