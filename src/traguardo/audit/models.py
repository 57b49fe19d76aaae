"""The audit log: one append-only table, every row chained to the previous one by its hash."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# previous_hash of the first entry of the chain.
GENESIS = "0" * 64


class AuditEntry(models.Model):
    """Who did what, when (UTC), to which object, before and after, and why.

    Rows are written only by ``traguardo.audit.log.log_action``, which assigns ``id`` (1, 2, 3…
    with no gaps, so a removed row shows) and ``hash``; the database refuses UPDATE and DELETE
    (migration 0002). Foreign keys protect: a user or an authority with a history stays.
    """

    id = models.BigIntegerField(primary_key=True)
    authority = models.ForeignKey(
        "organization.Authority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ente"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utente"),
    )
    actor_name = models.CharField(_("nome dell'utente"), max_length=300, blank=True)
    at = models.DateTimeField(_("quando"))
    action = models.CharField(_("azione"), max_length=60)
    object_type = models.CharField(_("tipo di oggetto"), max_length=100, blank=True)
    object_id = models.CharField(_("id dell'oggetto"), max_length=64, blank=True)
    object_repr = models.CharField(_("oggetto"), max_length=300, blank=True)
    before = models.JSONField(_("prima"), null=True, blank=True)
    after = models.JSONField(_("dopo"), null=True, blank=True)
    reason = models.TextField(_("motivazione"), blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("voce del registro")
        verbose_name_plural = _("voci del registro")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["authority", "-id"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.object_repr}".strip()

    def hashed_fields(self) -> dict:
        """The fields the hash covers, as plain JSON values."""
        return {
            "id": self.id,
            "authority_id": self.authority_id,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "at": self.at.isoformat(),
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "previous_hash": self.previous_hash,
        }
