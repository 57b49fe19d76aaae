"""Variazioni of an approved plan (art. 6 D.Lgs. 150/2009).

An admin opens a variazione with its reason and act; while it is open the admins may change
the plan's schede (each saved version is kept and points to it); closing it checks the schede
again, as approval did, and locks the plan once more.
"""

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from traguardo.audit.log import log_action
from traguardo.core.domain import DomainError, InvalidData, require
from traguardo.planning.models import Plan, Variation
from traguardo.reports.scheda import plan_pages

VARIABLE_STATES = (Plan.State.APPROVED, Plan.State.MONITORING)


def open_variation(
    plan: Plan, *, actor, reason: str, act_type: str, act_number: str, act_date: date | None
) -> Variation:
    """Open a variazione: 1. admin; 2. the plan is approved or in monitoring; 3. none is open;
    4. reason and act are given."""
    require(actor, "planning.manage_variations", plan)
    errors = []
    if not reason.strip():
        errors.append(("reason", _("Scrivi la motivazione della variazione.")))
    if not act_type.strip():
        errors.append(("act_type", _("Indica il tipo di atto.")))
    if not act_number.strip():
        errors.append(("act_number", _("Indica il numero dell'atto.")))
    if act_date is None:
        errors.append(("act_date", _("Indica la data dell'atto.")))
    if errors:
        raise InvalidData(errors)
    with transaction.atomic():
        if plan.state not in VARIABLE_STATES:
            raise DomainError(_("Si varia solo un piano approvato o in monitoraggio."))
        if plan.variations.filter(closed_at__isnull=True).exists():
            raise DomainError(
                _("C'è già una variazione aperta: chiudila prima di aprirne un'altra.")
            )
        number = (plan.variations.aggregate(n=Max("number"))["n"] or 0) + 1
        variation = Variation.objects.create(
            authority=plan.authority,
            plan=plan,
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
    return variation


def close_variation(variation: Variation, *, actor) -> Variation:
    """Close it, once every scheda passes the checks again."""
    plan = variation.plan
    require(actor, "planning.manage_variations", plan)
    with transaction.atomic():
        failing = [row for row in plan_pages(plan).rows if row.errors]
        if failing:
            raise InvalidData(
                [
                    (
                        "variation",
                        _("Scheda %(code)s «%(title)s»: %(errors)s")
                        % {
                            "code": row.objective.code or row.objective.position,
                            "title": row.objective,
                            "errors": " ".join(a.message for a in row.errors),
                        },
                    )
                    for row in failing
                ]
            )
        closed = Variation.objects.filter(pk=variation.pk, closed_at__isnull=True).update(
            closed_at=timezone.now(), closed_by=actor
        )
        if not closed:
            raise DomainError(_("La variazione è già chiusa."))
        variation.refresh_from_db()
        log_action(actor=actor, action="variation.close", obj=variation)
    return variation
