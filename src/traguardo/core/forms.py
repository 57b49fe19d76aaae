"""Forms that look like Bootstrap Italia and tell assistive technology what went wrong.

Every interface form (organization, planning, web) derives from these, so the markup rules
(classes, ``aria-describedby``, ``aria-invalid``) live in one place below the apps.
"""

from django import forms
from django.forms.utils import ErrorDict


class StyledMixin:
    """Adds Bootstrap Italia classes and ARIA wiring to every widget.

    Render each field with ``{% include "web/_field.html" with field=form.name %}``: the label
    is always visible, the help text and the error are tied to the input by
    ``aria-describedby``, and a field found invalid carries ``aria-invalid``.
    """

    def __init__(self, *args, **kwargs) -> None:
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
        return f"{self.auto_id % self.add_prefix(name)}-{suffix}"

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
        self.cleaned_data = {}


class StyledForm(StyledMixin, forms.Form):
    pass


class StyledModelForm(StyledMixin, forms.ModelForm):
    pass
