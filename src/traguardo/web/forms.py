"""Form helpers shared by the back office: Bootstrap Italia classes and accessible errors."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Nome utente o password non corretti."),
        "inactive": _("Questo account è disattivato."),
    }


class StyledForm(forms.Form):
    """Adds Bootstrap Italia classes and ARIA wiring to every widget.

    Render each field with ``{% include "web/_field.html" with field=form.name %}``: the label
    is always visible, the help text and the error are tied to the input by
    ``aria-describedby``, and an invalid field carries ``aria-invalid``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class StyledModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        style(self)


def style(form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        widget = field.widget
        css = widget.attrs.get("class", "")
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css += " form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css += " form-select"
        else:
            css += " form-control"
        described = [f"{form.auto_id % form.add_prefix(name)}-aiuto"] if field.help_text else []
        if form.is_bound and name in form.errors:
            css += " is-invalid"
            widget.attrs["aria-invalid"] = "true"
            described.append(f"{form.auto_id % form.add_prefix(name)}-errore")
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)
        widget.attrs["class"] = css.strip()
