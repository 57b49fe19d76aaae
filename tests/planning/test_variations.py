"""Variazioni: an approved plan changes only inside one, and every version stays readable."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import (
    PASSWORD,
    GradingScaleFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from tests.web.test_editor import form_data
from traguardo.audit.models import AuditEntry
from traguardo.planning.models import ObjectiveVersion, Variation

pytestmark = pytest.mark.django_db

ACT = {
    "reason": "Nuovo obbligo di legge",
    "act_type": "Delibera di Giunta",
    "act_number": "42",
    "act_date": "2019-07-15",
}


@pytest.fixture
def approved(authority, unit_a, admin, manager_a):
    with scopes_disabled():
        plan = PlanFactory(authority=authority, state="approved")
        objective = ObjectiveFactory(
            plan=plan, unit=unit_a, responsible=unit_a.head, title="Sportello unico"
        )
        scale = GradingScaleFactory(authority=authority)
        indicator = IndicatorFactory(objective=objective, grading_scale=scale)
        TargetFactory(indicator=indicator)
    return objective


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_an_approved_plan_changes_only_inside_a_variation(client, approved):
    slug, year = approved.authority.slug, approved.plan.year
    edit = reverse("objective_edit", args=[slug, approved.pk])
    assert client.login(username="admin", password=PASSWORD)
    assert client.get(edit).status_code == 403

    response = client.post(reverse("variation_list", args=[slug, year]), ACT)
    assert response.status_code == 302
    with scopes_disabled():
        variation = Variation.objects.get()
    assert (variation.number, variation.act_number, variation.is_open) == (1, "42", True)

    data = form_data(client.get(edit))
    data["title"] = ["Sportello unico digitale"]
    assert client.post(edit, {**data, "action": "save"}).status_code == 302
    with scopes_disabled():
        versions = list(ObjectiveVersion.objects.order_by("version"))
        actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert [(v.version, v.variation_id) for v in versions] == [(1, None), (2, variation.pk)]
    assert versions[0].state["Denominazione"] == "Sportello unico"
    assert versions[1].state["Denominazione"] == "Sportello unico digitale"
    assert "variation.open" in actions and "objective.update" in actions

    compare = text(client.get(reverse("objective_versions", args=[slug, approved.pk])))
    assert "Denominazione Sportello unico Sportello unico digitale modificato" in compare
    assert "Variazione n. 1" in compare

    close = reverse("variation_close", args=[slug, variation.pk])
    assert client.post(close).status_code == 302
    with scopes_disabled():
        variation.refresh_from_db()
        assert AuditEntry.objects.filter(action="variation.close").count() == 1
    assert not variation.is_open
    assert client.get(edit).status_code == 403
    listing = text(client.get(reverse("variation_list", args=[slug, year])))
    assert "Nuovo obbligo di legge" in listing and "Delibera di Giunta n. 42" in listing


def test_a_variation_closes_only_when_the_schede_pass_the_checks(client, approved):
    slug, year = approved.authority.slug, approved.plan.year
    assert client.login(username="admin", password=PASSWORD)
    client.post(reverse("variation_list", args=[slug, year]), ACT)
    with scopes_disabled():
        variation = Variation.objects.get()
        approved.indicators.update(weight=Decimal(60))
    response = client.post(reverse("variation_close", args=[slug, variation.pk]), follow=True)
    page = text(response)
    assert "La variazione non si può chiudere: ci sono schede con errori." in page
    assert "Pesi degli indicatori: mancano 40,00%." in page
    variation.refresh_from_db()
    assert variation.is_open


def test_only_admins_open_variations_and_only_of_approved_plans(client, approved, authority):
    slug, year = approved.authority.slug, approved.plan.year
    url = reverse("variation_list", args=[slug, year])
    assert client.login(username="manager_a", password=PASSWORD)
    assert client.post(url, ACT).status_code == 403
    client.logout()
    assert client.login(username="admin", password=PASSWORD)
    incomplete = client.post(url, {**ACT, "reason": ""})
    assert incomplete.status_code == 400
    assert 'id="id_reason-errore"' in incomplete.content.decode()
    assert "Questo campo è obbligatorio." in text(incomplete)
    with scopes_disabled():
        draft = PlanFactory(authority=authority, year=2025)
    assert client.post(reverse("variation_list", args=[slug, draft.year]), ACT).status_code == 403
    assert client.post(url, ACT).status_code == 302
    second = client.post(url, ACT)
    assert "C'è già una variazione aperta" in text(second)
    with scopes_disabled():
        assert Variation.objects.count() == 1
