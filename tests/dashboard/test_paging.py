"""Big plans stay fast: the cruscotto and "Le mie scadenze" summarise, then page.

A plan of 120 schede: the first 50 on the page with the pager, the rest on pages 2 and 3,
the filters applied on the server with the count of what is shown, the export link; the
overdue deadlines paged apart (``?elenco=superate``); every page costs the same few queries
with 1 and 3 schede.
"""

import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.conftest import LoggedIn, _member, make_unit_a, make_unit_b
from tests.dashboard.test_pages import section, text
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    AuthorityFactory,
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from traguardo.accounts.models import Role
from traguardo.monitoring.models import Measurement
from traguardo.planning.models import Activity, Indicator, Objective, Target

pytestmark = pytest.mark.django_db
YEAR = 2020


def big_plan(authority, unit_a, unit_b, count=120):
    """``count`` schede, each with an indicator and an activity due on 30 June: even ones of
    unit A, odd ones of B; those at 1, 5, 9… (all of B) completed on time, so green; the
    others overdue. Written in bulk, to stay fast."""
    due = date(YEAR, 6, 30)
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=YEAR, state="monitoring")
        period = MonitoringPeriodFactory(
            plan=plan, name="Consuntivo 2020", reference_date=date(YEAR, 12, 31)
        )
        objectives = Objective.objects.bulk_create(
            ObjectiveFactory.build(
                plan=plan,
                unit=unit_a if i % 2 == 0 else unit_b,
                responsible=(unit_a if i % 2 == 0 else unit_b).head,
                position=i + 1,
                code=f"{i + 1}",
                title=f"Scheda numero {i + 1}",
            )
            for i in range(count)
        )
        indicators = Indicator.objects.bulk_create(
            IndicatorFactory.build(objective=o, position=1, weight=100, name=f"Rilascio {i + 1}")
            for i, o in enumerate(objectives)
        )
        Target.objects.bulk_create(
            TargetFactory.build(indicator=indicator, year=YEAR, due_date=due)
            for indicator in indicators
        )
        activities = Activity.objects.bulk_create(
            ActivityFactory.build(
                objective=o, position=1, weight=100, title=f"Consegna {i + 1}", end_date=due
            )
            for i, o in enumerate(objectives)
        )
        on_time = date(YEAR, 6, 1)
        Measurement.objects.bulk_create(
            Measurement(authority=authority, period=period, completed_on=on_time, **row)
            for i in range(count)
            if i % 4 == 1
            for row in ({"indicator": indicators[i]}, {"activity": activities[i]})
        )
    return plan


def rows(html: str) -> list[str]:
    return re.findall(r'<tr id="scheda-\d+">.*?</tr>', html, re.S)


