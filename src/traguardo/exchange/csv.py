"""The plan's tables as CSV files, one table per file, the way Italian spreadsheets read them.

Choices (Excel and LibreOffice with Italian settings open these files by double click):
- UTF-8 with a byte-order mark: without it Excel reads the file as Windows-1252 and breaks
  every accented letter;
- ";" as separator, because "," is the Italian decimal separator;
- numbers with a decimal comma and no thousands separator ("1234,5"), dates as gg/mm/aaaa:
  both are read back as numbers and dates by an Italian spreadsheet;
- texts that a spreadsheet would run as a formula start with an apostrophe (``cells``);
- every field quoted only when needed, line ends CRLF (RFC 4180).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from traguardo.exchange import layout
from traguardo.exchange.cells import date_text, decimal_text, escape_text
from traguardo.organization.models import Authority
from traguardo.planning.models import Plan

CONTENT_TYPE = "text/csv; charset=utf-8"
DELIMITER = ";"

PLAN_COLUMNS = (
    _("Anno"),
    _("Ultimo anno"),
    _("Titolo"),
    _("Stato"),
    _("Tipo di atto"),
    _("Numero dell'atto"),
    _("Data dell'atto"),
    _("Schede"),
    _("Validato il"),
)


def cell_text(value: Any) -> str:
    """One CSV field."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return layout.yes_no(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return date_text(value)
    return escape_text(str(value))


def write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([cell_text(str(h)) for h in header])
    for row in rows:
        writer.writerow([cell_text(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def table_csv(plan: Plan, table_name: str) -> bytes:
    """One table of the plan ("schede", "indicatori", … — ``layout.BY_SLUG``)."""
    table = layout.BY_SLUG[table_name]
    data = layout.collect(plan)
    return write_csv([c.title for c in table.columns], table.values(data))


def plans_csv(authority: Authority) -> bytes:
    """The authority's plans, one a row (the active scope must be the authority's)."""
    plans = (
        Plan.objects.filter(authority=authority)
        .annotate(schede=Count("objectives"))
        .order_by("year")
    )
    rows = (
        (
            plan.year,
            plan.last_year,
            plan.title,
            plan.get_state_display(),
            plan.act_type,
            plan.act_number,
            plan.act_date,
            plan.schede,
            plan.validated_on,
        )
        for plan in plans
    )
    return write_csv(PLAN_COLUMNS, rows)
