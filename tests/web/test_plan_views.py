"""Opening a plan from the list, the copy's result page, and finding schede on the plan page."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import (
    PASSWORD,
    ActivityFactory,
    IndicatorFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PlanFactory,
    TargetFactory,
)
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.organization.models import OrgUnit, PerformanceArea, Person
from traguardo.planning.models import Objective, Plan

pytestmark = pytest.mark.django_db

MEMBERS = ("manager_a", "manager_b", "contributor", "evaluator", "viewer")
SLUG = "comune-esempio"


def text(response) -> str:
    """The visible text of a page, tags stripped and blanks collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def login(client, user):
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def plan(authority):
    with scopes_disabled():
        return PlanFactory(authority=authority, year=2019)


# -- who may open a plan ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "admin_status"), [("plan_create", 200), ("plan_copy_report", 302)]
)
@pytest.mark.parametrize("persona", ["admin", *MEMBERS, "outsider", "anonymous"])
def test_the_role_matrix(client, personas, plan, view, admin_status, persona):
    """The result page without a copy in the session sends the admin to the plan."""
    login(client, personas[persona])
    kwargs = {"authority": plan.authority.slug}
    if view == "plan_copy_report":
        kwargs["year"] = plan.year
    response = client.get(reverse(view, kwargs=kwargs))
    expected = {"admin": admin_status, "outsider": 404, "anonymous": 302}.get(persona, 403)
    assert response.status_code == expected
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["admin", *MEMBERS, "outsider", "anonymous"])
def test_only_admins_open_a_plan(client, personas, plan, persona):
    login(client, personas[persona])
    response = client.post(reverse("plan_create", args=[plan.authority.slug]), {"year": 2020})
    expected = {"admin": 302, "outsider": 404, "anonymous": 302}.get(persona, 403)
    assert response.status_code == expected
    with scopes_disabled():
        assert Plan.objects.filter(year=2020).exists() == (persona == "admin")


def test_only_admins_see_the_new_plan_button(client, personas, plan):
    url = reverse("plan_list", args=[plan.authority.slug])
    login(client, personas["admin"])
    assert "Nuovo piano" in text(client.get(url))
    client.logout()
    login(client, personas["evaluator"])
    assert "Nuovo piano" not in text(client.get(url))


# -- opening a plan --------------------------------------------------------------------------


@pytest.fixture
def demo(demo, client):
    """The demo plan with its admin logged in."""
    assert client.login(username="admin", password=DEMO_PASSWORD)
    return demo


def test_the_form_proposes_the_next_year_from_the_previous_plan(client, demo):
    html = client.get(reverse("plan_create", args=[SLUG])).content.decode()
    assert re.search(r'name="year" value="2020"', html)
    assert re.search(rf'<option value="{demo.pk}" selected>Piano 2019 \(2019–2021\)</option>', html)
    assert "Nessun piano: piano vuoto" in html


def test_copying_shows_the_report_once_and_a_reload_does_not_copy_again(client, demo):
    url = reverse("plan_create", args=[SLUG])
    response = client.post(url, {"year": 2020, "last_year": "", "title": "", "source": demo.pk})
    report_url = reverse("plan_copy_report", args=[SLUG, 2020])
    assert response.status_code == 302
    assert response["Location"] == report_url

    page = text(client.get(report_url))
    assert "Piano 2020 aperto come bozza" in page
    assert "Schede copiate da Piano 2019; triennio 2020–2022." in page
    assert "6 schede annuali copiate" in page
    assert "3 obiettivi pluriennali riportati con i livelli attesi del 2020" in page
    assert "indicatore 1: livello finale al 31 dicembre 2020." in page
    assert "2 schede non copiate" in page
    assert "Scheda del 2021 dell'obiettivo pluriennale" in page
    assert "Indicatore 1: livello finale del 2020 copiato da quello del 2019." in page
    # Reloading the result page shows the same report and copies nothing.
    assert text(client.get(report_url)) == page
    with scopes_disabled():
        assert Plan.objects.filter(year=2020).count() == 1
        assert Objective.objects.filter(plan__year=2020).count() == 9

    # Posting the form again for the same year is refused next to the year.
    again = client.post(url, {"year": 2020, "last_year": "", "title": "", "source": demo.pk})
    assert again.status_code == 200
    html = again.content.decode()
    assert re.search(
        r'id="id_year-errore" class="invalid-feedback d-block" role="alert">'
        r"Esiste già un piano per il 2020.<",
        html,
    )
    assert 'aria-invalid="true"' in html
    with scopes_disabled():
        assert Objective.objects.filter(plan__year=2020).count() == 9


