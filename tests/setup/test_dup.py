"""DUP: linee di mandato → obiettivi strategici → obiettivi operativi, and their rules."""

import pytest
from django_scopes import scopes_disabled

from tests.factories import ObjectiveFactory, PlanFactory
from tests.setup.conftest import field_error, login, messages_of, snapshot, text, url
from traguardo.core.domain import DomainError
from traguardo.organization.domain import (
    DupGoalData,
    create_dup_goal,
    delete_dup_goal,
    update_dup_goal,
)
from traguardo.planning.models import DupGoal

pytestmark = pytest.mark.django_db

MANDATE, STRATEGIC, OPERATIONAL = "mandate", "strategic", "operational"


@pytest.fixture
def dup(authority):
    """1 Ente aperto → 1.1 Trasparenza → 1.1.1 Portale; and 2 Territorio."""
    with scopes_disabled():
        line = DupGoal.objects.create(
            authority=authority, level=MANDATE, code="1", title="Ente aperto"
        )
        goal = DupGoal.objects.create(
            authority=authority, level=STRATEGIC, code="1.1", title="Trasparenza", parent=line
        )
        operational = DupGoal.objects.create(
            authority=authority, level=OPERATIONAL, code="1.1.1", title="Portale", parent=goal
        )
        other = DupGoal.objects.create(
            authority=authority, level=MANDATE, code="2", title="Territorio"
        )
    return {"line": line, "goal": goal, "operational": operational, "other": other}


def test_the_page_shows_the_three_levels_as_a_tree(client, admin, authority, dup):
    login(client, admin)
    page = text(client.get(url(authority, "setup_dup")))
    assert (
        "Linea di mandato 1 — Ente aperto Obiettivo strategico 1.1 — Trasparenza "
        "Obiettivo operativo 1.1.1 — Portale Linea di mandato 2 — Territorio"
    ) in page


def test_an_admin_builds_the_chain_from_the_form(client, admin, authority, dup):
    login(client, admin)
    response = client.post(
        url(authority, "setup_dup_add"),
        {"level": STRATEGIC, "code": "2.1", "title": "Viabilità", "parent": dup["other"].pk},
        follow=True,
    )
    assert messages_of(response) == ["«2.1 Viabilità» aggiunto al DUP."]
    with scopes_disabled():
        goal = DupGoal.objects.get(code="2.1")
    assert (goal.authority, goal.level, goal.parent) == (authority, STRATEGIC, dup["other"])


@pytest.mark.parametrize(
    ("level", "parent", "message"),
    [
        (
            MANDATE,
            "other",
            "Una linea di mandato è il primo livello del DUP: non ha un livello superiore.",
        ),
        (
            STRATEGIC,
            None,
            "Un obiettivo strategico discende da una linea di mandato: sceglila come livello "
            "superiore.",
        ),
        (
            STRATEGIC,
            "goal",
            "Un obiettivo strategico discende da una linea di mandato: sceglila come livello "
            "superiore.",
        ),
        (
            OPERATIONAL,
            "line",
            "Un obiettivo operativo discende da un obiettivo strategico: sceglilo come livello "
            "superiore.",
        ),
        (
            OPERATIONAL,
            "operational",
            "Un obiettivo operativo discende da un obiettivo strategico: sceglilo come livello "
            "superiore.",
        ),
    ],
)
def test_each_level_has_its_parent_level(admin, authority, dup, in_scope, level, parent, message):
    data = DupGoalData(level=level, code="9", title="Nuovo", parent=dup.get(parent))
    with pytest.raises(DomainError) as refused:
        create_dup_goal(authority, actor=admin, data=data)
    assert (refused.value.field, refused.value.message) == ("parent", message)


def test_the_parent_rule_is_shown_on_the_field_keeping_what_was_typed(
    client, admin, authority, dup
):
    login(client, admin)
    before = snapshot()
    response = client.post(
        url(authority, "setup_dup_add"),
        {
            "level": OPERATIONAL,
            "code": "2.9",
            "title": "Piste ciclabili",
            "parent": dup["other"].pk,
        },
    )
    assert field_error(response, "parent") == (
        "Un obiettivo operativo discende da un obiettivo strategico: sceglilo come livello "
        "superiore."
    )
    form = response.context["form"]
    assert (form["code"].value(), form["title"].value()) == ("2.9", "Piste ciclabili")
    assert snapshot() == before


def test_a_goal_with_children_keeps_its_level(admin, dup, in_scope):
    with pytest.raises(DomainError) as refused:
        update_dup_goal(
            dup["goal"],
            actor=admin,
            data=DupGoalData(level=MANDATE, code="1.1", title="Trasparenza"),
        )
    assert (refused.value.field, refused.value.message) == (
        "level",
        "Ha 1 obiettivo collegato: non se ne può cambiare il livello.",
    )


def test_a_code_is_unique_within_its_level(admin, authority, dup, in_scope):
    with pytest.raises(DomainError) as refused:
        create_dup_goal(authority, actor=admin, data=DupGoalData(MANDATE, "2", "Doppione"))
    assert (refused.value.field, refused.value.message) == (
        "code",
        "Esiste già un «Linea di mandato» con il codice «2».",
    )


def test_a_goal_of_another_authority_is_not_a_valid_parent(
    client, admin, authority, other_authority, dup
):
    with scopes_disabled():
        foreign = DupGoal.objects.create(
            authority=other_authority, level=MANDATE, code="1", title="Altrui"
        )
    login(client, admin)
    before = snapshot()
    response = client.post(
        url(authority, "setup_dup_add"),
        {"level": STRATEGIC, "code": "5.1", "title": "Infiltrato", "parent": foreign.pk},
    )
    assert field_error(response, "parent").startswith("Scegli un'opzione valida.")
    assert snapshot() == before


def test_a_goal_with_children_or_schede_is_not_deleted(client, admin, authority, dup):
    with scopes_disabled():
        ObjectiveFactory(plan=PlanFactory(authority=authority), dup_goal=dup["goal"])
    login(client, admin)
    response = client.post(url(authority, "setup_dup_delete", pk=dup["goal"].pk), follow=True)
    assert messages_of(response) == [
        "«Obiettivo strategico 1.1» non si può eliminare: ha 1 obiettivo collegato ed è il "
        "riferimento DUP di 1 scheda obiettivo."
    ]


def test_a_leaf_goal_is_deleted(admin, dup, in_scope):
    delete_dup_goal(dup["operational"], actor=admin)
    assert list(DupGoal.objects.values_list("code", flat=True)) == ["1", "1.1", "2"]
