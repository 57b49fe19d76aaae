"""The open data files read back and compared with the database and the engine's results."""

import csv
import io
import json
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests.factories import PlanFactory
from tests.transparency.conftest import SLUG
from traguardo.planning.models import Plan
from traguardo.reports.scheda import plan_pages
from traguardo.scoring import round_half_up

pytestmark = pytest.mark.django_db


def fetch(name, **kwargs):
    response = Client().get(reverse(name, kwargs={"authority": SLUG, **kwargs}))
    assert response.status_code == 200
    return response


def read_csv(plan) -> list[dict]:
    response = fetch("public_opendata", year=plan.year, fmt="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM: spreadsheets read UTF-8
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def read_json(plan) -> dict:
    response = fetch("public_opendata", year=plan.year, fmt="json")
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content.decode("utf-8"), parse_float=Decimal)


def engine_results(plan) -> dict[int, Decimal | None]:
    with scope(authority=plan.authority):
        page = plan_pages(plan)
    return {
        row.objective.pk: round_half_up(row.result.achievement, 2)
        if row.result and row.result.achievement is not None
        else None
        for row in page.rows
    }


def test_the_csv_is_semicolon_separated_utf8_and_matches_the_database(closed_plan):
    rows = read_csv(closed_plan)
    with scopes_disabled():
        objectives = {o.pk: o for o in closed_plan.objectives.select_related("unit")}
    assert sorted(int(r["scheda"]) for r in rows) == sorted(objectives)
    results = engine_results(closed_plan)
    for row in rows:
        o = objectives[int(row["scheda"])]
        assert row["anno_piano"] == "2019"
        assert row["stato_piano"] == "Consuntivato"
        assert row["codice_obiettivo"] == o.code
        assert row["denominazione"] == o.title
        assert row["unita_responsabile"] == (o.unit.name if o.unit else "")
        assert row["pluriennale"] == ("sì" if o.is_multi_year else "no")
        expected = "" if results[o.pk] is None else str(results[o.pk]).replace(".", ",")
        assert row["raggiungimento"] == expected
    by_title = {r["denominazione"]: r for r in rows}
    assert by_title["Elezioni Europee 2019"]["raggiungimento"] == "76,00"
    assert by_title["Attuazione delle misure anticorruzione"]["raggiungimento"] == "75,00"
    assert by_title["Elezioni Europee 2019"]["unita_coinvolte"] == (
        "Servizio Elettorale; Servizi Demografici e Anagrafe; Stato Civile"
    )
    assert by_title["Elezioni Europee 2019"]["pagina"].endswith(
        reverse("public_objective", args=[SLUG, 2019, by_title["Elezioni Europee 2019"]["scheda"]])
    )


def test_the_json_matches_the_engines_results_as_exact_numbers(closed_plan):
    document = read_json(closed_plan)
    assert document["licenza"]["name"] == "CC-BY-4.0"
    assert document["licenza"]["path"] == "https://creativecommons.org/licenses/by/4.0/deed.it"
    assert document["editore"]["title"] == "Comune di Esempio"
    assert document["schema"].endswith(reverse("public_opendata_schema", args=[SLUG]))
    assert document["risultati_pubblicati"] is True
    results = engine_results(closed_plan)
    assert {r["scheda"]: r["raggiungimento"] for r in document["schede"]} == results
    elections = next(r for r in document["schede"] if r["denominazione"] == "Elezioni Europee 2019")
    assert elections["raggiungimento"] == Decimal("76.00")
    assert (
        b'"raggiungimento": 76.00,' in fetch("public_opendata", year=2019, fmt="json").content
    )  # a JSON number written exactly, not a float's digits
    assert elections["stato_risultato"] == "misurato"
    assert elections["risultato_forzato"] is False
    assert elections["pluriennale"] is False


def test_the_csv_and_json_hold_the_same_rows(closed_plan):
    from_csv = read_csv(closed_plan)
    from_json = read_json(closed_plan)["schede"]
    assert [r["scheda"] for r in from_csv] == [str(r["scheda"]) for r in from_json]
    assert [r["denominazione"] for r in from_csv] == [r["denominazione"] for r in from_json]


def test_before_the_consuntivo_the_files_carry_no_result(monitoring_plan):
    rows = read_csv(monitoring_plan)
    assert {r["raggiungimento"] for r in rows} == {""}
    assert {r["stato_risultato"] for r in rows} == {""}
    document = read_json(monitoring_plan)
    assert document["risultati_pubblicati"] is False
    assert {r["raggiungimento"] for r in document["schede"]} == {None}
    assert b"76.00" not in fetch("public_opendata", year=2019, fmt="json").content


