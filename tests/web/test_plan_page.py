"""The plan page of a big plan: summaries first, schede paged on the server from the
kept plan, the same few queries for 1 scheda or many, and the same edit links as the rules."""

import re
from datetime import date, timedelta
from html import unescape
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.conftest import LoggedIn, _member, make_unit_a, make_unit_b, shared_people
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
from tests.jobfiles import job_file
from traguardo.accounts.models import Role
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import Objective

pytestmark = pytest.mark.django_db

YEAR = 2024
MAX_QUERIES = 10


# -- the module's world: the personas once, and the big plan once ----------------------------
# Every test only adds rows in its own savepoint (rolled back after it), so the personas, their
# sessions and the 120 schede of the big plan are made once for the module (``module_db``).


authority, other_authority, unit_a, unit_b, personas, logged_in = shared_people()


def text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def listed(response) -> list[int]:
    """The pks of the schede listed in the results, in page order."""
    html = response.content.decode()
    results = html[html.index('<div id="risultati">') :]
    return [int(pk) for pk in re.findall(r'/schede/(\d+)/"', results)]


def edit_links(response) -> set[int]:
    return {int(pk) for pk in re.findall(r"/schede/(\d+)/modifica/#", response.content.decode())}


def add_schede(authority, plan, unit, count, *, period=None, measured=True, code_from=1):
    """``count`` schede of ``unit``: two indicators (60/40) with their final targets and
    two activities; with a period, the first indicator is measured (completed on its date)."""
    objectives = []
    with scopes_disabled():
        for n in range(count):
            objective = ObjectiveFactory(
                plan=plan, unit=unit, responsible=unit.head, code=str(code_from + n)
            )
            for weight, due in ((60, date(YEAR, 3, 31)), (40, date(YEAR, 12, 31))):
                indicator = IndicatorFactory(objective=objective, weight=weight)
                TargetFactory(indicator=indicator, year=YEAR, due_date=due)
                ActivityFactory(objective=objective, weight=50, end_date=due)
                if period is not None and measured and weight == 60:
                    # On time (100%) for some schede, late (0%) for the others.
                    MeasurementFactory(
                        period=period,
                        indicator=indicator,
                        completed_on=date(YEAR, 3, 20) + timedelta(days=n % 20),
                    )
            objectives.append(objective)
    return objectives


def new_plan(authority, state="draft", with_period=False):
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=YEAR, last_year=YEAR + 2, state=state)
        period = None
        if with_period:
            period = MonitoringPeriodFactory(
                plan=plan,
                name="Verifica al 30/06",
                kind=MonitoringPeriod.Kind.INTERMEDIATE,
                reference_date=date(YEAR, 6, 30),
            )
    return plan, period


def url(authority) -> str:
    return reverse("plan_detail", args=[authority.slug, YEAR])


def count_queries(client, address, params=None, **headers) -> int:
    """The queries of a request once the plan is kept (the first request after a change
    computes it: that cost is the kept plan's, see tests/planning/test_kept.py)."""
    client.get(address, params or {}, headers=headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address, params or {}, headers=headers)
        assert response.status_code == 200
    if len(captured) > MAX_QUERIES:
        print("\n".join(q["sql"][:200] for q in captured.captured_queries))
    return len(captured)


# -- (1) the cost: the same queries at 1 and 3 schede, at most 10 ------------------------------


@pytest.mark.parametrize("persona", ["admin", "manager_a", "viewer"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "Obiettivo", "status": "avvisi"},
        {"unit": "UNIT", "responsible": "HEAD", "ordine": "codice"},
        {"ordine": "risultato-decrescente", "pagina": "2"},
        {"HTMX": True, "pagina": "1", "q": "1"},
    ],
)
@pytest.mark.parametrize("state", ["draft", "monitoring"])
def test_the_plan_page_costs_the_same_few_queries_with_1_and_3_schede(
    personas, authority, unit_a, persona, params, state
):
    # A session of the test's own: the module's sessions renew their idle clock once a
    # minute, a write that would land in a counted request.
    client = Client()
    client.force_login(personas[persona])
    with scopes_disabled():
        office = OrgUnitFactory(authority=authority, name="Ufficio A1", parent=unit_a)
    params = dict(params)
    headers = {"HX-Request": "true"} if params.pop("HTMX", False) else {}
    params = {k: {"UNIT": unit_a.pk, "HEAD": unit_a.head_id}.get(v, v) for k, v in params.items()}
    plan, period = new_plan(authority, state=state, with_period=state == "monitoring")
    add_schede(authority, plan, office, 1, period=period)
    one = count_queries(client, url(authority), params, **headers)
    add_schede(authority, plan, office, 2, period=period, code_from=2)
    three = count_queries(client, url(authority), params, **headers)
    assert one == three
    assert three <= MAX_QUERIES


