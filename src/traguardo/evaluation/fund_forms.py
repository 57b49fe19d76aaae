"""The forms of the pay pages: a family's fund and the day it was paid."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from traguardo.core.forms import StyledForm
from traguardo.scoring import parse_decimal


class FundForm(StyledForm):
    # Typed the Italian way, with or without the thousands' dots: "24.000,00", "24000,00".
    amount = forms.CharField(
        label=_("Importo del fondo (€)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("In euro, con la virgola per i centesimi: 24.000,00."),
    )
    paid_on = forms.DateField(
        label=_("Liquidato il"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Vuoto finché il premio non è pagato. Una volta liquidato l'importo non cambia."
        ),
    )

    def clean_amount(self) -> Decimal:
        try:
            return parse_decimal(self.cleaned_data["amount"])
        except (ValueError, InvalidOperation):
            raise ValidationError(
                _("Scrivere un importo in euro, ad esempio 24.000,00."), code="invalid"
            ) from None
