"""Individual performance (art. 9 D.Lgs. 150/2009): the model of one year and its evaluations.

``Scheme`` is the SMVP's individual part for one year (the rating scale, the differentiation
rule, the pay bands and rules, the days to ask a review); ``Family`` groups who is evaluated
alike, with its ``FamilyComponent`` weights, its ``Behaviour`` catalogue and its ``Fund``.
``Assignment`` says who is evaluated by whom in that year, with the service that decides the
premium; ``AssignedScheda`` the plan's schede counted in the objectives component,
``IndividualGoal`` the person's own objectives. ``Evaluation`` is the conversation's state and
what the evaluator wrote; ``BehaviourRating`` one rating. No score is stored: the engine
(``scoring.individual``, ``scoring.pay``) computes every total, band and premium from these
rows (``evaluation.scores``, ``evaluation.pay``).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from traguardo.core.models import AuthorityScoped
from traguardo.scoring.individual import (
    ComponentKind,
    DifferentiationRule,
    ObjectivesRule,
    RatingRule,
)
from traguardo.scoring.pay import PayBasis, Rounding

_PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _percent(label, default=None, **options) -> "models.DecimalField":
    return models.DecimalField(
        label, max_digits=5, decimal_places=2, validators=_PERCENT, default=default, **options
    )


class Scheme(AuthorityScoped):
    """The individual part of the SMVP for one year; read-only once an evaluation of the year
    has been delivered (``evaluation.domain.settings.require_scheme_open``)."""

    year = models.PositiveSmallIntegerField(_("anno"))
    # Behaviours' rating scale (scoring.individual.RatingScale); its levels are RatingLevel.
    rating_min = models.DecimalField(
        _("valutazione minima"), max_digits=5, decimal_places=2, default=Decimal(1)
    )
    rating_max = models.DecimalField(
        _("valutazione massima"), max_digits=5, decimal_places=2, default=Decimal(5)
    )
    rating_step = models.DecimalField(
        _("passo"), max_digits=5, decimal_places=2, default=Decimal(1)
    )
    rating_rule = models.CharField(
        _("conversione in percentuale"),
        max_length=20,
        choices=[
            (RatingRule.OF_MAX.value, _("valutazione / massimo × 100")),
            (RatingRule.MIN_MAX.value, _("(valutazione − minimo) / (massimo − minimo) × 100")),
        ],
        default=RatingRule.OF_MAX.value,
    )
    # Capacity to differentiate (art. 9 c.1 d; scoring.individual.DifferentiationSettings).
    differentiation_rule = models.CharField(
        _("regola della differenziazione"),
        max_length=20,
        choices=[
            (DifferentiationRule.SPREAD.value, _("coefficiente di variazione delle valutazioni")),
            (
                DifferentiationRule.OUTSIDE_TOP.value,
                _("quota di valutazioni fuori dalla fascia più alta"),
            ),
        ],
        default=DifferentiationRule.SPREAD.value,
    )
    differentiation_target = models.DecimalField(
        _("obiettivo della differenziazione"),
        max_digits=7,
        decimal_places=4,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_(
            "Il coefficiente di variazione (es. 0,10) o la quota in % (es. 50) che vale 100."
        ),
    )
    top_band = _percent(_("fascia più alta da"), Decimal(90))
    minimum_count = models.PositiveSmallIntegerField(
        _("valutazioni minime per l'indice"), default=5, validators=[MinValueValidator(2)]
    )
    # Pay (scoring.pay.PayRules); the bands are PayBand rows.
    bands_lower_inclusive = models.BooleanField(
        _("il limite inferiore appartiene alla fascia"), default=True
    )
    pay_basis = models.CharField(
        _("base del premio"),
        max_length=20,
        choices=[
            (PayBasis.SCORE.value, _("punteggio")),
            (PayBasis.BAND.value, _("quota della fascia")),
            (PayBasis.SCORE_TIMES_BAND.value, _("punteggio × quota della fascia")),
        ],
        default=PayBasis.SCORE.value,
    )
    franchise_days = models.PositiveSmallIntegerField(
        _("giorni di assenza in franchigia"), default=0, validators=[MaxValueValidator(366)]
    )
    increase = models.DecimalField(
        _("maggiorazione del premio (% della media)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(30))],
        help_text=_(
            "Art. 81 CCNL Funzioni Locali 16.11.2022: almeno il 30 %. Vuoto: nessuna maggiorazione."
        ),
    )
    increase_max_share = _percent(_("quota massima di beneficiari (%)"), Decimal(10))
    rounding = models.CharField(
        _("arrotondamento"),
        max_length=20,
        choices=[
            (
                Rounding.LARGEST_REMAINDER.value,
                _("per difetto, i centesimi residui ai resti maggiori"),
            ),
            (Rounding.FLOOR.value, _("per difetto, il residuo resta nel fondo")),
        ],
        default=Rounding.LARGEST_REMAINDER.value,
    )
    # Art. 7 c.2-bis: the days the evaluated person has to ask a review once delivered.
    review_days = models.PositiveSmallIntegerField(
        _("giorni per chiedere la revisione"), default=15, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("sistema di valutazione individuale")
        verbose_name_plural = _("sistemi di valutazione individuale")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "year"], name="scheme_unique_year")
        ]

    def __str__(self) -> str:
        return str(_("Valutazione individuale %(year)s") % {"year": self.year})


class RatingLevel(AuthorityScoped):
    """An anchor of the behaviours' scale: a rating and what it means."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="rating_levels")
    rating = models.DecimalField(_("valutazione"), max_digits=5, decimal_places=2)
    description = models.CharField(_("descrizione"), max_length=300)

    class Meta:
        verbose_name = _("livello della scala dei comportamenti")
        verbose_name_plural = _("livelli della scala dei comportamenti")
        ordering = ["rating"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "rating"], name="ratinglevel_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rating}: {self.description}"


