"""The forms of the pay pages: a family's fund and the day it was paid."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from traguardo.core.forms import StyledForm


class FundForm(StyledForm):
    amount = forms.DecimalField(
        label=_("Importo del fondo (€)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        localize=True,
    )
    paid_on = forms.DateField(
        label=_("Liquidato il"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Vuoto finché il premio non è pagato. Una volta liquidato l'importo non cambia."
        ),
    )
