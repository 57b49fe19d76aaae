"""The long parts of the plan page, the cruscotto, Le mie scadenze and a scheda's
rilevazioni are rendered once and their HTML kept (``web.fragments``). A change is on the next
request, as if nothing were kept; one member never gets the HTML made for another (edit links,
units, forms); a form's CSRF token is always the session's own."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import (
    PASSWORD,
    MeasurementFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PersonFactory,
)
from tests.web.test_documents import PAST_YEAR, SLUG, _plan_of, make_plan
from tests.web.test_plan_page import add_schede, edit_links, listed, new_plan, text, url
from traguardo.monitoring.models import Measurement
from traguardo.organization.models import OrgUnit
from traguardo.planning.models import Objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(authority, unit_a, unit_b):
    """Piano 2019 of tests/web/test_documents.py: two schede, a verifica with A's result."""
    return make_plan(authority, unit_a, unit_b)


def login(client, user) -> None:
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)


def sessions(*users) -> dict:
    """A logged-in client per user, all logged in before any page is asked: a login writes an
    audit entry, which renews the data version (and so every kept fragment's key); asked in
    between, the pages below would never read HTML kept for another member."""
    clients = {}
    for user in users:
        clients[user.username] = Client()
        login(clients[user.username], user)
    return clients


# -- the plan page: summaries, search form, listed schede ----------------------------------------


def test_the_plan_page_follows_a_change_at_once(client, admin, authority, unit_a, unit_b):
    plan, period = new_plan(authority, state="monitoring", with_period=True)
    add_schede(authority, plan, unit_a, 3, period=period)
    add_schede(authority, plan, unit_b, 3, period=period, code_from=10)
    login(client, admin)
    first = text(client.get(url(authority)))
    searched = client.get(url(authority), {"q": "cantiere"})
    assert "Settore A" in first and "Nessuna scheda corrisponde" in text(searched)

    with scopes_disabled():
        objective = Objective.objects.filter(plan=plan, unit=unit_a).first()
        objective.title = "Cantiere della scuola"
        objective.save()
        unit = OrgUnit.objects.get(pk=unit_a.pk)
        unit.name = "Settore Lavori pubblici"
        unit.save()

    page = client.get(url(authority))
    again = text(page)
    assert "Cantiere della scuola" in again
    # The summary by unit and the search form's units are rendered again too.
    summary = page.content.decode().split('id="riepilogo-unita"')[1].split("</details>")[0]
    assert "Settore Lavori pubblici" in summary and "Settore A<" not in summary
    form = page.content.decode().split('role="search"')[1].split("</form>")[0]
    assert "Settore Lavori pubblici" in form
    found = client.get(url(authority), {"q": "cantiere"})
    assert listed(found) == [objective.pk]
    # The search form is the query's: it shows the words searched.
    assert 'value="cantiere"' in found.content.decode().split('role="search"')[1]


def test_the_plan_page_gives_each_member_his_own_edit_links(
    admin, manager_a, viewer, authority, unit_a, unit_b
):
    """The same page and query, asked by three members in turn: each gets the edit links the
    rules give him, not those of the HTML kept for the one before."""
    plan, _period = new_plan(authority, state="draft")
    with scopes_disabled():
        office = OrgUnitFactory(authority=authority, name="Ufficio A1", parent=unit_a)
        mine = [ObjectiveFactory(plan=plan, unit=u, title="") for u in (unit_a, office)]
        others = [ObjectiveFactory(plan=plan, unit=unit_b, title="")]
    every = {o.pk for o in mine + others}
    clients = sessions(admin, manager_a, viewer)
    for user, expected in (
        (admin, every),
        (manager_a, {o.pk for o in mine}),
        (viewer, set()),
        (admin, every),
    ):
        member = clients[user.username]
        assert edit_links(member.get(url(authority))) == expected, user.username
        partial = member.get(url(authority), headers={"HX-Request": "true"})
        assert edit_links(partial) == expected, user.username


# -- the cruscotto ------------------------------------------------------------------------------


