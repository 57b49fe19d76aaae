"""The premiums of a year computed by the engine from the stored rows.

The bridge between this app's models and ``scoring.pay`` (as ``evaluation.scores`` is for the
evaluations): for each family of a scheme, ``distribute(Fund, payees, PayRules)`` fed with the
family's fund, one payee per assignment — its total from ``evaluation.scores.Results``, counted
only once the evaluation is final (a non-final one stops the distribution with the engine's
``missing_score``, naming the person) — and its service in the year (``service``), and the
scheme's pay rules. Nothing is stored: every page and file computes it again, in Decimal.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from traguardo.evaluation.messages import message
from traguardo.evaluation.models import Assignment, Family, Fund, Scheme
from traguardo.evaluation.scores import Finding, IndividualResult, Results, pay_bands
from traguardo.scoring import Issue
from traguardo.scoring.pay import (
    AbsenceRule,
    Allocation,
    Differentiation,
    Distribution,
    PayBasis,
    Payee,
    PayRules,
    Rounding,
    Service,
    distribute,
)
from traguardo.scoring.pay import Fund as EngineFund

__all__ = ["FamilyPay", "PayLine", "YearPay", "family_pay", "pay_rules", "service", "year_pay"]


@dataclass(frozen=True)
class PayLine:
    """One person of a family: their evaluation and, once distributed, their premium."""

    assignment: Assignment
    result: IndividualResult
    allocation: Allocation | None

    @property
    def service_percent(self) -> Decimal | None:
        """The service share as a percent (2 places), for reading."""
        if self.allocation is None:
            return None
        return (self.allocation.service_share * 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class FamilyPay:
    """A family's fund shared out. ``distribution`` is None when there is nothing the engine
    can share (no fund, invalid rules or service): ``findings`` say why. ``complete``: every
    evaluation is final and the engine found no error, so the amounts may be paid."""

    family: Family
    fund: Fund | None
    lines: tuple[PayLine, ...]
    distribution: Distribution | None
    findings: tuple[Finding, ...]

    @property
    def complete(self) -> bool:
        return self.distribution is not None and not any(
            f.severity == "error" for f in self.findings
        )

    @property
    def people(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class YearPay:
    """Every family of a scheme (those with people or a fund)."""

    scheme: Scheme
    families: tuple[FamilyPay, ...]

    @property
    def complete(self) -> bool:
        return all(family.complete for family in self.families)


def service(assignment: Assignment, year: int) -> Service:
    """The assignment's service in ``year``: the days from service_from to service_to (blank:
    the year's first or last day) within the year, the part time and the absences.
    ValueError when the absences exceed those days (the engine's check)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    start = max(assignment.service_from or first, first)
    end = min(assignment.service_to or last, last)
    days = max(0, (end - start).days + 1)
    return Service(
        days=days,
        part_time=assignment.part_time,
        absence_days=assignment.absence_days,
        protected_days=assignment.protected_days,
    )


def pay_rules(scheme: Scheme) -> PayRules:
    """The scheme's rules for its funds (ValueError when the bands or the increase are not
    valid: the bands must start from 0, the increase be at least 30 %)."""
    differentiation = None
    if scheme.increase is not None:
        differentiation = Differentiation(scheme.increase, scheme.increase_max_share)
    return PayRules(
        bands=pay_bands(scheme),
        basis=PayBasis(scheme.pay_basis),
        absences=AbsenceRule(scheme.franchise_days),
        differentiation=differentiation,
        rounding=Rounding(scheme.rounding),
    )


def _fund(family: Family) -> Fund | None:
    try:
        return family.fund
    except Fund.DoesNotExist:
        return None


def family_pay(results: Results, family: Family) -> FamilyPay:
    """The family's fund shared among its people by the engine, as of ``results.today``."""
    scheme = results.scheme
    assignments = [a for a in results.assignments.values() if a.family_id == family.pk]
    evaluated = [results.result(a.pk) for a in assignments]
    fund = _fund(family)
    findings: list[Finding] = []
    names = {a.pk: str(a.person) for a in assignments}
    if fund is None:
        findings.append(
            Finding(
                "error",
                _("La famiglia «%(family)s» non ha un fondo: indicarne l'importo.")
                % {"family": family.name},
            )
        )
    try:
        rules: PayRules | None = pay_rules(scheme)
    except ValueError:
        rules = None
        findings.append(Finding("error", message(Issue("pay_bands_invalid", "error", "bands"))))
    payees = []
    for assignment, result in zip(assignments, evaluated, strict=True):
        try:
            served = service(assignment, scheme.year)
        except ValueError:
            findings.append(
                Finding(
                    "error",
                    _("%(person)s: i giorni di assenza superano i giorni di servizio nell'anno.")
                    % {"person": names[assignment.pk]},
                )
            )
            continue
        payees.append(Payee(assignment.pk, result.total if result.final else None, served))
    distribution = None
    if fund is not None and rules is not None and len(payees) == len(assignments):
        engine_fund = EngineFund(family.pk, scheme.year, fund.amount)
        distribution = distribute(engine_fund, payees, rules)
        findings.extend(Finding(i.severity, message(i, names)) for i in distribution.issues)
    allocations = distribution.allocations if distribution else {}
    lines = tuple(
        PayLine(a, r, allocations.get(a.pk)) for a, r in zip(assignments, evaluated, strict=True)
    )
    return FamilyPay(family, fund, lines, distribution, tuple(findings))


def year_pay(scheme: Scheme, *, today: date | None = None) -> YearPay:
    """Every family of the scheme with people or a fund, in the scheme's order; the scheme's
    rows are read once (``Results``), whatever the number of people."""
    results = Results(scheme, today=today)
    families = list(Family.objects.filter(scheme=scheme).select_related("fund"))
    with_people = {a.family_id for a in results.assignments.values()}
    return YearPay(
        scheme,
        tuple(
            family_pay(results, family)
            for family in families
            if family.pk in with_people or _fund(family) is not None
        ),
    )
