"""The conversation of an individual evaluation (art. 7 c.2-bis D.Lgs. 150/2009).

draft → interview (the colloquio recorded) → delivered (the person sees it; they may ask a
review until ``review_until``) → final, either accepted by the person, or after the review
request is answered (by the evaluator; by the Nucleo for the families it reviews), or closed by
the evaluator once ``review_until`` passed without a request. An admin reopens a final
evaluation only through a recorded revision (reason required, ``revision`` + 1, back to draft).

Each step re-reads the evaluation inside its transaction (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), checks the permission again on
what it read, and moves the state with a conditional UPDATE on the state it starts from: two
requests taking a step at once move the evaluation once, the second is told what it is now.
Every step writes its audit entry (``evaluation.<step>``), which the page's history reads.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from traguardo.accounts.models import User
from traguardo.audit.log import log_action
from traguardo.core.domain import DomainError, require
from traguardo.core.formats import date_it
from traguardo.core.text import clean_multiline
from traguardo.evaluation.domain.settings import lock_scheme
from traguardo.evaluation.models import Assignment, Evaluation
from traguardo.evaluation.scores import assignment_result

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

State = Evaluation.State

__all__ = [
    "STEPS",
    "Step",
    "accept",
    "answer_review",
    "close_after_deadline",
    "deliver",
    "ensure_evaluation",
    "record_interview",
    "request_review",
    "revise",
]


@dataclass(frozen=True)
class Step:
    """A step as the page offers it: the URL's word, the button, the states, the permission."""

    action: str
    label: "StrOrPromise"
    source: str
    target: str
    permission: str


STEPS = (
    Step(
        "colloquio",
        gettext_lazy("Registra il colloquio"),
        State.DRAFT,
        State.INTERVIEW,
        "evaluation.write_evaluation",
    ),
    Step(
        "consegna",
        gettext_lazy("Consegna la valutazione"),
        State.INTERVIEW,
        State.DELIVERED,
        "evaluation.write_evaluation",
    ),
    Step(
        "accetta",
        gettext_lazy("Accetta la valutazione"),
        State.DELIVERED,
        State.FINAL,
        "evaluation.respond",
    ),
    Step(
        "revisione",
        gettext_lazy("Richiedi la revisione"),
        State.DELIVERED,
        State.REVIEW,
        "evaluation.respond",
    ),
    Step(
        "risposta",
        gettext_lazy("Rispondi e rendi definitiva"),
        State.REVIEW,
        State.FINAL,
        "evaluation.answer_review",
    ),
    Step(
        "chiudi",
        gettext_lazy("Rendi definitiva (termine scaduto)"),
        State.DELIVERED,
        State.FINAL,
        "evaluation.write_evaluation",
    ),
    Step(
        "riapri",
        gettext_lazy("Riapri con una revisione"),
        State.FINAL,
        State.DRAFT,
        "evaluation.revise",
    ),
)
STEP_BY_ACTION = {step.action: step for step in STEPS}


def ensure_evaluation(assignment: Assignment, *, actor: User) -> Evaluation:
    """The assignment's evaluation, created as a draft the first time the evaluator writes
    (call inside the writer's transaction; logged as ``evaluation.create``)."""
    evaluation, created = Evaluation.objects.select_for_update().get_or_create(
        assignment=assignment, defaults={"authority_id": assignment.authority_id}
    )
    if created:
        log_action(
            actor=actor, action="evaluation.create", obj=evaluation, after={"state": "draft"}
        )
    evaluation.assignment = assignment
    return evaluation


def _lock(assignment: Assignment) -> Evaluation:
    """The evaluation re-read inside the caller's transaction, with what the rules read."""
    try:
        evaluation = (
            Evaluation.objects.select_for_update()
            .select_related("assignment__family", "assignment__scheme")
            .get(assignment_id=assignment.pk)
        )
    except Evaluation.DoesNotExist:
        raise DomainError(_("La valutazione non è ancora stata compilata.")) from None
    return evaluation


