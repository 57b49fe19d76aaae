"""The same tables in ODS and CSV: read back with odfpy and the csv module, against the database."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled
from odf.config import ConfigItem
from odf.namespaces import CONFIGNS
from odf.opendocument import load as load_ods

from tests.exchange.helpers import (
    as_dicts,
    canon_csv,
    canon_row,
    csv_rows,
    expected_tables,
    ods_sheets,
    project,
)
from tests.factories import PlanFactory
from traguardo.exchange.csv import plans_csv, table_csv
from traguardo.exchange.ods import plan_ods

pytestmark = pytest.mark.django_db

TABLES = {
    "Schede": "schede",
    "Indicatori": "indicatori",
    "Livelli attesi": "livelli-attesi",
    "Attività": "attivita",
    "Misurazioni": "misurazioni",
}


@pytest.fixture(params=["demo", "rich"])
def plan(request):
    return request.getfixturevalue(request.param)


def test_every_ods_cell_is_the_database(plan):
    with scope(authority=plan.authority):
        sheets = ods_sheets(plan_ods(plan))
    assert list(sheets) == [
        "Istruzioni",
        "Schede",
        "Indicatori",
        "Livelli attesi",
        "Attività",
        "Misurazioni",
        "Risultati",
        "Elenchi",
    ]
    with scopes_disabled():
        expected = expected_tables(plan)
    for name in TABLES:
        found = as_dicts(sheets[name])
        assert [canon_row(r) for r in project(found, expected[name])] == [
            canon_row(r) for r in expected[name]
        ], name
    results = as_dicts(sheets["Risultati"])
    assert [
        canon_row({k: r[k] for k in w}) for r, w in zip(results, expected["Risultati"], strict=True)
    ] == [canon_row(w) for w in expected["Risultati"]]


def test_ods_cells_are_typed_and_the_header_is_frozen(rich):
    with scope(authority=rich.authority):
        data = plan_ods(rich)
    indicator = as_dicts(ods_sheets(data)["Indicatori"])[1]
    assert indicator["Peso (%)"] == Decimal(40)
    assert indicator["Livello finale atteso (valore)"] == Decimal(-20)
    assert indicator["Livello finale atteso (testo)"] == "-20"
    first = as_dicts(ods_sheets(data)["Indicatori"])[0]
    assert first["Livello finale alla data"] == date(2019, 12, 31)
    settings = load_ods(io.BytesIO(data)).settings
    frozen = [
        item
        for item in settings.getElementsByType(ConfigItem)
        if item.getAttrNS(CONFIGNS, "name") == "VerticalSplitPosition"
    ]
    assert len(frozen) == 7  # every sheet but the instructions


@pytest.mark.parametrize("sheet", list(TABLES))
def test_every_csv_field_is_the_database(plan, sheet):
    with scope(authority=plan.authority):
        data = table_csv(plan, TABLES[sheet])
    rows = csv_rows(data)
    found = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    with scopes_disabled():
        expected = expected_tables(plan)[sheet]
    unescaped = [{k: v[1:] if v.startswith("'") else v for k, v in r.items()} for r in found]
    assert project(unescaped, expected) == [canon_row(r, canon_csv) for r in expected]


def test_csv_is_what_an_italian_spreadsheet_expects(rich):
    with scope(authority=rich.authority):
        data = table_csv(rich, "attivita")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    header, first = text.split("\r\n")[:2]
    assert header.startswith("N. scheda;Codice obiettivo;N.;Peso (%);Sub-obiettivo / attività;")
    assert first.startswith("1;10;1;33,33;Censimento dei trattamenti;01/02/2019;30/06/2019;")
    assert ";'@fatto;" in first  # a formula-like text starts with an apostrophe


@pytest.mark.parametrize("fixture", ["demo", "rich"])
def test_the_results_csv_has_the_engine_results_in_every_row(request, fixture):
    plan = request.getfixturevalue(fixture)
    with scope(authority=plan.authority):
        rows = csv_rows(table_csv(plan, "risultati"))
    found = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    with scopes_disabled():
        expected = expected_tables(plan)["Risultati"]
    assert len(found) == len(expected)
    # Scheda, indicator and activity rows, each field as the engine gives it.
    assert [{k: r[k] for k in w} for r, w in zip(found, expected, strict=True)] == [
        canon_row(w, canon_csv) for w in expected
    ]
    assert {r["Riga"] for r in found} == {"Scheda", "Indicatore", "Attività"}
    if fixture == "demo":
        by_key = {(r["N. scheda"], r["Riga"], r["N."]): r for r in found}
        gara = by_key[("2", "Indicatore", "2")]
        assert (gara["Giorni di ritardo"], gara["Raggiungimento (%)"]) == ("4", "90")
        # Card 1, activity 1: 50% done, past its end: the lower of progress and lateness.
        assert by_key[("1", "Attività", "1")]["Raggiungimento (%)"] == "0"


def test_the_plans_csv_lists_the_authoritys_plans(authority, other_authority):
    with scopes_disabled():
        PlanFactory(
            authority=authority,
            year=2019,
            act_type="Delibera di Giunta",
            act_number="17",
            act_date=date(2019, 2, 5),
        )
        PlanFactory(authority=authority, year=2020, title="=Piano 2020")
        PlanFactory(authority=other_authority, year=2021)
    with scope(authority=authority):
        rows = csv_rows(plans_csv(authority))
    assert rows == [
        [
            "Anno",
            "Ultimo anno",
            "Titolo",
            "Stato",
            "Tipo di atto",
            "Numero dell'atto",
            "Data dell'atto",
            "Schede",
            "Validato il",
        ],
        ["2019", "2021", "Piano 2019", "Bozza", "Delibera di Giunta", "17", "05/02/2019", "0", ""],
        ["2020", "2022", "'=Piano 2020", "Bozza", "", "", "", "0", ""],
    ]
