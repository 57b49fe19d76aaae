from decimal import Decimal

import pytest

from traguardo.scoring import DEFAULT_COMPLEXITY, DEFAULT_KIND, DEFAULT_STRATEGIC, weight_score


def test_alta_alta_sviluppo_is_100():
    score = weight_score(
        DEFAULT_STRATEGIC["alta"], DEFAULT_COMPLEXITY["alta"], DEFAULT_KIND["sviluppo"]
    )
    assert score == Decimal(100)


def test_bassa_bassa_mantenimento_is_25():
    score = weight_score(
        DEFAULT_STRATEGIC["bassa"], DEFAULT_COMPLEXITY["bassa"], DEFAULT_KIND["mantenimento"]
    )
    assert score == Decimal(25)


def test_media_media_miglioramento():
    score = weight_score(
        DEFAULT_STRATEGIC["media"], DEFAULT_COMPLEXITY["media"], DEFAULT_KIND["miglioramento"]
    )
    assert score == Decimal(60)


def test_blank_part_gives_no_score():
    assert weight_score(None, Decimal(20), Decimal(1)) is None
    assert weight_score(Decimal(30), None, Decimal(1)) is None
    assert weight_score(Decimal(30), Decimal(20), None) is None


def test_defaults_are_decimals():
    for table in (DEFAULT_STRATEGIC, DEFAULT_COMPLEXITY, DEFAULT_KIND):
        assert all(type(value) is Decimal for value in table.values())


def test_floats_are_refused():
    with pytest.raises(TypeError):
        weight_score(30.0, Decimal(20), Decimal(1))
