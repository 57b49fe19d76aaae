"""The forms of the plan's lifecycle: the act of approval, the Nucleo's validation, a comment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from traguardo.core.forms import StyledForm
from traguardo.planning.models import Comment
from traguardo.planning.objective_forms import DateInput


class ApprovalForm(StyledForm):
    act_type = forms.CharField(
        label=_("Tipo di atto"),
        max_length=100,
        initial=_("Delibera di Giunta"),
        help_text=_("Ad esempio: Delibera di Giunta, Decreto del Sindaco."),
    )
    act_number = forms.CharField(label=_("Numero dell'atto"), max_length=30)
    act_date = forms.DateField(label=_("Data dell'atto"), widget=DateInput())


class ValidationForm(StyledForm):
    validated_on = forms.DateField(label=_("Data della validazione"), widget=DateInput())
    minutes = forms.CharField(
        label=_("Verbale del Nucleo di valutazione / OIV"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Il numero e la data del verbale, con le conclusioni del Nucleo."),
    )


class CommentForm(StyledForm):
    topic = forms.ChoiceField(
        label=_("Argomento"), choices=Comment.Topic.choices, initial=Comment.Topic.SCHEDA
    )
    body = forms.CharField(label=_("Commento"), widget=forms.Textarea(attrs={"rows": 3}))


class VariationForm(ApprovalForm):
    """A variazione: its reason and the act that decides it."""

    reason = forms.CharField(
        label=_("Motivazione"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Perché il piano approvato cambia (art. 6 D.Lgs. 150/2009)."),
    )

    reopen_validation = forms.BooleanField(
        label=_("Riapri la validazione del Nucleo"),
        required=False,
        help_text=_(
            "Il piano è validato: la variazione lo riporta a «consuntivato», le pagine "
            "pubbliche indicano che i risultati sono stati rivisti e il Nucleo dovrà validarli "
            "di nuovo."
        ),
    )

    field_order = ["reason", "act_type", "act_number", "act_date", "reopen_validation"]
