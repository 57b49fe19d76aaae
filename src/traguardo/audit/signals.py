"""Logins and failed logins in the audit log (Django's authentication signals).

Each is logged in a transaction of its own. A failed login keeps the username that was
tried, never the password; its authority is the one of the user of that name, if any.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from traguardo.accounts.models import Membership
from traguardo.audit.log import log_separately
from traguardo.core.middleware import client_ip  # the same address the lockout counts


def _authority_id(user) -> int | None:
    if user is None:
        return None
    return (
        Membership.objects.filter(user=user)
        .order_by("pk")
        .values_list("authority_id", flat=True)
        .first()
    )


def _ip(request) -> str:
    return (client_ip(request) or "") if request is not None else ""


@receiver(user_logged_in, dispatch_uid="audit-login")
def log_login(sender, request, user, **kwargs) -> None:
    log_separately(
        actor=user,
        action="auth.login",
        obj=user,
        authority=_authority_id(user),
        after={"ip": _ip(request)},
    )


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def log_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get(get_user_model().USERNAME_FIELD, ""))[:150]
    user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
    log_separately(
        actor=None,
        action="auth.login_failed",
        authority=_authority_id(user),
        after={"username": username, "ip": _ip(request)},
    )
