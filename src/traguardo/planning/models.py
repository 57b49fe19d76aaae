"""The plan and its schede: Plan, DupGoal, Objective, Indicator, Target, Activity.

Every field of the paper card is a field here. Where the card holds free text that the
engine needs as data (a date, a number, a scale) both are kept: the verbatim text, so that
nothing the card said is lost, and the parsed value, blank when the text could not be read.
Scores are never stored: the scoring engine computes them from these rows.
"""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from traguardo.core.models import AuthorityScoped
from traguardo.scoring import Direction, Measure

if TYPE_CHECKING:  # the stubs' helper types: a development dependency
    from django_stubs_ext import StrOrPromise


# The two kinds of optional number a row holds, built in one place each; annotated, since
# the checker reads a field's nullability from its own declaration only.
def _weight() -> "models.DecimalField[Decimal | None, Decimal | None]":
    """A row's weight in percent, blank when the card gives none."""
    return models.DecimalField(
        _("peso (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )


def _value(label: "StrOrPromise") -> "models.DecimalField[Decimal | None, Decimal | None]":
    """A measured or expected value (4 decimals), blank when the card gives only text."""
    return models.DecimalField(label, max_digits=16, decimal_places=4, null=True, blank=True)


class Plan(AuthorityScoped):
    """Piano / PEG / PIAO 2.2 of one year, with its triennium."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Bozza")
        SUBMITTED = "submitted", _("Proposta")
        APPROVED = "approved", _("Approvato")
        MONITORING = "monitoring", _("In monitoraggio")
        CLOSED = "closed", _("Consuntivato")
        VALIDATED = "validated", _("Validato")

    year = models.PositiveSmallIntegerField(_("anno"))
    last_year = models.PositiveSmallIntegerField(_("ultimo anno del triennio"))
    title = models.CharField(_("titolo"), max_length=200)
    state = models.CharField(_("stato"), max_length=20, choices=State.choices, default=State.DRAFT)
    act_type = models.CharField(_("tipo di atto"), max_length=100, blank=True)
    act_number = models.CharField(_("numero dell'atto"), max_length=30, blank=True)
    act_date = models.DateField(_("data dell'atto"), null=True, blank=True)
    # The Nucleo/OIV's validation of the final results (DESIGN.md §5): written once.
    validated_on = models.DateField(_("data della validazione"), null=True, blank=True)
    validation_minutes = models.TextField(_("verbale della validazione"), blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validato da"),
    )
    # The SMVP rules the plan is scored with once closed (planning.rulebook): taken when the
    # plan is closed, renewed only by an explicit action inside a variazione (DESIGN.md §4.7).
    rules_snapshot = models.JSONField(_("regole dell'SMVP del piano"), null=True, blank=True)
    # The last time the validated results were reopened by a variazione: the public pages say
    # «Risultati rivisti il <data> (variazione n. N)».
    revised_on = models.DateField(_("risultati rivisti il"), null=True, blank=True)
    revision_number = models.PositiveSmallIntegerField(
        _("variazione della revisione"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("piano")
        verbose_name_plural = _("piani")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "year"], name="plan_unique_year"),
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("year")), name="plan_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> range:
        return range(self.year, self.last_year + 1)


class DupGoal(AuthorityScoped):
    """A node of the DUP: linea di mandato → obiettivo strategico → obiettivo operativo."""

    class Level(models.TextChoices):
        MANDATE = "mandate", _("Linea di mandato")
        STRATEGIC = "strategic", _("Obiettivo strategico")
        OPERATIONAL = "operational", _("Obiettivo operativo")

    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.CharField(_("livello"), max_length=20, choices=Level.choices)
    code = models.CharField(_("codice"), max_length=30)
    title = models.CharField(_("denominazione"), max_length=300)

    class Meta:
        verbose_name = _("obiettivo del DUP")
        verbose_name_plural = _("obiettivi del DUP")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Objective(AuthorityScoped):
    """Scheda obiettivo: one card of the plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveIntegerField(_("posizione nel piano"))
    code = models.CharField(_("codice obiettivo"), max_length=30, blank=True)
    title = models.CharField(_("denominazione"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(
        _("anno della scheda"),
        help_text=_("L'anno a cui si riferiscono i livelli attesi della scheda."),
    )
    first_year = models.PositiveSmallIntegerField(_("primo anno"))
    last_year = models.PositiveSmallIntegerField(_("ultimo anno"))
    series = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="series_cards",
        verbose_name=_("obiettivo pluriennale"),
        help_text=_("La prima scheda dell'obiettivo pluriennale di cui questa è un'annualità."),
    )
    dup_goal = models.ForeignKey(
        DupGoal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objectives",
        verbose_name=_("riferimento DUP"),
    )
    dup_text = models.CharField(_("riferimento DUP (testo)"), max_length=300, blank=True)
    unit = models.ForeignKey(
        "organization.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objectives",
        verbose_name=_("unità organizzativa responsabile"),
    )
    unit_text = models.CharField(_("unità responsabile (testo)"), max_length=300, blank=True)
    responsible = models.ForeignKey(
        "organization.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objectives",
        verbose_name=_("responsabile"),
    )
    responsible_text = models.CharField(_("responsabile (testo)"), max_length=200, blank=True)
    involved_units = models.ManyToManyField(
        "organization.OrgUnit",
        blank=True,
        related_name="involved_in",
        verbose_name=_("unità organizzative coinvolte"),
    )
    involved_text = models.CharField(_("unità coinvolte (testo)"), max_length=500, blank=True)
    expected_result = models.TextField(_("risultato atteso"), blank=True)
    notes = models.TextField(_("note"), blank=True)
    areas = models.ManyToManyField(
        "organization.PerformanceArea",
        blank=True,
        related_name="objectives",
        verbose_name=_("ambiti della performance organizzativa"),
    )
    strategic_level = models.ForeignKey(
        "organization.PolicyLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"dimension": "strategic"},
        verbose_name=_("strategicità"),
    )
    complexity_level = models.ForeignKey(
        "organization.PolicyLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"dimension": "complexity"},
        verbose_name=_("complessità"),
    )
    kind_level = models.ForeignKey(
        "organization.PolicyLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"dimension": "kind"},
        verbose_name=_("tipologia"),
    )
    import_notes = models.JSONField(
        _("note di importazione"),
        default=list,
        blank=True,
        help_text=_("Ciò che il caricamento ha notato nel documento di origine."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("scheda obiettivo")
        verbose_name_plural = _("schede obiettivo")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="objective_unique_position"),
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")),
                name="objective_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("Scheda senza denominazione"))

    @property
    def is_multi_year(self) -> bool:
        return self.last_year > self.first_year


class Indicator(AuthorityScoped):
    """A measurable indicator of a scheda: weight, formula, targets and grading."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("N°"))
    weight = _weight()
    name = models.CharField(_("denominazione"), max_length=300)
    formula_text = models.CharField(_("formula di calcolo"), max_length=300, blank=True)
    measure = models.CharField(
        _("misura"), max_length=20, choices=[(m.value, m.value) for m in Measure]
    )
    direction = models.CharField(
        _("verso"),
        max_length=10,
        choices=[
            (Direction.HIGHER.value, _("più alto è meglio")),
            (Direction.LOWER.value, _("più basso è meglio")),
        ],
        default=Direction.HIGHER.value,
    )
    baseline = _value(_("valore di riferimento"))
    baseline_text = models.CharField(_("riferimento (testo)"), max_length=100, blank=True)
    variation_percent = models.BooleanField(_("variazione in percentuale"), default=False)
    grading_text = models.CharField(_("graduazione (testo)"), max_length=300, blank=True)
    grading_scale = models.ForeignKey(
        "organization.GradingScale",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("graduazione del conseguimento"),
    )

    class Meta:
        verbose_name = _("indicatore")
        verbose_name_plural = _("indicatori")
        ordering = ["objective", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "position"], name="indicator_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Target(AuthorityScoped):
    """Livello atteso alla data: the intermediate or final target of an indicator for a year."""

    class Kind(models.TextChoices):
        INTERMEDIATE = "intermediate", _("Livello intermedio")
        FINAL = "final", _("Livello finale")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("anno"))
    value = _value(_("valore atteso"))
    value_text = models.CharField(_("valore atteso (testo)"), max_length=100, blank=True)
    due_date = models.DateField(_("alla data"), null=True, blank=True)
    due_text = models.CharField(_("alla data (testo)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("livello atteso")
        verbose_name_plural = _("livelli attesi")
        ordering = ["indicator", "year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "kind", "year"], name="target_unique_kind_year"
            )
        ]


class Activity(AuthorityScoped):
    """Piano operativo: a weighted sub-objective or activity with its times."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveSmallIntegerField(_("N°"))
    weight = _weight()
    title = models.CharField(_("sub-obiettivo / attività"), max_length=300)
    start_date = models.DateField(_("inizio"), null=True, blank=True)
    end_date = models.DateField(_("fine"), null=True, blank=True)
    timing_text = models.CharField(_("tempi (testo)"), max_length=100, blank=True)
    indicator_text = models.CharField(_("indicatori"), max_length=300, blank=True)
    expected_text = models.CharField(_("livello atteso"), max_length=100, blank=True)
    grading_text = models.CharField(_("graduazione (testo)"), max_length=300, blank=True)
    grading_scale = models.ForeignKey(
        "organization.GradingScale",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("graduazione del conseguimento"),
    )
    achieved_text = models.CharField(_("raggiunto (testo)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("attività")
        verbose_name_plural = _("attività")
        ordering = ["objective", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "position"], name="activity_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Comment(AuthorityScoped):
    """A remark of the Nucleo (or of the controllo di gestione) on a scheda or on its result.

    Comments are kept as written: there is no edit and no delete, like the audit trail.
    """

    class Topic(models.TextChoices):
        SCHEDA = "scheda", _("Scheda")
        RESULT = "risultato", _("Risultato")

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="comments")
    topic = models.CharField(_("argomento"), max_length=20, choices=Topic.choices)
    body = models.TextField(_("commento"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("autore"),
    )
    created_at = models.DateTimeField(_("scritto il"), auto_now_add=True)

    class Meta:
        verbose_name = _("commento")
        verbose_name_plural = _("commenti")
        ordering = ["objective", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_topic_display()}: {self.body[:60]}"


class Variation(AuthorityScoped):
    """Variazione of an approved plan (art. 6 D.Lgs. 150/2009): reason, act, who and when.

    While a variation is open the admins may change the plan's schede; every saved version of
    a scheda is kept (``ObjectiveVersion``) and points to the variation it was made in.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="variations")
    number = models.PositiveSmallIntegerField(_("numero"))
    reason = models.TextField(_("motivazione"))
    act_type = models.CharField(_("tipo di atto"), max_length=100)
    act_number = models.CharField(_("numero dell'atto"), max_length=30)
    act_date = models.DateField(_("data dell'atto"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("aperta il"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    closed_at = models.DateTimeField(_("chiusa il"), null=True, blank=True)

    class Meta:
        verbose_name = _("variazione")
        verbose_name_plural = _("variazioni")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="variation_unique_number")
        ]

    def __str__(self) -> str:
        return _("Variazione n. %(n)s") % {"n": self.number}

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ObjectiveVersion(AuthorityScoped):
    """A saved version of a scheda, as labelled values (``planning.versions``)."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("versione"))
    state = models.JSONField(_("contenuto"))
    variation = models.ForeignKey(
        Variation, on_delete=models.PROTECT, null=True, blank=True, related_name="versions"
    )
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    saved_at = models.DateTimeField(_("salvata il"))

    class Meta:
        verbose_name = _("versione della scheda")
        verbose_name_plural = _("versioni della scheda")
        ordering = ["objective", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "version"], name="objectiveversion_unique_version"
            )
        ]


class DataVersion(models.Model):
    """A number raised, in the writing transaction, by every write to an authority's plans,
    schede, measurements, periods or SMVP (``planning.kept``): kept results are keyed by it, so
    they are recomputed after a change and never otherwise. Not a tenant row: it holds no data,
    and it is read and raised by the authority's id only."""

    authority = models.OneToOneField(
        "organization.Authority", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    number = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("versione dei dati")
        verbose_name_plural = _("versioni dei dati")

    def __str__(self) -> str:
        return f"{self.authority_id}: {self.number}"
