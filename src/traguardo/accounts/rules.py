"""Permission predicates (django-rules) and the permissions built from them.

A predicate takes the user and an object of the authority (the Authority itself, a Plan or
an Objective). Membership decides everything; ``is_superuser`` decides nothing.
"""

import rules

from traguardo.accounts.models import Role


def _authority_id(obj) -> int | None:
    if obj is None:
        return None
    if obj.__class__.__name__ == "Authority":
        return obj.pk
    return getattr(obj, "authority_id", None)


def _membership(user, obj):
    from traguardo.core.tenancy import membership_for

    authority_id = _authority_id(obj)
    if authority_id is None or not user.is_authenticated:
        return None
    return membership_for(user, authority_id)


@rules.predicate
def is_member(user, obj) -> bool:
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

# Everyone of the authority reads its plans and schede (DESIGN.md §1); writes come with the
# editor and monitoring, each with its own predicate.
rules.add_perm("organization.view_authority", is_member)
rules.add_perm("planning.view_plan", is_member)
rules.add_perm("planning.view_objective", is_member)
rules.add_perm("planning.print_plan", is_member)
