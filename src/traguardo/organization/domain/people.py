"""Persone: the Dirigenti and Responsabili that units and schede name."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from traguardo.accounts.models import User
from traguardo.core.domain import DomainError, require
from traguardo.organization.domain._shared import PERMISSION, logged_delete, logged_write, required
from traguardo.organization.domain.in_use import refuse_if_in_use
from traguardo.organization.models import Authority, Person

# What the audit log keeps of a person (before and after a change).
PERSON_FIELDS = ("last_name", "first_name", "job_title", "email")


@dataclass(frozen=True)
class PersonData:
    last_name: str
    first_name: str = ""
    job_title: str = ""
    email: str = ""


def create_person(authority: Authority, *, actor: User, data: PersonData) -> Person:
    """Add a person (Dirigente, Responsabile…); the full name is unique in the authority."""
    require(actor, PERMISSION, authority)
    with transaction.atomic():
        return logged_write(
            "person.create",
            Person(authority=authority),
            actor=actor,
            fields=PERSON_FIELDS,
            write=_write_person,
            data=data,
        )


def update_person(person: Person, *, actor: User, data: PersonData) -> Person:
    require(actor, PERMISSION, person)
    with transaction.atomic():
        return logged_write(
            "person.update",
            person,
            actor=actor,
            fields=PERSON_FIELDS,
            write=_write_person,
            data=data,
        )


def _write_person(person: Person, data: PersonData) -> Person:
    last_name = required(data.last_name, "last_name", _("Scrivere il cognome."))
    first_name = data.first_name.strip()
    same = Person.objects.filter(
        authority_id=person.authority_id, last_name__iexact=last_name, first_name__iexact=first_name
    ).exclude(pk=person.pk)
    if same.exists():
        raise DomainError(
            _("Esiste già una persona di nome «%(name)s».")
            % {"name": f"{first_name} {last_name}".strip()},
            field="last_name",
        )
    person.last_name = last_name
    person.first_name = first_name
    person.job_title = data.job_title.strip()
    person.email = data.email.strip()
    person.save()
    return person


def delete_person(person: Person, *, actor: User) -> None:
    """Remove a person who heads no unit, is responsible of no scheda and has no login."""
    require(actor, PERMISSION, person)
    with transaction.atomic():
        refuse_if_in_use(
            _("«%(name)s»") % {"name": person},
            [
                (
                    person.headed_units.all(),
                    ngettext_lazy(
                        "è responsabile di %(n)d unità organizzativa",
                        "è responsabile di %(n)d unità organizzative",
                        "n",
                    ),
                ),
                (
                    person.objectives.all(),
                    ngettext_lazy(
                        "è responsabile di %(n)d scheda obiettivo",
                        "è responsabile di %(n)d schede obiettivo",
                        "n",
                    ),
                ),
                (
                    person.memberships.all(),
                    ngettext_lazy("è collegata a %(n)d utente", "è collegata a %(n)d utenti", "n"),
                ),
            ],
        )
        logged_delete("person.delete", person, actor=actor, fields=PERSON_FIELDS)
