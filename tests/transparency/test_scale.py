"""The public pages of a big plan and of a shared installation stay cheap.

Every public page costs the same queries whatever the number of schede of its plan and the
number of other authorities (with their own plans) in the installation, and at most
``MAX_QUERIES`` once the plan's results are kept; the plan and results pages show 50 schede a
page; the server's cache of public answers is keyed by the authority's own data version; the
public Relazione is not laid out again for an unchanged plan.
"""

import re
from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

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
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.organization.models import PerformanceArea, Person
from traguardo.planning import kept
from traguardo.planning.models import Objective, Plan

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
YEAR = 2030


class Ente:
    """An authority with a validated plan: units, an ambito, a closed final period, and
    schede each with a measured indicator, an activity and an involved unit."""

    def __init__(self, slug: str, schede: int) -> None:
        with scopes_disabled():
            self.authority = AuthorityFactory(slug=slug)
            self.units = [OrgUnitFactory(authority=self.authority) for _ in range(3)]
            self.area = PerformanceArea.objects.create(
                authority=self.authority, number=1, name="Qualità dei servizi"
            )
            Person.objects.create(authority=self.authority, first_name="Mario", last_name="Rossi")
            self.plan = PlanFactory(
                authority=self.authority, year=YEAR, last_year=YEAR + 2, state="validated"
            )
            self.period = MonitoringPeriodFactory(
                plan=self.plan,
                reference_date=date(YEAR, 12, 31),
                state=MonitoringPeriod.State.CLOSED,
            )
        self.count = 0
        self.add(schede)

    def add(self, count: int) -> None:
        with scopes_disabled():
            for _ in range(count):
                n = self.count
                self.count += 1
                objective = ObjectiveFactory(
                    plan=self.plan,
                    unit=self.units[n % 3],
                    position=n + 1,
                    title=f"Obiettivo {n + 1} seguito da Mario Rossi",
                    year=YEAR,
                )
                objective.involved_units.set([self.units[(n + 1) % 3]])
                objective.areas.set([self.area])
                indicator = IndicatorFactory(objective=objective)
                TargetFactory(indicator=indicator, year=YEAR, due_date=date(YEAR, 6, 30))
                MeasurementFactory(
                    period=self.period, indicator=indicator, completed_on=date(YEAR, 6, 30)
                )
                ActivityFactory(objective=objective, end_date=date(YEAR, 6, 30))

    def first(self) -> Objective:
        with scopes_disabled():
            return Objective.objects.get(plan=self.plan, position=1)

    def url(self, name: str) -> str:
        slug = self.authority.slug
        kwargs = {
            "public_home": {},
            "public_opendata_info": {},
            "public_opendata_schema": {},
            "public_plan": {"year": YEAR},
            "public_results": {"year": YEAR},
            "public_objective": {"year": YEAR, "pk": self.first().pk},
            "public_opendata_csv": {"year": YEAR, "fmt": "csv"},
            "public_opendata_json": {"year": YEAR, "fmt": "json"},
            "public_relazione_pdf": {"year": YEAR},
        }[name]
        name = name.removesuffix("_csv").removesuffix("_json")
        return reverse(name, kwargs={"authority": slug, **kwargs})


