"""What the evaluator writes on a scheda di valutazione individuale.

The behaviours' ratings and notes, the individual goals (added, changed, removed), the
components declared not applicable with their reason, the evaluator's notes. Written by the
evaluator while the evaluation is a draft or the colloquio was held; while a review is asked,
by whoever answers it (the evaluator, or the Nucleo for the families it reviews), whose changes
are part of the answer. The evaluation is created (a draft) on its first save. Optimistic
locking: the page posts the ``version`` it read (0 before the first save); a save over a
different version is a ``ConflictError`` and writes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.audit.log import json_safe, log_action
from traguardo.core.domain import ConflictError, DomainError, InvalidData, require
from traguardo.core.formats import number_it
from traguardo.core.text import clean_line, clean_multiline
from traguardo.evaluation.domain.conversation import ensure_evaluation
from traguardo.evaluation.messages import component_name
from traguardo.evaluation.models import (
    Assignment,
    BehaviourRating,
    Evaluation,
    IndividualGoal,
)
from traguardo.evaluation.scores import rating_scale

State = Evaluation.State
EVALUATOR_STATES = (State.DRAFT, State.INTERVIEW)

__all__ = ["GoalData", "SchedaData", "may_write", "save_scheda"]


@dataclass(frozen=True)
class GoalData:
    """An individual goal as the form gives it; ``pk`` None for a new one."""

    pk: int | None
    title: str
    indicator: str
    direction: str
    target: Decimal
    actual: Decimal | None
    weight: Decimal | None
    delete: bool = False


@dataclass(frozen=True)
class SchedaData:
    ratings: dict[int, tuple[Decimal | None, str]] = field(default_factory=dict)  # behaviour
    not_applicable: dict[str, str] = field(default_factory=dict)  # component kind → reason
    evaluator_notes: str = ""
    goals: tuple[GoalData, ...] = ()


def may_write(actor: User, assignment: Assignment, state: str) -> bool:
    """Whether ``actor`` may write the scheda in ``state``: the evaluator in draft or after the
    colloquio; the answerer of a review request while it is asked."""
    if state in EVALUATOR_STATES:
        return actor.has_perm("evaluation.write_evaluation", assignment)
    if state == State.REVIEW:
        return actor.has_perm("evaluation.answer_review", assignment)
    return False


def _state_of(assignment: Assignment) -> str:
    state = Evaluation.objects.filter(assignment=assignment).values_list("state", flat=True)
    return state.first() or State.DRAFT


def _validate(assignment: Assignment, data: SchedaData) -> None:
    errors: list[tuple[str, str]] = []
    try:
        scale = rating_scale(assignment.scheme)
    except ValueError:
        raise DomainError(
            _("La scala dei comportamenti del sistema di valutazione non è valida.")
        ) from None
    behaviours = {b.pk: b for b in assignment.family.behaviours.all()}
    for pk, (rating, _note) in data.ratings.items():
        if pk not in behaviours:
            errors.append((f"rating-{pk}", _("Comportamento non previsto per questa famiglia.")))
        elif rating is not None and not scale.allows(rating):
            errors.append(
                (
                    f"rating-{pk}",
                    _("%(rating)s non è un valore della scala (da %(min)s a %(max)s).")
                    % {
                        "rating": number_it(rating),
                        "min": number_it(scale.minimum),
                        "max": number_it(scale.maximum),
                    },
                )
            )
    kinds = {c.kind for c in assignment.family.components.all()}
    for kind, reason in data.not_applicable.items():
        if kind not in kinds:
            errors.append((f"na-{kind}", _("La famiglia non ha questa componente.")))
        elif not reason.strip():
            errors.append(
                (
                    f"na-{kind}",
                    _("Scrivere perché «%(component)s» non si applica.")
                    % {"component": component_name(kind)},
                )
            )
    goal_pks = set(assignment.goals.values_list("pk", flat=True))
    for n, goal in enumerate(data.goals):
        if goal.pk is not None and goal.pk not in goal_pks:
            errors.append((f"goal-{n}", _("Obiettivo individuale non trovato.")))
        if goal.direction not in IndividualGoal.Direction.values:
            errors.append((f"goal-{n}", _("Verso non valido.")))
    if errors:
        raise InvalidData(errors)


def save_scheda(
    assignment: Assignment, *, actor: User, version: int, data: SchedaData
) -> Evaluation:
    """Write what the evaluator (or the review's answerer) gave; returns the saved evaluation.

    1. the actor may write the scheda in its state (``may_write``), checked on the state read
       inside the transaction;
    2. ratings on the scheme's scale, not-applicable components with a reason, goals of this
       assignment (``InvalidData`` otherwise);
    3. the version read by the page is the stored one (0: none stored yet), else
       ``ConflictError``; the version goes up by one;
    4. one audit entry ``evaluation.save`` with what changed.
    """
    if not may_write(actor, assignment, _state_of(assignment)):
        if not (
            actor.has_perm("evaluation.write_evaluation", assignment)
            or actor.has_perm("evaluation.answer_review", assignment)
        ):
            require(actor, "evaluation.write_evaluation", assignment)  # 403, logged
        raise DomainError(_("Non è consentito modificare questa valutazione nel suo stato."))
    _validate(assignment, data)
    with transaction.atomic():
        stored = Evaluation.objects.filter(assignment=assignment).select_for_update().first()
        current = stored.version if stored is not None else 0
        if current != version:
            raise ConflictError(
                _(
                    "Nel frattempo la valutazione è stata salvata da un'altra pagina o da "
                    "un'altra persona: ricaricare la pagina per vedere la versione attuale (i "
                    "dati inseriti qui sono ancora nel modulo)."
                )
            )
        if not may_write(actor, assignment, stored.state if stored else State.DRAFT):
            raise DomainError(_("Non è consentito modificare questa valutazione nel suo stato."))
        evaluation = stored or ensure_evaluation(assignment, actor=actor)
        before = _summary(evaluation)
        evaluation.not_applicable = {
            kind: clean_line(reason).strip() for kind, reason in data.not_applicable.items()
        }
        evaluation.evaluator_notes = clean_multiline(data.evaluator_notes).strip()
        evaluation.version = version + 1
        evaluation.save(update_fields=["not_applicable", "evaluator_notes", "version"])
        _write_ratings(evaluation, data)
        _write_goals(assignment, data)
        log_action(
            actor=actor,
            action="evaluation.save",
            obj=evaluation,
            before=before,
            after=_summary(evaluation),
        )
    return evaluation


def _write_ratings(evaluation: Evaluation, data: SchedaData) -> None:
    stored = {r.behaviour_id: r for r in evaluation.ratings.all()}
    for behaviour_id, (rating, note) in data.ratings.items():
        note = clean_multiline(note).strip()
        row = stored.get(behaviour_id)
        if row is None:
            BehaviourRating.objects.create(
                authority_id=evaluation.authority_id,
                evaluation=evaluation,
                behaviour_id=behaviour_id,
                rating=rating,
                note=note,
            )
        elif (row.rating, row.note) != (rating, note):
            row.rating, row.note = rating, note
            row.save(update_fields=["rating", "note"])


def _write_goals(assignment: Assignment, data: SchedaData) -> None:
    stored = {g.pk: g for g in assignment.goals.all()}
    position = len(stored)
    for goal in data.goals:
        values = {
            "title": clean_line(goal.title).strip(),
            "indicator": clean_line(goal.indicator).strip(),
            "direction": goal.direction,
            "target": goal.target,
            "actual": goal.actual,
            "weight": goal.weight,
        }
        if goal.pk is None:
            if not goal.delete:
                position += 1
                IndividualGoal.objects.create(
                    authority_id=assignment.authority_id,
                    assignment=assignment,
                    position=position,
                    **values,
                )
            continue
        row = stored[goal.pk]
        if goal.delete:
            row.delete()
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row.save()


def _summary(evaluation: Evaluation) -> dict:
    """What a save changes, readable in the audit log."""
    ratings = {str(r.behaviour_id): r.rating for r in evaluation.ratings.all()}
    goals = list(evaluation.assignment.goals.values_list("title", "target", "actual", "weight"))
    return json_safe(
        {
            "ratings": ratings,
            "goals": [list(goal) for goal in goals],
            "not_applicable": evaluation.not_applicable,
            "evaluator_notes": evaluation.evaluator_notes,
        }
    )
