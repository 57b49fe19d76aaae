"""The DUP: linee di mandato → obiettivi strategici → obiettivi operativi, the «Riferimento
DUP» of a scheda."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

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
from traguardo.organization.models import Authority
from traguardo.planning.models import DupGoal

# What the audit log keeps of a goal (before and after a change).
DUP_FIELDS = ("level", "code", "title", "parent")

# The level a goal's parent must have (None: no parent).
PARENT_LEVEL = {
    DupGoal.Level.MANDATE: None,
    DupGoal.Level.STRATEGIC: DupGoal.Level.MANDATE,
    DupGoal.Level.OPERATIONAL: DupGoal.Level.STRATEGIC,
}


@dataclass(frozen=True)
class DupGoalData:
    level: str
    code: str
    title: str
    parent: DupGoal | None = None


def create_dup_goal(authority: Authority, *, actor: User, data: DupGoalData) -> DupGoal:
    """Add a node of the DUP (see ``_write_dup_goal`` for the rules)."""
    require(actor, PERMISSION, authority)
    with transaction.atomic():
        return logged_write(
            "dup_goal.create",
            DupGoal(authority=authority),
            actor=actor,
            fields=DUP_FIELDS,
            write=_write_dup_goal,
            data=data,
        )


def update_dup_goal(goal: DupGoal, *, actor: User, data: DupGoalData) -> DupGoal:
    require(actor, PERMISSION, goal)
    with transaction.atomic():
        return logged_write(
            "dup_goal.update",
            goal,
            actor=actor,
            fields=DUP_FIELDS,
            write=_write_dup_goal,
            data=data,
        )


def _write_dup_goal(goal: DupGoal, data: DupGoalData) -> DupGoal:
    """1. a known level, a code unique in its level, a title; 2. a mandate line has no parent,
    a strategic goal descends from a mandate line, an operational goal from a strategic goal;
    3. a goal with children keeps its level (they would no longer fit)."""
    authority_id = goal.authority_id
    if data.level not in DupGoal.Level.values:
        raise DomainError(_("Scegliere il livello."), field="level")
    level = DupGoal.Level(data.level)
    code = required(data.code, "code", _("Scrivere il codice."))
    title = required(data.title, "title", _("Scrivere la denominazione."))
    if (
        DupGoal.objects.filter(authority_id=authority_id, level=level, code__iexact=code)
        .exclude(pk=goal.pk)
        .exists()
    ):
        raise DomainError(
            _("Esiste già un «%(level)s» con il codice «%(code)s».")
            % {"level": level.label, "code": code},
            field="code",
        )
    own(authority_id, data.parent, "parent")
    _check_dup_parent(level, data.parent)
    if goal.pk is not None and goal.level != level and (children := goal.children.count()):
        raise DomainError(
            ngettext(
                "Ha %(n)d obiettivo collegato: non se ne può cambiare il livello.",
                "Ha %(n)d obiettivi collegati: non se ne può cambiare il livello.",
                children,
            )
            % {"n": children},
            field="level",
        )
    goal.level = level
    goal.code = code
    goal.title = title
    goal.parent = data.parent
    goal.save()
    return goal


def _check_dup_parent(level: DupGoal.Level, parent: DupGoal | None) -> None:
    expected = PARENT_LEVEL[level]
    if expected is None:
        if parent is not None:
            raise DomainError(
                _("Una linea di mandato è il primo livello del DUP: non ha un livello superiore."),
                field="parent",
            )
        return
    if parent is None or parent.level != expected:
        message = {
            DupGoal.Level.STRATEGIC: _(
                "Un obiettivo strategico discende da una linea di mandato: sceglila come "
                "livello superiore."
            ),
            DupGoal.Level.OPERATIONAL: _(
                "Un obiettivo operativo discende da un obiettivo strategico: sceglilo come "
                "livello superiore."
            ),
        }[level]
        raise DomainError(message, field="parent")


def delete_dup_goal(goal: DupGoal, *, actor: User) -> None:
    """Remove a DUP goal with no goals below it and no scheda referring to it."""
    require(actor, PERMISSION, goal)
    with transaction.atomic():
        refuse_if_in_use(
            _("«%(level)s %(code)s»") % {"level": goal.get_level_display(), "code": goal.code},
            [
                (
                    goal.children.all(),
                    ngettext_lazy(
                        "ha %(n)d obiettivo collegato", "ha %(n)d obiettivi collegati", "n"
                    ),
                ),
                (
                    goal.objectives.all(),
                    ngettext_lazy(
                        "è il riferimento DUP di %(n)d scheda obiettivo",
                        "è il riferimento DUP di %(n)d schede obiettivo",
                        "n",
                    ),
                ),
            ],
        )
        logged_delete("dup_goal.delete", goal, actor=actor, fields=DUP_FIELDS)


def dup_tree(authority: Authority) -> list[TreeNode]:
    """Linee di mandato → obiettivi strategici → obiettivi operativi, in one query."""
    return tree(DupGoal.objects.filter(authority=authority).order_by("code", "pk"))
