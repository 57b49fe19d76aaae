"""Formula escaping: any text written and read back is unchanged, and never runs as a formula."""

import io
import re

import pytest
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.exchange.helpers import (
    as_dicts,
    csv_rows,
    expected_tables,
    ods_cells,
    ods_sheets,
    xlsx_sheets,
)
from tests.factories import ObjectiveFactory
from traguardo.exchange.cells import (
    FORMULA_START,
    escape_text,
    is_formula_like,
    unescape_text,
    xml_safe,
)
from traguardo.exchange.csv import table_csv
from traguardo.exchange.ods import plan_ods
from traguardo.exchange.xlsx import plan_workbook

# Texts XML can hold (control characters other than tab, newline and CR are dropped on
# purpose, see test_xml_safe_drops_what_xml_cannot_hold), biased towards formula signs.
texts = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t\n\r")
    ),
    st.tuples(st.sampled_from(["=", "+", "-", "@", "'", "\t", "\r", "''", "'="]), st.text()).map(
        "".join
    ),
).map(xml_safe)


@given(texts)
def test_escaping_is_undone_exactly(text):
    assert unescape_text(escape_text(text)) == text


@given(texts)
def test_an_escaped_text_never_starts_like_a_formula(text):
    assert not is_formula_like(escape_text(text))


def test_numbers_and_plain_texts_are_left_alone():
    assert escape_text("Piano 2019") == "Piano 2019"
    assert escape_text("-20") == "'-20"
    assert escape_text("'citazione") == "''citazione"


def test_xml_safe_drops_what_xml_cannot_hold():
    assert xml_safe("a\x00b\x07c\x1fd\x7f\te\nf\rg") == "abcd\te\nf\rg"


@pytest.fixture
def scheda(authority):
    with scopes_disabled():
        return ObjectiveFactory(plan__authority=authority, position=1)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=texts)
def test_any_text_survives_every_format_and_never_runs(scheda, text):
    with scopes_disabled():
        scheda.notes = text
        scheda.save(update_fields=["notes"])
    plan = scheda.plan
    with scope(authority=plan.authority):
        xlsx, ods, csv = plan_workbook(plan), plan_ods(plan), table_csv(plan, "schede")

    def read(rows):
        value = as_dicts(rows)[0]["Note"]
        return value if value is not None else ""

    assert read(xlsx_sheets(xlsx)["Schede"]) == text
    # ODF has no carriage return: line ends come back as line feeds.
    ods_text = text.replace("\r\n", "\n").replace("\r", "\n")
    assert read(ods_sheets(ods)["Schede"]) == ods_text  # exactly, no apostrophe added
    rows = csv_rows(csv)
    field = dict(zip(rows[0], rows[1], strict=True))["Note"]
    assert unescape_text(field) == text

    # Nothing any of the three files hold starts like a formula unless marked as text.
    book = load_workbook(io.BytesIO(xlsx))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    assert cell.data_type == "s" and cell.quotePrefix
    assert_ods_texts_are_never_formulas(ods)
    assert not [f for r in rows for f in r if f.startswith(FORMULA_START)]


SIGNS = ("=", "+", "-", "@")


NEGATIVE_NUMBER = re.compile(r"-\d+(,\d+)?")


def assert_ods_texts_are_never_formulas(data: bytes) -> list[str]:
    """Every ODS cell whose text starts with = + - @ is a string cell without a formula
    (or a negative number in a number cell); returns the texts of the string cells."""
    cells = ods_cells(data)
    assert [formula for _kind, formula, _text in cells] == [None] * len(cells)
    risky = [(kind, text) for kind, _formula, text in cells if text[:1] in SIGNS]
    numbers = [text for kind, text in risky if kind == "float"]
    assert [n for n in numbers if not NEGATIVE_NUMBER.fullmatch(n)] == []
    assert {kind for kind, _text in risky} <= {"string", "float"}
    return [text for kind, text in risky if kind == "string"]


def test_ods_writes_formula_like_texts_as_they_are_in_string_cells(rich):
    """No apostrophe: LibreOffice would show it ("'-20"); the string type keeps them text."""
    with scope(authority=rich.authority):
        ods = plan_ods(rich)
    with scopes_disabled():
        expected = expected_tables(rich)
    database = {
        value
        for rows in expected.values()
        for row in rows
        for value in row.values()
        if isinstance(value, str) and value[:1] in SIGNS
    }
    assert database >= {"=DUP 1.2 «Ente digitale»", "+39 nota", "-20", "@fatto", "@giugno"}
    written = assert_ods_texts_are_never_formulas(ods)
    assert database <= set(written)  # each exactly the database's text
    assert not [t for t in written if t not in database]
    assert not [t for _kind, _formula, t in ods_cells(ods) if t.startswith("'")]
    indicator = as_dicts(ods_sheets(ods)["Indicatori"])[1]
    assert indicator["Livello finale atteso (testo)"] == "-20"