def test_a_warm_page_reads_no_scheda(logged_in, authority, unit_a):
    """Once the plan is kept, the page does not read schede, indicators or measurements."""
    client = logged_in.client("admin")
    plan, period = new_plan(authority, state="monitoring", with_period=True)
    add_schede(authority, plan, unit_a, 3, period=period)
    client.get(url(authority))
    with CaptureQueriesContext(connection) as captured:
        client.get(url(authority))
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    for table in ("planning_indicator", "planning_target", "monitoring_measurement"):
        assert table not in tables


# -- (2) paging, filters and sort on the server ----------------------------------------------


@pytest.fixture(scope="module")
def big(module_db):
    """120 schede: 70 of unit A, 50 of unit B (measured), in an open period; made once for
    the module (the tests only read them, or change them in their own savepoint), in an
    authority of its own with units A and B and its admin logged in, so that the other tests
    open a plan of the same year in ``authority``."""
    with scopes_disabled():
        authority = AuthorityFactory(name="Comune Grande", slug="comune-grande")
        unit_a, unit_b = make_unit_a(authority), make_unit_b(authority)
        admin = _member(authority, "admin_grande", Role.ADMIN)
    plan, period = new_plan(authority, state="monitoring", with_period=True)
    a = add_schede(authority, plan, unit_a, 70, period=period, measured=False)
    b = add_schede(authority, plan, unit_b, 50, period=period, code_from=71)
    return SimpleNamespace(
        authority=authority,
        unit_b=unit_b,
        plan=plan,
        a=a,
        b=b,
        logged_in=LoggedIn({"admin": admin}),
    )


@pytest.fixture
def client(big):
    """The big plan's admin, logged in (a new client for each test)."""
    return big.logged_in.client("admin")


def test_a_big_plan_is_listed_50_schede_a_page(client, big):
    authority, a, b = big.authority, big.a, big.b
    first = client.get(url(authority))
    page = text(first)
    assert listed(first) == [o.pk for o in a[:50]]
    assert "120 schede su 120 · mostrate dalla 1 alla 50" in page
    assert "Pagina 1 di 3" in page
    html = first.content.decode()
    assert 'aria-label="Pagine delle schede"' in html
    assert re.search(r'href="\?pagina=2"[^>]*hx-get="\?pagina=2"[^>]*hx-target="#risultati"', html)
    # Each page's rows, then the last one with the rest.
    second = client.get(url(authority), {"pagina": 2})
    assert listed(second) == [o.pk for o in a[50:]] + [o.pk for o in b[:30]]
    assert "mostrate dalla 51 alla 100" in text(second)
    third = client.get(url(authority), {"pagina": 3})
    assert listed(third) == [o.pk for o in b[30:]]
    assert "Pagina 3 di 3" in text(third)
    # Grouped by unit with a heading per unit on the page.
    assert re.search(r"<h2[^>]*>Settore A", html) and not re.search(r"<h2[^>]*>Settore B", html)
    assert re.search(r"<h2[^>]*>Settore A", second.content.decode())
    assert re.search(r"<h2[^>]*>Settore B", second.content.decode())


def test_the_export_of_the_full_list_is_linked(client, big):
    authority = big.authority
    html = client.get(url(authority)).content.decode()
    assert "Scarica l&#x27;elenco completo delle schede" in html or "Scarica l'elenco" in html
    xlsx = reverse("plan_export", kwargs={"authority": authority.slug, "year": YEAR, "fmt": "xlsx"})
    csv = reverse(
        "plan_export_csv", kwargs={"authority": authority.slug, "year": YEAR, "table": "schede"}
    )
    assert f'href="{xlsx}"' in html and f'href="{csv}"' in html
    assert job_file(client, csv).status_code == 200  # prepared as a job: it grows with the plan


def test_filters_narrow_the_list_on_the_server_before_paging(client, big):
    authority, unit_b, b = big.authority, big.unit_b, big.b
    response = client.get(url(authority), {"unit": unit_b.pk})
    assert listed(response) == [o.pk for o in b]
    assert "50 schede su 120" in text(response)
    assert "Pagina 1 di" not in text(response)  # one page: no pager
    response = client.get(url(authority), {"q": "Obiettivo", "unit": unit_b.pk, "pagina": 9})
    assert listed(response) == [o.pk for o in b]  # a page past the end: the last one
    with scopes_disabled():
        # Saved as a business action would (the data version moves): the kept texts renew.
        scheda = Objective.objects.get(pk=b[3].pk)
        scheda.expected_result = "Riduzione dei tempi"
        scheda.save()
    response = client.get(url(authority), {"q": "TEMPI riduzione"})
    assert listed(response) == [b[3].pk]
    assert "1 scheda su 120" in text(response)