def test_the_cruscotto_follows_a_change_at_once(client, admin, authority, unit_a, unit_b):
    plan, period = _plan_of(authority, [unit_a, unit_b], 3, PAST_YEAR)
    address = reverse("plan_dashboard", args=[SLUG, plan.year])
    login(client, admin)
    first = text(client.get(address))
    assert "Riordino dei magazzini" not in first
    with scopes_disabled():
        objective = plan.objectives.order_by("position").first()
        objective.title = "Riordino dei magazzini"
        objective.save()
        # A deadline met: one overdue fewer.
        overdue = re.search(r"(\d+) scadenz[ae] superat[ae]", first)[1]
        activity = objective.activities.get()
        MeasurementFactory(period=period, activity=activity, completed_on=activity.end_date)
    again = text(client.get(address))
    assert "Riordino dei magazzini" in again
    assert re.search(r"(\d+) scadenz[ae] superat[ae]", again)[1] == str(int(overdue) - 1)
    # Another query of the same page is its own fragment: a unit's schede only.
    with scopes_disabled():
        of_b = set(plan.objectives.filter(unit=unit_b).values_list("pk", flat=True))
    narrowed = client.get(address, {"elenco": "schede", "unita": unit_b.pk})
    html = narrowed.content.decode().split('id="schede-elenco"')[1].split("</table>")[0]
    assert {int(pk) for pk in re.findall(r'/schede/(\d+)/"', html)} == of_b


# -- Le mie scadenze ----------------------------------------------------------------------------


def test_my_deadlines_are_each_members_own_and_follow_a_change(
    manager_a, manager_b, authority, unit_a, unit_b
):
    plan, _period = _plan_of(authority, [unit_a, unit_b], 4, PAST_YEAR)
    address = reverse("my_deadlines", args=[SLUG])
    with scopes_disabled():
        of_a = sorted(plan.objectives.filter(unit=unit_a).values_list("pk", flat=True))
        of_b = sorted(plan.objectives.filter(unit=unit_b).values_list("pk", flat=True))

    def schede(response) -> list[int]:
        pks = re.findall(r'/schede/(\d+)/"', response.content.decode())
        return sorted({int(pk) for pk in pks})

    clients = sessions(manager_a, manager_b)
    for user, expected in ((manager_a, of_a), (manager_b, of_b), (manager_a, of_a)):
        assert schede(clients[user.username].get(address)) == expected, user.username

    with scopes_disabled():
        objective = Objective.objects.get(pk=of_a[0])
        objective.title = "Scheda rinominata dopo la prima lettura"
        objective.save()
        # A member's units change: he sees the new unit's schede at once.
        person = PersonFactory(authority=authority)
        unit_a.head = person
        unit_a.save()
        manager_b.memberships.get().units.add(unit_a)
    assert "Scheda rinominata dopo la prima lettura" in text(clients["manager_a"].get(address))
    assert schede(clients["manager_b"].get(address)) == sorted(of_a + of_b)


# -- a scheda's rilevazioni ---------------------------------------------------------------------


def _form_of(html: str, key: str) -> str:
    return html.split(f'name="subject" value="{key}"')[1].split("</form>")[0]


def test_the_rilevazioni_follow_a_change_and_each_session_has_its_token(admin, viewer, plan):
    with scopes_disabled():
        objective = plan.objectives.get(title="Sportello unico digitale")
        measurement = Measurement.objects.get(indicator__objective=objective)
        key = f"ind-{measurement.indicator_id}"
    address = reverse("measurements", args=[SLUG, objective.pk])
    clients = sessions(admin, viewer)
    client = clients["admin"]
    # Another session of the admin's, its CSRF token checked as a browser's is.
    other = Client(enforce_csrf_checks=True)
    login(other, admin)
    html = client.get(address).content.decode()
    assert "Ritardo del fornitore del software." in _form_of(html, key)

    with scopes_disabled():
        measurement.comment = "Ritardo recuperato a luglio."
        measurement.save()
    html = client.get(address).content.decode()
    assert "Ritardo recuperato a luglio." in _form_of(html, key)

    # A form sent back with an error shows it, and only to that request.
    response = client.post(address, {"subject": key, f"{key}-completed_on": "31/02/2019"})
    assert response.status_code == 400
    assert "invalid-feedback" in _form_of(response.content.decode(), key)
    assert "invalid-feedback" not in _form_of(client.get(address).content.decode(), key)

    # A read-only member gets no form, whatever was kept for the admin.
    client.get(address)
    html = clients["viewer"].get(address).content.decode()
    assert 'name="subject"' not in html and "Ritardo recuperato a luglio." in text_of(html)

    # Another session's page, asked after the admin's first one is kept, carries its own
    # token: its form is accepted.
    html = other.get(address).content.decode()
    # The token of this form (the page's header has one of its own: the logout form's).
    before = html.split(f'name="subject" value="{key}"')[0]
    token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', before)[-1]
    data = {"csrfmiddlewaretoken": token, "subject": key, f"{key}-completed_on": "2019-06-03"}
    assert other.post(address, data).status_code == 302
    with scopes_disabled():
        measurement.refresh_from_db()
    assert str(measurement.completed_on) == "2019-06-03"


def text_of(html: str) -> str:
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
