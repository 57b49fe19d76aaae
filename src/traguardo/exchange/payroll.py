"""The year's premiums for the payroll office: one row per person, as CSV and XLSX.

Columns: matricola, cognome, nome, famiglia, punteggio, fascia (its number, lowest 1),
importo. The figures are the engine's (``evaluation.pay``), computed when the file is asked
for; the business action ``evaluation.domain.funds.export_payroll`` refuses while a
distribution has an error and records who took the file. Formats as the plan's files: the CSV
``;``-separated, UTF-8 with a BOM, decimal comma, formula-like texts after an apostrophe
(``exchange.csv``); the XLSX with real numbers and formula-like texts as text cells marked
``quotePrefix`` (``exchange.cells``).
"""

from collections.abc import Iterator
from io import BytesIO

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from traguardo.evaluation.pay import YearPay
from traguardo.exchange.cells import put_xlsx
from traguardo.exchange.csv import write_csv

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    _("Matricola"),
    _("Cognome"),
    _("Nome"),
    _("Famiglia"),
    _("Punteggio"),
    _("Fascia"),
    _("Importo (€)"),
)
WIDTHS = (14, 24, 20, 24, 12, 8, 14)
NUMBER_FORMATS = {4: "0.00", 5: "0", 6: "#,##0.00"}


def rows(pay: YearPay) -> Iterator[tuple]:
    """One row per person paid from a complete distribution, family by family."""
    for family in pay.families:
        for line in family.lines:
            allocation = line.allocation
            if allocation is None:
                continue
            person = line.assignment.person
            yield (
                line.assignment.payroll_code,
                person.last_name,
                person.first_name,
                family.family.name,
                allocation.score,
                allocation.band,
                allocation.amount,
            )


def payroll_csv(pay: YearPay) -> bytes:
    return write_csv(COLUMNS, rows(pay))


def payroll_xlsx(pay: YearPay) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = str(_("Premi %(year)s") % {"year": pay.scheme.year})
    for index, (title, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=str(title))
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for number, values in enumerate(rows(pay), start=2):
        for index, value in enumerate(values):
            cell = sheet.cell(row=number, column=index + 1)
            put_xlsx(cell, value)
            if not isinstance(value, str):
                cell.number_format = NUMBER_FORMATS.get(index, "General")
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
