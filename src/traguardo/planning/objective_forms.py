"""The scheda editor's forms: the header, the indicator rows and the activity rows.

Rows are plain formsets with a hidden ``id`` (blank for a new row). Adding, removing and
moving rows happen on the server (``rearranged``): the submitted rows are rewritten in the new
order and the form is shown again, unsaved, keeping everything the user typed.
"""

from decimal import Decimal

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from traguardo.core.formats import number_it
from traguardo.core.forms import StyledForm, choice_field, model_field
from traguardo.organization.models import (
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
)
from traguardo.organization.tree import unit_tree
from traguardo.planning.domain.objectives import (
    ActivityData,
    IndicatorData,
    ObjectiveData,
    TargetData,
)
from traguardo.planning.models import DupGoal, Objective, Target
from traguardo.scoring import Measure, parse_decimal, read_number

INDICATOR_PREFIX = "ind"
ACTIVITY_PREFIX = "att"

MEASURES = [
    (Measure.RATIO.value, _("Rapporto (numeratore / denominatore × 100)")),
    (Measure.DEADLINE.value, _("Scadenza (giorni di ritardo sulla data)")),
    (Measure.DELAY_DAYS.value, _("Giorni di ritardo rilevati")),
    (Measure.NUMBER.value, _("Numero")),
    (Measure.PERCENTAGE.value, _("Percentuale")),
    (Measure.VARIATION.value, _("Variazione rispetto a un valore di riferimento")),
    (Measure.BOOLEAN.value, _("Sì / no (fatto, non fatto)")),
]
DIRECTIONS = [("higher", _("più alto è meglio")), ("lower", _("più basso è meglio"))]

# Which target fields a measure asks for (the others are hidden, not lost).
NEEDS_VALUE = {m.value for m in Measure} - {Measure.DEADLINE.value, Measure.BOOLEAN.value}
NEEDS_DIRECTION = {Measure.NUMBER.value, Measure.PERCENTAGE.value, Measure.VARIATION.value}
NEEDS_BASELINE = {Measure.VARIATION.value}


