"""Permission predicates (django-rules) and the permissions built from them.

A predicate takes the user and an object of the authority (the Authority itself, a Plan or
an Objective). Membership decides everything; ``is_superuser`` decides nothing.
"""

import rules

from traguardo.accounts.models import Role
from traguardo.organization.models import OrgUnit


def _authority_id(obj) -> int | None:
    if obj is None:
        return None
    if obj.__class__.__name__ == "Authority":
        return obj.pk
    return getattr(obj, "authority_id", None)


def _membership(user, obj):
    authority_id = _authority_id(obj)
    if authority_id is None or not user.is_authenticated:
        return None
    return user.membership_for(authority_id)


@rules.predicate
def is_member(user, obj) -> bool:
    """A member of the plan's office: every role but the employee, who sees only their own
    individual evaluations (``has_membership``)."""
    membership = _membership(user, obj)
    return membership is not None and membership.role != Role.EMPLOYEE


@rules.predicate
def has_membership(user, obj) -> bool:
    return _membership(user, obj) is not None


def _has_role(*roles: Role):
    @rules.predicate(name="has_role_" + "_".join(roles))
    def predicate(user, obj) -> bool:
        membership = _membership(user, obj)
        return membership is not None and membership.role in roles

    return predicate


is_admin = _has_role(Role.ADMIN)
is_manager = _has_role(Role.MANAGER)
is_contributor = _has_role(Role.CONTRIBUTOR)
is_evaluator = _has_role(Role.EVALUATOR)
is_viewer = _has_role(Role.VIEWER)


def _plan(obj):
    return obj if obj.__class__.__name__ == "Plan" else getattr(obj, "plan", None)


@rules.predicate
def plan_is_draft(user, obj) -> bool:
    plan = _plan(obj)
    return plan is not None and plan.state == "draft"


@rules.predicate
def plan_is_open_to_admins(user, obj) -> bool:
    """Admins still edit a plan that was submitted; approval locks it (changes then go
    through a variazione)."""
    plan = _plan(obj)
    return plan is not None and plan.state in ("draft", "submitted")


@rules.predicate
def plan_has_open_variation(user, obj) -> bool:
    """An approved (or closed) plan being varied (art. 6): its schede are open to the admins
    again. A validated plan has none open: opening one reopens the validation first."""
    plan = _plan(obj)
    if plan is None or plan.state not in ("approved", "monitoring", "closed"):
        return False
    cached = getattr(plan, "_open_variation", None)
    if cached is None:
        cached = plan._open_variation = plan.variations.filter(closed_at__isnull=True).exists()
    return cached


@rules.predicate
def plan_is_variable(user, obj) -> bool:
    """Approved, in monitoring, closed or validated (a validated plan's variazione must
    reopen the validation: planning.domain.variations)."""
    plan = _plan(obj)
    return plan is not None and plan.state in ("approved", "monitoring", "closed", "validated")


@rules.predicate
def heads_objective_unit(user, objective) -> bool:
    """The objective's responsible unit is one of the member's units or below one of them."""
    membership = _membership(user, objective)
    unit_id = getattr(objective, "unit_id", None)
    return membership is not None and unit_id is not None and unit_id in covered_units(membership)


def covered_units(membership, tree=None) -> frozenset[int]:
    """The member's units and every unit below them; computed once per request (2 queries;
    1 when the caller already has the authority's ``tree`` as (pk, parent) pairs)."""
    cached = getattr(membership, "_covered_units", None)
    if cached is None:
        children: dict[int | None, list[int]] = {}
        if tree is None:
            units = OrgUnit.objects.with_scopes_disabled()
            tree = units.filter(authority_id=membership.authority_id).values_list("pk", "parent_id")
        for pk, parent in tree:
            children.setdefault(parent, []).append(pk)
        pending = list(membership.units.values_list("pk", flat=True))
        covered: set[int] = set()
        while pending:
            pk = pending.pop()
            if pk not in covered:
                covered.add(pk)
                pending.extend(children.get(pk, ()))
        cached = membership._covered_units = frozenset(covered)
    return cached


# Everyone of the authority reads its plans and schede (DESIGN.md §1).
rules.add_perm("organization.view_authority", is_member)
rules.add_perm("planning.view_plan", is_member)
rules.add_perm("planning.view_objective", is_member)
rules.add_perm("planning.print_plan", is_member)

# Setting up the authority (structure, people, DUP, ambiti, SMVP, scales) is the admins'.
rules.add_perm("organization.manage_setup", is_admin)

# Plans are opened by admins; schede are written by admins, and by managers for the units
# they head while the plan is a draft. Evaluators and viewers read.
rules.add_perm("planning.add_plan", is_admin)
rules.add_perm(
    "planning.add_objective",
    (is_admin & (plan_is_open_to_admins | plan_has_open_variation)) | (is_manager & plan_is_draft),
)
rules.add_perm(
    "planning.change_objective",
    (is_admin & (plan_is_open_to_admins | plan_has_open_variation))
    | (is_manager & plan_is_draft & heads_objective_unit),
)
rules.add_perm("planning.manage_variations", is_admin & plan_is_variable)

