"""Italian formats at the edge: numbers, percentages, dates, a score's status in words.

Plain functions for any module that writes Italian text (documents, messages, exports); the
template filters of `core/templatetags/traguardo.py` are these same functions.
"""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from traguardo.scoring import format_decimal, format_percent


def percent(value: Decimal | None, places: int = 2) -> str:
    """25 → "25,00%"; blank for None."""
    return "" if value is None else format_percent(Decimal(value), int(places))


def decimal_it(value: Decimal | None, places: int = 2) -> str:
    return "" if value is None else format_decimal(Decimal(value), int(places))


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


def status_label(status) -> str:
    """The Italian word for a scoring status (an Aggregate has none: "non misurato")."""
    return str(STATUS_LABELS.get(str(status), _("non misurato")))
