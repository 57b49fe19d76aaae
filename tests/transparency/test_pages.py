"""The public pages: what a citizen reads, what stays hidden, and who gets 404."""

import json
import re
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import (
    ActivityFactory,
    AuthorityFactory,
    GradingScaleFactory,
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PlanFactory,
    TargetFactory,
)
from tests.transparency.conftest import SLUG, pdf_text
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.organization.models import PerformanceArea
from traguardo.planning.models import Objective

pytestmark = pytest.mark.django_db


def text(response) -> str:
    body = re.sub(r"<svg.*?</svg>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def card(plan, position) -> Objective:
    with scopes_disabled():
        return Objective.objects.get(plan=plan, position=position)


def get(name, **kwargs):
    return Client().get(reverse(name, kwargs={"authority": SLUG, **kwargs}))


def test_the_home_lists_the_public_plans_with_state_act_and_documents(closed_plan):
    with scopes_disabled():
        PlanFactory(authority=closed_plan.authority, year=2020, title="Piano 2020 in bozza")
        PlanFactory(
            authority=closed_plan.authority, year=2021, title="Piano 2021", state="approved"
        )
    response = get("public_home")
    assert response.status_code == 200
    page = text(response)
    assert "Amministrazione trasparente › Performance" in page
    assert "art. 10, comma 8, e l'art. 20 del D.Lgs. 33/2013" in page
    assert "Piano 2019 2019–2021 Consuntivato Delibera di Giunta n. 17 del 5 febbraio 2019" in page
    assert "Piano 2021 2021–2023 Approvato" in page
    assert "Piano 2020 in bozza" not in page  # a draft is never public
    body = response.content.decode()
    assert reverse("public_relazione_pdf", args=[SLUG, 2019]) in body
    assert reverse("public_results", args=[SLUG, 2019]) in body
    # The approved plan's results are not out yet: no link to them, and the page says so.
    assert reverse("public_results", args=[SLUG, 2021]) not in body
    assert "Risultati: dopo il consuntivo" in page
    assert reverse("public_opendata", args=[SLUG, 2021, "csv"]) in body


def test_the_plan_groups_its_schede_by_unit_with_their_achievement(closed_plan):
    page = text(get("public_plan", year=2019))
    assert "Piano 2019 Triennio 2019–2021. Stato: Consuntivato." in page
    settore = page.index("Schede obiettivo di Settore II")
    assert "5 Elezioni Europee 2019 2019 3 76,00%" in page[settore:]
    assert "7 Attuazione delle misure anticorruzione 2019–2021 1 75,00%" in page[settore:]
    # Cards 1 and 6 name no unit: they are listed apart, not hidden.
    assert "Schede obiettivo di Unità non indicata" in page


def test_a_plan_in_monitoring_shows_its_schede_but_no_result(monitoring_plan):
    page = text(get("public_plan", year=2019))
    assert "Elezioni Europee 2019" in page
    assert "non sono ancora pubblicati" in page
    assert "76,00%" not in page and "Raggiungimento" not in page
    scheda = text(get("public_objective", year=2019, pk=card(monitoring_plan, 5).pk))
    assert "Revisione straordinaria delle liste elettorali" in scheda
    assert "90,00%" not in scheda and "76,00%" not in scheda
    assert "dopo il consuntivo" in scheda
    results = get("public_results", year=2019)
    assert results.status_code == 200
    assert "non sono ancora pubblicati" in text(results)
    assert b"<svg" not in results.content


def test_a_scheda_reads_like_the_card_without_the_responsible_person(closed_plan):
    five = card(closed_plan, 5)
    page = text(get("public_objective", year=2019, pk=five.pk))
    assert "Scheda obiettivo 5: Elezioni Europee 2019" in page
    assert "Unità organizzativa responsabile Settore II" in page
    assert "Unità organizzative coinvolte Servizio Elettorale" in page
    assert "Responsabile " not in page.replace("Unità organizzativa responsabile", "")
    # Indicators with their weight, target date, grading and result (100/90/0 → 76,00%).
    assert (
        "2 40,00% Revisione straordinaria delle liste elettorali Giorni di ritardo 0 "
        "30 aprile 2019 gg ritardo 5 = 90% - 10 = 80% - 15 = 60% 90,00%"
    ) in page
    assert "Raggiungimento dell'obiettivo: 76,00%" in page
    # The back office's checks and import notes are not published.
    assert "Segnalazioni" not in page and "Note di importazione" not in page


def test_the_results_by_unit_and_by_objective_with_their_charts(closed_plan):
    response = get("public_results", year=2019)
    page = text(response)
    assert "Risultati del Piano 2019" in page
    assert "Raggiungimento dell'ente" in page
    # The 2020 and 2021 schede are not due at 31/12/2019: out of the count, and said so.
    assert "(definitivo al 31 dicembre 2019)" in page
    assert "schede contate: 9 schede su 9 misurate · 2 non ancora dovute" in page
    assert "Settore II" in page and "7 schede su 7 misurate · 2 non ancora dovute" in page
    assert page.count("PROTEZIONE DEI DATI PERSONALI non ancora dovuta") == 2
    assert "Elezioni Europee 2019 76,00%" in page
    body = response.content.decode()
    assert body.count("<svg") == 2
    assert "Raggiungimento per unità organizzativa</title>" in body
    assert "Schede per fascia di raggiungimento</title>" in body


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("public_plan", {}),
        ("public_results", {}),
        ("public_relazione_pdf", {}),
        ("public_opendata", {"fmt": "csv"}),
        ("public_opendata", {"fmt": "json"}),
        ("public_objective", {"pk": None}),
    ],
)
def test_a_draft_plan_is_not_found(draft_plan, name, extra):
    if "pk" in extra:
        extra = {"pk": card(draft_plan, 5).pk}
    assert get(name, year=2019, **extra).status_code == 404


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_a_plan_not_yet_approved_is_neither_listed_nor_in_the_data_package(closed_plan, state):
    with scopes_disabled():
        PlanFactory(authority=closed_plan.authority, year=2022, title="Piano 2022", state=state)
    assert get("public_plan", year=2022).status_code == 404
    assert "Piano 2022" not in text(get("public_home"))
    assert "2022" not in get("public_opendata_schema").content.decode()


