"""The public premiums (D.Lgs. 33/2013 art. 20): aggregates per family, small groups withheld."""

import csv
import html
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.evaluation.test_pay import employees
from tests.factories import (
    AssignmentFactory,
    AuthorityFactory,
    FamilyFactory,
    PlanFactory,
    SchemeFactory,
)
from traguardo.evaluation.models import Evaluation, Fund, IndividualGoal
from traguardo.planning.models import Plan

pytestmark = pytest.mark.django_db
D = Decimal
SLUG = "comune-premi"


@pytest.fixture
def entity():
    with scopes_disabled():
        authority = AuthorityFactory(name="Comune dei Premi", slug=SLUG)
        PlanFactory(authority=authority, year=2025, state=Plan.State.CLOSED)
        return authority


def page(year=2025) -> str:
    body = Client().get(reverse("public_pay", args=[SLUG, year])).content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def csv_rows(year=2025) -> list[dict]:
    body = Client().get(reverse("public_pay_opendata", args=[SLUG, year, "csv"])).content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def small_family(authority, scheme, name, people, *, final=True):
    family = FamilyFactory(
        scheme=scheme, name=name, components={"individual_objectives": 100}, behaviours=()
    )
    Fund.objects.create(authority=authority, family=family, amount=D("5000.00"))
    for score in range(90, 90 - people, -1):
        assignment = AssignmentFactory(family=family)
        IndividualGoal.objects.create(
            authority=authority, assignment=assignment, title="Obiettivo", indicator="i",
            target=D(100), actual=D(score),
        )  # fmt: skip
        Evaluation.objects.create(
            authority=authority, assignment=assignment, state="final" if final else "draft"
        )
    return family


def test_the_12_employees_are_published_as_totals_bands_and_differentiation(entity):
    with scopes_disabled():
        scheme = employees("floor", authority=entity)
        Fund.objects.filter(family__scheme=scheme).update(paid_on=date(2026, 3, 31))

    text = page()
    assert "Categoria C Persone valutate 12 Fondo stanziato 24.000,00 €" in text
    assert "Premi distribuiti 23.999,96 €" in text
    assert "Premi liquidati 23.999,96 € — liquidati il 31 marzo 2026" in text
    assert "Premio medio 2.181,81 €" in text  # 23 999,96 / the 11 paid
    assert "Persone fuori dalla fascia più alta 75,00%" in text  # 9 of 12 below 90
    assert (
        "da 0,00 punti (0,00% del premio) 1 da 50,00 punti (60,00% del premio) 2 "
        "da 70,00 punti (80,00% del premio) 6 da 90,00 punti (100,00% del premio) 3"
    ) in text
    (row,) = csv_rows()
    assert row["famiglia"] == "Categoria C" and row["persone"] == "12"
    assert (row["fondo_stanziato"], row["premi_distribuiti"], row["premi_liquidati"]) == (
        "24000.00".replace(".", ","),
        "23999,96",
        "23999,96",
    )
    assert (row["liquidati_il"], row["premio_medio"], row["quota_fuori_fascia_alta"]) == (
        "2026-03-31",
        "2181,81",
        "75,00",
    )
    assert row["dati_riservati"] == "no" and row["ripartizione_completa"] == "sì"


def test_families_under_3_people_are_pooled_and_withheld_while_the_pool_is_under_3(entity):
    with scopes_disabled():
        scheme = SchemeFactory(authority=entity, year=2025)
        small_family(entity, scheme, "Segretario", 1)
    assert "Altre famiglie (meno di 3 persone ciascuna) Dati riservati" in page()
    (row,) = csv_rows()
    assert row["dati_riservati"] == "sì"
    assert {k: v for k, v in row.items() if v} == {
        "anno": "2025",
        "famiglia": "Altre famiglie (meno di 3 persone ciascuna)",
        "dati_riservati": "sì",
        "ripartizione_completa": "sì",
    }

    with scopes_disabled():
        small_family(entity, scheme, "Dirigenti", 2)
    (row,) = csv_rows()
    assert (row["persone"], row["dati_riservati"], row["fondo_stanziato"]) == (
        "3",
        "no",
        "10000,00",
    )
    assert row["premi_distribuiti"] == "10000,00" and "Segretario" not in page()