class DecimalText(forms.CharField):
    """A number as Italians type it: "25", "25,5", "25,00%", "1.234,5"."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(value)
        except ValueError:
            raise forms.ValidationError(
                _("Inserire un numero, ad esempio 25 oppure 25,50."), code="invalid"
            ) from None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DateInput())


class ObjectiveForm(StyledForm):
    code = forms.CharField(label=_("Codice obiettivo"), max_length=30, required=False)
    title = forms.CharField(label=_("Denominazione"), max_length=300, required=False)
    year = forms.IntegerField(label=_("Anno della scheda"), min_value=2000, max_value=2100)
    first_year = forms.IntegerField(label=_("Primo anno"), min_value=2000, max_value=2100)
    last_year = forms.IntegerField(label=_("Ultimo anno"), min_value=2000, max_value=2100)
    dup_goal = forms.ModelChoiceField(
        label=_("Riferimento DUP"), queryset=DupGoal.objects.none(), required=False
    )
    dup_text = forms.CharField(
        label=_("Riferimento DUP (testo libero)"), max_length=300, required=False
    )
    unit = forms.ModelChoiceField(
        label=_("Unità organizzativa responsabile"), queryset=OrgUnit.objects.none(), required=False
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsabile"), queryset=Person.objects.none(), required=False
    )
    involved_units = forms.ModelMultipleChoiceField(
        label=_("Unità organizzative coinvolte"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expected_result = forms.CharField(
        label=_("Risultato atteso"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Ambiti della performance organizzativa"),
        queryset=PerformanceArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    strategic_level = forms.ModelChoiceField(
        label=_("Strategicità"), queryset=PolicyLevel.objects.none(), required=False
    )
    complexity_level = forms.ModelChoiceField(
        label=_("Complessità"), queryset=PolicyLevel.objects.none(), required=False
    )
    kind_level = forms.ModelChoiceField(
        label=_("Tipologia"), queryset=PolicyLevel.objects.none(), required=False
    )
    notes = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    snapshot = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_field(self, "dup_goal").queryset = DupGoal.objects.order_by("code")
        # label_from_instance replaced on this field only, as Django's docs allow.
        model_field(self, "dup_goal").label_from_instance = _dup_label  # type: ignore[method-assign, assignment]
        model_field(self, "unit").queryset = units if units is not None else OrgUnit.objects.all()
        model_field(self, "responsible").queryset = Person.objects.all()
        model_field(self, "involved_units").queryset = OrgUnit.objects.all()
        # The units as a tree in hierarchy order, named with their path, as in the search.
        everyone = _tree_choices(OrgUnit.objects.all())
        choice_field(self, "involved_units").choices = everyone
        mine = everyone if units is None else _tree_choices(units)
        choice_field(self, "unit").choices = [("", "---------"), *mine]
        model_field(self, "areas").queryset = PerformanceArea.objects.order_by("number")
        for name, dimension in (
            ("strategic_level", "strategic"),
            ("complexity_level", "complexity"),
            ("kind_level", "kind"),
        ):
            model_field(self, name).queryset = PolicyLevel.objects.filter(dimension=dimension)
            # label_from_instance replaced on this field only, as Django's docs allow.
            model_field(self, name).label_from_instance = _level_label  # type: ignore[method-assign, assignment]


def _tree_choices(units) -> list[tuple[int, str]]:
    ordered = units.order_by("position", "name")
    return unit_tree(list(ordered.values_list("pk", "parent_id", "name")))


def _dup_label(goal: DupGoal) -> str:
    indent = {"mandate": "", "strategic": "— ", "operational": "— — "}.get(goal.level, "")
    return f"{indent}{goal.code} {goal.title}"


def _level_label(level: PolicyLevel) -> str:
    prefix = "×" if level.dimension == "kind" else ""
    return f"{level.label} ({prefix}{number_it(level.value)})"


class IndicatorForm(StyledForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    weight = DecimalText(label=_("Peso (%)"), required=False)
    name = forms.CharField(label=_("Denominazione"), max_length=300)
    formula_text = forms.CharField(label=_("Formula di calcolo"), max_length=300, required=False)
    measure = forms.ChoiceField(label=_("Misura"), choices=MEASURES)
    direction = forms.ChoiceField(label=_("Verso"), choices=DIRECTIONS, required=False)
    baseline = DecimalText(label=_("Valore di riferimento"), required=False)
    baseline_text = forms.CharField(
        label=_("Riferimento (es. anno 2018)"), max_length=100, required=False
    )
    variation_percent = forms.BooleanField(label=_("Variazione in percentuale"), required=False)
    intermediate_value = forms.CharField(
        label=_("Livello intermedio atteso"), max_length=100, required=False
    )
    intermediate_date = _date(_("Livello intermedio: alla data"))
    intermediate_due_text = forms.CharField(widget=forms.HiddenInput, required=False)
    final_value = forms.CharField(label=_("Livello finale atteso"), max_length=100, required=False)
    final_date = _date(_("Livello finale: alla data"))
    final_due_text = forms.CharField(widget=forms.HiddenInput, required=False)
    grading_scale = forms.ModelChoiceField(
        label=_("Graduazione dell'ente"), queryset=GradingScale.objects.none(), required=False
    )
    grading_text = forms.CharField(
        label=_("oppure la graduazione come scritta sulla scheda"),
        max_length=300,
        required=False,
        help_text=_("Ad esempio: gg ritardo 5 = 90% / gg10 = 80% / gg15 = 60%"),
    )

    def __init__(self, *args, scales=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _scale_choices(self, scales)

    @property
    def measure_value(self) -> str:
        return str(self["measure"].value() or Measure.DEADLINE.value)

    @property
    def needs_value(self) -> bool:
        return self.measure_value in NEEDS_VALUE

    @property
    def needs_direction(self) -> bool:
        return self.measure_value in NEEDS_DIRECTION

    @property
    def needs_baseline(self) -> bool:
        return self.measure_value in NEEDS_BASELINE


class ActivityForm(StyledForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    weight = DecimalText(label=_("Peso (%)"), required=False)
    title = forms.CharField(label=_("Sub-obiettivo / attività"), max_length=300)
    start_date = _date(_("Inizio"))
    end_date = _date(_("Fine"))
    timing_text = forms.CharField(widget=forms.HiddenInput, required=False)
    indicator_text = forms.CharField(label=_("Indicatori"), max_length=300, required=False)
    expected_text = forms.CharField(label=_("Livello atteso"), max_length=100, required=False)
    grading_scale = forms.ModelChoiceField(
        label=_("Graduazione dell'ente"), queryset=GradingScale.objects.none(), required=False
    )
    grading_text = forms.CharField(
        label=_("oppure la graduazione come scritta sulla scheda"), max_length=300, required=False
    )
    achieved_text = forms.CharField(label=_("Raggiunto"), max_length=100, required=False)

    def __init__(self, *args, scales=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _scale_choices(self, scales)


def _scale_choices(form: StyledForm, scales) -> None:
    """The authority's scales, read once for all the rows (not one query per row)."""
    field = model_field(form, "grading_scale")
    field.queryset = GradingScale.objects.all()
    scales = list(scales)
    if scales:
        field.choices = [("", _("nessuna: vale quella scritta accanto"))]
        field.choices += [(scale.pk, scale.name) for scale in scales]
        field.help_text = _("Una graduazione definita nelle impostazioni dell'ente.")
    else:
        field.choices = [("", _("nessuna graduazione definita dall'ente"))]
        field.help_text = _(
            "L'ente non ha ancora graduazioni predefinite (Impostazioni dell'ente › "
            "Graduazioni): scrivere la graduazione nel campo accanto."
        )
    field.widget.attrs["aria-describedby"] = form._described_id("grading_scale", "aiuto")


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=0)
ActivityFormSet = forms.formset_factory(ActivityForm, extra=0)