def queries(url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = Client().get(url)
    assert response.status_code == 200, url
    return len(captured)


def forget_kept() -> None:
    """As a new process with an empty results cache."""
    kept.forget_local()
    caches[kept.CACHE_ALIAS].clear()
    caches["default"].clear()


@pytest.fixture
def no_layout(monkeypatch):
    """The Relazione's PDF without WeasyPrint (its own tests lay it out): calls counted."""
    from traguardo.reports import relazione

    calls = []

    def render(plan, progress=None, *, public=False):
        calls.append(plan.pk)
        return b"%PDF-1.7 relazione"

    monkeypatch.setattr(relazione, "render_relazione_pdf", render)
    return calls


PAGES = [
    "public_home",
    "public_plan",
    "public_results",
    "public_objective",
    "public_opendata_csv",
    "public_opendata_json",
    "public_opendata_info",
    "public_opendata_schema",
    "public_relazione_pdf",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_public_page_costs_the_same_queries_at_1_and_3_schede_and_1_and_3_enti(
    name, no_layout
):
    ente = Ente("ente-a", 1)
    url = ente.url(name)
    cold_one = queries(url)
    warm_one = queries(url)
    if name != "public_objective":  # its bound: test_a_public_scheda_costs_at_most_10_queries
        assert warm_one <= MAX_QUERIES, (name, warm_one)

    ente.add(2)  # the data version moves: computed again
    assert queries(url) == cold_one, name
    assert queries(url) == warm_one, name

    # Two more enti in the installation, each with a plan of its own, seen by the public.
    for slug in ("ente-b", "ente-c"):
        other = Ente(slug, 3)
        assert Client().get(other.url(name)).status_code == 200
    assert queries(url) == warm_one, name
    forget_kept()
    assert queries(url) == cold_one, name
    assert queries(url) == warm_one, name


def test_a_public_scheda_costs_at_most_10_queries():
    ente = Ente("ente-a", 3)
    url = ente.url("public_objective")
    queries(url)
    assert queries(url) <= MAX_QUERIES


def text(response) -> str:
    return response.content.decode()


@pytest.fixture(scope="module")
def ente_grande(module_db):
    """An ente whose plan has 120 schede, made once for the module (``module_db``): the plan's
    and the results' lists read it, each test in a savepoint of its own."""
    return Ente("ente-grande", 120)


@pytest.mark.parametrize("name", ["public_plan", "public_results"])
def test_the_lists_show_120_schede_50_a_page_with_the_summary_first(name, no_layout, ente_grande):
    url = ente_grande.url(name)
    client = Client()
    first = text(client.get(url))
    assert "Pagina 1 di 3" in first
    assert "Schede da 1 a 50 di 120" in first
    assert 'aria-label="Pagine' in first
    assert 'href="?pagina=2"' in first
    if name == "public_plan":
        summary = first.index("Risultati al")
    else:
        summary = first.index("Raggiungimento dell'ente")
    assert summary < first.index("Obiettivo 1 ")
    shown = []
    for number in (1, 2, 3):
        page = text(client.get(url, {"pagina": number}))
        shown += [int(n) for n in re.findall(r">Obiettivo (\d+) seguito da \[omissis\]<", page)]
        assert "Mario Rossi" not in page
    assert sorted(shown) == list(range(1, 121))
    assert len(shown) == 120
    last = text(client.get(url, {"pagina": 3}))
    assert "Pagina 3 di 3" in last and "Schede da 101 a 120 di 120" in last
    # A number past the end shows the last page; a wrong one the first.
    assert "Pagina 3 di 3" in text(client.get(url, {"pagina": 99}))
    assert "Pagina 1 di 3" in text(client.get(url, {"pagina": "x"}))


def test_a_small_plan_has_no_pager(no_layout):
    ente = Ente("ente-piccolo", 3)
    page = text(Client().get(ente.url("public_plan")))
    assert "Pagina 1 di" not in page and "Schede da" not in page


# --- the cache of public answers ---------------------------------------------------------


def test_the_public_cache_key_follows_the_authoritys_own_data(settings):
    from traguardo.audit.log import log_action
    from traguardo.web.views.transparency import _page_key

    settings.TRAGUARDO_PUBLIC_PAGE_CACHE_SECONDS = 600
    a, b = Ente("ente-a", 1), Ente("ente-b", 1)
    request = RequestFactory().get(a.url("public_plan"))
    key = _page_key(a.authority, request)
    assert _page_key(a.authority, request) == key

    # A scheda of ente B saved (and its audit entry): ente A's answers stay kept.
    with scopes_disabled():
        scheda = b.first()
        scheda.title = "Obiettivo rinominato"
        scheda.save(update_fields=["title"])
        log_action(actor=None, action="objective.update", obj=scheda, after={"title": "x"})
    b.add(1)
    assert _page_key(a.authority, request) == key

    # The same write in ente A: a new key at once.
    with scopes_disabled():
        scheda = a.first()
        scheda.title = "Obiettivo rinominato"
        scheda.save(update_fields=["title"])
    changed = _page_key(a.authority, request)
    assert changed != key

    # An audited write alone (a lifecycle step writes with QuerySet.update) moves it too.
    with scopes_disabled():
        Plan.objects.filter(pk=a.plan.pk).update(title="Piano rinominato")
        log_action(actor=None, action="plan.update", obj=a.plan, after={"title": "x"})
    assert _page_key(a.authority, request) != changed

    # Another page of the same list is another answer.
    second = RequestFactory().get(a.url("public_plan"), {"pagina": "2"})
    assert _page_key(a.authority, second) != _page_key(a.authority, request)


def test_a_write_in_another_ente_keeps_this_entes_cached_answer(settings, monkeypatch):
    from traguardo.web.views import transparency

    settings.TRAGUARDO_PUBLIC_PAGE_CACHE_SECONDS = 600
    a, b = Ente("ente-a", 2), Ente("ente-b", 2)
    computed = []
    real = transparency.kept_plan
    monkeypatch.setattr(transparency, "kept_plan", lambda plan: computed.append(1) or real(plan))
    url = a.url("public_plan")
    first = text(Client().get(url))
    b.add(1)
    assert text(Client().get(url)) == first
    assert len(computed) == 1  # served from the cache of public answers
    a.add(1)
    assert "Obiettivo 3 " in text(Client().get(url))
    assert len(computed) == 2


def test_the_public_relazione_is_not_made_again_for_unchanged_data(no_layout):
    ente = Ente("ente-a", 2)
    url = ente.url("public_relazione_pdf")
    for _ in range(3):
        response = Client().get(url)
        assert response.status_code == 200
        assert response.content == b"%PDF-1.7 relazione"
    assert no_layout == [ente.plan.pk]
    Ente("ente-b", 1)  # another ente's data: still kept
    Client().get(url)
    assert len(no_layout) == 1
    ente.add(1)  # this ente's data changed: made again
    Client().get(url)
    assert len(no_layout) == 2