def test_amounts_are_not_given_when_fewer_than_3_people_are_paid(entity):
    """Three people, two below 50 (band 0 %): the one paid would be the total."""
    with scopes_disabled():
        scheme = SchemeFactory(authority=entity, year=2025)
        family = small_family(entity, scheme, "Dirigenti", 1)
        for score in (40, 30):
            assignment = AssignmentFactory(family=family)
            IndividualGoal.objects.create(
                authority=entity, assignment=assignment, title="Obiettivo", indicator="i",
                target=D(100), actual=D(score),
            )  # fmt: skip
            Evaluation.objects.create(authority=entity, assignment=assignment, state="final")

    text = page()
    assert "Premi distribuiti non indicati: meno di 3 persone ricevono un premio" in text
    assert "5.000,00 €" in text  # the fund allocated is public
    (row,) = csv_rows()
    assert (row["premi_distribuiti"], row["premio_medio"], row["persone_premiate"]) == ("", "", "1")


def test_while_an_evaluation_is_open_no_premium_is_published(entity):
    with scopes_disabled():
        employees("floor", final=False, authority=entity)

    text = page()
    assert "valutazioni in corso" in text and "23.999" not in text
    (row,) = csv_rows()
    assert row["ripartizione_completa"] == "no" and row["premi_distribuiti"] == ""
    assert row["distribuzione_fasce"] == "" and row["quota_fuori_fascia_alta"] == ""


def test_the_json_and_the_data_package_describe_the_same_columns(entity):
    with scopes_disabled():
        employees("floor", authority=entity)
    client = Client()

    document = json.loads(
        client.get(reverse("public_pay_opendata", args=[SLUG, 2025, "json"])).content
    )
    package = json.loads(client.get(reverse("public_opendata_schema", args=[SLUG])).content)

    (row,) = document["premi"]
    assert row["premi_distribuiti"] == 23999.96 and row["persone"] == 12
    resource = next(r for r in package["resources"] if r["name"] == "premi-2025-csv")
    assert [f["name"] for f in resource["schema"]["fields"]] == list(csv_rows()[0])
    assert resource["path"].endswith("/trasparenza/comune-premi/2025/premi.csv")


def test_a_year_without_a_public_plan_has_no_premiums_page(entity):
    assert Client().get(reverse("public_pay", args=[SLUG, 2024])).status_code == 404
    assert "Per quest'anno non sono ancora pubblicati dati sui premi." in page()


def _public_year(people: int, slug: str) -> None:
    """An authority with a closed plan 2025 and one family of ``people`` final evaluations."""
    with scopes_disabled():
        authority = AuthorityFactory(name=f"Comune {slug}", slug=slug)
        PlanFactory(authority=authority, year=2025, state=Plan.State.CLOSED)
        scheme = SchemeFactory(authority=authority, year=2025)
        family = small_family(authority, scheme, "Dipendenti", 0)
        for n in range(people):
            assignment = AssignmentFactory(family=family)
            IndividualGoal.objects.create(
                authority=authority, assignment=assignment, title="Obiettivo", indicator="i",
                target=D(100), actual=D(60 + n),
            )  # fmt: skip
            Evaluation.objects.create(authority=authority, assignment=assignment, state="final")


def test_the_public_premiums_cost_the_same_queries_with_1_and_30_people():
    counted = {}
    for people, slug in ((1, "comune-uno"), (30, "comune-trenta")):
        _public_year(people, slug)
        for name, kwargs in (("public_pay", {}), ("public_pay_opendata", {"fmt": "csv"})):
            address = reverse(name, kwargs={"authority": slug, "year": 2025, **kwargs})
            with CaptureQueriesContext(connection) as captured:
                assert Client().get(address).status_code == 200
            counted[(name, people)] = len(captured)
    assert counted[("public_pay", 1)] == counted[("public_pay", 30)]
    assert counted[("public_pay_opendata", 1)] == counted[("public_pay_opendata", 30)]


def test_the_open_data_page_describes_the_premiums_files_and_fields(entity):
    body = Client().get(reverse("public_opendata_info", args=[SLUG])).content.decode()
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())

    assert "Premi 2025: CSV premi 2025 · JSON premi 2025" in text
    assert reverse("public_pay_opendata", args=[SLUG, 2025, "csv"]) in body
    assert "quota_fuori_fascia_alta Quota fuori dalla fascia più alta (%) numero" in text