def test_an_empty_plan_opens_on_its_page(client, demo):
    response = client.post(
        reverse("plan_create", args=[SLUG]),
        {"year": 2021, "last_year": 2023, "title": "PIAO 2021–2023", "source": ""},
    )
    assert response["Location"] == reverse("plan_detail", args=[SLUG, 2021])
    page = text(client.get(response["Location"]))
    assert "PIAO 2021–2023 aperto come bozza." in page
    assert "Il piano non ha ancora schede." in page
    assert "0 schede su 0" in page


def test_a_triennium_ending_before_the_year_is_refused(client, demo):
    response = client.post(
        reverse("plan_create", args=[SLUG]), {"year": 2021, "last_year": 2020, "source": ""}
    )
    assert "L'ultimo anno del triennio non può precedere l'anno del piano." in text(response)
    with scopes_disabled():
        assert not Plan.objects.filter(year=2021).exists()


def test_a_plan_of_another_authority_cannot_be_the_source(client, demo, other_authority):
    with scopes_disabled():
        foreign = PlanFactory(authority=other_authority, year=2018)
    response = client.post(
        reverse("plan_create", args=[SLUG]), {"year": 2020, "source": foreign.pk}
    )
    assert response.status_code == 200
    assert "Scegli un'opzione valida" in text(response)
    with scopes_disabled():
        assert not Plan.objects.filter(year=2020).exists()


# -- finding schede --------------------------------------------------------------------------


def found(response) -> list[int]:
    """Positions of the schede listed on the plan page, in page order."""
    pks = [int(pk) for pk in re.findall(r'/schede/(\d+)/"', response.content.decode())]
    with scopes_disabled():
        positions = dict(Objective.objects.filter(pk__in=pks).values_list("pk", "position"))
    return [positions[pk] for pk in pks]


def search(client, **criteria):
    return client.get(reverse("plan_detail", args=[SLUG, 2019]), criteria)


def test_without_criteria_every_scheda_is_listed(client, demo):
    response = search(client)
    assert sorted(found(response)) == list(range(1, 12))
    assert "11 schede su 11" in text(response)


def test_finding_by_check_status(client, demo):
    assert sorted(found(search(client, status="errori"))) == [6, 9, 10, 11]
    assert "4 schede su 11" in text(search(client, status="errori"))
    assert sorted(found(search(client, status="avvisi"))) == [1, 2, 3, 4, 5, 7, 8]
    empty = search(client, status="nessuna")
    assert found(empty) == []
    assert "0 schede su 11" in text(empty)
    assert "Nessuna scheda corrisponde ai criteri di ricerca." in text(empty)


def test_finding_by_text_in_code_title_or_expected_result(client, demo):
    response = search(client, q="SINTEL")
    assert found(response) == [2]
    assert "1 scheda su 11" in text(response)
    assert 'value="SINTEL"' in response.content.decode()
    assert sorted(found(search(client, q="protezione dati"))) == [9, 10, 11]
    assert found(search(client, q="CUC")) == [2]  # only in the expected result
    assert sorted(found(search(client, q="10"))) == [10, 11]  # the code


def test_finding_by_unit_includes_its_sub_units(client, demo):
    with scopes_disabled():
        sector = OrgUnit.objects.get(name="Settore II")
        office = OrgUnit.objects.get(name="Ufficio Cultura")
        Objective.objects.filter(plan=demo, position=4).update(unit=office)
    assert sorted(found(search(client, unit=sector.pk))) == [2, 3, 4, 5, 7, 8, 9, 10, 11]
    response = search(client, unit=office.pk)
    assert found(response) == [4]
    option = rf'<option value="{office.pk}" selected>Settore II › Ufficio Cultura<'
    assert re.search(option, response.content.decode())