def test_an_unknown_authority_or_year_is_not_found(closed_plan):
    client = Client()
    assert client.get("/trasparenza/comune-inesistente/").status_code == 404
    assert client.get("/trasparenza/comune-inesistente/dati/schema.json").status_code == 404
    assert get("public_plan", year=2030).status_code == 404
    assert get("public_opendata", year=2019, fmt="xml").status_code == 404


def test_the_relazione_is_not_out_before_the_plan_is_closed(monitoring_plan):
    assert get("public_relazione_pdf", year=2019).status_code == 404


def test_another_authoritys_scheda_is_not_found_under_this_slug(closed_plan):
    """Same year, same state, another Comune: its scheda id does not answer here."""
    with scopes_disabled():
        other = AuthorityFactory(name="Comune Altro", slug="comune-altro")
        plan = PlanFactory(authority=other, year=2019, state="closed")
        foreign = ObjectiveFactory(plan=plan)
        TargetFactory(indicator=IndicatorFactory(objective=foreign))
    assert get("public_objective", year=2019, pk=foreign.pk).status_code == 404
    own = Client().get(reverse("public_objective", args=["comune-altro", 2019, foreign.pk]))
    assert own.status_code == 200


def test_a_scheda_of_another_year_is_not_found_under_this_year(closed_plan):
    with scopes_disabled():
        later = PlanFactory(authority=closed_plan.authority, year=2020, state="closed")
        other_year = ObjectiveFactory(plan=later)
    assert get("public_objective", year=2019, pk=other_year.pk).status_code == 404
    assert get("public_objective", year=2020, pk=other_year.pk).status_code == 200


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("public_home", {}),
        ("public_plan", {"year": 2019}),
        ("public_opendata", {"year": 2019, "fmt": "csv"}),
        ("public_opendata_info", {}),
    ],
)
def test_only_get_and_head_are_answered(closed_plan, name, kwargs):
    url = reverse(name, kwargs={"authority": SLUG, **kwargs})
    client = Client()
    response = client.post(url, {})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert client.head(url).status_code == 200