def test_the_schema_describes_every_field_of_the_data(closed_plan):
    package = json.loads(fetch("public_opendata_schema").content)
    described = [f["name"] for f in package["schema"]["fields"]]
    for field in package["schema"]["fields"]:
        assert field["type"] in {"string", "integer", "number", "boolean", "date"}
        assert field["description"] and field["title"]
    csv_names = list(read_csv(closed_plan)[0])
    json_names = list(read_json(closed_plan)["schede"][0])
    assert csv_names == described
    assert json_names == described
    assert package["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)",
            "path": "https://creativecommons.org/licenses/by/4.0/deed.it",
        }
    ]
    assert package["publisher"]["title"] == "Comune di Esempio"
    assert package["publisher"]["codice_ipa"] == "c_esempio"
    assert package["profile"] == "tabular-data-package"
    resources = {r["name"]: r for r in package["resources"]}
    # The schede's files and the premiums' (reports.premiums), each year with its own schema.
    assert set(resources) == {
        "schede-2019-csv",
        "schede-2019-json",
        "premi-2019-csv",
        "premi-2019-json",
    }
    assert resources["premi-2019-csv"]["path"].endswith(
        reverse("public_pay_opendata", args=[SLUG, 2019, "csv"])
    )
    assert resources["schede-2019-csv"]["dialect"]["delimiter"] == ";"
    assert resources["schede-2019-csv"]["path"].endswith(
        reverse("public_opendata", args=[SLUG, 2019, "csv"])
    )
    assert resources["schede-2019-json"]["schema"] == package["schema"]
    number = next(f for f in package["schema"]["fields"] if f["name"] == "raggiungimento")
    assert number["type"] == "number" and number["decimalChar"] == ","


def test_the_schema_of_an_authority_without_public_plans_still_describes_the_fields(draft_plan):
    package = json.loads(fetch("public_opendata_schema").content)
    assert package["resources"] == []
    assert "raggiungimento" in [f["name"] for f in package["schema"]["fields"]]


def test_a_plan_with_no_schede_gives_a_header_only_csv(closed_plan):
    with scopes_disabled():
        PlanFactory(authority=closed_plan.authority, year=2022, state=Plan.State.APPROVED)
    response = fetch("public_opendata", year=2022, fmt="csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 and lines[0].startswith("anno_piano;piano;stato_piano;scheda")


SIGNS = ("=", "+", "-", "@")


def test_the_csv_escapes_formula_like_texts_and_the_json_keeps_them(closed_plan):
    """A citizen opening the CSV in a spreadsheet sees texts, never runs a formula."""
    title = '=HYPERLINK("https://esempio.invalid";"Clicca")'
    with scopes_disabled():
        five = closed_plan.objectives.get(position=5)
        five.title = title
        five.code = "+5"
        five.expected_result = "-20% consumi"
        five.dup_text = "@DUP"
        five.dup_goal = None
        five.save()
    rows = read_csv(closed_plan)
    row = next(r for r in rows if r["scheda"] == str(five.pk))
    assert row["denominazione"] == "'" + title
    assert row["codice_obiettivo"] == "'+5"
    assert row["risultato_atteso"] == "'-20% consumi"
    assert row["riferimento_dup"] == "'@DUP"
    # Numbers are numbers: not escaped.
    assert (row["anno_piano"], row["raggiungimento"]) == ("2019", "76,00")
    assert not [f for r in rows for f in r.values() if f.startswith(SIGNS)]
    # The JSON is data: the texts as they are.
    document = read_json(closed_plan)
    data = next(r for r in document["schede"] if r["scheda"] == five.pk)
    assert (data["denominazione"], data["codice_obiettivo"], data["risultato_atteso"]) == (
        title,
        "+5",
        "-20% consumi",
    )


def test_the_schema_and_the_page_say_how_the_csv_escapes_texts(closed_plan):
    package = json.loads(fetch("public_opendata_schema").content)
    assert "preceduto da un apostrofo" in package["description"]
    csv_resource = next(r for r in package["resources"] if r["format"] == "csv")
    assert "preceduto da un apostrofo" in csv_resource["description"]
    assert "description" not in next(r for r in package["resources"] if r["format"] == "json")
    page = fetch("public_opendata_info").content.decode()
    assert "preceduto da un apostrofo" in unescape(page)
