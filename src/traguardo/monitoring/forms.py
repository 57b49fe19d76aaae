"""Forms of monitoring: a period, a measurement (its fields follow the measure), a file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from traguardo.core.formats import number_it
from traguardo.core.forms import StyledForm
from traguardo.monitoring.domain import MeasurementData
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.monitoring.uploads import ACCEPTED
from traguardo.planning.objective_forms import DateInput, DecimalText
from traguardo.scoring import Measure

# The fields each measure asks for, besides the comment and the justifications.
MEASURE_FIELDS = {
    Measure.RATIO.value: ("numerator", "denominator", "completed_on"),
    Measure.DEADLINE.value: ("completed_on",),
    Measure.DELAY_DAYS.value: ("value",),
    Measure.NUMBER.value: ("value",),
    Measure.PERCENTAGE.value: ("value",),
    Measure.VARIATION.value: ("value",),
    Measure.BOOLEAN.value: ("done",),
}
VALUE_LABELS = {
    Measure.DELAY_DAYS.value: _("Giorni di ritardo"),
    Measure.NUMBER.value: _("Valore rilevato"),
    Measure.PERCENTAGE.value: _("Percentuale rilevata"),
    Measure.VARIATION.value: _("Valore rilevato (confrontato con il riferimento)"),
}


# These texts go into the Relazione sulla performance, which is published (D.Lgs. 33/2013):
# the page says so once, above its forms (id PUBLISHED_ID), and each such field points to it.
PUBLISHED_ID = "avviso-testi-pubblicati"
PUBLISHED_FIELDS = ("comment", "not_assessable_reason", "forced_reason")
# Asked only now and then: behind a disclosure, open when one of them is filled in.
EXCEPTION_FIELDS = (
    "not_assessable",
    "not_assessable_reason",
    "forced_achievement",
    "forced_reason",
)
PUBLISHED = _(
    "I commenti e i motivi scritti in questa pagina compaiono nella Relazione sulla "
    "performance, che è pubblicata: non scrivere nomi di persone né dati personali (ad esempio "
    "sulla salute). Nella versione pubblica i nomi delle persone dell'ente sono comunque "
    "sostituiti da «[omissis]»."
)


class PeriodForm(StyledForm):
    name = forms.CharField(label=_("Nome"), max_length=150)
    kind = forms.ChoiceField(label=_("Tipo"), choices=MonitoringPeriod.Kind.choices)
    reference_date = forms.DateField(label=_("Data di riferimento"), widget=DateInput())


class MeasurementForm(StyledForm):
    numerator = DecimalText(label=_("Numeratore"), required=False)
    denominator = DecimalText(label=_("Denominatore"), required=False)
    value = DecimalText(label=_("Valore rilevato"), required=False)
    completed_on = forms.DateField(
        label=_("Data di completamento"), required=False, widget=DateInput()
    )
    done = forms.TypedChoiceField(
        label=_("Realizzato"),
        choices=[("", "—"), ("1", _("Sì")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    progress = DecimalText(label=_("Avanzamento (%)"), required=False)
    comment = forms.CharField(
        label=_("Commento"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    not_assessable = forms.BooleanField(label=_("Non valutabile"), required=False)
    not_assessable_reason = forms.CharField(
        label=_("Motivo della non valutabilità"),
        required=False,
        max_length=1000,
    )
    forced_achievement = DecimalText(label=_("Raggiungimento forzato (%)"), required=False)
    forced_reason = forms.CharField(
        label=_("Motivo della forzatura"), required=False, max_length=1000
    )
    file = forms.FileField(
        label=_("Allegato (facoltativo)"),
        required=False,
        help_text=_("PDF, immagini, documenti Word, Excel o LibreOffice: %(types)s.")
        % {"types": ", ".join(ACCEPTED)},
    )

    def __init__(
        self, *args, measure: str | None, can_force: bool, by_delay: bool = False, **kwargs
    ) -> None:
        """``by_delay``: the indicator's value is graded by days of delay, so the day its
        expected level was reached is asked for (ratio, number, percentage)."""
        super().__init__(*args, **kwargs)
        keep = set(MEASURE_FIELDS.get(measure, ())) if measure else {"completed_on", "progress"}
        if by_delay:
            keep.add("completed_on")
        keep |= {"comment", "not_assessable", "not_assessable_reason", "file"}
        if can_force and measure:
            keep |= {"forced_achievement", "forced_reason"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if measure in VALUE_LABELS:
            self.fields["value"].label = VALUE_LABELS[measure]
        if by_delay:
            self.fields["completed_on"].label = _("Data in cui è stato raggiunto il livello atteso")
            self.fields["completed_on"].help_text = _(
                "La graduazione è per giorni di ritardo: indicare il giorno in cui il valore ha "
                "raggiunto il livello atteso, solo quando lo ha raggiunto. Finché non lo "
                "raggiunge, il ritardo si conta fino alla data di riferimento del periodo."
            )
        elif measure == Measure.RATIO.value:
            self.fields["completed_on"].label = _("Data in cui è stato raggiunto il livello atteso")
            self.fields["completed_on"].help_text = _(
                "Serve quando la graduazione è per giorni di ritardo."
            )

        for name in PUBLISHED_FIELDS:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = PUBLISHED_ID

    @property
    def entry_fields(self) -> list:
        """What the measure asks for: the figures, dates or progress."""
        aside = {*EXCEPTION_FIELDS, "comment", "file"}
        return [field for field in self if field.name not in aside]

    @property
    def exception_fields(self) -> list:
        return [self[name] for name in EXCEPTION_FIELDS if name in self.fields]

    @property
    def exceptions_open(self) -> bool:
        """The disclosure starts open when a field in it holds something or is wrong."""
        for field in self.exception_fields:
            if field.errors or field.value() not in (None, "", False):
                return True
        return False

    def data_for_domain(self) -> MeasurementData:
        c = self.cleaned_data
        return MeasurementData(
            numerator=c.get("numerator"),
            denominator=c.get("denominator"),
            value=c.get("value"),
            completed_on=c.get("completed_on"),
            done=c.get("done"),
            progress=c.get("progress"),
            not_assessable=c.get("not_assessable", False),
            not_assessable_reason=c.get("not_assessable_reason", ""),
            forced_achievement=c.get("forced_achievement"),
            forced_reason=c.get("forced_reason", ""),
            comment=c.get("comment", ""),
        )


def initial_from(measurement) -> dict:
    if measurement is None:
        return {}
    return {
        "numerator": number_it(measurement.numerator),
        "denominator": number_it(measurement.denominator),
        "value": number_it(measurement.value),
        "completed_on": measurement.completed_on,
        "done": {True: "1", False: "0"}.get(measurement.done, ""),
        "progress": number_it(measurement.progress),
        "comment": measurement.comment,
        "not_assessable": measurement.not_assessable,
        "not_assessable_reason": measurement.not_assessable_reason,
        "forced_achievement": number_it(measurement.forced_achievement),
        "forced_reason": measurement.forced_reason,
    }
