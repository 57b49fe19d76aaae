"""Resolve the authority of a request and run the view inside its scope.

Every back-office URL starts with the authority's slug. A user who is not a member of that
authority gets 404 (never 403: the existence of another authority's data is not disclosed);
a member without the permission the view declares gets 403.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django_scopes import scope

from traguardo.audit.log import log_refusal
from traguardo.core.requests import TenantRequest


def tenant_view(permission: str) -> Callable:
    """Declare a back-office view and the permission it needs on the request's authority.

    The wrapped view gets ``request.authority`` and ``request.membership`` and runs inside
    ``scope(authority=…)``, so every scoped query in it is filtered by that authority.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: TenantRequest, authority: str, *args, **kwargs) -> HttpResponse:
            # Typed as the view sees it: `authority` and `membership` are set below, before
            # the view runs; `user` is checked first.
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.user.membership_at(authority)
            if membership is None:
                raise Http404
            request.authority = membership.authority
            request.membership = membership
            if not request.user.has_perm(permission, membership.authority):
                log_refusal(request.user, permission, membership.authority)
                raise PermissionDenied
            with scope(authority=membership.authority):
                return view(request, *args, **kwargs)

        # The declared permission, read by the URL × persona tests; functions take attributes.
        wrapper.permission_required = permission  # type: ignore[attr-defined]
        return wrapper

    return decorator


def public_view(view: Callable) -> Callable:
    """Declare a view that needs no login (login page, health check, transparency)."""
    view.permission_required = None  # type: ignore[attr-defined]  # read as in tenant_view
    return view


def check_perm(request: TenantRequest, permission: str, obj: object) -> None:
    """Object-level check inside a tenant view: 403 when the member may not do this."""
    if not request.user.has_perm(permission, obj):
        log_refusal(request.user, permission, obj)
        raise PermissionDenied