class PayBand(AuthorityScoped):
    """From ``lower`` (a total) up to the next band, ``share`` percent of the premium."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="pay_bands")
    lower = _percent(_("punteggio da"))
    share = _percent(_("quota del premio (%)"))

    class Meta:
        verbose_name = _("fascia di premio")
        verbose_name_plural = _("fasce di premio")
        ordering = ["lower"]
        constraints = [models.UniqueConstraint(fields=["scheme", "lower"], name="payband_unique")]

    def __str__(self) -> str:
        return f"≥ {self.lower}: {self.share} %"


class Family(AuthorityScoped):
    """Who is evaluated alike in a year: dirigenti, EQ, dipendenti of a category."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="families")
    name = models.CharField(_("famiglia"), max_length=100)
    objectives_rule = models.CharField(
        _("peso delle schede"),
        max_length=20,
        choices=[
            (ObjectivesRule.BY_PUNTEGGIO.value, _("il Punteggio di ciascuna scheda")),
            (ObjectivesRule.BY_WEIGHT.value, _("i pesi dichiarati nell'assegnazione")),
        ],
        default=ObjectivesRule.BY_PUNTEGGIO.value,
    )
    # Dirigenti are evaluated on the Nucleo's proposal (art. 14 c.4 e): the Nucleo sees their
    # evaluations and answers their review requests.
    nucleo_reviews = models.BooleanField(_("valutati su proposta del Nucleo"), default=False)
    position = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("famiglia di valutazione")
        verbose_name_plural = _("famiglie di valutazione")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="family_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class FamilyComponent(AuthorityScoped):
    """A component of a family and its weight, in percent of the total."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="components")
    kind = models.CharField(
        _("componente"),
        max_length=30,
        choices=[
            (ComponentKind.UNIT_OBJECTIVES.value, _("Obiettivi della struttura")),
            (ComponentKind.INDIVIDUAL_OBJECTIVES.value, _("Obiettivi individuali")),
            (ComponentKind.BEHAVIOURS.value, _("Comportamenti organizzativi")),
            (ComponentKind.DIFFERENTIATION.value, _("Capacità di differenziare le valutazioni")),
        ],
    )
    weight = _percent(_("peso (%)"))

    class Meta:
        verbose_name = _("componente della valutazione")
        verbose_name_plural = _("componenti della valutazione")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["family", "kind"], name="familycomponent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.weight} %"


class Behaviour(AuthorityScoped):
    """A behaviour of a family's catalogue, rated on the scheme's scale."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="behaviours")
    name = models.CharField(_("comportamento"), max_length=200)
    description = models.TextField(_("descrizione"), blank=True)
    weight = models.DecimalField(
        _("peso nella componente"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal(0))],
    )
    position = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("comportamento organizzativo")
        verbose_name_plural = _("comportamenti organizzativi")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["family", "name"], name="behaviour_unique")]

    def __str__(self) -> str:
        return self.name


