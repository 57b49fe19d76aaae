"""The SMVP's levels (``PolicyLevel``) of strategicità, complessità and tipologia, whose
values make a scheda's Punteggio."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from traguardo.accounts.models import User
from traguardo.core.domain import DomainError, require
from traguardo.organization.domain._shared import PERMISSION, logged_delete, logged_write, required
from traguardo.organization.domain.in_use import refuse_if_in_use
from traguardo.organization.models import PolicyLevel, ScoringPolicy
from traguardo.planning.models import Objective
from traguardo.scoring import weight_score

# What the audit log keeps of a level (before and after a change).
LEVEL_FIELDS = ("dimension", "code", "label", "value", "position")


@dataclass(frozen=True)
class LevelData:
    label: str
    value: Decimal
    position: int = 0


def create_level(
    policy: ScoringPolicy, *, actor: User, dimension: str, data: LevelData
) -> PolicyLevel:
    """Add a level of strategicità, complessità or tipologia; its code comes from the label."""
    require(actor, PERMISSION, policy)
    if dimension not in PolicyLevel.Dimension.values:
        raise DomainError(_("Dimensione del punteggio sconosciuta."))
    with transaction.atomic():
        level = PolicyLevel(authority_id=policy.authority_id, policy=policy, dimension=dimension)
        return logged_write(
            "level.create", level, actor=actor, fields=LEVEL_FIELDS, write=_write_level, data=data
        )


def update_level(level: PolicyLevel, *, actor: User, data: LevelData) -> PolicyLevel:
    """Change label, points or factor, and order; the code stays (imports match on it). A
    closed plan keeps the value it was scored with (``planning.rulebook``)."""
    require(actor, PERMISSION, level)
    with transaction.atomic():
        return logged_write(
            "level.update", level, actor=actor, fields=LEVEL_FIELDS, write=_write_level, data=data
        )


def _write_level(level: PolicyLevel, data: LevelData) -> PolicyLevel:
    label = required(data.label, "label", _("Scrivere il nome del livello."))
    siblings = PolicyLevel.objects.filter(policy=level.policy, dimension=level.dimension).exclude(
        pk=level.pk
    )
    if siblings.filter(label__iexact=label).exists():
        raise DomainError(
            _("%(dimension)s ha già un livello «%(label)s».")
            % {"dimension": level.get_dimension_display(), "label": label},
            field="label",
        )
    if data.value is None or data.value < 0:
        raise DomainError(_("Il valore non può essere negativo."), field="value")
    if level.pk is None:
        level.code = _free_code(label, set(siblings.values_list("code", flat=True)))
    level.label = label
    level.value = data.value
    level.position = data.position
    level.save()
    return level


def _free_code(label: str, taken: set[str]) -> str:
    base = (slugify(label) or "livello")[:26]
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def delete_level(level: PolicyLevel, *, actor: User) -> None:
    """Remove a level no scheda uses."""
    require(actor, PERMISSION, level)
    with transaction.atomic():
        refuse_if_in_use(
            _("Il livello «%(label)s»") % {"label": level.label},
            [
                (
                    Objective.objects.filter(
                        Q(strategic_level=level) | Q(complexity_level=level) | Q(kind_level=level)
                    ),
                    ngettext_lazy(
                        "è assegnato a %(n)d scheda obiettivo",
                        "è assegnato a %(n)d schede obiettivo",
                        "n",
                    ),
                ),
            ],
        )
        logged_delete("level.delete", level, actor=actor, fields=LEVEL_FIELDS)


@dataclass(frozen=True)
class PunteggioExample:
    strategic: PolicyLevel
    complexity: PolicyLevel
    kind: PolicyLevel
    score: Decimal


@dataclass(frozen=True)
class PolicyLevels:
    strategic: list[PolicyLevel]
    complexity: list[PolicyLevel]
    kind: list[PolicyLevel]
    example: PunteggioExample | None


def policy_levels(policy: ScoringPolicy) -> PolicyLevels:
    """The levels of each dimension, in order, and the Punteggio of the highest three."""
    by_dimension: dict[str, list[PolicyLevel]] = {d: [] for d in PolicyLevel.Dimension.values}
    for level in policy.levels.order_by("position", "value", "pk"):
        by_dimension[level.dimension].append(level)
    strategic, complexity, kind = (by_dimension[d] for d in ("strategic", "complexity", "kind"))
    example = None
    if strategic and complexity and kind:
        top_strategic, top_complexity, top_kind = (
            max(levels, key=attrgetter("value")) for levels in (strategic, complexity, kind)
        )
        example = PunteggioExample(
            strategic=top_strategic,
            complexity=top_complexity,
            kind=top_kind,
            score=weight_score(top_strategic.value, top_complexity.value, top_kind.value),
        )
    return PolicyLevels(strategic, complexity, kind, example)
