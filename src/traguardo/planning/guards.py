"""What the write actions check inside their transaction: the plan's state as it is now.

``require`` runs before the write transaction, on the objects the view loaded; by the time the
transaction starts another request may have moved the plan (a scheda saved while the plan is
proposed). Each action that depends on the plan's state therefore reads the plan again inside
its transaction with ``lock_plan`` (PostgreSQL: ``SELECT … FOR UPDATE``, so concurrent writers
of the same plan queue up; SQLite: its IMMEDIATE transactions already serialise writers) and
checks the permission again against that fresh state with ``require_now``: of two racing
requests one is refused or ordered before the other, never both applied on a stale state.

A closed or validated plan's results change only through a variazione (art. 6 D.Lgs.
150/2009, DESIGN.md §4.7): ``check_results_open`` refuses reopening a period, recording or
correcting a measurement, forcing a result or attaching evidence otherwise.
"""

from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.core.domain import DomainError
from traguardo.planning.models import Plan

CLOSED_STATES = (Plan.State.CLOSED, Plan.State.VALIDATED)


def lock_plan(plan_id: int) -> Plan:
    """The plan re-read (and row-locked on PostgreSQL) inside the caller's transaction."""
    return Plan.objects.with_scopes_disabled().select_for_update().get(pk=plan_id)


def require_now(actor: User, permission: str, obj, plan: Plan) -> None:
    """``permission`` on ``obj`` checked again against ``plan`` as just locked.

    ``obj`` is the plan or a row of it (a scheda): its plan is replaced by the fresh one. A
    refusal here means the state changed since the page was loaded; it is a ``DomainError``
    (the transaction is rolled back) that says what the plan is now.
    """
    if isinstance(obj, Plan):
        obj = plan
    else:
        obj.plan = plan
    if not actor.has_perm(permission, obj):
        raise DomainError(
            _(
                "Nel frattempo lo stato del piano è cambiato (ora: «%(state)s»): l'operazione "
                "non è più consentita e non è stata eseguita."
            )
            % {"state": Plan.State(plan.state).label}
        )


def has_open_variation(plan: Plan) -> bool:
    return plan.variations.filter(closed_at__isnull=True).exists()


def results_frozen(plan: Plan) -> bool:
    """A closed or validated plan with no variazione open: its results may not change."""
    return plan.state in CLOSED_STATES and not has_open_variation(plan)


def check_results_open(plan: Plan) -> None:
    """Refuse a change of a frozen plan's results, saying what opens them again."""
    if plan.state == Plan.State.VALIDATED:
        raise DomainError(
            _(
                "I risultati del piano sono validati dal Nucleo: si modificano solo con una "
                "variazione che riapra la validazione (art. 6 D.Lgs. 150/2009)."
            )
        )
    if results_frozen(plan):
        raise DomainError(
            _(
                "Il piano è consuntivato: i suoi risultati si modificano solo aprendo una "
                "variazione con il suo atto (art. 6 D.Lgs. 150/2009)."
            )
        )
