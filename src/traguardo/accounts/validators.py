"""Password rules of our own."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The passwords `make run` gives the demo accounts. They are public (printed, documented),
# so a production installation must never accept them.
DEMO_PASSWORDS = frozenset({"traguardo-demo-2019"})


class DemoPasswordValidator:
    def validate(self, password: str, user=None) -> None:
        if settings.PRODUCTION and password in DEMO_PASSWORDS:
            raise ValidationError(
                _("Questa è la password pubblica degli account dimostrativi: sceglierne un'altra."),
                code="demo_password",
            )

    def get_help_text(self) -> str:
        return _("La password non può essere quella degli account dimostrativi.")