class Fund(AuthorityScoped):
    """The money of a family for the year, in euro to the cent, and when it was paid."""

    family = models.OneToOneField(Family, on_delete=models.CASCADE, related_name="fund")
    amount = models.DecimalField(
        _("importo del fondo (€)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    paid_on = models.DateField(_("liquidato il"), null=True, blank=True)

    class Meta:
        verbose_name = _("fondo")
        verbose_name_plural = _("fondi")

    def __str__(self) -> str:
        return f"{self.family}: {self.amount} €"


class Assignment(AuthorityScoped):
    """Who is evaluated by whom in a year, in which family, with which service."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="assignments")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="assignments")
    person = models.ForeignKey(
        "organization.Person",
        on_delete=models.PROTECT,
        related_name="evaluated_in",
        verbose_name=_("valutato"),
    )
    evaluator = models.ForeignKey(
        "organization.Person",
        on_delete=models.PROTECT,
        related_name="evaluates",
        verbose_name=_("valutatore"),
    )
    payroll_code = models.CharField(_("matricola"), max_length=30, blank=True)
    # The service in the year: from/to (blank: the whole year), part time, absences.
    service_from = models.DateField(_("in servizio dal"), null=True, blank=True)
    service_to = models.DateField(_("in servizio fino al"), null=True, blank=True)
    part_time = _percent(_("percentuale di part time"), Decimal(100))
    absence_days = models.PositiveSmallIntegerField(
        _("giorni di assenza che riducono il premio"),
        default=0,
        validators=[MaxValueValidator(366)],
    )
    protected_days = models.PositiveSmallIntegerField(
        _("giorni di assenza tutelati (art. 9 c.3)"),
        default=0,
        validators=[MaxValueValidator(366)],
        help_text=_("Maternità, paternità, congedi parentali: non riducono il premio."),
    )

    class Meta:
        verbose_name = _("assegnazione")
        verbose_name_plural = _("assegnazioni")
        ordering = ["family__position", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "person"], name="assignment_one_per_year"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("evaluator")), name="assignment_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.scheme.year})"


class AssignedScheda(AuthorityScoped):
    """A scheda of the year's plan counted in the person's objectives component."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="schede")
    objective = models.ForeignKey(
        "planning.Objective", on_delete=models.PROTECT, related_name="+", verbose_name=_("scheda")
    )
    weight = models.DecimalField(
        _("peso dichiarato (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        verbose_name = _("scheda assegnata")
        verbose_name_plural = _("schede assegnate")
        ordering = ["objective__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "objective"], name="assignedscheda_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.objective)


class IndividualGoal(AuthorityScoped):
    """An individual objective with its one indicator: a target and the value reached."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("più alto è meglio")
        LOWER = "lower", _("più basso è meglio")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("obiettivo individuale"), max_length=300)
    indicator = models.CharField(_("indicatore"), max_length=300)
    direction = models.CharField(
        _("verso"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    target = models.DecimalField(_("valore atteso"), max_digits=16, decimal_places=4)
    actual = models.DecimalField(
        _("valore raggiunto"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    # The SMVP's graduazione; blank: in proportion to the target, min(reached / target, 1).
    grading_scale = models.ForeignKey(
        "organization.GradingScale",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("graduazione del conseguimento"),
    )
    weight = models.DecimalField(
        _("peso dichiarato (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    position = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("obiettivo individuale")
        verbose_name_plural = _("obiettivi individuali")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Evaluation(AuthorityScoped):
    """The scheda di valutazione individuale of an assignment and where its conversation is.

    draft → interview (colloquio held) → delivered (the person sees it) → final, either
    accepted or after a review request answered; a final evaluation changes only through a
    recorded revision (``revision``, back to draft). Each step is a conditional UPDATE on the
    state it starts from (``evaluation.domain.conversation``).
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("In compilazione")
        INTERVIEW = "interview", _("Colloquio svolto")
        DELIVERED = "delivered", _("Consegnata")
        REVIEW = "review", _("Revisione richiesta")
        FINAL = "final", _("Definitiva")

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="evaluation"
    )
    state = models.CharField(_("stato"), max_length=20, choices=State.choices, default=State.DRAFT)
    # Component kinds declared not applicable, with the reason: {"differentiation": "…"}.
    not_applicable = models.JSONField(_("componenti non applicabili"), default=dict, blank=True)
    evaluator_notes = models.TextField(_("note del valutatore"), blank=True)
    interview_on = models.DateField(_("data del colloquio"), null=True, blank=True)
    interview_notes = models.TextField(_("note del colloquio"), blank=True)
    delivered_on = models.DateField(_("consegnata il"), null=True, blank=True)
    review_until = models.DateField(_("revisione richiedibile fino al"), null=True, blank=True)
    accepted_on = models.DateField(_("accettata il"), null=True, blank=True)
    review_requested_on = models.DateField(_("revisione chiesta il"), null=True, blank=True)
    review_reasons = models.TextField(_("motivi della richiesta di revisione"), blank=True)
    review_answer = models.TextField(_("risposta alla richiesta di revisione"), blank=True)
    answered_on = models.DateField(_("risposta il"), null=True, blank=True)
    final_on = models.DateField(_("definitiva dal"), null=True, blank=True)
    # The total as it was made final: the record of what the person accepted or was answered,
    # not a number any page shows in place of the engine's. If the engine's total moves later
    # (a variazione reopened the plan's results, an evaluation the person gave was revised),
    # the scheda says so as an error and the evaluation counts for no premium and no
    # differentiation until a recorded revision (evaluation.scores.IndividualResult.drifted).
    final_total = models.DecimalField(
        _("punteggio reso definitivo"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    revision = models.PositiveSmallIntegerField(_("revisione n."), default=0)
    revision_reason = models.TextField(_("motivo dell'ultima revisione"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("valutazione individuale")
        verbose_name_plural = _("valutazioni individuali")

    def __str__(self) -> str:
        return str(self.assignment)


class BehaviourRating(AuthorityScoped):
    """The evaluator's rating of one behaviour, with a note."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ratings")
    behaviour = models.ForeignKey(Behaviour, on_delete=models.PROTECT, related_name="+")
    rating = models.DecimalField(
        _("valutazione"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("nota"), blank=True)

    class Meta:
        verbose_name = _("valutazione di un comportamento")
        verbose_name_plural = _("valutazioni dei comportamenti")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "behaviour"], name="rating_unique")
        ]

    def __str__(self) -> str:
        return f"{self.behaviour}: {self.rating}"