def test_the_open_data_page_explains_licence_citation_and_fields(closed_plan):
    page = text(get("public_opendata_info"))
    assert "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)" in page
    assert "Fonte: Comune di Esempio, Amministrazione trasparente › Performance" in page
    assert "raggiungimento Raggiungimento (%) numero" in page
    assert "punto e virgola" in page
    body = get("public_opendata_info").content.decode()
    assert 'href="https://creativecommons.org/licenses/by/4.0/deed.it"' in body
    assert reverse("public_opendata_schema", args=[SLUG]) in body


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("public_plan", {}),
        ("public_results", {}),
        ("public_opendata", {"fmt": "csv"}),
        ("public_opendata", {"fmt": "json"}),
    ],
)
def test_the_lists_cost_the_same_queries_with_1_and_40_schede(
    db, django_assert_max_num_queries, name, extra
):
    """Schede in three units, each with an indicator measured in the closed final period,
    an involved unit and an ambito: nothing is read once per scheda."""
    with scopes_disabled():
        authority = AuthorityFactory(slug="comune-query")
        units = [OrgUnitFactory(authority=authority) for _ in range(3)]
        area = PerformanceArea.objects.create(authority=authority, number=1, name="Qualità")
        plan = PlanFactory(authority=authority, year=2030, last_year=2032, state="closed")
        period = MonitoringPeriodFactory(
            plan=plan, reference_date=date(2030, 12, 31), state=MonitoringPeriod.State.CLOSED
        )

        def add(count):
            for n in range(count):
                objective = ObjectiveFactory(plan=plan, unit=units[n % 3])
                objective.involved_units.set([units[(n + 1) % 3]])
                objective.areas.set([area])
                indicator = IndicatorFactory(objective=objective)
                TargetFactory(indicator=indicator, year=2030, due_date=date(2030, 6, 30))
                MeasurementFactory(
                    period=period, indicator=indicator, completed_on=date(2030, 6, 30)
                )

        add(1)
    url = reverse(name, kwargs={"authority": "comune-query", "year": 2030, **extra})
    with CaptureQueriesContext(connection) as one:
        assert Client().get(url).status_code == 200
    with scopes_disabled():
        add(39)
    with django_assert_max_num_queries(len(one)):
        response = Client().get(url)
    assert response.content.decode("utf-8-sig").count("Obiettivo ") >= 40


