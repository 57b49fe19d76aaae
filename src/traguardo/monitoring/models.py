"""Monitoring: periods and the measurements recorded in them."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from traguardo.core.models import AuthorityScoped

if TYPE_CHECKING:
    from traguardo.planning.models import Activity, Indicator


class MonitoringPeriod(AuthorityScoped):
    """Verifica intermedia or consuntivo: when measurements may be entered."""

    class Kind(models.TextChoices):
        INTERMEDIATE = "intermediate", _("Verifica intermedia")
        FINAL = "final", _("Consuntivo")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Programmato")
        OPEN = "open", _("Aperto")
        CLOSED = "closed", _("Chiuso")
        REOPENED = "reopened", _("Riaperto")

    plan = models.ForeignKey("planning.Plan", on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("nome"), max_length=150)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    reference_date = models.DateField(_("data di riferimento"))
    state = models.CharField(
        _("stato"), max_length=20, choices=State.choices, default=State.SCHEDULED
    )

    class Meta:
        verbose_name = _("periodo di monitoraggio")
        verbose_name_plural = _("periodi di monitoraggio")
        ordering = ["plan", "reference_date"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED


class Measurement(AuthorityScoped):
    """Rilevazione: what was measured for an indicator or an activity in a period."""

    period = models.ForeignKey(
        MonitoringPeriod, on_delete=models.CASCADE, related_name="measurements"
    )
    indicator = models.ForeignKey(
        "planning.Indicator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measurements",
    )
    activity = models.ForeignKey(
        "planning.Activity",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measurements",
    )
    numerator = models.DecimalField(
        _("numeratore"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominatore"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    value = models.DecimalField(_("valore"), max_digits=16, decimal_places=4, null=True, blank=True)
    completed_on = models.DateField(_("data di completamento"), null=True, blank=True)
    done = models.BooleanField(_("realizzato"), null=True, blank=True)
    progress = models.DecimalField(
        _("avanzamento (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    not_assessable = models.BooleanField(_("non valutabile"), default=False)
    not_assessable_reason = models.TextField(_("motivo della non valutabilità"), blank=True)
    forced_achievement = models.DecimalField(
        _("raggiungimento forzato (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    forced_reason = models.TextField(_("motivo della forzatura"), blank=True)
    comment = models.TextField(_("commento"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    entered_at = models.DateTimeField(_("inserita il"), auto_now=True)

    class Meta:
        verbose_name = _("rilevazione")
        verbose_name_plural = _("rilevazioni")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(indicator__isnull=False, activity__isnull=True)
                | models.Q(indicator__isnull=True, activity__isnull=False),
                name="measurement_one_subject",
            ),
            models.UniqueConstraint(
                fields=["period", "indicator"], name="measurement_unique_indicator"
            ),
            models.UniqueConstraint(
                fields=["period", "activity"], name="measurement_unique_activity"
            ),
            models.CheckConstraint(
                condition=~models.Q(not_assessable=True, not_assessable_reason=""),
                name="measurement_not_assessable_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(forced_achievement__isnull=True) | ~models.Q(forced_reason=""),
                name="measurement_forced_has_reason",
            ),
        ]

    @property
    def subject(self) -> "Indicator | Activity":
        """The indicator or the activity measured: exactly one (the check constraint)."""
        subject = self.indicator or self.activity
        if subject is None:
            raise ValueError(f"measurement {self.pk} measures nothing")
        return subject


def _evidence_path(instance: "Evidence", filename: str) -> str:
    # Stored under a random name: the original name is kept in the row, never on disk.
    return f"evidence/{instance.authority_id}/{instance.stored_name}"


class Evidence(AuthorityScoped):
    """A file that documents a measurement (a deliberation, a report, a screenshot)."""

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=_evidence_path, max_length=300)
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    original_name = models.CharField(_("nome del file"), max_length=255)
    content_type = models.CharField(_("tipo"), max_length=120)
    size = models.PositiveBigIntegerField(_("dimensione (byte)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("caricato il"), auto_now_add=True)

    class Meta:
        verbose_name = _("allegato")
        verbose_name_plural = _("allegati")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
