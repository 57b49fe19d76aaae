"""Graduazioni (``GradingScale``): a graduation typed as on the card, parsed by the engine and
kept verbatim."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from traguardo.accounts.models import User
from traguardo.core.domain import DomainError, require
from traguardo.organization.domain._shared import PERMISSION, logged_delete, logged_write, required
from traguardo.organization.domain.in_use import refuse_if_in_use
from traguardo.organization.models import Authority, GradingScale
from traguardo.scoring import GradingScale as EngineScale
from traguardo.scoring import (
    ScaleParseError,
    describe_scale,
    parse_scale,
    scale_rows,
    scale_to_dict,
)

# What the audit log keeps of a scale (before and after a change).
SCALE_FIELDS = ("name", "source_text")


@dataclass(frozen=True)
class ScaleReading:
    """A scale as the engine reads it, with its Italian description and table."""

    scale: EngineScale
    description: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def reading_of(scale: EngineScale) -> ScaleReading:
    return ScaleReading(scale, describe_scale(scale), scale_rows(scale))


def read_scale(text: str) -> ScaleReading:
    """Parse a graduation typed as on the card; the parser's message goes on ``source_text``."""
    try:
        return reading_of(parse_scale(text))
    except ScaleParseError as error:
        raise DomainError(error.message, field="source_text") from None


@dataclass(frozen=True)
class ScaleData:
    name: str
    source_text: str


def create_scale(authority: Authority, *, actor: User, data: ScaleData) -> GradingScale:
    """Add a graduation: the text is parsed, stored as the engine's data and kept verbatim."""
    require(actor, PERMISSION, authority)
    with transaction.atomic():
        return logged_write(
            "scale.create",
            GradingScale(authority=authority),
            actor=actor,
            fields=SCALE_FIELDS,
            write=_write_scale,
            data=data,
        )


def update_scale(scale: GradingScale, *, actor: User, data: ScaleData) -> GradingScale:
    """Rename or retype a graduation; indicators using it are graded by the new one, except
    in closed plans, which keep the version they were scored with (``planning.rulebook``)."""
    require(actor, PERMISSION, scale)
    with transaction.atomic():
        return logged_write(
            "scale.update", scale, actor=actor, fields=SCALE_FIELDS, write=_write_scale, data=data
        )


def _write_scale(scale: GradingScale, data: ScaleData) -> GradingScale:
    name = required(data.name, "name", _("Scrivere il nome della graduazione."))
    if (
        GradingScale.objects.filter(authority_id=scale.authority_id, name__iexact=name)
        .exclude(pk=scale.pk)
        .exists()
    ):
        raise DomainError(
            _("Esiste già una graduazione «%(name)s».") % {"name": name}, field="name"
        )
    reading = read_scale(data.source_text)
    scale.name = name
    scale.source_text = data.source_text.strip()
    scale.definition = scale_to_dict(reading.scale)
    scale.save()
    return scale


def delete_scale(scale: GradingScale, *, actor: User) -> None:
    """Remove a graduation no indicator or activity uses."""
    require(actor, PERMISSION, scale)
    with transaction.atomic():
        refuse_if_in_use(
            _("La graduazione «%(name)s»") % {"name": scale.name},
            [
                (
                    scale.indicators.all(),
                    ngettext_lazy(
                        "è usata da %(n)d indicatore", "è usata da %(n)d indicatori", "n"
                    ),
                ),
                (
                    scale.activities.all(),
                    ngettext_lazy("è usata da %(n)d attività", "è usata da %(n)d attività", "n"),
                ),
            ],
        )
        logged_delete("scale.delete", scale, actor=actor, fields=SCALE_FIELDS)
