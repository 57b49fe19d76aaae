"""The login form, with its messages in Italian."""

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Nome utente o password non corretti."),
        "inactive": _("Questo account è disattivato."),
    }
