"""The reads of the evaluation pages: who sees which evaluations, and a conversation's history.

``visible_assignments`` is the list form of the permission ``evaluation.view_evaluation``
(``accounts.rules``): the same four cases written as one filter, so a list shows exactly the
evaluations whose page the viewer may open (tested persona by persona against the rule).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from traguardo.accounts.models import Membership, Role
from traguardo.audit.models import AuditEntry
from traguardo.evaluation.models import Assignment, Evaluation, Scheme

__all__ = ["DELIVERED_STATES", "HistoryStep", "history", "visible_assignments", "visible_filter"]

# The states in which the evaluated person sees their evaluation.
DELIVERED_STATES = (Evaluation.State.DELIVERED, Evaluation.State.REVIEW, Evaluation.State.FINAL)


def visible_filter(membership: Membership) -> Q | None:
    """The assignments ``membership`` may open, as a filter on Assignment (None: all of them).

    Admins: every assignment. Anyone linked to a person: the evaluations that person gives,
    and their own once delivered. The Nucleo: the families it reviews (dirigenti).
    """
    if membership.role == Role.ADMIN:
        return None
    allowed = Q(pk__in=[])
    if membership.person_id is not None:
        allowed |= Q(evaluator_id=membership.person_id)
        allowed |= Q(person_id=membership.person_id, evaluation__state__in=DELIVERED_STATES)
    if membership.role == Role.EVALUATOR:
        allowed |= Q(family__nucleo_reviews=True)
    return allowed


def visible_assignments(scheme: Scheme, membership: Membership) -> QuerySet[Assignment]:
    """The scheme's assignments whose evaluation ``membership`` may open."""
    assignments = Assignment.objects.filter(scheme=scheme)
    allowed = visible_filter(membership)
    return assignments if allowed is None else assignments.filter(allowed)


@dataclass(frozen=True)
class HistoryStep:
    """A step of the conversation as the audit log recorded it."""

    action: str
    at: datetime
    actor_name: str
    after: dict
    reason: str


def history(evaluation: Evaluation | None) -> list[HistoryStep]:
    """The steps of an evaluation's conversation (and its revisions), oldest first: one query."""
    if evaluation is None or evaluation.pk is None:
        return []
    entries = AuditEntry.objects.filter(
        object_type="evaluation.evaluation",
        object_id=str(evaluation.pk),
        action__startswith="evaluation.",
    ).order_by("id")
    return [
        HistoryStep(e.action, e.at, e.actor_name, e.after or {}, e.reason)
        for e in entries.only("action", "at", "actor_name", "after", "reason")
    ]
