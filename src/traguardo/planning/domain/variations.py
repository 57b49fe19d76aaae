"""Variazioni of an approved plan (art. 6 D.Lgs. 150/2009).

An admin opens a variazione with its reason and act; while it is open the admins may change
the plan's schede (each saved version is kept and points to it); closing it checks the schede
again, as approval did, and locks the plan once more.

A closed plan's results (periods, measurements, forced results) change only inside a
variazione too; there the admin may also apply the authority's current SMVP to the plan
(``refresh_plan_rules``), which otherwise keeps the rules it was scored with. A validated
plan is varied only by a variazione that explicitly reopens the validation: the plan goes back
to «consuntivato», records the revision (date and variazione) for the public pages, and the
Nucleo validates it again once the variazione is closed.
"""

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.audit.log import log_action
from traguardo.core.domain import DomainError, InvalidData, require
from traguardo.monitoring.domain import OPEN_STATES
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.domain.lifecycle import checked_schede, failing_schede
from traguardo.planning.guards import lock_plan, require_now
from traguardo.planning.models import Plan, Variation
from traguardo.planning.rulebook import take_snapshot

VARIABLE_STATES = (Plan.State.APPROVED, Plan.State.MONITORING, Plan.State.CLOSED)


def open_variation(
    plan: Plan,
    *,
    actor: User,
    reason: str,
    act_type: str,
    act_number: str,
    act_date: date | None,
    reopen_validation: bool = False,
) -> Variation:
    """Open a variazione.

    1. the actor is an admin;
    2. reason and act are given;
    3. with the plan locked: it is approved, in monitoring or closed — or validated and the
       variazione explicitly reopens the validation; no variazione is open;
    4. a validated plan goes back to «consuntivato» with the revision's date and number,
       logged as ``plan.reopen_validation`` (the previous validation in ``before``);
    5. the variazione is written, logged as ``variation.open``.
    """
    require(actor, "planning.manage_variations", plan)
    errors = []
    if not reason.strip():
        errors.append(("reason", _("Scrivere la motivazione della variazione.")))
    if not act_type.strip():
        errors.append(("act_type", _("Indicare il tipo di atto.")))
    if not act_number.strip():
        errors.append(("act_number", _("Indicare il numero dell'atto.")))
    if act_date is None:
        errors.append(("act_date", _("Indicare la data dell'atto.")))
    if errors or act_date is None:  # (a blank date is one of the errors)
        raise InvalidData(errors)
    with transaction.atomic():
        fresh = lock_plan(plan.pk)
        require_now(actor, "planning.manage_variations", plan, fresh)
        validated = fresh.state == Plan.State.VALIDATED
        if validated and not reopen_validation:
            raise DomainError(
                _(
                    "I risultati del piano sono validati dal Nucleo: una variazione è possibile "
                    "solo riaprendo esplicitamente la validazione."
                ),
                field="reopen_validation",
            )
        if not validated and fresh.state not in VARIABLE_STATES:
            raise DomainError(
                _("Si varia solo un piano approvato, in monitoraggio o consuntivato.")
            )
        if fresh.variations.filter(closed_at__isnull=True).exists():
            raise DomainError(
                _("C'è già una variazione aperta: chiuderla prima di aprirne un'altra.")
            )
        number = (fresh.variations.aggregate(n=Max("number"))["n"] or 0) + 1
        if validated:
            _reopen_validation(fresh, actor=actor, number=number, reason=reason.strip())
        variation = Variation.objects.create(
            authority=fresh.authority,
            plan=fresh,
            number=number,
            reason=reason.strip(),
            act_type=act_type.strip(),
            act_number=act_number.strip(),
            act_date=act_date,
            opened_by=actor,
            opened_at=timezone.now(),
        )
        log_action(
            actor=actor,
            action="variation.open",
            obj=variation,
            after={"numero": number, "atto": f"{act_type} n. {act_number} del {act_date}"},
            reason=reason,
        )
    for name in ("state", "revised_on", "revision_number", "validated_on", "validation_minutes"):
        setattr(plan, name, getattr(fresh, name))
    plan.validated_by_id = fresh.validated_by_id
    return variation


