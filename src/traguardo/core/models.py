"""Building blocks shared by the models of every app."""

from typing import TYPE_CHECKING, ClassVar, Self

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

if TYPE_CHECKING:
    from django_scopes.manager import _ScopedManager


class AuthorityScoped(models.Model):
    """A row that belongs to one authority (the tenant).

    The default manager refuses to run unless a scope is active (``with scope(authority=…)``)
    and then filters by that authority, so an unscoped query is the one that takes effort to
    write (``scopes_disabled()``, for commands and tests).
    """

    authority = models.ForeignKey(
        "organization.Authority", on_delete=models.CASCADE, related_name="+", verbose_name=_("ente")
    )

    # Typed here because django-scopes builds its manager class inside a function, where the
    # Django plugin cannot find it (stubs/django_scopes).
    objects: ClassVar["_ScopedManager[Self]"] = ScopedManager(authority="authority")

    class Meta:
        abstract = True
