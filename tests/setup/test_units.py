"""Unità organizzative: the tree, and the rules of create, edit and delete."""

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scopes_disabled

from tests.factories import ObjectiveFactory, OrgUnitFactory, PersonFactory, PlanFactory
from tests.setup.conftest import field_error, login, messages_of, snapshot, text, url
from traguardo.core.domain import DomainError
from traguardo.organization.domain import UnitData, create_unit, delete_unit, update_unit
from traguardo.organization.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(unit_a):
    """Settore A → Servizio A1 → Ufficio A1a."""
    with scopes_disabled():
        service = OrgUnitFactory(
            authority=unit_a.authority, name="Servizio A1", kind="servizio", parent=unit_a
        )
        return OrgUnitFactory(
            authority=unit_a.authority, name="Ufficio A1a", kind="ufficio", parent=service
        )


def test_the_tree_lists_sectors_then_their_services_and_offices(
    client, admin, authority, office, unit_b
):
    login(client, admin)
    page = text(client.get(url(authority, "setup_units")))
    assert "Settore A Settore — Responsabile: Alice Alberti" in page
    assert "Ufficio A1a Ufficio — Responsabile: non indicato" in page
    order = [page.index(name) for name in ("Settore A", "Servizio A1", "Ufficio A1a", "Settore B")]
    assert order == sorted(order)


def test_the_tree_nests_each_unit_in_its_parent(client, admin, authority, office):
    login(client, admin)
    html = client.get(url(authority, "setup_units")).content.decode()
    # Settore A's <li> closes after the office's: the office is inside it.
    assert html.index("Ufficio A1a") < html.index("</ul>\n</li>")


def test_an_admin_creates_a_unit_under_a_sector_with_a_head(client, admin, authority, unit_a):
    login(client, admin)
    with scopes_disabled():
        head = PersonFactory(authority=authority, first_name="Dario", last_name="Dini")
    response = client.post(
        url(authority, "setup_unit_add"),
        {
            "name": "Ufficio Tributi",
            "kind": "ufficio",
            "parent": unit_a.pk,
            "head": head.pk,
            "position": 3,
        },
        follow=True,
    )
    with scopes_disabled():
        unit = OrgUnit.objects.get(name="Ufficio Tributi")
    assert (unit.authority, unit.kind, unit.parent, unit.head, unit.position) == (
        authority,
        "ufficio",
        unit_a,
        head,
        3,
    )
    assert messages_of(response) == ["Unità «Ufficio Tributi» creata."]
    assert response.redirect_chain == [(url(authority, "setup_units"), 302)]


def test_moving_a_unit_under_one_of_its_own_offices_is_refused(admin, unit_a, office, in_scope):
    with pytest.raises(DomainError) as refused:
        update_unit(unit_a, actor=admin, data=UnitData(name="Settore A", parent=office))
    assert refused.value.field == "parent"
    assert refused.value.message == (
        "«Ufficio A1a» dipende già da «Settore A»: come unità superiore creerebbe un ciclo. "
        "Scegliere un'unità che non stia sotto «Settore A»."
    )


def test_a_unit_cannot_be_its_own_parent(admin, unit_a, in_scope):
    with pytest.raises(DomainError) as refused:
        update_unit(unit_a, actor=admin, data=UnitData(name="Settore A", parent=unit_a))
    assert (refused.value.field, refused.value.message) == (
        "parent",
        "Un'unità non può essere l'unità superiore di sé stessa.",
    )


def test_the_cycle_message_is_shown_on_the_parent_field_keeping_what_was_typed(
    client, admin, authority, unit_a, office
):
    login(client, admin)
    before = snapshot()
    response = client.post(
        url(authority, "setup_unit_edit", pk=unit_a.pk),
        {"name": "Settore A rinominato", "kind": "settore", "parent": office.pk, "position": 4},
    )
    assert response.status_code == 200
    assert field_error(response, "parent").startswith("«Ufficio A1a» dipende già da «Settore A»")
    assert response.context["form"]["name"].value() == "Settore A rinominato"
    assert 'value="Settore A rinominato"' in response.content.decode()
    assert snapshot() == before


