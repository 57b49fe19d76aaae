"""Authentication: Django's model backend, refusing the demo passwords in production."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from traguardo.accounts.validators import DEMO_PASSWORDS


class AuthBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if settings.PRODUCTION and password in DEMO_PASSWORDS:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
