"""Forms that look like Bootstrap Italia and tell assistive technology what went wrong.

Every interface form (organization, planning, web) derives from these, so the markup rules
(classes, ``aria-describedby``, ``aria-invalid``) live in one place below the apps.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.utils import ErrorDict

from traguardo.core.domain import DomainError, InvalidData

if TYPE_CHECKING:
    # The mixin only ever sits in front of a Django form: to the checker it is one.
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class StyledMixin(_FormBase):
    """Adds Bootstrap Italia classes and ARIA wiring to every widget.

    Render each field with ``{% include "web/_field.html" with field=form.name %}``: the label
    is always visible, the help text and the error are tied to the input by
    ``aria-describedby``, and a field found invalid carries ``aria-invalid``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = widget.attrs.get("class", "")
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css += " form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css += " form-select"
            elif not isinstance(widget, forms.HiddenInput):
                css += " form-control"
            widget.attrs["class"] = css.strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = self._described_id(name, "aiuto")

    def _described_id(self, name: str, suffix: str) -> str:
        # As Django's BoundField.auto_id: a "%s" pattern, else the bare name (auto_id=True).
        prefixed = self.add_prefix(name)
        auto_id = self.auto_id
        base = auto_id % prefixed if isinstance(auto_id, str) and "%s" in auto_id else prefixed
        return f"{base}-{suffix}"

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            if attrs.get("aria-invalid"):
                continue
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-invalid"] = "true"
            described = attrs.get("aria-describedby", "")
            attrs["aria-describedby"] = f"{described} {self._described_id(name, 'errore')}".strip()

    def silence(self) -> None:
        """Show what was typed without judging it (a row was just added or moved)."""
        self._errors = ErrorDict()
        self.cleaned_data: dict[str, Any] = {}


class StyledForm(StyledMixin, forms.Form):
    pass


class StyledModelForm(StyledMixin, forms.ModelForm):
    pass


def model_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field ``name``, declared as a model choice (its queryset set per request)."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is a {type(field).__name__}, not a model choice")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field ``name``, declared as a choice (its choices set per request)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is a {type(field).__name__}, not a choice")
    return field


def show_error(form: forms.BaseForm, error: DomainError) -> None:
    """A business action's refusal next to the fields it names (or above the form)."""
    errors = error.errors if isinstance(error, InvalidData) else [(error.field, error.message)]
    for name, text in errors:
        form.add_error(name if name in form.fields else None, text)
