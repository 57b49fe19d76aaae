"""Ambiti della performance organizzativa: the numbered list a scheda marks."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from traguardo.accounts.models import User
from traguardo.core.domain import DomainError, require
from traguardo.organization.domain._shared import PERMISSION, logged_delete, logged_write, required
from traguardo.organization.domain.in_use import refuse_if_in_use
from traguardo.organization.models import Authority, PerformanceArea
from traguardo.planning.models import Objective

# What the audit log keeps of an ambito (before and after a change).
AREA_FIELDS = ("number", "name")


@dataclass(frozen=True)
class AreaData:
    number: int
    name: str


def create_area(authority: Authority, *, actor: User, data: AreaData) -> PerformanceArea:
    """Add an ambito; its number is unique in the authority and sets the order."""
    require(actor, PERMISSION, authority)
    with transaction.atomic():
        return logged_write(
            "area.create",
            PerformanceArea(authority=authority),
            actor=actor,
            fields=AREA_FIELDS,
            write=_write_area,
            data=data,
        )


def update_area(area: PerformanceArea, *, actor: User, data: AreaData) -> PerformanceArea:
    require(actor, PERMISSION, area)
    with transaction.atomic():
        return logged_write(
            "area.update", area, actor=actor, fields=AREA_FIELDS, write=_write_area, data=data
        )


def _write_area(area: PerformanceArea, data: AreaData) -> PerformanceArea:
    if data.number is None or data.number < 1:
        raise DomainError(_("Il numero parte da 1."), field="number")
    name = required(data.name, "name", _("Scrivere la denominazione dell'ambito."))
    taken = (
        PerformanceArea.objects.filter(authority_id=area.authority_id, number=data.number)
        .exclude(pk=area.pk)
        .first()
    )
    if taken is not None:
        raise DomainError(
            _("Il numero %(n)d è già dell'ambito «%(name)s».")
            % {"n": data.number, "name": taken.name},
            field="number",
        )
    area.number = data.number
    area.name = name
    area.save()
    return area


def delete_area(area: PerformanceArea, *, actor: User) -> None:
    """Remove an ambito no scheda marks."""
    require(actor, PERMISSION, area)
    with transaction.atomic():
        refuse_if_in_use(
            _("L'ambito %(n)d") % {"n": area.number},
            [
                (
                    Objective.objects.filter(areas=area),
                    ngettext_lazy(
                        "è indicato in %(n)d scheda obiettivo",
                        "è indicato in %(n)d schede obiettivo",
                        "n",
                    ),
                ),
            ],
        )
        logged_delete("area.delete", area, actor=actor, fields=AREA_FIELDS)