# Monitoring (DESIGN.md §5): admins run the periods and force results; the people responsible
# for a unit (its manager, the contributors assigned to it) record its measurements.
rules.add_perm("monitoring.view_dashboard", is_member)
rules.add_perm("monitoring.manage_periods", is_admin)
rules.add_perm(
    "monitoring.record_measurement",
    is_admin | ((is_manager | is_contributor) & heads_objective_unit),
)
rules.add_perm("monitoring.force_achievement", is_admin)
# Evidence files may name people and contain documents of the office: the unit's own people,
# the controllo di gestione and the Nucleo see them; other units and viewers do not.
rules.add_perm(
    "monitoring.view_evidence",
    is_admin | is_evaluator | ((is_manager | is_contributor) & heads_objective_unit),
)

# Accesses of the authority's people (password link, second factor, lockout, sessions).
rules.add_perm("accounts.manage_access", is_admin)

# The review of what a plan publishes (names in free texts) before its results go public.
rules.add_perm("reports.review_public_texts", is_admin)

# The audit log of the authority (who changed what, when, why) is read by its admins.
rules.add_perm("audit.view_log", is_admin)

# The plan's lifecycle (DESIGN.md §5): a draft is proposed by the admins or a manager; the
# admins approve it, start the monitoring and close it; only the Nucleo/OIV validates it.
rules.add_perm("planning.submit_plan", is_admin | is_manager)
rules.add_perm("planning.approve_plan", is_admin)
rules.add_perm("planning.start_monitoring", is_admin)
rules.add_perm("planning.close_plan", is_admin)
rules.add_perm("planning.validate_plan", is_evaluator)
# The Nucleo's workspace: evaluators and admins comment on schede and results (every member
# reads the comments, with the scheda) and see the plan's review page.
rules.add_perm("planning.comment_objective", is_admin | is_evaluator)
rules.add_perm("planning.review_plan", is_admin | is_evaluator)


@rules.predicate
def started_job(user, job) -> bool:
    return getattr(job, "created_by_id", None) == user.pk


# Long work (documents, imports): a member follows the jobs they started; admins see them all.
rules.add_perm("jobs.view_jobs", is_member)
rules.add_perm("jobs.view_job", is_admin | (is_member & started_job))


@rules.predicate
def is_authority(user, obj) -> bool:
    return obj.__class__.__name__ == "Authority"


# Imports: bringing schede in from a file is writing schede, so it follows
# "planning.add_objective": admins while the plan is open to them (draft, submitted, or an
# approved plan under an open variazione), managers while it is a draft. On the authority
# (the view's first check) it says "may import into some plan". Which schede a manager may
# write is decided per scheda by the dry run with "planning.change_objective": only those of
# the units they head, new or replaced.
rules.add_perm(
    "imports.import_plan",
    (is_admin & (is_authority | plan_is_open_to_admins | plan_has_open_variation))
    | (is_manager & (is_authority | plan_is_draft)),
)


# Individual performance (traguardo.evaluation). The object is an Assignment or an Evaluation
# (its assignment, with its family, read through the relation). A person is linked to a login
# by ``Membership.person``: the evaluated person sees their evaluation once it is delivered,
# the evaluator those they give, the Nucleo those of the families it reviews (dirigenti),
# admins all. What a list shows is filtered the same way (``evaluation.queries``).
def _assignment(obj):
    if obj.__class__.__name__ == "Assignment":
        return obj
    return getattr(obj, "assignment", None)


def _person_id(user, obj) -> int | None:
    membership = _membership(user, obj)
    return None if membership is None else membership.person_id


@rules.predicate
def is_evaluated_person(user, obj) -> bool:
    assignment = _assignment(obj)
    person = _person_id(user, obj)
    return assignment is not None and person is not None and assignment.person_id == person


@rules.predicate
def gives_evaluation(user, obj) -> bool:
    assignment = _assignment(obj)
    person = _person_id(user, obj)
    return assignment is not None and person is not None and assignment.evaluator_id == person


@rules.predicate
def nucleo_family(user, obj) -> bool:
    assignment = _assignment(obj)
    return assignment is not None and assignment.family.nucleo_reviews


@rules.predicate
def evaluation_delivered(user, obj) -> bool:
    """The evaluated person sees the evaluation from its delivery on (not while drafted)."""
    state = getattr(obj, "state", None)
    if state is None:  # an Assignment: its evaluation, if there is one
        evaluation = getattr(obj, "evaluation", None)
        state = getattr(evaluation, "state", None)
    return state in ("delivered", "review", "final")


rules.add_perm("evaluation.manage_scheme", is_admin)
rules.add_perm("evaluation.view_pay", is_admin)
rules.add_perm("evaluation.view_evaluations", has_membership)
rules.add_perm(
    "evaluation.view_evaluation",
    is_admin
    | gives_evaluation
    | (is_evaluator & nucleo_family)
    | (is_evaluated_person & evaluation_delivered),
)
rules.add_perm("evaluation.write_evaluation", gives_evaluation)
rules.add_perm("evaluation.respond", is_evaluated_person & evaluation_delivered)
rules.add_perm(
    "evaluation.answer_review",
    (gives_evaluation & ~nucleo_family) | (is_evaluator & nucleo_family),
)
rules.add_perm("evaluation.revise", is_admin)