def section_html(html: str, heading_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, heading_id
    return match.group(1)


@pytest.fixture(scope="module")
def big(module_db):
    """The plan of 120 schede, made once for the module (``module_db``: the tests only read
    it), in an authority of its own with units A and B and its admin logged in, so that the
    other tests make a plan of the same year in ``authority``."""
    with scopes_disabled():
        authority = AuthorityFactory(name="Comune Grande", slug="comune-grande")
        unit_a, unit_b = make_unit_a(authority), make_unit_b(authority)
        admin = _member(authority, "admin_grande", Role.ADMIN)
    plan = big_plan(authority, unit_a, unit_b)
    return SimpleNamespace(plan=plan, unit_b=unit_b, logged_in=LoggedIn({"admin": admin}))


@pytest.fixture
def plan_120(big):
    return big.plan


@pytest.fixture
def big_client(big):
    """The big plan's admin, logged in (a new client for each test)."""
    return big.logged_in.client("admin")


def dashboard(client, plan, **params):
    response = client.get(reverse("plan_dashboard", args=[plan.authority.slug, YEAR]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_first_page_shows_50_of_120_schede_with_the_pager_and_the_export(big_client, plan_120):
    html = dashboard(big_client, plan_120)
    shown = rows(html)
    assert len(shown) == 50
    listing = section(html, "semaforo")
    assert "50 schede su 120 (dalla 1ª alla 50ª)." in listing
    assert "Pagina 1 di 3" in listing and "Successiva" in listing
    assert 'aria-label="Pagine delle schede"' in html
    slug = plan_120.authority.slug
    assert reverse("plan_export", kwargs={"authority": slug, "year": YEAR, "fmt": "xlsx"}) in html
    assert (
        reverse("plan_export_csv", kwargs={"authority": slug, "year": YEAR, "table": "risultati"})
        in html
    )
    # The rows are in the plan's order (unit A first, then B), each linked without a {% url %}.
    assert "Scheda numero 1<" in shown[0]


def test_pages_2_and_3_show_the_rest(big_client, plan_120):
    client = big_client
    second = dashboard(client, plan_120, pagina=2)
    third = dashboard(client, plan_120, pagina=3)
    assert len(rows(second)) == 50 and len(rows(third)) == 20
    assert "20 schede su 120 (dalla 101ª alla 120ª)." in section(third, "semaforo")
    assert "Pagina 3 di 3" in section(third, "semaforo")
    everything = rows(dashboard(client, plan_120)) + rows(second) + rows(third)
    assert len({re.search(r"scheda-(\d+)", row).group(1) for row in everything}) == 120


def test_the_filters_narrow_the_list_on_the_server(big_client, big, plan_120):
    client = big_client
    html = dashboard(client, plan_120, unita=big.unit_b.pk)
    assert "50 schede su 60 (dalla 1ª alla 50ª)" in section(html, "semaforo")
    assert "filtri applicati sulle 120 schede del piano" in section(html, "semaforo")
    assert all("Settore B" in text(row) for row in rows(html))
    green = dashboard(client, plan_120, fascia="green")
    assert "30 schede su 30" in section(green, "semaforo")
    assert all(" verde 100,00%" in text(row) for row in rows(green))
    unmeasured = dashboard(client, plan_120, fascia="unmeasured", pagina=2)
    assert "40 schede su 90 (dalla 51ª alla 90ª)" in section(unmeasured, "semaforo")
    # The pager keeps the filters.
    assert "fascia=unmeasured" in section_html(unmeasured, "semaforo")
    # Sorted from the highest result: the measured ones first.
    best = rows(dashboard(client, plan_120, ordine="-risultato"))
    assert "verde" in text(best[0]) and "non misurato" in text(best[-1])
    # A value not offered is no filter.
    assert "50 schede su 120" in section(dashboard(client, plan_120, fascia="blu"), "semaforo")
    none = dashboard(client, plan_120, fascia="not_due")
    assert "Nessuna scheda risponde ai filtri scelti." in section(none, "semaforo")


def test_the_summaries_count_the_whole_plan(big_client, plan_120):
    html = dashboard(big_client, plan_120, pagina=3)
    summary = section(html, "sintesi")
    assert "120 schede nel piano" in summary
    assert "verde 30 · giallo 0 · rosso 0 · non misurata 90 · non ancora dovuta 0" in summary
    assert "180 scadenze superate e non completate" in summary
    assert "100,00% (provvisorio) 30 schede su 120 misurate · provvisorio al 31 dicembre 2020" in (
        section(html, "ente")
    )


def test_the_overdue_deadlines_are_paged_apart(big_client, plan_120):
    client = big_client
    html = dashboard(client, plan_120)
    overdue = section(html, "superate")
    assert "50 su 180 (dalla 1ª alla 50ª) scadenze superate." in overdue
    assert "Pagina successiva: scadenze superate" in overdue
    assert "elenco=superate&amp;pagina=2" in section_html(html, "superate")
    second = dashboard(client, plan_120, elenco="superate", pagina=4)
    overdue = section_html(second, "superate")
    assert overdue.count('<th scope="row">') == 30
    assert "Pagina 4 di 4" in text(overdue)
    # The schede list stays on its first page.
    assert "50 schede su 120 (dalla 1ª alla 50ª)" in section(second, "semaforo")


def test_my_deadlines_are_paged(client, manager_a, authority, unit_a, unit_b):
    big_plan(authority, unit_a, unit_b)
    assert client.login(username="manager_a", password=PASSWORD)
    url = reverse("my_deadlines", args=[authority.slug])
    html = client.get(url).content.decode()
    overdue = section(html, "superate")
    assert "50 su 120 (dalla 1ª alla 50ª) scadenze superate." in overdue
    # Unit A's schede are the odd ones.
    assert "Scheda numero 1 " in overdue and "Scheda numero 2 " not in overdue
    third = client.get(url, {"elenco": "superate", "pagina": 3}).content.decode()
    assert section_html(third, "superate").count('<th scope="row">') == 20
    assert "Pagina 3 di 3" in section(third, "superate")


def small_plan(authority, unit, count):
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=YEAR, state="monitoring")
        period = MonitoringPeriodFactory(
            plan=plan, name="Consuntivo 2020", reference_date=date(YEAR, 12, 31)
        )
        for i in range(count):
            objective = ObjectiveFactory(plan=plan, unit=unit, responsible=unit.head)
            for k in range(2):
                activity = ActivityFactory(
                    objective=objective, weight=50, end_date=date(YEAR, 3 + i, 1 + k)
                )
            MeasurementFactory(period=period, activity=activity, completed_on=date(YEAR, 3, 1))
    return plan


def warm_queries(client, url) -> int:
    """The queries of a request once the plan's results are kept (the first computes them)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("username", "view"),
    [
        ("admin", "plan_dashboard"),
        ("manager_a", "plan_dashboard"),
        ("manager_a", "my_deadlines"),
        ("admin", "objective_gantt"),
    ],
)
def test_at_most_10_queries_the_same_with_1_and_3_schede(
    client, admin, manager_a, authority, unit_a, username, view
):
    assert client.login(username=username, password=PASSWORD)
    counts = []
    for count in (1, 3):
        plan = small_plan(authority, unit_a, count)
        with scopes_disabled():
            first = plan.objectives.order_by("position").first()
        args = {
            "plan_dashboard": [authority.slug, YEAR],
            "my_deadlines": [authority.slug],
            "objective_gantt": [authority.slug, YEAR, first.pk],
        }[view]
        counts.append(warm_queries(client, reverse(view, args=args)))
        for extra in ({"pagina": 2}, {"elenco": "superate", "fascia": "red", "giorni": 90}):
            counts.append(
                warm_queries(
                    client,
                    reverse(view, args=args) + "?" + "&".join(f"{k}={v}" for k, v in extra.items()),
                )
            )
        with scopes_disabled():
            plan.delete()
    assert counts[0] <= 10, counts
    assert len(set(counts)) == 1, counts