def test_finding_by_responsible_and_by_ambito(client, demo):
    with scopes_disabled():
        serrao = Person.objects.get(last_name="Serrao")
        area = PerformanceArea.objects.get(number=9)
    assert sorted(found(search(client, responsible=serrao.pk))) == [2, 3, 4, 5, 7, 8, 9, 10, 11]
    # The seed selects no ambito.
    assert found(search(client, area=area.pk)) == []
    with scopes_disabled():
        Objective.objects.get(plan=demo, position=7).areas.add(area)
    assert found(search(client, area=area.pk)) == [7]
    assert found(search(client, area=area.pk, status="errori")) == []


def test_an_invalid_criterion_is_shown_and_ignored(client, demo):
    response = search(client, unit=999999, q="SINTEL")
    assert found(response) == [2]
    assert "Scegli un'opzione valida" in text(response)


def test_htmx_gets_just_the_results_and_the_count(client, demo):
    response = client.get(
        reverse("plan_detail", args=[SLUG, 2019]), {"q": "SINTEL"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert re.search(r'<p id="conteggio" hx-swap-oob="innerHTML">\s*1 scheda su 11', html)
    assert found(response) == [2]
    assert "HX-Request" in response["Vary"]


# -- anomalies link to the editor --------------------------------------------------------------


def edit_links(response) -> set[int]:
    html = response.content.decode()
    return {int(pk) for pk in re.findall(r"/schede/(\d+)/modifica/#campo-", html)}


def test_anomalies_link_to_the_field_to_fix_for_who_may_edit(client, demo):
    with scopes_disabled():
        cards = dict(Objective.objects.filter(plan=demo).values_list("position", "pk"))
    response = search(client)
    assert edit_links(response) == set(cards.values())
    assert f'/schede/{cards[6]}/modifica/#campo-title"' in response.content.decode()
    # The Dirigente edits the cards of his Settore, not the two that name no unit.
    client.logout()
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    assert edit_links(search(client)) == {cards[p] for p in (2, 3, 4, 5, 7, 8, 9, 10, 11)}
    # The Nucleo reads the anomalies without links.
    client.logout()
    assert client.login(username="nucleo", password=DEMO_PASSWORD)
    response = search(client)
    assert edit_links(response) == set()
    assert "Denominazione mancante." in text(response)


# -- the cost of the page --------------------------------------------------------------------


def _plan_with(authority, unit, count):
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2030, last_year=2032)
        for _ in range(count):
            objective = ObjectiveFactory(plan=plan, unit=unit, responsible=unit.head)
            for weight in (60, 40):
                TargetFactory(indicator=IndicatorFactory(objective=objective, weight=weight))
                ActivityFactory(objective=objective, weight=50)
    return plan


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["admin", "manager_a", "manager_b"])
@pytest.mark.parametrize(
    "criteria",
    [{}, {"status": "avvisi", "q": "Obiettivo"}, {"unit": "UNIT", "responsible": "HEAD"}],
)
def test_the_plan_page_costs_the_same_queries_with_1_and_3_schede(
    client, personas, authority, unit_a, persona, criteria
):
    """An office below unit A: a manager's "heads this unit?" walks up the tree for each row.
    Three schede show any query made per row (two more than with one), all on one page as
    fifty would be: fifty cost seconds more for the same finding."""
    login(client, personas[persona])
    with scopes_disabled():
        office = OrgUnitFactory(
            authority=authority, name="Ufficio A1", parent=unit_a, head=unit_a.head
        )
    params = {k: {"UNIT": unit_a.pk, "HEAD": unit_a.head_id}.get(v, v) for k, v in criteria.items()}
    one = _plan_with(authority, office, 1)
    url = reverse("plan_detail", args=[authority.slug, one.year])
    one_count = _queries(client, url, params)
    with scopes_disabled():
        one.delete()
    _plan_with(authority, office, 3)
    assert _queries(client, url, params) == one_count
    # The filters found the schede (not an empty page that would cost nothing per row).
    assert "3 schede su 3" in text(client.get(url, params))
