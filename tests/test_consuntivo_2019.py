"""The demo year's consuntivo end to end, through the pages: Piano 2019 closes its
Consuntivo at 31/12/2019 with only what was due in 2019 measured; every page, document and
file then reads as of 31/12/2019, and the 2020 and 2021 schede are «non ancora dovute»."""

import copy
import io
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from tests.demo import write_seed
from tests.jobfiles import job_file
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import Objective, Plan

pytestmark = pytest.mark.django_db

SLUG = "comune-esempio"
# Everything due by 31/12/2019, as the office records it (cards 10 and 11 are 2020 and 2021's).
MEASUREMENTS = [
    # card 1: all 200 of 200 records entered on 07/01/2020, 7 days late → 80 (DESIGN.md §4.6)
    (1, 1, {"numerator": "200", "denominator": "200", "completed_on": "2020-01-07"}),
    (2, 1, {"completed_on": "2019-12-20"}),
    (2, 2, {"completed_on": "2019-10-04"}),
    (3, 1, {"completed_on": "2019-12-31"}),  # its indicator 2 is due 31/12/2020: not asked
    (4, 1, {"completed_on": "2019-11-30"}),
    (4, 2, {"not_assessable": "on", "not_assessable_reason": "Manca il dato di riferimento."}),
    (5, 1, {"completed_on": "2019-04-30"}),
    (5, 2, {"completed_on": "2019-05-03"}),
    (5, 3, {"completed_on": "2019-06-30"}),
    (6, 1, {"value": "3"}),
    (7, 1, {"numerator": "18", "denominator": "24"}),  # PTPC measures → 75 (DESIGN.md §4.6)
    (8, 1, {"numerator": "20", "denominator": "20"}),
    (9, 1, {"not_assessable": "on", "not_assessable_reason": "Livello atteso non indicato."}),
]


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture(scope="module")
def consuntivo(module_db, _seed_rows):
    """Piano 2019 with its Consuntivo 2019 recorded through the measurement pages and closed,
    by the demo's admin: once for the module (``module_db``; the tests read it, and what they
    write is rolled back after each), in the seed the ``demo`` fixture writes."""
    plan = write_seed(_seed_rows)
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    response = client.post(
        reverse("periods", args=[SLUG, 2019]),
        {"name": "Consuntivo 2019", "kind": "final", "reference_date": "2019-12-31"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        period = MonitoringPeriod.objects.get(name="Consuntivo 2019")
    assert client.post(reverse("period_action", args=[SLUG, period.pk, "apri"])).status_code == 302
    for position, number, values in MEASUREMENTS:
        with scopes_disabled():
            objective = Objective.objects.get(plan=plan, position=position)
            key = f"ind-{objective.indicators.get(position=number).pk}"
        response = client.post(
            reverse("measurements", args=[SLUG, objective.pk]),
            {"subject": key, **{f"{key}-{name}": value for name, value in values.items()}},
        )
        assert response.status_code == 302, text(response)[-600:]
    response = client.post(reverse("period_action", args=[SLUG, period.pk, "chiudi"]), follow=True)
    period.refresh_from_db()
    assert period.state == MonitoringPeriod.State.CLOSED, text(response)[-800:]
    plan.admin_cookies = client.cookies
    return plan


@pytest.fixture
def client(consuntivo):
    """A client of the demo's admin, with the session of the module's recording."""
    client = Client()
    client.cookies = copy.deepcopy(consuntivo.admin_cookies)
    return client


def later_schede(plan) -> list[Objective]:
    with scopes_disabled():
        return list(Objective.objects.filter(plan=plan, year__gt=2019).order_by("position"))


def test_the_consuntivo_closes_with_only_the_items_due_in_2019(consuntivo):
    with scopes_disabled():
        assert [o.year for o in later_schede(consuntivo)] == [2020, 2021]


def test_its_cruscotto_counts_delays_as_of_31_december_2019(client, consuntivo):
    page = text(client.get(reverse("plan_dashboard", args=[SLUG, 2019])))
    assert "31 dicembre 2019" in page
    days = [int(n.replace(".", "")) for n in re.findall(r"([\d.]+) giorni", page)]
    # Nothing of 2019 can be more than 364 days late as of 31/12/2019 (today is years later).
    assert days and max(days) <= 364


def test_the_later_schede_read_not_yet_due_on_the_plan_page(client, consuntivo):
    page = client.get(reverse("plan_detail", args=[SLUG, 2019])).content.decode()
    for objective in later_schede(consuntivo):
        row = page[page.index(reverse("objective_detail", args=[SLUG, objective.pk])) :]
        row = row[: row.index("</tr>")]
        assert "non ancora dovut" in row
    summary = text(client.get(reverse("plan_detail", args=[SLUG, 2019])))
    # Scheda 9's only indicator is «non valutabile»: counted apart, like the later two.
    assert "8 schede su 8 misurate · 1 non valutabile · 2 non ancora dovute" in summary


def test_the_later_schede_read_not_yet_due_in_the_relazione(client, consuntivo):
    page = text(client.get(reverse("relazione", args=[SLUG, 2019])))
    assert page.count("non ancora dovut") >= 2
    assert "non valutabile" in page  # the two justified indicators, with their reasons
    assert "Livello atteso non indicato." in page


def test_the_later_schede_read_not_yet_due_in_the_xlsx(client, consuntivo):
    response = job_file(client, f"/enti/{SLUG}/piani/2019/esporta/xlsx/")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [
        str(cell)
        for row in book["Risultati"].iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    assert any("non ancora dovut" in cell for cell in cells)


def test_the_later_schede_read_not_yet_due_on_the_public_results(client, consuntivo):
    with scopes_disabled():
        Plan.objects.filter(pk=consuntivo.pk).update(state=Plan.State.CLOSED)
    client.logout()
    page = text(client.get(f"/trasparenza/{SLUG}/2019/risultati/"))
    assert "non ancora dovut" in page
    assert "31 dicembre 2019" in page