def test_the_parent_list_leaves_out_the_unit_itself(client, admin, authority, unit_a, unit_b):
    login(client, admin)
    form = client.get(url(authority, "setup_unit_edit", pk=unit_a.pk)).context["form"]
    assert list(form.fields["parent"].queryset) == [unit_b]


def test_a_unit_or_person_of_another_authority_is_not_a_valid_choice(
    client, admin, authority, other_authority, unit_a
):
    with scopes_disabled():
        foreign_unit = OrgUnitFactory(authority=other_authority, name="Settore Altrui")
        foreign_head = PersonFactory(authority=other_authority)
    login(client, admin)
    before = snapshot()
    response = client.post(
        url(authority, "setup_unit_edit", pk=unit_a.pk),
        {"name": "Settore A", "kind": "settore", "parent": foreign_unit.pk, "position": 0},
    )
    assert field_error(response, "parent").startswith("Scegli un'opzione valida.")
    response = client.post(
        url(authority, "setup_unit_add"),
        {"name": "Nuovo", "kind": "settore", "head": foreign_head.pk, "position": 0},
    )
    assert field_error(response, "head").startswith("Scegli un'opzione valida.")
    assert snapshot() == before


def test_the_domain_refuses_a_foreign_parent_too(admin, authority, other_authority, in_scope):
    with scopes_disabled():
        foreign = OrgUnitFactory(authority=other_authority)
    with pytest.raises(DomainError) as refused:
        create_unit(authority, actor=admin, data=UnitData(name="Nuovo", parent=foreign))
    assert (refused.value.field, refused.value.message) == (
        "parent",
        "Scelta non valida: non appartiene a questo ente.",
    )


def test_two_units_cannot_share_a_name(admin, authority, unit_a, in_scope):
    with pytest.raises(DomainError) as refused:
        create_unit(authority, actor=admin, data=UnitData(name="settore a"))
    assert (refused.value.field, refused.value.message) == (
        "name",
        "Esiste già un'unità organizzativa «settore a».",
    )


def test_only_an_admin_may_write_units(manager_a, authority, in_scope):
    with pytest.raises(PermissionDenied):
        create_unit(authority, actor=manager_a, data=UnitData(name="Abusivo"))


def test_a_unit_used_by_schede_is_not_deleted_and_the_page_says_how_many(
    client, admin, authority, unit_a, unit_b
):
    with scopes_disabled():
        plan = PlanFactory(authority=authority)
        ObjectiveFactory(plan=plan, unit=unit_a)
        ObjectiveFactory(plan=plan, unit=unit_b).involved_units.add(unit_a)
    login(client, admin)
    response = client.post(url(authority, "setup_unit_delete", pk=unit_a.pk), follow=True)
    assert messages_of(response) == [
        "L'unità «Settore A» non si può eliminare: è indicata in 2 schede obiettivo."
    ]
    assert response.redirect_chain == [(url(authority, "setup_units"), 302)]
    with scopes_disabled():
        assert OrgUnit.objects.filter(pk=unit_a.pk).exists()


def test_a_unit_with_offices_or_users_is_not_deleted(admin, unit_a, office, manager_a, in_scope):
    with pytest.raises(DomainError) as refused:
        delete_unit(unit_a, actor=admin)
    assert refused.value.message == (
        "L'unità «Settore A» non si può eliminare: ha 1 unità dipendente (spostala o eliminala "
        "prima) ed è assegnata a 1 utente."
    )


def test_an_unused_unit_is_deleted_after_confirmation(client, admin, authority, office):
    login(client, admin)
    confirm = client.get(url(authority, "setup_unit_delete", pk=office.pk))
    assert "Vuoi eliminare l'unità «Ufficio A1a»?" in text(confirm)
    response = client.post(url(authority, "setup_unit_delete", pk=office.pk), follow=True)
    assert messages_of(response) == ["Unità «Ufficio A1a» eliminata."]
    with scopes_disabled():
        assert not OrgUnit.objects.filter(pk=office.pk).exists()


def test_a_unit_of_another_authority_is_not_found(client, admin, authority, other_authority):
    with scopes_disabled():
        foreign = OrgUnitFactory(authority=other_authority)
    login(client, admin)
    assert client.get(url(authority, "setup_unit_edit", pk=foreign.pk)).status_code == 404
    assert client.post(url(authority, "setup_unit_delete", pk=foreign.pk)).status_code == 404
