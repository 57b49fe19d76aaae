"""Who is evaluated by whom in a year, with the service that decides the premium, and the
plan's schede counted in the objectives component (admins, ``evaluation.manage_scheme``).

An assignment belongs to a year's scheme (not frozen by deliveries: a person hired in
December is assigned then); it cannot be deleted, nor moved to another person or family,
once its evaluation has left the draft. The schede are those of the plan of the same year:
"prendi le schede dal piano" adds the schede whose responsible is the person or whose unit the
person heads (``plan_schede_of``); the admin adds or removes any other scheda of that plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.audit.log import field_values, log_action
from traguardo.core.domain import DomainError, InvalidData, require
from traguardo.evaluation.domain.settings import PERMISSION
from traguardo.evaluation.models import AssignedScheda, Assignment, Evaluation, Family, Scheme
from traguardo.organization.models import Person
from traguardo.planning.models import Objective, Plan

ASSIGNMENT_FIELDS = (
    "family",
    "person",
    "evaluator",
    "payroll_code",
    "service_from",
    "service_to",
    "part_time",
    "absence_days",
    "protected_days",
)


@dataclass(frozen=True)
class AssignmentData:
    person: Person
    family: Family
    evaluator: Person
    payroll_code: str = ""
    service_from: date | None = None
    service_to: date | None = None
    part_time: Decimal = Decimal(100)
    absence_days: int = 0
    protected_days: int = 0


def _evaluation_state(assignment: Assignment) -> str:
    state = Evaluation.objects.filter(assignment=assignment).values_list("state", flat=True).first()
    return state or Evaluation.State.DRAFT


def _validate(scheme: Scheme, assignment: Assignment | None, data: AssignmentData) -> None:
    errors: list[tuple[str, str]] = []
    for name in ("person", "evaluator"):
        person = getattr(data, name)
        if person is None or person.authority_id != scheme.authority_id:
            errors.append((name, _("Scelta non valida: non appartiene a questo ente.")))
    if data.family is None or data.family.scheme_id != scheme.pk:
        errors.append(
            ("family", _("Scegliere una famiglia del sistema %(year)s.") % {"year": scheme.year})
        )
    if data.person is not None and data.person.pk == getattr(data.evaluator, "pk", None):
        errors.append(
            (
                "evaluator",
                _("Una persona non può valutare se stessa: scegliere un altro valutatore."),
            )
        )
    elif (
        data.person is not None
        and Assignment.objects.filter(scheme=scheme, person=data.person)
        .exclude(pk=assignment.pk if assignment else -1)
        .exists()
    ):
        errors.append(
            (
                "person",
                _("%(person)s ha già un'assegnazione nel %(year)s.")
                % {"person": data.person, "year": scheme.year},
            )
        )
    first, last = date(scheme.year, 1, 1), date(scheme.year, 12, 31)
    for name in ("service_from", "service_to"):
        day = getattr(data, name)
        if day is not None and not first <= day <= last:
            errors.append((name, _("La data deve cadere nel %(year)s.") % {"year": scheme.year}))
    if data.service_from and data.service_to and data.service_from > data.service_to:
        errors.append(("service_to", _("La fine del servizio precede il suo inizio.")))
    if data.part_time is None or not Decimal(0) < data.part_time <= Decimal(100):
        errors.append(("part_time", _("Il part time è una percentuale tra 0 (escluso) e 100.")))
    days = (last - first).days + 1
    for name in ("absence_days", "protected_days"):
        value = getattr(data, name)
        if value is None or not 0 <= value <= days:
            errors.append((name, _("I giorni sono tra 0 e %(days)d.") % {"days": days}))
    if errors:
        raise InvalidData(errors)


def _write(assignment: Assignment, data: AssignmentData) -> Assignment:
    for name in ASSIGNMENT_FIELDS:
        setattr(assignment, name, getattr(data, name))
    assignment.payroll_code = data.payroll_code.strip()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as error:  # two admins assigning the same person at once
        raise DomainError(
            _("%(person)s ha già un'assegnazione in quest'anno, o valuterebbe se stessa.")
            % {"person": data.person},
            field="person",
        ) from error
    return assignment


def create_assignment(scheme: Scheme, *, actor: User, data: AssignmentData) -> Assignment:
    require(actor, PERMISSION, scheme)
    with transaction.atomic():
        _validate(scheme, None, data)
        assignment = _write(Assignment(authority_id=scheme.authority_id, scheme=scheme), data)
        log_action(
            actor=actor,
            action="assignment.create",
            obj=assignment,
            after=field_values(assignment, ASSIGNMENT_FIELDS),
        )
    return assignment


def update_assignment(assignment: Assignment, *, actor: User, data: AssignmentData) -> Assignment:
    """Change an assignment; the person and the family stay once the evaluation has left the
    draft (the evaluation was written for them)."""
    require(actor, PERMISSION, assignment)
    with transaction.atomic():
        _validate(assignment.scheme, assignment, data)
        moved = data.person.pk != assignment.person_id or data.family.pk != assignment.family_id
        if moved and _evaluation_state(assignment) != Evaluation.State.DRAFT:
            raise DomainError(
                _(
                    "La valutazione di %(person)s è già oltre la compilazione: la persona e la "
                    "famiglia non si possono più cambiare."
                )
                % {"person": assignment.person},
                field="person" if data.person.pk != assignment.person_id else "family",
            )
        before = field_values(assignment, ASSIGNMENT_FIELDS)
        assignment = _write(assignment, data)
        log_action(
            actor=actor,
            action="assignment.update",
            obj=assignment,
            before=before,
            after=field_values(assignment, ASSIGNMENT_FIELDS),
        )
    return assignment


def delete_assignment(assignment: Assignment, *, actor: User) -> None:
    """Remove an assignment whose evaluation is still a draft (with its schede and goals)."""
    require(actor, PERMISSION, assignment)
    with transaction.atomic():
        state = _evaluation_state(assignment)
        if state != Evaluation.State.DRAFT:
            raise DomainError(
                _(
                    "L'assegnazione di %(person)s non si può eliminare: la sua valutazione è "
                    "nello stato «%(state)s»."
                )
                % {"person": assignment.person, "state": Evaluation.State(state).label}
            )
        log_action(
            actor=actor,
            action="assignment.delete",
            obj=assignment,
            before=field_values(assignment, ASSIGNMENT_FIELDS),
        )
        assignment.delete()


# --- the schede counted ------------------------------------------------------------------


def _require_evaluation_open(assignment: Assignment) -> None:
    """The schede counted change the score: not once the evaluation has been delivered."""
    state = _evaluation_state(assignment)
    if state not in (Evaluation.State.DRAFT, Evaluation.State.INTERVIEW):
        raise DomainError(
            _(
                "La valutazione di %(person)s è già stata consegnata: le schede assegnate non "
                "si possono più cambiare."
            )
            % {"person": assignment.person}
        )


def year_plan(scheme: Scheme) -> Plan | None:
    """The plan of the scheme's year (the one whose results the schede carry)."""
    return Plan.objects.filter(authority_id=scheme.authority_id, year=scheme.year).first()