# -- initial data from a stored scheda -------------------------------------------------------


def initial_header(objective: Objective) -> dict:
    return {
        "code": objective.code,
        "title": objective.title,
        "year": objective.year,
        "first_year": objective.first_year,
        "last_year": objective.last_year,
        "dup_goal": objective.dup_goal_id,
        "dup_text": objective.dup_text,
        "unit": objective.unit_id,
        "responsible": objective.responsible_id,
        "involved_units": [u.pk for u in objective.involved_units.all()],
        "expected_result": objective.expected_result,
        "areas": [a.pk for a in objective.areas.all()],
        "strategic_level": objective.strategic_level_id,
        "complexity_level": objective.complexity_level_id,
        "kind_level": objective.kind_level_id,
        "notes": objective.notes,
        "version": objective.version,
    }


def initial_indicators(objective: Objective) -> list[dict]:
    rows = []
    for indicator in objective.indicators.all():
        targets = {t.kind: t for t in indicator.targets.all() if t.year == objective.year}
        intermediate = targets.get(Target.Kind.INTERMEDIATE)
        final = targets.get(Target.Kind.FINAL)
        rows.append(
            {
                "id": indicator.pk,
                "weight": _number_text(indicator.weight),
                "name": indicator.name,
                "formula_text": indicator.formula_text,
                "measure": indicator.measure,
                "direction": indicator.direction,
                "baseline": _number_text(indicator.baseline),
                "baseline_text": indicator.baseline_text,
                "variation_percent": indicator.variation_percent,
                "intermediate_value": intermediate.value_text if intermediate else "",
                "intermediate_date": intermediate.due_date if intermediate else None,
                "intermediate_due_text": intermediate.due_text if intermediate else "",
                "final_value": final.value_text if final else "",
                "final_date": final.due_date if final else None,
                "final_due_text": final.due_text if final else "",
                "grading_scale": indicator.grading_scale_id,
                "grading_text": indicator.grading_text,
            }
        )
    return rows


def initial_activities(objective: Objective) -> list[dict]:
    return [
        {
            "id": a.pk,
            "weight": _number_text(a.weight),
            "title": a.title,
            "start_date": a.start_date,
            "end_date": a.end_date,
            "timing_text": a.timing_text,
            "indicator_text": a.indicator_text,
            "expected_text": a.expected_text,
            "grading_scale": a.grading_scale_id,
            "grading_text": a.grading_text,
            "achieved_text": a.achieved_text,
        }
        for a in objective.activities.all()
    ]


def _number_text(value: Decimal | None) -> str:
    return number_it(value)


# -- from valid forms to the domain's data -----------------------------------------------------


def objective_data(header: ObjectiveForm, indicators, activities) -> ObjectiveData:
    h = header.cleaned_data
    return ObjectiveData(
        code=h["code"].strip(),
        title=h["title"].strip(),
        year=h["year"],
        first_year=h["first_year"],
        last_year=h["last_year"],
        dup_goal_id=h["dup_goal"].pk if h["dup_goal"] else None,
        dup_text=h["dup_text"],
        unit_id=h["unit"].pk if h["unit"] else None,
        responsible_id=h["responsible"].pk if h["responsible"] else None,
        involved_unit_ids=tuple(u.pk for u in h["involved_units"]),
        expected_result=h["expected_result"],
        notes=h["notes"],
        area_ids=tuple(a.pk for a in h["areas"]),
        strategic_level_id=h["strategic_level"].pk if h["strategic_level"] else None,
        complexity_level_id=h["complexity_level"].pk if h["complexity_level"] else None,
        kind_level_id=h["kind_level"].pk if h["kind_level"] else None,
        indicators=tuple(_indicator(f.cleaned_data) for f in indicators),
        activities=tuple(_activity(f.cleaned_data) for f in activities),
    )