def _reopen_validation(plan: Plan, *, actor: User, number: int, reason: str) -> None:
    """validated → closed: the validation is set aside (kept in the audit entry) and the
    revision recorded on the plan."""
    before = {
        "state": plan.state,
        "validated_on": plan.validated_on,
        "validation_minutes": plan.validation_minutes,
        "validated_by": plan.validated_by_id,
    }
    today = timezone.localdate()
    values = {
        "state": Plan.State.CLOSED,
        "validated_on": None,
        "validation_minutes": "",
        "validated_by": None,
        "revised_on": today,
        "revision_number": number,
    }
    moved = Plan.objects.filter(pk=plan.pk, state=Plan.State.VALIDATED).update(**values)
    if not moved:  # unreachable with the plan locked; kept as the conditional UPDATE's guard
        raise DomainError(_("Il piano non è più validato."))
    for name, value in values.items():
        setattr(plan, name, value)
    log_action(
        actor=actor,
        action="plan.reopen_validation",
        obj=plan,
        before=before,
        after={"state": Plan.State.CLOSED, "revised_on": today, "variazione": number},
        reason=reason,
    )


def close_variation(variation: Variation, *, actor: User) -> Variation:
    """Close it: 1. admin (checked again with the plan locked); 2. every scheda passes the
    checks again; 3. a closed plan has no period left open; 4. logged as ``variation.close``.
    The plan keeps the rules it has (a snapshot renewed inside the variazione stays)."""
    plan = variation.plan
    require(actor, "planning.manage_variations", plan)
    with transaction.atomic():
        fresh = lock_plan(plan.pk)
        require_now(actor, "planning.manage_variations", plan, fresh)
        failing = failing_schede(checked_schede(plan))
        if failing:
            raise InvalidData([("variation", line) for line in failing])
        if fresh.state == Plan.State.CLOSED:
            period = MonitoringPeriod.objects.filter(plan=fresh, state__in=OPEN_STATES).first()
            if period is not None:
                raise DomainError(
                    _(
                        "Il periodo «%(name)s» è aperto: chiuderlo prima di chiudere la "
                        "variazione del piano consuntivato."
                    )
                    % {"name": period.name}
                )
        closed = Variation.objects.filter(pk=variation.pk, closed_at__isnull=True).update(
            closed_at=timezone.now(), closed_by=actor
        )
        if not closed:
            raise DomainError(_("La variazione è già chiusa."))
        variation.refresh_from_db()
        log_action(actor=actor, action="variation.close", obj=variation)
    return variation


def refresh_plan_rules(variation: Variation, *, actor: User) -> Plan:
    """Apply the authority's current SMVP to a closed plan, inside its open variazione.

    1. admin; 2. with the plan locked: the plan is closed and this variazione is open;
    3. the plan's rules snapshot is taken again from the settings, logged as
    ``plan.rules_refresh`` (previous and new rules, the variazione's number as reason).
    """
    plan = variation.plan
    require(actor, "planning.manage_variations", plan)
    with transaction.atomic():
        fresh = lock_plan(plan.pk)
        require_now(actor, "planning.manage_variations", plan, fresh)
        is_open = Variation.objects.filter(pk=variation.pk, closed_at__isnull=True).exists()
        if fresh.state != Plan.State.CLOSED or not is_open:
            raise DomainError(
                _(
                    "Le regole attuali dell'SMVP si applicano a un piano consuntivato solo "
                    "dentro una sua variazione aperta."
                )
            )
        snapshot = take_snapshot(fresh.authority_id)
        Plan.objects.filter(pk=fresh.pk).update(rules_snapshot=snapshot)
        log_action(
            actor=actor,
            action="plan.rules_refresh",
            obj=fresh,
            before={"rules": fresh.rules_snapshot},
            after={"rules": snapshot},
            reason=str(variation),
        )
    plan.rules_snapshot = snapshot
    return plan
