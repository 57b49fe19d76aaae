"""The Relazione, Verifica, Nucleo and Documenti pages summarise and page.

Each reads the kept results (``planning.kept``) and lists the schede 50 a page: the same
number of queries at 1 and at 3 schede, at most 10; the summaries still say what they count
and as of when; the whole document is the PDF, linked from the page.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.web.test_documents import PAST_YEAR, SLUG, _plan_of, login, text
from traguardo.planning.kept import forget_local

pytestmark = pytest.mark.django_db
MAX_QUERIES = 10


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _forget():
    forget_local()
    yield
    forget_local()


def _urls(plan, period) -> dict[str, str]:
    return {
        "relazione": reverse("relazione", args=[SLUG, plan.year]),
        "verifica": reverse("verifica", args=[SLUG, plan.year, period.pk]),
        "nucleo": reverse("plan_review", args=[SLUG, plan.year]),
        "documenti": reverse("plan_documents", args=[SLUG, plan.year]),
    }


def _queries(client, url: str) -> int:
    client.get(url)  # the first request computes the kept plan; the next ones read it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page", ["relazione", "verifica", "nucleo", "documenti"])
def test_a_page_reads_the_same_few_queries_at_1_and_at_3_schede(
    client, authority, unit_a, unit_b, admin, page
):
    small, small_period = _plan_of(authority, [unit_a, unit_b], 1, PAST_YEAR)
    # Three schede (both units, one of them twice) show any query made per scheda or unit.
    large, large_period = _plan_of(authority, [unit_a, unit_b], 3, PAST_YEAR + 1)
    login(client, "admin")
    one = _queries(client, _urls(small, small_period)[page])
    three = _queries(client, _urls(large, large_period)[page])
    assert one == three, (one, three)
    assert three <= MAX_QUERIES, three


@pytest.fixture
def big(authority, unit_a, unit_b):
    return _plan_of(authority, [unit_a, unit_b], 120, PAST_YEAR)


def _rows(html: str, caption: str) -> list[str]:
    for table in re.findall(r"<table\b.*?</table>", html, re.S):
        if caption in table:
            return re.findall(r"<tr><td>.*?</tr>", table.split("<tbody>")[1], re.S)
    return []


def test_the_pages_list_120_schede_50_a_page(client, admin, big):
    plan, period = big
    urls = _urls(plan, period)
    login(client, "admin")

    html = client.get(urls["relazione"]).content.decode()
    page = text(html)
    assert len(_rows(html, "Risultati per scheda, pagina 1 di 3")) == 50
    assert "120 schede elencate su 120. Sono mostrate le schede da 1 a 50." in page
    assert "Pagina 1 di 3" in page and 'href="?pagina=2"' in html
    assert reverse("relazione_pdf_start", args=[SLUG, plan.year]) in html  # the whole document
    # The summaries count the whole plan, and say as of when.
    assert "Schede contate: 0 schede su 120 misurate · 120 parziali" in page
    assert "(provvisorio al 30 giugno 2018)" in page
    assert "120 scostamenti · 240 indicatori o attività dovuti e non misurati" in page
    assert "in 120 schede (al 30 giugno 2018)" in page
    # Only the shown page's justifications: those of the schede on it.
    assert sum(f"Ritardo {n} del fornitore." in page for n in range(120)) == 50
    last = client.get(urls["relazione"], {"pagina": 3}).content.decode()
    assert len(_rows(last, "Risultati per scheda, pagina 3 di 3")) == 20
    # A filter narrows the list on the server, before paging.
    with scopes_disabled():
        unit = plan.objectives.values_list("unit_id", flat=True).first()
    narrowed = text(client.get(urls["relazione"], {"unita": unit}).content.decode())
    assert "60 schede elencate su 120." in narrowed and "Pagina 1 di 2" in narrowed

    html = client.get(urls["verifica"]).content.decode()
    page = text(html)
    assert "120 schede a rischio su 120." in page
    assert html.count('class="result-card"') == 50
    assert "Schede a rischio da 1 a 50 di 120." in page and "Pagina 1 di 3" in page
    assert "Risultati al 30 giugno 2018 (provvisorio):" in page
    assert reverse("verifica_pdf_start", args=[SLUG, plan.year, period.pk]) in html
    narrowed = text(client.get(urls["verifica"], {"unita": unit}).content.decode())
    assert "Schede a rischio da 1 a 50 di 60." in narrowed

    html = client.get(urls["nucleo"]).content.decode()
    page = text(html)
    assert "120 schede nel piano." in page and "Pagina 1 di 3" in page
    assert html.count("#commenti") == 50
    assert "0 schede su 120 misurate · 120 parziali · provvisorio al 30 giugno 2018" in page
    assert reverse("plan_documents", args=[SLUG, plan.year]) in html
    second = client.get(urls["nucleo"], {"pagina": 3}).content.decode()
    assert second.count("#commenti") == 20


def test_a_small_plan_is_listed_whole_without_a_pager(client, admin, authority, unit_a, unit_b):
    plan, period = _plan_of(authority, [unit_a, unit_b], 3, PAST_YEAR)
    login(client, "admin")
    for url in _urls(plan, period).values():
        page = text(client.get(url).content.decode())
        assert "Pagina 1 di" not in page, url


def test_the_rendered_lists_follow_a_change_at_once(client, admin, big):
    """The lists of a page are rendered once per kept plan and page (a fragment cache): a
    change to a shown scheda is on the next request, as if nothing were kept."""
    from traguardo.monitoring.models import Measurement

    plan, period = big
    urls = _urls(plan, period)
    login(client, "admin")
    relazione = text(client.get(urls["relazione"]).content.decode())
    verifica = client.get(urls["verifica"]).content.decode()
    shown = int(re.search(r'id="rischio-(\d+)"', verifica)[1])
    assert "Ritardo corretto dal fornitore." not in relazione
    with scopes_disabled():
        measurement = Measurement.objects.filter(
            period=period, comment__startswith="Ritardo", indicator__objective_id=shown
        ).first()
        measurement.comment = "Ritardo corretto dal fornitore."
        measurement.save()
        objective = measurement.indicator.objective
        objective.title = "Scheda rinominata dopo la prima lettura"
        objective.save()

    relazione = text(client.get(urls["relazione"]).content.decode())
    assert "Ritardo corretto dal fornitore." in relazione
    assert "Scheda rinominata dopo la prima lettura" in relazione
    verifica = text(client.get(urls["verifica"]).content.decode())
    assert "Scheda rinominata dopo la prima lettura" in verifica
