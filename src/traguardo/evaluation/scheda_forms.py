"""The forms of the scheda di valutazione individuale and of its conversation.

``SchedaForm`` is built from the assignment: a select of the scale's levels (with their
anchors) and a note for each behaviour of the family, a "non applicabile" box with its reason
for each component, the evaluator's notes, the version read. ``GoalFormSet`` edits the
individual goals (a blank row adds one, "Rimuovi" removes one). ``data()`` gives the domain's
``SchedaData``.
"""

from decimal import Decimal
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from traguardo.core.formats import number_it
from traguardo.core.forms import StyledForm
from traguardo.evaluation.domain.scheda import GoalData, SchedaData
from traguardo.evaluation.messages import component_name
from traguardo.evaluation.models import Assignment, Evaluation, IndividualGoal
from traguardo.scoring import RatingScale


def scale_levels(scale: RatingScale) -> list[tuple[Decimal, str]]:
    """Every rating of the scale with its anchor, if it has one: (4, "4 — Buono")."""
    anchors = dict(scale.anchors)
    levels, rating = [], scale.minimum
    while rating <= scale.maximum:
        text = anchors.get(rating)
        label = f"{number_it(rating)} — {text}" if text else number_it(rating)
        levels.append((rating, label))
        rating += scale.step
    return levels


def _choice(rating: Decimal) -> str:
    """A rating as the select's value: "4", "3.5" (not "4.00", nor "1E+1")."""
    return format(rating.normalize(), "f")


class SchedaForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    evaluator_notes = forms.CharField(
        label=_("Note del valutatore"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args,
        assignment: Assignment,
        evaluation: Evaluation | None,
        scale: RatingScale | None,
        **kwargs,
    ) -> None:
        ratings = {r.behaviour_id: r for r in evaluation.ratings.all()} if evaluation else {}
        declared = (evaluation.not_applicable if evaluation else None) or {}
        initial = {
            "version": evaluation.version if evaluation else 0,
            "evaluator_notes": evaluation.evaluator_notes if evaluation else "",
        }
        self.behaviours = list(assignment.family.behaviours.all())
        self.kinds = [c.kind for c in assignment.family.components.all()]
        choices: list[tuple[str, str]] = [("", str(_("— non ancora valutato —")))]
        choices += [(_choice(r), label) for r, label in scale_levels(scale)] if scale else []
        for behaviour in self.behaviours:
            stored = ratings.get(behaviour.pk)
            initial[f"rating_{behaviour.pk}"] = (
                _choice(stored.rating) if stored and stored.rating is not None else ""
            )
            initial[f"note_{behaviour.pk}"] = stored.note if stored else ""
        for kind in self.kinds:
            initial[f"na_{kind}"] = kind in declared
            initial[f"reason_{kind}"] = declared.get(kind, "")
        # The fields of this assignment, declared before the form is built so that the
        # styling (StyledMixin) and the ARIA wiring apply to them as to the others.
        fields: dict[str, forms.Field] = {}
        for behaviour in self.behaviours:
            fields[f"rating_{behaviour.pk}"] = forms.TypedChoiceField(
                label=_("Valutazione di «%(name)s»") % {"name": behaviour.name},
                choices=choices,
                required=False,
                coerce=Decimal,
                empty_value=None,
            )
            fields[f"note_{behaviour.pk}"] = forms.CharField(
                label=_("Nota su «%(name)s»") % {"name": behaviour.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for kind in self.kinds:
            name = component_name(kind)
            fields[f"na_{kind}"] = forms.BooleanField(
                label=_("«%(name)s» non si applica") % {"name": name}, required=False
            )
            fields[f"reason_{kind}"] = forms.CharField(
                label=_("Perché «%(name)s» non si applica") % {"name": name},
                required=False,
                max_length=300,
            )
        fields["evaluator_notes"] = type(self).base_fields["evaluator_notes"]  # last
        # This instance's own fields: BaseForm.__init__ copies them into self.fields.
        self.base_fields = {"version": type(self).base_fields["version"], **fields}  # type: ignore[misc]
        super().__init__(*args, initial=initial, **kwargs)

    def behaviour_fields(self):
        """(behaviour, its rating field, its note field) in the catalogue's order."""
        return [(b, self[f"rating_{b.pk}"], self[f"note_{b.pk}"]) for b in self.behaviours]

    def component_fields(self):
        return [(component_name(k), self[f"na_{k}"], self[f"reason_{k}"]) for k in self.kinds]

    def clean(self):
        cleaned = super().clean()
        for kind in self.kinds:
            if cleaned.get(f"na_{kind}") and not (cleaned.get(f"reason_{kind}") or "").strip():
                self.add_error(f"reason_{kind}", _("Scrivere perché la componente non si applica."))
        return cleaned

    def data_for(self, goals: "BaseGoalFormSet") -> SchedaData:
        c = self.cleaned_data
        return SchedaData(
            ratings={
                b.pk: (c.get(f"rating_{b.pk}"), c.get(f"note_{b.pk}") or "")
                for b in self.behaviours
            },
            not_applicable={k: c.get(f"reason_{k}") or "" for k in self.kinds if c.get(f"na_{k}")},
            evaluator_notes=c.get("evaluator_notes") or "",
            goals=goals.goal_data(),
        )


class GoalForm(StyledForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Obiettivo individuale"), max_length=300)
    indicator = forms.CharField(label=_("Indicatore"), max_length=300)
    target = forms.DecimalField(label=_("Valore atteso"), max_digits=16, decimal_places=4)
    actual = forms.DecimalField(
        label=_("Valore raggiunto"), max_digits=16, decimal_places=4, required=False
    )
    direction = forms.ChoiceField(
        label=_("Verso"),
        choices=IndividualGoal.Direction.choices,
        initial=IndividualGoal.Direction.HIGHER,
    )
    weight = forms.DecimalField(
        label=_("Peso dichiarato (%)"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
    )


class BaseGoalFormSet(forms.BaseFormSet):
    deletion_widget = forms.CheckboxInput

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Rimuovi questo obiettivo")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def goal_data(self) -> tuple[GoalData, ...]:
        goals = []
        for form in self.forms:
            c = getattr(form, "cleaned_data", None)
            if not c or (not form.has_changed() and not c.get("id")):
                continue  # the blank row left blank
            goals.append(
                GoalData(
                    pk=c.get("id"),
                    title=c.get("title", ""),
                    indicator=c.get("indicator", ""),
                    direction=c.get("direction") or IndividualGoal.Direction.HIGHER,
                    target=c.get("target") or Decimal(0),
                    actual=c.get("actual"),
                    weight=c.get("weight"),
                    delete=bool(c.get("DELETE")),
                )
            )
        return tuple(goals)


# formset_factory builds a subclass of ``formset``: the checker only knows BaseFormSet.
GoalFormSet = cast(
    type[BaseGoalFormSet],
    forms.formset_factory(
        GoalForm, formset=BaseGoalFormSet, extra=1, can_delete=True, max_num=50, validate_max=True
    ),
)


def goal_initial(assignment: Assignment) -> list[dict]:
    return [
        {
            "id": g.pk,
            "title": g.title,
            "indicator": g.indicator,
            "target": g.target,
            "actual": g.actual,
            "direction": g.direction,
            "weight": g.weight,
        }
        for g in assignment.goals.all()
    ]


class InterviewForm(StyledForm):
    held_on = forms.DateField(
        label=_("Data del colloquio"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(
        label=_("Note del colloquio"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(StyledForm):
    reasons = forms.CharField(
        label=_("Motivi della richiesta di revisione"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(StyledForm):
    answer = forms.CharField(
        label=_("Risposta alla richiesta di revisione"), widget=forms.Textarea(attrs={"rows": 4})
    )


class RevisionForm(StyledForm):
    reason = forms.CharField(
        label=_("Motivo della revisione"), widget=forms.Textarea(attrs={"rows": 3})
    )


STEP_FORMS: dict[str, type[StyledForm]] = {
    "colloquio": InterviewForm,
    "revisione": ReviewForm,
    "risposta": AnswerForm,
    "riapri": RevisionForm,
}
