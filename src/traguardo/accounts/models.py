"""Users and their memberships: who may do what in which authority."""

from django.contrib.auth.models import AbstractUser, _user_has_perm
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. Roles live on Membership, one per authority the user works for."""

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")

    def has_perm(self, perm: str, obj=None) -> bool:
        # Unlike Django's default, a superuser gets no implicit permission on an authority's
        # data: what a user may do comes from their memberships alone.
        return self.is_active and _user_has_perm(self, perm, obj)


class Role(models.TextChoices):
    ADMIN = "admin", _("Controllo di gestione")
    MANAGER = "manager", _("Dirigente / Responsabile")
    CONTRIBUTOR = "contributor", _("Referente")
    EVALUATOR = "evaluator", _("Nucleo di valutazione / OIV")
    VIEWER = "viewer", _("Lettura (Giunta, Sindaco)")


class Membership(models.Model):
    """User × authority × role, with the units the role covers (for managers and contributors).

    Not scoped by the authority manager: it is what resolves the authority of a request.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(
        "organization.Authority", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("ruolo"), max_length=20, choices=Role.choices)
    person = models.ForeignKey(
        "organization.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("persona"),
    )
    units = models.ManyToManyField(
        "organization.OrgUnit", blank=True, related_name="memberships", verbose_name=_("unità")
    )

    class Meta:
        verbose_name = _("abilitazione")
        verbose_name_plural = _("abilitazioni")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "authority"], name="membership_one_per_authority"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.authority} ({self.get_role_display()})"
