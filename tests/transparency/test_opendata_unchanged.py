"""The open data files, now built from ``values()`` and the plan's kept results,
hold exactly what they held when they were built from ``plan_pages`` (every scheda scored
and laid out as a card). ``old_rows`` and ``old_summary`` are the code the files were made
with before, kept here as the reference."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests.factories import (
    ActivityFactory,
    AuthorityFactory,
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PlanFactory,
    TargetFactory,
)
from tests.transparency.conftest import SLUG
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.organization.models import PerformanceArea, Person
from traguardo.planning.models import DupGoal
from traguardo.reports import opendata
from traguardo.reports.opendata import LIST_SEPARATOR, _rounded, results_public
from traguardo.reports.redact import Redactor, redact_scheda
from traguardo.reports.scheda import plan_pages

pytestmark = pytest.mark.django_db


def old_rows(page, page_url) -> list[dict]:
    """``opendata.scheda_rows`` as it was, over ``plan_pages`` with every card redacted."""
    plan = page.plan
    public = results_public(plan)
    cover = page.coverage() if public and page.scores.period is not None else None

    def states(rows, kind):
        def position(row):
            return row.indicator.position if kind == "indicator" else row.activity.position

        return LIST_SEPARATOR.join(f"{position(row)}: {row.state.label}" for row in rows)

    rows = []
    for card in page.rows:
        o = card.objective
        result = card.result if public else None
        rows.append(
            {
                "anno_piano": plan.year,
                "piano": plan.title,
                "stato_piano": str(plan.get_state_display()),
                "scheda": o.pk,
                "posizione": o.position,
                "codice_obiettivo": o.code,
                "denominazione": o.title,
                "anno_scheda": o.year,
                "primo_anno": o.first_year,
                "ultimo_anno": o.last_year,
                "pluriennale": o.is_multi_year,
                "riferimento_dup": str(o.dup_goal) if o.dup_goal else o.dup_text,
                "unita_responsabile": o.unit.name if o.unit else "",
                "unita_coinvolte": LIST_SEPARATOR.join(u.name for u in o.involved_units.all()),
                "risultato_atteso": o.expected_result,
                "ambiti": LIST_SEPARATOR.join(
                    str(a.number) for a in sorted(o.areas.all(), key=lambda a: a.number)
                ),
                "numero_indicatori": len(card.indicators),
                "punteggio": _rounded(card.weight_score),
                "raggiungimento": _rounded(result.achievement) if result else None,
                "stato_risultato": card.state if result else None,
                "stato_indicatori": states(card.indicators, "indicator") if result else None,
                "stato_attivita": states(card.activities, "activity") if result else None,
                "risultato_forzato": card.forced if public else None,
                "risultati_al": cover.as_of.on.isoformat() if cover else None,
                "risultati_provvisori": (not cover.final) if cover else None,
                "copertura": cover.counted if cover else None,
                "pagina": page_url(card),
            }
        )
    return rows


def old_summary(page) -> dict:
    if not results_public(page.plan) or page.scores.period is None:
        return {}
    cover = page.coverage()
    return {
        "raggiungimento_ente": _rounded(page.scores.result.authority.achievement),
        "risultati_al": cover.as_of.on.isoformat(),
        "risultati_provvisori": not cover.final,
        "copertura": cover.counted,
    }


def old_files(plan) -> tuple[bytes, bytes]:
    """The CSV and JSON the old code path makes of ``plan`` (asked on the test client's host)."""
    authority = plan.authority
    base = "http://testserver"
    with scope(authority=authority):
        page = plan_pages(plan)
        redactor = Redactor.for_authority(authority)
        for card in page.rows:
            redact_scheda(card, redactor)

        def url(card):
            args = [authority.slug, plan.year, card.objective.pk]
            return base + reverse("public_objective", args=args)

        rows = old_rows(page, url)
        document = {
            "titolo": f"Schede del {plan.title} — {authority.name}",
            "editore": opendata.publisher(
                authority, base + reverse("public_opendata_info", args=[authority.slug])
            ),
            "licenza": opendata.LICENCE,
            "schema": base + reverse("public_opendata_schema", args=[authority.slug]),
            "anno_piano": plan.year,
            "stato_piano": str(plan.get_state_display()),
            "risultati_pubblicati": results_public(plan),
            **old_summary(page),
            "schede": rows,
        }
    return opendata.to_csv(rows), opendata.to_json(document)


def new_files(plan) -> tuple[bytes, bytes]:
    client = Client()
    got = []
    for fmt in ("csv", "json"):
        url = reverse("public_opendata", args=[plan.authority.slug, plan.year, fmt])
        response = client.get(url)
        assert response.status_code == 200
        got.append(response.content)
    return got[0], got[1]


@pytest.fixture
def three_schede():
    """A validated plan of three schede that touch every field: a multi-year scheda with a DUP
    goal, a scheda without a unit whose texts name a person (redacted), two involved units and
    two ambiti, an indicator measured late, one not yet due, an activity, a forced result."""
    with scopes_disabled():
        authority = AuthorityFactory(slug="ente-tre")
        Person.objects.create(authority=authority, first_name="Lucia", last_name="D'Amico")
        units = [OrgUnitFactory(authority=authority, position=n) for n in range(3)]
        areas = [
            PerformanceArea.objects.create(authority=authority, number=n, name=f"Ambito {n}")
            for n in (3, 1)
        ]
        dup = DupGoal.objects.create(
            authority=authority, level=DupGoal.Level.OPERATIONAL, code="2.1", title="Digitale"
        )
        plan = PlanFactory(authority=authority, year=2030, last_year=2032, state="validated")
        period = MonitoringPeriodFactory(
            plan=plan, reference_date=date(2030, 12, 31), state=MonitoringPeriod.State.CLOSED
        )
        first = ObjectiveFactory(
            plan=plan,
            unit=units[1],
            position=1,
            code="=1",
            title="Sportello digitale",
            year=2030,
            first_year=2030,
            last_year=2032,
            dup_goal=dup,
            expected_result="Servizi online; referente dott.ssa Lucia D'Amico",
        )
        first.involved_units.set([units[2], units[0]])
        first.areas.set(areas)
        second = ObjectiveFactory(
            plan=plan,
            unit=None,
            position=2,
            title="Archivio, con D’Amico",
            year=2030,
            dup_text="Missione 1 (L. D'Amico)",
        )
        third = ObjectiveFactory(plan=plan, unit=units[0], position=3, title="Bilancio", year=2030)
        for objective in (first, second, third):
            late = IndicatorFactory(objective=objective, position=1)
            TargetFactory(indicator=late, year=2030, due_date=date(2030, 3, 31))
            MeasurementFactory(period=period, indicator=late, completed_on=date(2030, 4, 9))
        pending = IndicatorFactory(objective=first, position=2)
        TargetFactory(indicator=pending, year=2031, due_date=date(2031, 3, 31))
        forced = IndicatorFactory(objective=third, position=2)
        TargetFactory(indicator=forced, year=2030, due_date=date(2030, 6, 30))
        MeasurementFactory(
            period=period,
            indicator=forced,
            forced_achievement=Decimal("0.5"),
            forced_reason="Dato non rilevabile per cause esterne",
        )
        activity = ActivityFactory(objective=second, position=1, end_date=date(2030, 9, 30))
        MeasurementFactory(period=period, activity=activity, completed_on=date(2030, 9, 30))
        ActivityFactory(objective=second, position=2, end_date=date(2030, 10, 31))
    return plan


def test_the_files_of_a_three_scheda_plan_are_unchanged(three_schede):
    old_csv, old_json = old_files(three_schede)
    new_csv, new_json = new_files(three_schede)
    assert new_csv.decode() == old_csv.decode()
    assert new_json.decode() == old_json.decode()
    text = new_csv.decode("utf-8-sig")
    assert "[omissis]" in text and "Amico" not in text
    assert "'=1" in text  # still escaped for spreadsheets
    assert text.count("\r\n") == 4  # the header and three schede


@pytest.mark.parametrize("state", ["closed", "monitoring"])
def test_the_files_of_the_demo_plan_are_unchanged(state, request):
    plan = request.getfixturevalue(f"{state}_plan")
    assert plan.authority.slug == SLUG
    old_csv, old_json = old_files(plan)
    new_csv, new_json = new_files(plan)
    assert new_csv.decode() == old_csv.decode()
    assert new_json.decode() == old_json.decode()


def test_the_three_scheda_plan_touches_every_kind_of_value(three_schede):
    import csv
    import io

    text = new_files(three_schede)[0].decode("utf-8-sig")
    rows = {r["posizione"]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert rows["1"]["pluriennale"] == "sì" and rows["1"]["riferimento_dup"] == "2.1 Digitale"
    assert rows["1"]["ambiti"] == "1; 3"
    assert len(rows["1"]["unita_coinvolte"].split("; ")) == 2
    assert rows["1"]["stato_indicatori"].startswith("1: raggiunto con 9 giorni di ritardo; 2: ")
    assert rows["2"]["unita_responsabile"] == "" and "[omissis]" in rows["2"]["riferimento_dup"]
    assert rows["2"]["stato_attivita"].startswith("1: ")
    assert rows["3"]["risultato_forzato"] == "sì"
    assert rows["3"]["raggiungimento"] != ""
