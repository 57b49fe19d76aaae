"""The tenant and its structure: Authority, OrgUnit, Person, the SMVP (ScoringPolicy)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from traguardo.core.models import AuthorityScoped
from traguardo.scoring import scale_from_dict


class Authority(models.Model):
    """Ente: a Comune, Unione, Provincia. Every other row belongs to one."""

    class Kind(models.TextChoices):
        COMUNE = "comune", _("Comune")
        UNIONE = "unione", _("Unione di comuni")
        PROVINCIA = "provincia", _("Provincia")
        OTHER = "altro", _("Altro ente")

    name = models.CharField(_("denominazione"), max_length=200)
    slug = models.SlugField(_("identificativo"), max_length=60, unique=True)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices, default=Kind.COMUNE)
    ipa_code = models.CharField(_("codice IPA"), max_length=20, blank=True)
    tax_code = models.CharField(_("codice fiscale"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("ente")
        verbose_name_plural = _("enti")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Person(AuthorityScoped):
    """A named person of the authority (Dirigente, Responsabile…), with or without a login."""

    first_name = models.CharField(_("nome"), max_length=100, blank=True)
    last_name = models.CharField(_("cognome"), max_length=100)
    job_title = models.CharField(_("qualifica"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("persone")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "last_name", "first_name"], name="person_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class OrgUnit(AuthorityScoped):
    """A node of the organisation tree: Settore, Servizio, Ufficio."""

    class Kind(models.TextChoices):
        SECTOR = "settore", _("Settore")
        SERVICE = "servizio", _("Servizio")
        OFFICE = "ufficio", _("Ufficio")
        OTHER = "altro", _("Altra unità")

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("unità superiore"),
    )
    name = models.CharField(_("denominazione"), max_length=200)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices, default=Kind.OFFICE)
    head = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_units",
        verbose_name=_("responsabile"),
    )
    position = models.PositiveIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("unità organizzativa")
        verbose_name_plural = _("unità organizzative")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="orgunit_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class PerformanceArea(AuthorityScoped):
    """Ambito della performance organizzativa (art. 8 D.Lgs. 150/2009); a list per authority."""

    number = models.PositiveSmallIntegerField(_("numero"))
    name = models.TextField(_("denominazione"))

    class Meta:
        verbose_name = _("ambito della performance")
        verbose_name_plural = _("ambiti della performance")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "number"], name="area_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class ScoringPolicy(AuthorityScoped):
    """The authority's SMVP rules that are not scales: activity share and traffic lights."""

    activity_share = models.DecimalField(
        _("quota delle attività sul raggiungimento (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    green_from = models.DecimalField(
        _("verde da (%)"), max_digits=5, decimal_places=2, default=Decimal(90)
    )
    amber_from = models.DecimalField(
        _("giallo da (%)"), max_digits=5, decimal_places=2, default=Decimal(60)
    )

    class Meta:
        verbose_name = _("sistema di misurazione e valutazione")
        verbose_name_plural = _("sistemi di misurazione e valutazione")
        constraints = [
            models.UniqueConstraint(fields=["authority"], name="policy_one_per_authority")
        ]

    def __str__(self) -> str:
        return str(_("SMVP"))


class PolicyLevel(AuthorityScoped):
    """One level of strategicità, complessità or tipologia with its points or factor."""

    class Dimension(models.TextChoices):
        STRATEGIC = "strategic", _("Strategicità")
        COMPLEXITY = "complexity", _("Complessità")
        KIND = "kind", _("Tipologia")

    policy = models.ForeignKey(ScoringPolicy, on_delete=models.CASCADE, related_name="levels")
    dimension = models.CharField(_("dimensione"), max_length=20, choices=Dimension.choices)
    code = models.SlugField(_("codice"), max_length=30)
    label = models.CharField(_("livello"), max_length=60)
    value = models.DecimalField(
        _("punti o coefficiente"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    position = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("livello del punteggio")
        verbose_name_plural = _("livelli del punteggio")
        ordering = ["dimension", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "dimension", "code"], name="policylevel_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.label


class GradingScale(AuthorityScoped):
    """Graduazione del conseguimento: a scale of the SMVP, stored as data (scoring.scales)."""

    name = models.CharField(_("nome"), max_length=150)
    definition = models.JSONField(_("definizione"))
    source_text = models.CharField(_("testo originale"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("graduazione del conseguimento")
        verbose_name_plural = _("graduazioni del conseguimento")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="scale_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self):
        return scale_from_dict(self.definition)