def _target(value_text: str, due, due_text: str = "") -> TargetData | None:
    value_text = (value_text or "").strip()
    if not value_text and not due and not due_text:
        return None
    return TargetData(
        value=read_number(value_text), value_text=value_text, due_date=due, due_text=due_text
    )


def _indicator(c: dict) -> IndicatorData:
    measure = c["measure"]
    return IndicatorData(
        id=c["id"],
        weight=c["weight"],
        name=c["name"].strip(),
        formula_text=c["formula_text"],
        measure=measure,
        direction=(c["direction"] or "higher")
        if measure in NEEDS_DIRECTION
        else _default_direction(measure),
        baseline=c["baseline"] if measure in NEEDS_BASELINE else None,
        baseline_text=c["baseline_text"] if measure in NEEDS_BASELINE else "",
        variation_percent=c["variation_percent"] if measure in NEEDS_BASELINE else False,
        grading_scale_id=c["grading_scale"].pk if c["grading_scale"] else None,
        grading_text=c["grading_text"],
        intermediate=_target(
            c["intermediate_value"],
            c["intermediate_date"],
            c["intermediate_due_text"],
        ),
        final=_target(
            c["final_value"],
            c["final_date"],
            c["final_due_text"],
        ),
    )


def _default_direction(measure: str) -> str:
    lower = {Measure.DEADLINE.value, Measure.DELAY_DAYS.value}
    return "lower" if measure in lower else "higher"


def _activity(c: dict) -> ActivityData:
    return ActivityData(
        id=c["id"],
        weight=c["weight"],
        title=c["title"].strip(),
        start_date=c["start_date"],
        end_date=c["end_date"],
        indicator_text=c["indicator_text"],
        expected_text=c["expected_text"],
        grading_scale_id=c["grading_scale"].pk if c["grading_scale"] else None,
        grading_text=c["grading_text"],
        achieved_text=c["achieved_text"],
        timing_text=c["timing_text"],
    )


# -- adding, removing and moving rows before saving -------------------------------------------


def rows_of(data: QueryDict, prefix: str, fields) -> list[dict[str, list[str]]]:
    """The submitted rows of a formset, as lists of raw values per field."""
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    total = min(total, 200)  # a bound on what a crafted request can make us render
    return [{name: data.getlist(f"{prefix}-{i}-{name}") for name in fields} for i in range(total)]


def rearranged(data: QueryDict, action: str) -> tuple[QueryDict, str | None]:
    """The submitted data with one row added, removed or moved; and the id to focus after.

    Actions: ``add-ind``, ``remove-ind-<i>``, ``up-ind-<i>``, ``down-ind-<i>`` (``att`` for
    activities; ``i`` is the 0-based row). Anything else returns the data unchanged.
    """
    parts = action.split("-")
    if len(parts) < 2 or parts[1] not in (INDICATOR_PREFIX, ACTIVITY_PREFIX):
        return data, None
    verb, prefix = parts[0], parts[1]
    form = IndicatorForm if prefix == INDICATOR_PREFIX else ActivityForm
    rows = rows_of(data, prefix, form.base_fields)
    focus = None
    index = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    if verb == "add":
        rows.append({"measure": [Measure.DEADLINE.value]} if prefix == INDICATOR_PREFIX else {})
        focus = f"id_{prefix}-{len(rows) - 1}-{'name' if prefix == INDICATOR_PREFIX else 'title'}"
    elif index is not None and index < len(rows):
        if verb == "remove":
            rows.pop(index)
            focus = f"aggiungi-{prefix}"
        elif verb == "up" and index > 0:
            rows[index - 1], rows[index] = rows[index], rows[index - 1]
            focus = f"{verb}-{prefix}-{index - 1}"
        elif verb == "down" and index + 1 < len(rows):
            rows[index + 1], rows[index] = rows[index], rows[index + 1]
            focus = f"{verb}-{prefix}-{index + 1}"
    new = data.copy()
    for key in [k for k in new if k.startswith(f"{prefix}-")]:
        del new[key]
    new[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    new[f"{prefix}-INITIAL_FORMS"] = "0"
    for i, row in enumerate(rows):
        for name, values in row.items():
            new.setlist(f"{prefix}-{i}-{name}", values)
    return new, focus
