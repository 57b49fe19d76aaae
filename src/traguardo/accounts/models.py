"""Users and their memberships: who may do what in which authority."""

import hashlib

# _user_has_perm: Django's own loop over the backends, private and so not in django-stubs.
from django.contrib.auth.models import AbstractUser, _user_has_perm  # type: ignore[attr-defined]
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. Roles live on Membership, one per authority the user works for."""

    # Raised by "Esci da tutti i dispositivi" (accounts.recovery.end_sessions): it is part of
    # the session's authentication hash, so every session opened before no longer verifies.
    sessions_epoch = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")

    def get_session_auth_hash(self) -> str:
        return self._with_epoch(super().get_session_auth_hash())

    def get_session_auth_fallback_hash(self):
        for fallback in super().get_session_auth_fallback_hash():
            yield self._with_epoch(fallback)

    def _with_epoch(self, base: str) -> str:
        if not self.sessions_epoch:
            return base  # sessions opened before the field existed stay valid
        return salted_hmac(
            "traguardo.accounts.sessions_epoch",
            f"{base}:{self.sessions_epoch}",
            algorithm="sha256",
        ).hexdigest()

    def has_perm(self, perm: str, obj=None) -> bool:
        # Unlike Django's default, a superuser gets no implicit permission on an authority's
        # data: what a user may do comes from their memberships alone.
        return self.is_active and _user_has_perm(self, perm, obj)

    # The memberships a request has read, by authority id: every permission check of a page
    # asks for the same one (core.tenancy reads it through these two methods, importing no app).
    def membership_for(self, authority_id: int) -> "Membership | None":
        """The user's membership in an authority, read once per request."""
        cache = self.__dict__.setdefault("_traguardo_memberships", {})
        if authority_id not in cache:
            cache[authority_id] = (
                self.memberships.select_related("authority", "person")
                .filter(authority_id=authority_id)
                .first()
            )
        return cache[authority_id]

    def membership_at(self, slug: str) -> "Membership | None":
        """The user's membership in the authority of a back-office URL; the request's later
        checks read it from ``membership_for``."""
        membership = (
            self.memberships.select_related("authority", "person")
            .filter(authority__slug=slug)
            .first()
        )
        if membership is not None:
            self._traguardo_memberships = {membership.authority_id: membership}
        return membership


class Role(models.TextChoices):
    ADMIN = "admin", _("Controllo di gestione")
    MANAGER = "manager", _("Dirigente / Responsabile")
    CONTRIBUTOR = "contributor", _("Referente")
    EVALUATOR = "evaluator", _("Nucleo di valutazione / OIV")
    VIEWER = "viewer", _("Lettura (Giunta, Sindaco)")
    # Sees only their own individual evaluations (and the evaluations they give, if any).
    EMPLOYEE = "employee", _("Dipendente (valutazione individuale)")


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


class CalendarTokenQuerySet(models.QuerySet):
    def active(self) -> "CalendarTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class CalendarToken(models.Model):
    """A private link to a member's deadlines as an iCalendar feed.

    Only the SHA-256 of the token is stored: the link is shown once, when it is created, and a
    copy of the database does not give anyone the feeds. Looking a token up by its hash also
    keeps the comparison from leaking, byte by byte, how much of a guessed token was right.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_tokens")
    authority = models.ForeignKey(
        "organization.Authority", on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(_("impronta del codice"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revocato il"), null=True, blank=True)

    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("collegamento al calendario")
        verbose_name_plural = _("collegamenti al calendario")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "authority"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendartoken_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.token_hash[:8]}"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class ReminderLog(models.Model):
    """A reminder e-mail sent: the same digest is not sent twice on the same day."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("giorno"))
    digest_hash = models.CharField(_("impronta del promemoria"), max_length=64)
    sent_at = models.DateTimeField(_("inviato il"), auto_now_add=True)

    class Meta:
        verbose_name = _("promemoria inviato")
        verbose_name_plural = _("promemoria inviati")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day", "digest_hash"], name="reminderlog_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"