def test_the_relazione_of_a_closed_plan_is_a_cacheable_pdf(closed_plan):
    response = get("public_relazione_pdf", year=2019)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="relazione-performance-2019.pdf"'
    assert response["Cache-Control"] == "public, max-age=300"
    assert response.content.startswith(b"%PDF")
    document = " ".join(pdf_text(response.content).split())
    assert "Elezioni Europee 2019" in document and "76,00%" in document
    # The same plan renders the same bytes: a conditional GET is answered 304.
    again = Client().get(
        reverse("public_relazione_pdf", args=[SLUG, 2019]),
        headers={"If-None-Match": response["ETag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize("name", ["public_home", "public_opendata_info", "public_opendata_schema"])
def test_the_plan_lists_cost_the_same_queries_with_1_and_6_plans(
    db, django_assert_max_num_queries, name
):
    with scopes_disabled():
        authority = AuthorityFactory(slug="comune-query")
        PlanFactory(authority=authority, year=2030, state="validated")
    url = reverse(name, kwargs={"authority": "comune-query"})
    with CaptureQueriesContext(connection) as one:
        assert Client().get(url).status_code == 200
    with scopes_disabled():
        for year in range(2031, 2036):
            PlanFactory(authority=authority, year=year, state="approved")
    with django_assert_max_num_queries(len(one)):
        response = Client().get(url)
    assert "2035" in response.content.decode()


def test_the_open_data_page_names_the_field_types_in_italian(closed_plan):
    """The "I campi" table speaks Italian; schema.json keeps the Table Schema types."""
    body = get("public_opendata_info").content.decode()
    types = dict(
        re.findall(r'<th scope="row"><code>(\w+)</code>.*?</th>\s*<td>([^<]*)</td>', body, re.S)
    )
    assert types["anno_piano"] == "numero intero (sempre presente)"
    assert types["piano"] == "testo (sempre presente)"
    assert types["punteggio"] == "numero"
    assert types["pluriennale"] == "sì/no (sempre presente)"
    assert types["risultato_forzato"] == "sì/no"
    assert types["risultati_al"] == "data"
    assert len(types) == 27 + 13  # the schede's fields, then the premiums' (reports.premiums)
    shown = {value.removesuffix(" (sempre presente)") for value in types.values()}
    assert shown == {"numero intero", "testo", "numero", "sì/no", "data"}
    schema = json.loads(get("public_opendata_schema").content)["schema"]["fields"]
    assert {f["name"]: f["type"] for f in schema}["anno_piano"] == "integer"
    assert {f["type"] for f in schema} == {"integer", "string", "number", "boolean", "date"}


def test_every_schema_type_has_an_italian_name():
    from traguardo.reports.opendata import TYPE_LABELS, Field

    assert Field("d", "date", "", "").type_label == "data"
    assert set(TYPE_LABELS) == {"integer", "string", "number", "boolean", "date"}


def test_a_public_scheda_costs_the_same_queries_with_1_and_20_indicators_and_activities(
    db, django_assert_max_num_queries
):
    """A closed plan (results shown): indicators with both targets and a measurement, and
    activities with a measurement; nothing is read once per row."""
    with scopes_disabled():
        authority = AuthorityFactory(slug="comune-query")
        unit = OrgUnitFactory(authority=authority)
        plan = PlanFactory(authority=authority, year=2030, last_year=2032, state="closed")
        period = MonitoringPeriodFactory(
            plan=plan, reference_date=date(2030, 12, 31), state=MonitoringPeriod.State.CLOSED
        )
        objective = ObjectiveFactory(plan=plan, unit=unit, year=2030)
        objective.involved_units.set([OrgUnitFactory(authority=authority)])
        scale = GradingScaleFactory(authority=authority)

        def add(first, count):
            for n in range(first, first + count):
                indicator = IndicatorFactory(
                    objective=objective, position=n, name=f"Indicatore {n}", grading_scale=scale
                )
                TargetFactory(
                    indicator=indicator, year=2030, kind="intermediate", due_date=date(2030, 3, 31)
                )
                TargetFactory(indicator=indicator, year=2030, due_date=date(2030, 6, 30))
                MeasurementFactory(
                    period=period, indicator=indicator, completed_on=date(2030, 6, 30)
                )
                activity = ActivityFactory(
                    objective=objective,
                    position=n,
                    title=f"Attività {n}",
                    grading_scale=scale,
                    end_date=date(2030, 6, 30),
                )
                MeasurementFactory(period=period, activity=activity, completed_on=date(2030, 6, 30))

        add(1, 1)
    address = reverse(
        "public_objective", kwargs={"authority": "comune-query", "year": 2030, "pk": objective.pk}
    )
    with CaptureQueriesContext(connection) as one:
        assert Client().get(address).status_code == 200
    with scopes_disabled():
        add(2, 19)
    with django_assert_max_num_queries(len(one)):
        response = Client().get(address)
    page = text(response)
    assert "Indicatore 20" in page and "Attività 20" in page


def test_the_public_not_found_page_does_not_talk_about_accounts(client, db):
    page = client.get("/trasparenza/comune-inesistente/")
    assert page.status_code == 404
    text = page.content.decode()
    assert "non esiste o non è pubblicata" in text
    assert "account" not in text.lower() and "utenza" not in text
