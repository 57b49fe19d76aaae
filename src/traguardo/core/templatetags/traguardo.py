"""Italian formats at the edge: numbers, percentages, dates."""

from datetime import date
from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from traguardo.scoring import format_decimal, format_percent

register = template.Library()


@register.filter
def percent(value: Decimal | None, places: int = 2) -> str:
    """25 → "25,00%"; blank for None."""
    return "" if value is None else format_percent(Decimal(value), int(places))


@register.filter
def decimal_it(value: Decimal | None, places: int = 2) -> str:
    return "" if value is None else format_decimal(Decimal(value), int(places))


@register.filter
def number_it(value: Decimal | None) -> str:
    """A target or a value as the card writes it: no decimals when integral."""
    if value is None:
        return ""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return format_decimal(value, places)


# Month names as they are written inside a date (lower case), whatever the locale files say.
MONTHS = (
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
)


@register.filter
def date_it(value: date | None) -> str:
    """30 settembre 2019; 1° marzo 2019 (the ordinal is how Italian writes the first)."""
    if value is None:
        return ""
    day = "1°" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


STATUS_LABELS = {
    "measured": _("misurato"),
    "provisional": _("provvisorio"),
    "missing": _("non misurato"),
    "not_measurable": _("non misurabile"),
    "excluded": _("non valutabile"),
    "forced": _("forzato"),
    "partial": _("parziale"),
    "not_due": _("non ancora dovuto"),
}


@register.filter
def status_label(status) -> str:
    """The Italian word for a scoring status (an Aggregate has none: "non misurato")."""
    return str(STATUS_LABELS.get(str(status), _("non misurato")))


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
def card_achievement(card) -> str:
    """web/_card_achievement.html in Python, the same HTML (a forced result always says so)."""
    if card.forced:
        return format_html(
            "{}<br><small>{}</small>\n",
            achievement(card.result),
            gettext("comprende un risultato forzato"),
        )
    return format_html("{}\n", achievement(card.result))


@register.filter
def check_badge(check) -> str:
    """web/_check.html in Python, the same HTML: a weight check's badge on every row."""
    colour = "success" if check.ok else "danger"
    return format_html('<span class="badge bg-{}">{}</span>\n', colour, check.label)
