"""The forms of the authority's setup pages.

Each form is bound to an authority: its choice fields list only that authority's rows, so an
id of another authority in the POST data is an invalid choice. What a form cleans becomes the
data of a business action in ``organization.domain``, which has the last word; its refusal is
shown next to the field it names (``add_domain_error``).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from traguardo.core.domain import DomainError
from traguardo.core.forms import StyledModelForm, model_field
from traguardo.organization.models import (
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
    ScoringPolicy,
)
from traguardo.planning.models import DupGoal


class SetupForm(StyledModelForm):
    """A model form of the setup whose choices are limited to ``authority``."""

    def __init__(self, *args, authority, **kwargs) -> None:
        self.authority = authority
        super().__init__(*args, **kwargs)
        self.limit_choices()

    def full_clean(self) -> None:
        # The styling reads the errors while the form is built: limit the choices first.
        self.limit_choices()
        super().full_clean()

    def limit_choices(self) -> None:
        """Set the querysets of the choice fields to the authority's rows."""

    def add_domain_error(self, error: DomainError) -> None:
        """Show a business rule's refusal next to its field (or above the form)."""
        name = error.field if error.field in self.fields else None
        self.add_error(name, error.message)
        if name is not None:
            widget = self.fields[name].widget
            css = widget.attrs.get("class", "").split()
            if "is-invalid" not in css:
                widget.attrs["class"] = " ".join([*css, "is-invalid"])
            widget.attrs["aria-invalid"] = "true"
            error_id = self._described_id(name, "errore")
            described = widget.attrs.get("aria-describedby", "").split()
            if error_id not in described:
                widget.attrs["aria-describedby"] = " ".join([*described, error_id])


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class UnitForm(SetupForm):
    parent = UnitChoice(
        queryset=OrgUnit.objects.none(),
        required=False,
        label=_("Unità superiore"),
        empty_label=_("— nessuna (unità di primo livello) —"),
    )
    head = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label=_("Responsabile"),
        empty_label=_("— nessuno —"),
    )

    class Meta:
        model = OrgUnit
        fields = ["name", "kind", "parent", "head", "position"]
        labels = {"name": _("Denominazione"), "kind": _("Tipo"), "position": _("Ordine")}
        help_texts = {"position": _("Le unità dello stesso livello sono elencate in quest'ordine.")}

    def limit_choices(self) -> None:
        units = OrgUnit.objects.filter(authority=self.authority)
        if self.instance.pk is not None:
            units = units.exclude(pk=self.instance.pk)
        model_field(self, "parent").queryset = units
        model_field(self, "head").queryset = Person.objects.filter(authority=self.authority)


class PersonForm(SetupForm):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "job_title", "email"]
        labels = {
            "first_name": _("Nome"),
            "last_name": _("Cognome"),
            "job_title": _("Qualifica"),
            "email": _("E-mail"),
        }
        help_texts = {"job_title": _("Ad esempio: Dirigente, Responsabile di Settore (EQ).")}


class DupGoalChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: DupGoal) -> str:
        return f"{obj.get_level_display()} {obj.code} — {obj.title}"


class DupGoalForm(SetupForm):
    level = forms.ChoiceField(
        label=_("Livello"), choices=[("", _("— scegliere il livello —")), *DupGoal.Level.choices]
    )
    parent = DupGoalChoice(
        queryset=DupGoal.objects.none(),
        required=False,
        label=_("Livello superiore"),
        empty_label=_("— nessuno (linea di mandato) —"),
        help_text=_(
            "Un obiettivo strategico discende da una linea di mandato, un obiettivo operativo "
            "da un obiettivo strategico."
        ),
    )

    class Meta:
        model = DupGoal
        fields = ["level", "code", "title", "parent"]
        labels = {"code": _("Codice"), "title": _("Denominazione")}

    def limit_choices(self) -> None:
        goals = DupGoal.objects.filter(
            authority=self.authority,
            level__in=[DupGoal.Level.MANDATE, DupGoal.Level.STRATEGIC],
        ).order_by("level", "code")
        if self.instance.pk is not None:
            goals = goals.exclude(pk=self.instance.pk)
        model_field(self, "parent").queryset = goals


class AreaForm(SetupForm):
    class Meta:
        model = PerformanceArea
        fields = ["number", "name"]
        labels = {"number": _("Numero"), "name": _("Denominazione")}
        widgets = {"name": forms.Textarea(attrs={"rows": 3})}


class PolicyForm(SetupForm):
    class Meta:
        model = ScoringPolicy
        fields = ["activity_share", "green_from", "amber_from"]
        labels = {
            "activity_share": _("Quota del piano operativo sul raggiungimento (%)"),
            "green_from": _("Semaforo verde da (%)"),
            "amber_from": _("Semaforo giallo da (%)"),
        }
        help_texts = {
            "activity_share": _(
                "Quanta parte del raggiungimento di un obiettivo viene dalle attività del piano "
                "operativo; 0 = decidono gli indicatori."
            ),
            "amber_from": _("Sotto questa soglia il semaforo è rosso."),
        }


class LevelForm(SetupForm):
    class Meta:
        model = PolicyLevel
        fields = ["label", "value", "position"]
        labels = {"label": _("Livello"), "position": _("Ordine")}

    def __init__(self, *args, dimension: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].label = (
            _("Coefficiente (×)") if dimension == PolicyLevel.Dimension.KIND else _("Punti")
        )


class ScaleForm(SetupForm):
    source_text = forms.CharField(
        label=_("Graduazione"),
        max_length=300,
        help_text=_(
            "Scrivila come sulla scheda: «gg ritardo 5 = 90% / gg10 = 80% / gg15 = 60%», "
            "«Proporzionale», «Proporzionale con soglia 50%», «fatto/non fatto» oppure "
            "«da 90% = 100% / da 70% = 80% / sotto 70% = 0%»."
        ),
    )

    class Meta:
        model = GradingScale
        fields = ["name", "source_text"]
        labels = {"name": _("Nome")}
