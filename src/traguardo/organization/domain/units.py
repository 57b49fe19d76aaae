"""Unità organizzative: the tree of the organisation, each unit with its head."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from traguardo.accounts.models import User
from traguardo.core.domain import DomainError, require
from traguardo.organization.domain._shared import (
    PERMISSION,
    logged_delete,
    logged_write,
    own,
    required,
)
from traguardo.organization.domain.in_use import refuse_if_in_use
from traguardo.organization.domain.queries import TreeNode, tree
from traguardo.organization.models import Authority, OrgUnit, Person
from traguardo.planning.models import Objective

# What the audit log keeps of a unit (before and after a change).
UNIT_FIELDS = ("name", "kind", "parent", "head", "position")


@dataclass(frozen=True)
class UnitData:
    name: str
    kind: str = OrgUnit.Kind.OFFICE
    parent: OrgUnit | None = None
    head: Person | None = None
    position: int = 0


def create_unit(authority: Authority, *, actor: User, data: UnitData) -> OrgUnit:
    """Add a unit to the organisation tree (see ``_write_unit`` for the rules)."""
    require(actor, PERMISSION, authority)
    with transaction.atomic():
        return logged_write(
            "unit.create",
            OrgUnit(authority=authority),
            actor=actor,
            fields=UNIT_FIELDS,
            write=_write_unit,
            data=data,
        )


def update_unit(unit: OrgUnit, *, actor: User, data: UnitData) -> OrgUnit:
    """Rename, move or change the head of a unit; moving it under itself is refused."""
    require(actor, PERMISSION, unit)
    with transaction.atomic():
        return logged_write(
            "unit.update", unit, actor=actor, fields=UNIT_FIELDS, write=_write_unit, data=data
        )


def _write_unit(unit: OrgUnit, data: UnitData) -> OrgUnit:
    """1. a name, unique in the authority; 2. a known kind; 3. parent and head of the same
    authority; 4. the parent is not the unit itself nor one of the units below it."""
    authority_id = unit.authority_id
    name = required(data.name, "name", _("Scrivere la denominazione dell'unità."))
    if (
        OrgUnit.objects.filter(authority_id=authority_id, name__iexact=name)
        .exclude(pk=unit.pk)
        .exists()
    ):
        raise DomainError(
            _("Esiste già un'unità organizzativa «%(name)s».") % {"name": name}, field="name"
        )
    if data.kind not in OrgUnit.Kind.values:
        raise DomainError(_("Scegliere il tipo di unità."), field="kind")
    own(authority_id, data.parent, "parent")
    own(authority_id, data.head, "head")
    if data.parent is not None and unit.pk is not None:
        _refuse_cycle(unit, data.parent)
    unit.name = name
    unit.kind = data.kind
    unit.parent = data.parent
    unit.head = data.head
    unit.position = data.position
    unit.save()
    return unit


def _refuse_cycle(unit: OrgUnit, parent: OrgUnit) -> None:
    if parent.pk == unit.pk:
        raise DomainError(
            _("Un'unità non può essere l'unità superiore di sé stessa."), field="parent"
        )
    parents = dict(
        OrgUnit.objects.filter(authority_id=unit.authority_id).values_list("pk", "parent_id")
    )
    node, seen = parents.get(parent.pk), {parent.pk}
    while node is not None and node not in seen:
        if node == unit.pk:
            raise DomainError(
                _(
                    "«%(parent)s» dipende già da «%(unit)s»: come unità superiore "
                    "creerebbe un ciclo. Scegliere un'unità che non stia sotto «%(unit)s»."
                )
                % {"parent": parent.name, "unit": unit.name},
                field="parent",
            )
        seen.add(node)
        node = parents.get(node)


def delete_unit(unit: OrgUnit, *, actor: User) -> None:
    """Remove a unit no scheda, unit or user refers to."""
    require(actor, PERMISSION, unit)
    with transaction.atomic():
        schede = Objective.objects.filter(Q(unit=unit) | Q(involved_units=unit))
        refuse_if_in_use(
            _("L'unità «%(name)s»") % {"name": unit.name},
            [
                (
                    schede.values("pk").distinct(),
                    ngettext_lazy(
                        "è indicata in %(n)d scheda obiettivo",
                        "è indicata in %(n)d schede obiettivo",
                        "n",
                    ),
                ),
                (
                    unit.children.all(),
                    ngettext_lazy(
                        "ha %(n)d unità dipendente (spostala o eliminala prima)",
                        "ha %(n)d unità dipendenti (spostale o eliminale prima)",
                        "n",
                    ),
                ),
                (
                    unit.memberships.all(),
                    ngettext_lazy("è assegnata a %(n)d utente", "è assegnata a %(n)d utenti", "n"),
                ),
            ],
        )
        logged_delete("unit.delete", unit, actor=actor, fields=UNIT_FIELDS)


def unit_tree(authority: Authority) -> list[TreeNode]:
    """Settori → servizi → uffici, each with its head, in one query."""
    return tree(OrgUnit.objects.filter(authority=authority).select_related("head"))
