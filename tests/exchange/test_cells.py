"""Formula escaping: any text written and read back is unchanged, and never runs as a formula."""

import io

import pytest
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.exchange.helpers import as_dicts, csv_rows, ods_sheets, ods_texts, xlsx_sheets
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
    assert read(ods_sheets(ods)["Schede"]) == text.replace("\r\n", "\n").replace("\r", "\n")
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
    assert not [t for t in ods_texts(ods) if t.startswith(FORMULA_START)]
    assert not [f for r in rows for f in r if f.startswith(FORMULA_START)]
