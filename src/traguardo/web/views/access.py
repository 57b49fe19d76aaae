"""Accesses and recovery: the admins' page of the authority's people who log in, and the
public pages of the one-time password link.

Thin adapters over ``accounts.recovery``: an admin sends a password link, resets a second
factor, lifts a login lockout or ends every session of a person; anyone logged in ends all
their own sessions ("Esci da tutti i dispositivi").
"""

from collections.abc import Callable
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from traguardo.accounts import recovery
from traguardo.accounts.models import Membership
from traguardo.audit.log import log_action
from traguardo.core.domain import DomainError
from traguardo.core.forms import StyledMixin
from traguardo.core.requests import TenantRequest, UserRequest
from traguardo.core.tenancy import public_view, tenant_view


def _locked_usernames(usernames: list[str]) -> set[str]:
    """Who the login lockout refuses now (by username, from any address or from one)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(username__in=usernames, attempt_time__gte=since)
    totals = recent.values("username").annotate(total=Sum("failures_since_start"))
    locked = {t["username"] for t in totals if t["total"] >= settings.LOCKOUT_USERNAME_LIMIT}
    locked |= set(
        recent.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).values_list(
            "username", flat=True
        )
    )
    return locked


@tenant_view(recovery.MANAGE_ACCESS)
def access_list(request: TenantRequest) -> HttpResponse:
    members = list(
        Membership.objects.filter(authority=request.authority)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    users = [m.user for m in members]
    with_device = set(
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )
    locked = _locked_usernames([u.get_username() for u in users])
    rows = [
        {
            "membership": m,
            "user": m.user,
            "has_device": m.user.pk in with_device,
            "locked": m.user.get_username() in locked,
            "is_self": m.user.pk == request.user.pk,
        }
        for m in members
    ]
    return render(request, "web/setup/access_list.html", {"rows": rows})


# Each takes the user, then the actor and authority (and the password link's base_url).
ACTIONS: dict[str, Callable[..., object]] = {
    "password": recovery.send_password_reset,
    "secondo-fattore": recovery.reset_second_factor,
    "sblocca": recovery.unlock_login,
    "sessioni": recovery.end_sessions,
}


@require_POST
@tenant_view(recovery.MANAGE_ACCESS)
def access_action(request: TenantRequest, pk: int, action: str) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=pk, authority=request.authority
    )
    if action not in ACTIONS:
        raise Http404
    user = membership.user
    name = user.get_full_name() or user.get_username()
    kwargs: dict[str, Any] = {"actor": request.user, "authority": request.authority}
    if action == "password":
        kwargs["base_url"] = settings.BASE_URL or request.build_absolute_uri("/")
    try:
        ACTIONS[action](user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("setup_access", authority=request.authority.slug)
    done = {
        "password": _("Collegamento per scegliere una nuova password inviato a %(name)s."),
        "secondo-fattore": _(
            "Verifica in due passaggi di %(name)s azzerata: al prossimo accesso ne attiverà una "
            "nuova."
        ),
        "sblocca": _("Accesso di %(name)s sbloccato."),
        "sessioni": _("%(name)s è stato fatto uscire da tutti i dispositivi."),
    }
    messages.success(request, done[action] % {"name": name})
    return redirect("setup_access", authority=request.authority.slug)


@public_view
@require_POST
@login_required
def logout_everywhere(request: UserRequest) -> HttpResponse:
    """End every session of the user, this one included."""
    recovery.end_sessions(request.user, actor=request.user)
    logout(request)
    messages.success(request, _("Sei uscito da tutti i dispositivi. Accedi di nuovo."))
    return redirect("login")


class NewPasswordForm(StyledMixin, SetPasswordForm):
    pass


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """The page of the one-time link: choose a new password (Django checks the token)."""

    template_name = "web/account/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            user = form.user
            AccessAttempt.objects.filter(username=user.get_username()).delete()
            log_action(
                actor=user,
                action="auth.password_reset_done",
                obj=user,
                authority=Membership.objects.filter(user=user)
                .order_by("pk")
                .values_list("authority_id", flat=True)
                .first(),
                after={"username": user.get_username()},
            )
        return response


urlpatterns = [
    path(
        "accesso/reimposta/<uidb64>/<token>/",
        public_view(PasswordResetConfirm.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accesso/reimposta/fatto/",
        public_view(
            auth_views.PasswordResetCompleteView.as_view(
                template_name="web/account/password_reset_complete.html"
            )
        ),
        name="password_reset_complete",
    ),
    path("account/esci-ovunque/", logout_everywhere, name="logout_everywhere"),
]

setup_urlpatterns = [
    path("accessi/", access_list, name="setup_access"),
    path("accessi/<int:pk>/<str:action>/", access_action, name="setup_access_action"),
]