def _require_now(actor: User, permission: str, evaluation: Evaluation, source: str) -> None:
    """The permission and the starting state checked again on the evaluation just read."""
    if evaluation.state != source:
        raise DomainError(
            _(
                "La valutazione è «%(current)s»: questa azione vale per una valutazione "
                "«%(source)s»."
            )
            % {"current": State(evaluation.state).label, "source": State(source).label}
        )
    if not actor.has_perm(permission, evaluation):
        raise DomainError(
            _("Non è consentito compiere questa azione sulla valutazione nel suo stato attuale.")
        )


def _require_total(evaluation: Evaluation, what: "StrOrPromise") -> Decimal:
    """A delivered or final evaluation has a total: refused, with the errors, while it is open.
    Returns the total."""
    result = assignment_result(evaluation.assignment)
    if result.total is None:
        errors = " ".join(f.text for f in result.findings if f.severity == "error")
        raise DomainError(
            _("Il punteggio totale è ancora aperto: %(what)s non è possibile. %(errors)s")
            % {"what": what, "errors": errors}
        )
    return result.total


def _made_final(evaluation: Evaluation, today: date) -> dict:
    """What a step making the evaluation final records: the day and the total it is made
    final with (the engine's, computed now)."""
    total = _require_total(evaluation, _("rendere definitiva la valutazione"))
    return {"final_on": today, "final_total": total}


def _take(
    assignment: Assignment,
    step: Step,
    *,
    actor: User,
    values: Callable[[Evaluation], dict],
    check: Callable[[Evaluation], object] | None = None,
    reason: str = "",
    freezes_year: bool = False,
) -> Evaluation:
    """One step: permission, re-read, check, conditional UPDATE, audit entry, one transaction.

    ``freezes_year``: the step freezes the year's settings (the first delivery), so it takes
    the scheme's lock first, as every settings save does (``settings.lock_scheme``): a save and
    a delivery never interleave."""
    require(actor, step.permission, assignment)
    with transaction.atomic():
        if freezes_year:
            lock_scheme(assignment.scheme)
        evaluation = _lock(assignment)
        _require_now(actor, step.permission, evaluation, step.source)
        if check is not None:
            check(evaluation)
        changes = values(evaluation)
        moved = Evaluation.objects.filter(pk=evaluation.pk, state=step.source).update(
            state=step.target, version=F("version") + 1, **changes
        )
        if not moved:  # pragma: no cover - PostgreSQL: another transaction moved it first
            current = Evaluation.objects.values_list("state", flat=True).get(pk=evaluation.pk)
            raise DomainError(
                _("La valutazione è «%(current)s»: nel frattempo qualcuno l'ha già spostata.")
                % {"current": State(current).label}
            )
        log_action(
            actor=actor,
            action=f"evaluation.{step.action}",
            obj=evaluation,
            before={"state": evaluation.state},
            after={"state": step.target, **changes},
            reason=reason,
        )
    evaluation.refresh_from_db()
    return evaluation


def _text(value: str, field: str, missing: "StrOrPromise") -> str:
    text = clean_multiline(value or "").strip()
    if not text:
        raise DomainError(str(missing), field=field)
    return text


def record_interview(
    assignment: Assignment, *, actor: User, held_on: date, notes: str = ""
) -> Evaluation:
    """The colloquio held (draft → interview), with its date and notes. The evaluator only;
    the evaluation is created if the evaluator had not saved it yet."""
    if held_on > timezone.localdate():
        raise DomainError(_("La data del colloquio non può essere nel futuro."), field="held_on")
    notes = clean_multiline(notes or "").strip()
    require(actor, "evaluation.write_evaluation", assignment)
    with transaction.atomic():
        ensure_evaluation(assignment, actor=actor)
        return _take(
            assignment,
            STEP_BY_ACTION["colloquio"],
            actor=actor,
            values=lambda e: {"interview_on": held_on, "interview_notes": notes},
        )


