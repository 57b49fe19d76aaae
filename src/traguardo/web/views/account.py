"""The second factor of a login: the code page after the password, and enrolment.

Both pages are outside any authority: they need a login, not a membership.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from traguardo.accounts import otp
from traguardo.core.forms import StyledForm
from traguardo.core.requests import UserRequest
from traguardo.core.tenancy import public_view


class CodeForm(StyledForm):
    code = forms.CharField(
        label=gettext_lazy("Codice di 6 cifre"),
        max_length=12,
        help_text=gettext_lazy("Il codice che l'app di autenticazione mostra adesso."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@public_view  # needs a login, not a membership: login_required below
@login_required
@never_cache
def otp_verify(request: UserRequest) -> HttpResponse:
    """After the password: the code of the user's device, once per session."""
    device = otp.confirmed_device(request.user)
    next_url = _next_url(request)
    if device is not None and otp.session_verified(request.user):
        return redirect(next_url or "home")
    form = CodeForm(request.POST or None)
    if device is not None and request.method == "POST" and form.is_valid():
        refused = otp.verify_login(request, device, form.cleaned_data["code"], actor=request.user)
        if not refused:
            return redirect(next_url or "home")
        form.add_error("code", refused)
    return render(
        request,
        "web/account/otp_verify.html",
        {"form": form, "device": device, "next": next_url},
    )


@public_view  # needs a login, not a membership: login_required below
@login_required
@never_cache  # the page shows the key being enrolled
def otp_setup(request: UserRequest) -> HttpResponse:
    """Activate the second factor (a new key, confirmed by a code) or turn it off."""
    device = otp.confirmed_device(request.user)
    form = CodeForm(request.POST or None)
    action = request.POST.get("action", "")
    if device is not None:
        # The middleware lets only a verified session get here with a device.
        if request.method == "POST" and action == "disable" and form.is_valid():
            refused = otp.disable_device(device, form.cleaned_data["code"], actor=request.user)
            if not refused:
                messages.success(request, _("Verifica in due passaggi disattivata."))
                return redirect("otp_setup")
            form.add_error("code", refused)
        return render(
            request,
            "web/account/otp_setup.html",
            {"form": form, "device": device, "required": otp.otp_required(request.user)},
        )
    pending = otp.pending_device(request.user)
    if request.method == "POST" and action == "confirm" and form.is_valid():
        refused = otp.confirm_device(
            request, pending, form.cleaned_data["code"], actor=request.user
        )
        if not refused:
            messages.success(
                request,
                _(
                    "Verifica in due passaggi attivata: a ogni accesso, dopo la password, "
                    "Le sarà chiesto il codice dell'app."
                ),
            )
            return redirect("otp_setup")
        form.add_error("code", refused)
    return render(
        request,
        "web/account/otp_setup.html",
        {
            "form": form,
            "device": None,
            "pending": pending,
            "secret": otp.secret_text(pending),
            "config_url": pending.config_url,
            "required": otp.otp_required(request.user),
        },
    )


urlpatterns = [
    path("accesso/codice/", otp_verify, name="otp_verify"),
    path("account/due-fattori/", otp_setup, name="otp_setup"),
]