def test_the_list_is_sorted_on_the_server(client, big):
    authority, a, b = big.authority, big.a, big.b
    by_code = client.get(url(authority), {"ordine": "codice"})
    assert listed(by_code)[:12] == [o.pk for o in (a + b)[:12]]  # 1, 2 … 10 (not 1, 10, 11)
    assert "Schede — ordinate per codice" in text(by_code)
    assert "Unità responsabile" in text(by_code)
    # By result: unit B's schede are measured (some on time, some late); unit A's have no
    # result and come last both ways.
    down = listed(client.get(url(authority), {"ordine": "risultato-decrescente"}))
    up = listed(client.get(url(authority), {"ordine": "risultato-crescente"}))
    with scopes_disabled():
        from traguardo.planning.kept import kept_plan

        kept = kept_plan(big.plan)
    achievements = [kept.row(pk).result.achievement for pk in down]
    assert achievements == sorted(achievements, reverse=True)
    assert set(down) == {o.pk for o in b}  # the 50 measured fill the first page
    assert [kept.row(pk).result.achievement for pk in up] == sorted(achievements)
    last = listed(client.get(url(authority), {"ordine": "risultato-crescente", "pagina": 3}))
    assert set(last) <= {o.pk for o in a}


def test_htmx_swaps_the_results_with_their_pager_and_count(client, big):
    authority = big.authority
    response = client.get(url(authority), {"pagina": 2}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert html.lstrip().startswith('<div id="risultati">')
    assert re.search(r'<p id="conteggio" hx-swap-oob="innerHTML">\s*120 schede su 120', html)
    assert "Pagina 2 di 3" in html
    assert "Riepilogo delle schede" not in html


# -- who may edit: decided per unit, as the rules decide per scheda ----------------------------


@pytest.mark.parametrize(
    ("persona", "editable"), [("admin", "all"), ("manager_a", "A"), ("viewer", "none")]
)
def test_the_edit_links_follow_the_rules(
    logged_in, personas, authority, unit_a, unit_b, persona, editable
):
    """Schede without indicators' weights at 100 carry errors, each linked for who may edit."""
    client = logged_in.client(persona)
    plan, _period = new_plan(authority, state="draft")
    with scopes_disabled():
        office = OrgUnitFactory(authority=authority, name="Ufficio A1", parent=unit_a)
        schede = {
            "A": [ObjectiveFactory(plan=plan, unit=u, title="") for u in (unit_a, office)],
            "B": [ObjectiveFactory(plan=plan, unit=unit_b, title="")],
            "none": [ObjectiveFactory(plan=plan, unit=None, title="")],
        }
        expected = {
            "all": {o.pk for group in schede.values() for o in group},
            "A": {o.pk for o in schede["A"]},
            "none": set(),
        }[editable]
        # The same answer as the rules on each scheda.
        user = personas[persona]
        by_rules = {
            o.pk
            for group in schede.values()
            for o in group
            if user.has_perm("planning.change_objective", o)
        }
    assert expected == by_rules
    assert edit_links(client.get(url(authority))) == expected


def test_the_approval_blockers_link_the_schede_the_admin_may_edit(logged_in, authority, unit_a):
    client = logged_in.client("admin")
    plan, _period = new_plan(authority, state="submitted")
    with scopes_disabled():
        failing = ObjectiveFactory(plan=plan, unit=unit_a, code="7", title="")
    page = client.get(url(authority))
    assert "Una scheda non supera i controlli" in text(page)
    assert f"/schede/{failing.pk}/modifica/#campo-title" in page.content.decode()


# -- (3) the summaries say what they count and as of when ------------------------------------


def test_the_summaries_state_what_they_count_and_as_of_when(client, big):
    response = client.get(url(big.authority))
    page = text(response)
    assert re.search(
        r"Raggiungimento dell'ente: \d+,\d+% provvisorio — 50 schede su 120 misurate, "
        r"al 30 giugno 2024 \(Verifica al 30/06, periodo aperto\)",
        page,
    )
    assert "Schede per stato del risultato, al 30 giugno 2024" in page
    assert "Stato Schede Misurato 50 Non misurata 70" in page
    assert "Con errori 0 Con avvisi e nessun errore 120 Senza segnalazioni 0" in page
    assert re.search(r"\d+ scadenz[ae] superat[ae] e non rispettat[ae]\.", page)
    assert "Riepilogo per unità responsabile (2 unità)" in page
    assert re.search(
        r"Settore A 70 0 non misurato Settore B 50 0 \d+,\d+% \(50 schede su 50 misurate · "
        r"provvisorio al 30 giugno 2024\)",
        page,
    )


def test_a_small_plan_shows_everything_on_one_page(logged_in, authority, unit_a):
    client = logged_in.client("admin")
    plan, period = new_plan(authority, state="monitoring", with_period=True)
    schede = add_schede(authority, plan, unit_a, 40, period=period)
    response = client.get(url(authority))
    assert listed(response) == [o.pk for o in schede]
    assert "40 schede su 40" in text(response)
    assert "Pagina 1 di" not in text(response)
