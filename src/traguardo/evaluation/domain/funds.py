"""A family's fund, when it is paid, and the payroll file taken from it.

The fund may change until it is paid, whatever the state of the scheme: the amount comes from
the contratto integrativo, often decided after the SMVP is frozen, and nothing computed from it
is stored. Once ``paid_on`` is set the amount is the one the payroll was made from and stays
so; clearing ``paid_on`` (a recorded correction) opens it again. A fund is marked paid only
when its distribution is complete: every evaluation of the family final, no error.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.audit.log import log_action
from traguardo.core.domain import DomainError, require
from traguardo.core.formats import date_it
from traguardo.evaluation.models import Family, Fund, Scheme
from traguardo.evaluation.pay import YearPay, family_pay, year_pay
from traguardo.evaluation.scores import Results

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class FundData:
    amount: Decimal
    paid_on: date | None = None


def _values(fund: Fund) -> dict:
    return {"amount": fund.amount, "paid_on": fund.paid_on}


def update_fund(family: Family, *, actor: User, data: FundData) -> Fund:
    """Set the family's fund (created the first time) and the date it was paid.

    1. the actor manages the scheme (``evaluation.manage_scheme``);
    2. the amount is euro to the cent, not negative;
    3. a paid fund keeps its amount: only the date changes, or is cleared first;
    4. a date of payment is not in the future, and only for a complete distribution;
    5. written with its audit entry, in one transaction.
    """
    require(actor, "evaluation.manage_scheme", family)
    amount = data.amount
    if amount is None or amount < 0 or amount != amount.quantize(_CENT):
        raise DomainError(
            _("Indicare un importo in euro, con al più due decimali."), field="amount"
        )
    if data.paid_on is not None and data.paid_on > timezone.localdate():
        raise DomainError(_("La data di liquidazione non può essere futura."), field="paid_on")
    with transaction.atomic():
        fund = Fund.objects.select_for_update().filter(family=family).first()
        before = _values(fund) if fund is not None else None
        if fund is None:
            fund = Fund(authority=family.authority, family=family)
        elif fund.paid_on is not None and data.paid_on is not None and fund.amount != amount:
            raise DomainError(
                _(
                    "Il fondo è stato liquidato il %(date)s: l'importo non cambia. Per "
                    "correggerlo, togliere prima la data di liquidazione."
                )
                % {"date": date_it(fund.paid_on)},
                field="amount",
            )
        fund.amount = amount
        fund.paid_on = data.paid_on
        fund.save()
        if data.paid_on is not None and (before is None or before["paid_on"] is None):
            family.fund = fund
            pay = family_pay(Results(family.scheme), family)
            if not pay.complete:
                raise DomainError(
                    _(
                        "Il fondo non si può segnare come liquidato finché la ripartizione ha "
                        "errori: %(errors)s"
                    )
                    % {"errors": " ".join(f.text for f in pay.findings if f.severity == "error")},
                    field="paid_on",
                )
        log_action(
            actor=actor,
            action="fund.create" if before is None else "fund.update",
            obj=fund,
            before=before,
            after=_values(fund),
        )
    return fund


def export_payroll(scheme: Scheme, *, actor: User, fmt: str) -> YearPay:
    """The year's premiums for the payroll file, and the record of who took it and when.

    1. the actor sees the pay (``evaluation.view_pay``);
    2. every family's distribution is complete (no file while one has an error);
    3. the export is recorded (format, people, total) in the audit log.
    """
    require(actor, "evaluation.view_pay", scheme)
    pay = year_pay(scheme)
    errors = [f.text for family in pay.families for f in family.findings if f.severity == "error"]
    if not pay.families:
        errors.append(_("Nessuna famiglia ha persone da retribuire."))
    if errors:
        raise DomainError(
            _("Il file per le paghe non si può produrre: %(errors)s") % {"errors": " ".join(errors)}
        )
    amounts = [
        line.allocation.amount
        for family in pay.families
        for line in family.lines
        if line.allocation is not None
    ]
    with transaction.atomic():
        log_action(
            actor=actor,
            action="payroll.export",
            obj=scheme,
            after={
                "format": fmt,
                "people": len(amounts),
                "total": sum(amounts, Decimal("0.00")),
            },
        )
    return pay