def deliver(assignment: Assignment, *, actor: User) -> Evaluation:
    """Delivered to the person (interview → delivered): refused while the total is open.

    ``delivered_on`` is today and the person may ask a review until today + the scheme's
    ``review_days``."""
    today = timezone.localdate()

    def values(evaluation: Evaluation) -> dict:
        days = evaluation.assignment.scheme.review_days
        return {"delivered_on": today, "review_until": today + timedelta(days=days)}

    return _take(
        assignment,
        STEP_BY_ACTION["consegna"],
        actor=actor,
        values=values,
        check=lambda e: _require_total(e, _("la consegna")),
        freezes_year=True,
    )


def accept(assignment: Assignment, *, actor: User) -> Evaluation:
    """The evaluated person accepts it (delivered → final)."""
    today = timezone.localdate()
    return _take(
        assignment,
        STEP_BY_ACTION["accetta"],
        actor=actor,
        values=lambda e: {"accepted_on": today, **_made_final(e, today)},
    )


def request_review(assignment: Assignment, *, actor: User, reasons: str) -> Evaluation:
    """The evaluated person asks a review with their reasons (delivered → review), until
    ``review_until`` included."""
    reasons = _text(reasons, "reasons", _("Scrivere i motivi della richiesta di revisione."))
    today = timezone.localdate()

    def in_time(evaluation: Evaluation) -> None:
        if evaluation.review_until is not None and today > evaluation.review_until:
            raise DomainError(
                _(
                    "Il termine per chiedere la revisione è scaduto il %(date)s: la valutazione "
                    "diventa definitiva."
                )
                % {"date": date_it(evaluation.review_until)}
            )

    return _take(
        assignment,
        STEP_BY_ACTION["revisione"],
        actor=actor,
        check=in_time,
        values=lambda e: {"review_requested_on": today, "review_reasons": reasons},
    )


def answer_review(assignment: Assignment, *, actor: User, answer: str) -> Evaluation:
    """The answer to a review request (review → final): by the evaluator, or by the Nucleo for
    the families it reviews. Changes to the ratings and goals made by the answerer while the
    evaluation is in review (``evaluation.domain.scheda``) are part of the answer."""
    answer = _text(answer, "answer", _("Scrivere la risposta alla richiesta di revisione."))
    today = timezone.localdate()
    return _take(
        assignment,
        STEP_BY_ACTION["risposta"],
        actor=actor,
        values=lambda e: {"review_answer": answer, "answered_on": today, **_made_final(e, today)},
    )


def close_after_deadline(assignment: Assignment, *, actor: User) -> Evaluation:
    """No review asked by ``review_until``: the evaluator makes it final (delivered → final)."""
    today = timezone.localdate()

    def expired(evaluation: Evaluation) -> None:
        if evaluation.review_until is None or today <= evaluation.review_until:
            raise DomainError(
                _(
                    "La persona valutata può chiedere la revisione fino al %(date)s: prima di "
                    "allora la valutazione diventa definitiva solo se la accetta."
                )
                % {"date": date_it(evaluation.review_until) if evaluation.review_until else "—"}
            )

    return _take(
        assignment,
        STEP_BY_ACTION["chiudi"],
        actor=actor,
        check=expired,
        values=lambda e: _made_final(e, today),
    )


# What a revision clears: the conversation starts again (its steps stay in the audit log).
_CONVERSATION = {
    "interview_on": None,
    "interview_notes": "",
    "delivered_on": None,
    "review_until": None,
    "accepted_on": None,
    "review_requested_on": None,
    "review_reasons": "",
    "review_answer": "",
    "answered_on": None,
    "final_on": None,
    "final_total": None,
}


def revise(assignment: Assignment, *, actor: User, reason: str) -> Evaluation:
    """An admin reopens a final evaluation (final → draft) with a recorded reason: the
    revision number goes up by one and the conversation starts again."""
    reason = _text(reason, "reason", _("Scrivere il motivo della revisione."))
    return _take(
        assignment,
        STEP_BY_ACTION["riapri"],
        actor=actor,
        reason=reason,
        values=lambda e: {
            **_CONVERSATION,
            "revision": e.revision + 1,
            "revision_reason": reason,
        },
    )
