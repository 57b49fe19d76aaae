"""Template filters: the Italian formats of `core.formats`, and rows' HTML bits for lists.

Python code imports the formats from `core.formats`, never from here (a contract of
`make lint`).
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from traguardo.core.formats import date_it, decimal_it, number_it, percent, status_label

register = template.Library()


register.filter(percent)
register.filter(decimal_it)
register.filter(number_it)
register.filter(date_it)
register.filter(status_label)


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template, or None."""
    return mapping.get(key) if hasattr(mapping, "get") else None


_WORDED = ("excluded", "not_measurable", "not_due")


@register.filter
def achievement(result) -> str:
    """web/_achievement.html in Python, the same HTML: lists show it on every row, where an
    include costs more than the rest of the row."""
    if result and result.achievement is not None:
        if result.status != "measured":
            return format_html(
                "{} <small>({})</small>", percent(result.achievement), status_label(result.status)
            )
        return format_html("{}", percent(result.achievement))
    status = getattr(result, "status", None)
    word = status_label(status) if status is not None and status in _WORDED else None
    return format_html('<span class="text-muted">{}</span>', word or gettext("non misurato"))


@register.filter
def scheda_achievement(scheda) -> str:
    """``achievement`` of a scheda's result, wherever schede are listed: a forced result always
    says so."""
    if scheda.forced:
        return format_html(
            "{}<br><small>{}</small>\n",
            achievement(scheda.result),
            gettext("comprende un risultato forzato"),
        )
    return format_html("{}\n", achievement(scheda.result))


@register.filter
def check_badge(check) -> str:
    """web/_check.html in Python, the same HTML: a weight check's badge on every row."""
    colour = "success" if check.ok else "danger"
    return format_html('<span class="badge bg-{}">{}</span>\n', colour, check.label)