def plan_schede_of(plan: Plan, person: Person) -> QuerySet[Objective]:
    """The rule of "prendi le schede dal piano": the plan's schede whose responsible is the
    person, or whose unit the person heads."""
    return (
        Objective.objects.filter(plan=plan)
        .filter(Q(responsible=person) | Q(unit__head=person))
        .order_by("position")
    )


def fill_schede_from_plan(assignment: Assignment, *, actor: User) -> int:
    """Add the schede the rule finds that are not assigned yet; returns how many."""
    require(actor, PERMISSION, assignment)
    plan = year_plan(assignment.scheme)
    if plan is None:
        raise DomainError(
            _("Non c'è un piano %(year)s da cui prendere le schede.")
            % {"year": assignment.scheme.year}
        )
    with transaction.atomic():
        _require_evaluation_open(assignment)
        taken = set(assignment.schede.values_list("objective_id", flat=True))
        found = [o for o in plan_schede_of(plan, assignment.person) if o.pk not in taken]
        AssignedScheda.objects.bulk_create(
            AssignedScheda(authority_id=assignment.authority_id, assignment=assignment, objective=o)
            for o in found
        )
        log_action(
            actor=actor,
            action="assignment.schede_from_plan",
            obj=assignment,
            after={"added": [str(o) for o in found]},
        )
    return len(found)


def add_scheda(
    assignment: Assignment, *, actor: User, objective: Objective, weight: Decimal | None = None
) -> AssignedScheda:
    require(actor, PERMISSION, assignment)
    year = assignment.scheme.year
    if objective.authority_id != assignment.authority_id or objective.plan.year != year:
        raise DomainError(
            _("Si possono assegnare solo schede del piano %(year)s.") % {"year": year},
            field="objective",
        )
    _check_weight(weight)
    with transaction.atomic():
        _require_evaluation_open(assignment)
        if assignment.schede.filter(objective=objective).exists():
            raise DomainError(
                _("La scheda «%(scheda)s» è già assegnata.") % {"scheda": objective},
                field="objective",
            )
        assigned = AssignedScheda.objects.create(
            authority_id=assignment.authority_id,
            assignment=assignment,
            objective=objective,
            weight=weight,
        )
        log_action(
            actor=actor,
            action="assignment.scheda_add",
            obj=assignment,
            after={"scheda": str(objective), "weight": str(weight) if weight is not None else None},
        )
    return assigned


def _check_weight(weight: Decimal | None) -> None:
    if weight is not None and not Decimal(0) <= weight <= Decimal(100):
        raise DomainError(_("Il peso dichiarato è tra 0 e 100."), field="weight")


def set_scheda_weight(
    assigned: AssignedScheda, *, actor: User, weight: Decimal | None
) -> AssignedScheda:
    require(actor, PERMISSION, assigned.assignment)
    _check_weight(weight)
    with transaction.atomic():
        _require_evaluation_open(assigned.assignment)
        before = {"scheda": str(assigned.objective), "weight": _text(assigned.weight)}
        assigned.weight = weight
        assigned.save(update_fields=["weight"])
        log_action(
            actor=actor,
            action="assignment.scheda_weight",
            obj=assigned.assignment,
            before=before,
            after={"scheda": str(assigned.objective), "weight": _text(weight)},
        )
    return assigned


def remove_scheda(assigned: AssignedScheda, *, actor: User) -> None:
    require(actor, PERMISSION, assigned.assignment)
    with transaction.atomic():
        _require_evaluation_open(assigned.assignment)
        log_action(
            actor=actor,
            action="assignment.scheda_remove",
            obj=assigned.assignment,
            before={"scheda": str(assigned.objective), "weight": _text(assigned.weight)},
        )
        assigned.delete()


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
