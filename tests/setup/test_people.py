"""Persone: list, create, edit; a person someone refers to is not deleted."""

import pytest
from django_scopes import scopes_disabled

from tests.factories import ObjectiveFactory, PersonFactory, PlanFactory
from tests.setup.conftest import field_error, login, messages_of, snapshot, text, url
from traguardo.core.domain import DomainError
from traguardo.organization.domain import PersonData, create_person, delete_person
from traguardo.organization.models import Person

pytestmark = pytest.mark.django_db


def test_the_list_shows_each_person_with_the_units_they_head(client, admin, authority, unit_a):
    with scopes_disabled():
        PersonFactory(authority=authority, first_name="Carla", last_name="Conti", job_title="EQ")
    login(client, admin)
    page = text(client.get(url(authority, "setup_people")))
    assert "Alice Alberti — — Settore A Modifica Alice Alberti" in page
    assert "Carla Conti EQ — — Modifica" in page


def test_an_admin_adds_and_edits_a_person(client, admin, authority):
    login(client, admin)
    data = {"first_name": "Carla", "last_name": "Conti", "job_title": "", "email": ""}
    response = client.post(url(authority, "setup_person_add"), data, follow=True)
    assert messages_of(response) == ["«Carla Conti» aggiunta alle persone."]
    with scopes_disabled():
        person = Person.objects.get(last_name="Conti")
    response = client.post(
        url(authority, "setup_person_edit", pk=person.pk),
        {**data, "job_title": "Dirigente", "email": "carla.conti@comune.example.it"},
        follow=True,
    )
    assert messages_of(response) == ["Dati di «Carla Conti» aggiornati."]
    person.refresh_from_db()
    assert (person.authority, person.job_title, person.email) == (
        authority,
        "Dirigente",
        "carla.conti@comune.example.it",
    )


def test_the_same_name_twice_is_refused_next_to_the_surname(client, admin, authority, unit_a):
    login(client, admin)
    before = snapshot()
    response = client.post(
        url(authority, "setup_person_add"),
        {"first_name": "alice", "last_name": "ALBERTI", "job_title": "Dirigente"},
    )
    assert field_error(response, "last_name") == "Esiste già una persona di nome «alice ALBERTI»."
    assert response.context["form"]["job_title"].value() == "Dirigente"
    assert snapshot() == before


def test_a_bad_email_is_refused_in_italian(client, admin, authority):
    login(client, admin)
    response = client.post(
        url(authority, "setup_person_add"), {"last_name": "Conti", "email": "non-una-email"}
    )
    assert field_error(response, "email") == "Inserisci un indirizzo email valido."


def test_a_head_of_unit_and_responsible_of_schede_is_not_deleted(client, admin, authority, unit_a):
    head = unit_a.head
    with scopes_disabled():
        plan = PlanFactory(authority=authority)
        for _ in range(3):
            ObjectiveFactory(plan=plan, responsible=head)
    login(client, admin)
    response = client.post(url(authority, "setup_person_delete", pk=head.pk), follow=True)
    assert messages_of(response) == [
        "«Alice Alberti» non si può eliminare: è responsabile di 1 unità organizzativa ed è "
        "responsabile di 3 schede obiettivo."
    ]
    with scopes_disabled():
        assert Person.objects.filter(pk=head.pk).exists()


def test_a_person_linked_to_a_login_is_not_deleted(admin, manager_a, unit_a, in_scope):
    unit_a.head = None
    unit_a.save()
    with pytest.raises(DomainError) as refused:
        delete_person(manager_a.memberships.get().person, actor=admin)
    assert refused.value.message == "«Alice Alberti» non si può eliminare: è collegata a 1 utente."


def test_a_person_nobody_refers_to_is_deleted(client, admin, authority):
    with scopes_disabled():
        person = PersonFactory(authority=authority, first_name="Carla", last_name="Conti")
    login(client, admin)
    response = client.post(url(authority, "setup_person_delete", pk=person.pk), follow=True)
    assert messages_of(response) == ["«Carla Conti» eliminata dalle persone."]
    with scopes_disabled():
        assert not Person.objects.filter(pk=person.pk).exists()


def test_a_surname_is_required(admin, authority, in_scope):
    with pytest.raises(DomainError) as refused:
        create_person(authority, actor=admin, data=PersonData(last_name="  "))
    assert (refused.value.field, refused.value.message) == ("last_name", "Scrivere il cognome.")
