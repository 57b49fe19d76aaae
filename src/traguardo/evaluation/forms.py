"""The forms of the individual evaluation's settings and assignments (admins).

Each form is bound to an authority (its choices list only that authority's rows) and cleans
into the data of a business action of ``evaluation.domain``, which has the last word: its
refusals (``DomainError``, ``InvalidData``) are shown next to the fields they name.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from traguardo.core.forms import StyledForm, StyledModelForm, model_field
from traguardo.evaluation.domain.settings import KINDS, SCHEME_FIELDS
from traguardo.evaluation.models import (
    Assignment,
    Behaviour,
    Family,
    FamilyComponent,
    Scheme,
)
from traguardo.organization.models import Person
from traguardo.planning.models import Objective
from traguardo.scoring import parse_decimal


def _decimal(text: str, line: int) -> Decimal:
    try:
        return parse_decimal(text.strip())
    except ValueError as error:
        raise forms.ValidationError(
            _("Riga %(line)d: «%(text)s» non è un numero."), params={"line": line, "text": text}
        ) from error


def _pairs(text: str) -> list[tuple[str, str, int]]:
    """Lines «left: right» (or «left = right»), blank lines skipped."""
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        for sep in (":", "="):
            if sep in line:
                left, right = line.split(sep, 1)
                break
        else:
            raise forms.ValidationError(
                _("Riga %(line)d: separare i due valori con «:»."), params={"line": number}
            )
        found.append((left.strip(), right.strip(), number))
    return found


class SchemeCreateForm(StyledForm):
    year = forms.IntegerField(label=_("Anno"), min_value=2000, max_value=2100)
    copy_from = forms.ModelChoiceField(
        queryset=Scheme.objects.none(),
        required=False,
        label=_("Copia da"),
        empty_label=_("— nessuno: le impostazioni predefinite —"),
        help_text=_(
            "Copia impostazioni, livelli della scala, fasce, famiglie con componenti e "
            "comportamenti. Non copia i fondi né le assegnazioni."
        ),
    )

    def __init__(self, *args, authority, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "copy_from").queryset = Scheme.objects.filter(authority=authority)


class SchemeForm(StyledModelForm):
    levels = forms.CharField(
        label=_("Livelli della scala con la loro descrizione"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Uno per riga: valutazione, due punti, descrizione. Es. «5: eccellente»."),
    )
    bands = forms.CharField(
        label=_("Fasce di premio"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Una per riga, dalla più bassa: punteggio da cui parte, due punti, quota del premio "
            "in %. La prima parte da 0. Es. «0: 0», «50: 60», «70: 80», «90: 100»."
        ),
    )

    class Meta:
        model = Scheme
        fields = [name for name in SCHEME_FIELDS if name != "year"]  # the year is the URL's

    def clean_levels(self) -> tuple[tuple[Decimal, str], ...]:
        levels = []
        for left, right, line in _pairs(self.cleaned_data.get("levels", "")):
            if not right:
                raise forms.ValidationError(
                    _("Riga %(line)d: manca la descrizione."), params={"line": line}
                )
            levels.append((_decimal(left, line), right[:300]))
        return tuple(sorted(levels))

    def clean_bands(self) -> tuple[tuple[Decimal, Decimal], ...]:
        bands = [
            (_decimal(left, line), _decimal(right, line))
            for left, right, line in _pairs(self.cleaned_data.get("bands", ""))
        ]
        return tuple(bands)


def levels_text(levels) -> str:
    return "\n".join(f"{_plain(rating)}: {text}" for rating, text in levels)


def bands_text(bands) -> str:
    return "\n".join(f"{_plain(lower)}: {_plain(share)}" for lower, share in bands)


def _plain(value: Decimal) -> str:
    try:
        value = value.normalize() if value == value.to_integral_value() else value
        text = f"{value:f}"
    except InvalidOperation:  # pragma: no cover - a stored decimal is finite
        text = str(value)
    return text.replace(".", ",")


KIND_LABELS = dict(FamilyComponent._meta.get_field("kind").flatchoices)


def _weight(kind: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=format_lazy(_("Peso: {} (%)"), KIND_LABELS[kind]),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        help_text=_("Vuoto: la componente non fa parte della famiglia."),
    )


class FamilyForm(StyledForm):
    name = forms.CharField(label=_("Nome della famiglia"), max_length=100)
    objectives_rule = forms.ChoiceField(
        label=_("Peso delle schede"), choices=Family._meta.get_field("objectives_rule").flatchoices
    )
    nucleo_reviews = forms.BooleanField(
        label=_("Valutati su proposta del Nucleo (dirigenti)"),
        required=False,
        help_text=_("Il Nucleo vede le loro valutazioni e risponde alle richieste di revisione."),
    )
    position = forms.IntegerField(label=_("Ordine"), min_value=0, initial=0)
    weight_unit_objectives = _weight("unit_objectives")
    weight_individual_objectives = _weight("individual_objectives")
    weight_behaviours = _weight("behaviours")
    weight_differentiation = _weight("differentiation")
    fund = forms.DecimalField(
        label=_("Fondo dell'anno (€)"),
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
    )

    def weights(self) -> dict[str, Decimal]:
        return {
            kind: self.cleaned_data[f"weight_{kind}"]
            for kind in KINDS
            if self.cleaned_data.get(f"weight_{kind}") is not None
        }

    @staticmethod
    def initial_of(family: Family) -> dict:
        fund = getattr(family, "fund", None)
        return {
            "name": family.name,
            "objectives_rule": family.objectives_rule,
            "nucleo_reviews": family.nucleo_reviews,
            "position": family.position,
            "fund": fund.amount if fund else None,
            **{f"weight_{c.kind}": c.weight for c in family.components.all()},
        }


class BehaviourForm(StyledModelForm):
    class Meta:
        model = Behaviour
        fields = ["name", "description", "weight", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return str(obj)


class AssignmentForm(StyledModelForm):
    person = PersonChoice(
        queryset=Person.objects.none(), label=_("Valutato"), empty_label=_("— scegliere —")
    )
    evaluator = PersonChoice(
        queryset=Person.objects.none(), label=_("Valutatore"), empty_label=_("— scegliere —")
    )
    family = forms.ModelChoiceField(
        queryset=Family.objects.none(), label=_("Famiglia"), empty_label=_("— scegliere —")
    )

    class Meta:
        model = Assignment
        fields = [
            "person",
            "family",
            "evaluator",
            "payroll_code",
            "service_from",
            "service_to",
            "part_time",
            "absence_days",
            "protected_days",
        ]
        widgets = {
            "service_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "service_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "service_from": _("Vuoto: dal 1° gennaio."),
            "service_to": _("Vuoto: fino al 31 dicembre."),
        }

    def __init__(self, *args, scheme: Scheme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(authority_id=scheme.authority_id).order_by(
            "last_name", "first_name"
        )
        model_field(self, "person").queryset = people
        model_field(self, "evaluator").queryset = people
        model_field(self, "family").queryset = Family.objects.filter(scheme=scheme)

    def _post_clean(self) -> None:
        # The business action checks the whole row (the check constraint included) and says
        # so in Italian next to the field: the model's own validation is not run here.
        pass


class ObjectiveChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Objective) -> str:
        return " ".join(part for part in (obj.code, obj.title) if part) or str(obj)


def declared_weight(**kwargs) -> forms.DecimalField:
    """A scheda's declared weight in an assignment: a percent, blank for families weighing
    the schede by their Punteggio."""
    return forms.DecimalField(
        label=_("Peso dichiarato (%)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=6,
        decimal_places=2,
        **kwargs,
    )


class SchedaAddForm(StyledForm):
    objective = ObjectiveChoice(
        queryset=Objective.objects.none(),
        label=_("Scheda del piano"),
        empty_label=_("— scegliere —"),
    )
    weight = declared_weight(
        help_text=_("Solo per le famiglie che pesano le schede con i pesi dichiarati.")
    )

    def __init__(self, *args, objectives, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "objective").queryset = objectives


class SchedaWeightForm(StyledForm):
    weight = declared_weight()
