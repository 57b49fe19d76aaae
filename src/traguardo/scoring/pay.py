"""The results-based pay: from evaluation totals to premiums, within a fund, to the cent.

A fund (per family and year) is shared in proportion to each person's points: their score, or
their band's share, or both, times their service share (days of service less the absences that
reduce per the ente's rule, times the part-time percent; leave that by law does not count,
art. 9 c.3 D.Lgs. 150/2009, never reduces it). The CCNL's differentiation (art. 81 CCNL Funzioni
Locali 16.11.2022) adds to the best evaluated, within a limited share of staff, an increase of
at least 30 % of the average premium; it comes out of the same fund. The sums are exact
(fractions) and only the amounts are rounded down to the cent; the cents left over go, if the
rules say so, to the largest remainders; what is left is reported, never paid beyond the fund.
"""

import calendar
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from itertools import groupby, pairwise

from .checks import Issue
from .italian import round_half_up
from .values import HUNDRED, ZERO, as_decimal, as_optional_decimal, as_percent

__all__ = [
    "AbsenceRule",
    "Allocation",
    "Differentiation",
    "Distribution",
    "Fund",
    "PayBand",
    "PayBands",
    "PayBasis",
    "PayRules",
    "Payee",
    "Rounding",
    "Service",
    "distribute",
]

CCNL_MINIMUM_INCREASE = Decimal(30)  # art. 81 c.2: not below 30 % of the average premium
_CENT = Decimal("0.01")


def _params(**values: Hashable) -> tuple[tuple[str, Hashable], ...]:
    """An Issue's parameters, as the hashable pairs it keeps."""
    return tuple(sorted(values.items()))


def _set(instance: object, name: str, value: object) -> None:
    object.__setattr__(instance, name, value)


def _check_int(value: object, name: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {value}")


def _decimal(value: Fraction, places: int) -> Decimal:
    """A fraction as a Decimal rounded half-up to `places`, for reporting only."""
    with localcontext() as ctx:
        ctx.prec = 60
        return round_half_up(Decimal(value.numerator) / Decimal(value.denominator), places)


@dataclass(frozen=True)
class PayBand:
    """From `lower` (a score) up to the next band, `share` percent of the premium."""

    lower: Decimal
    share: Decimal

    def __post_init__(self) -> None:
        _set(self, "lower", as_percent(self.lower, "lower"))
        _set(self, "share", as_percent(self.share, "share"))


@dataclass(frozen=True)
class PayBands:
    """The bands, lowest first, the first from 0. `lower_inclusive`: a score equal to a
    band's lower bound is in that band (≥ 50 → 60 %); otherwise it stays in the band below
    (> 50 → 60 %). A higher band never pays a smaller share."""

    bands: tuple[PayBand, ...]
    lower_inclusive: bool = True

    def __post_init__(self) -> None:
        if not self.bands or self.bands[0].lower != 0:
            raise ValueError("the first band must start from 0")
        for below, above in pairwise(self.bands):
            if above.lower <= below.lower:
                raise ValueError("bands must be given lowest first, without repeats")
            if above.share < below.share:
                raise ValueError("a higher band must not pay a smaller share")

    def band_of(self, score: Decimal) -> tuple[int, PayBand]:
        """The band of `score`: its 1-based position and the band."""
        score = as_percent(score, "score")
        position = 1
        for index, band in enumerate(self.bands, start=1):
            inside = score >= band.lower if self.lower_inclusive else score > band.lower
            if index == 1 or inside:
                position = index
        return position, self.bands[position - 1]


class PayBasis(StrEnum):
    """What a person's points are, before the service share."""

    SCORE = "score"  # the total (0 in a band paying 0 %)
    BAND = "band"  # the band's share: everyone in a band weighs the same
    SCORE_TIMES_BAND = "score_times_band"  # the total × the band's share


class Rounding(StrEnum):
    """How amounts become cents; both report what is left of the fund."""

    FLOOR = "floor"  # every amount rounded down; the cents left over are the remainder
    # Rounded down, then the cents left go one each to the largest fractions of a cent, a tie
    # only whole (or not at all: the cents stay in the remainder, whatever the order of people).
    LARGEST_REMAINDER = "largest_remainder"


@dataclass(frozen=True)
class AbsenceRule:
    """The ente's rule for absences that reduce the premium: each day beyond the first
    `franchise_days` reduces the days of service by one."""

    franchise_days: int = 0

    def __post_init__(self) -> None:
        _check_int(self.franchise_days, "franchise_days", 0, 366)


@dataclass(frozen=True)
class Differentiation:
    """Art. 81 CCNL Funzioni Locali 16.11.2022: `increase` percent of the average premium of
    those evaluated positively (paid anything), added to the best evaluated, at most
    `max_share` percent of them (rounded down). The CCNL's floor, 30 %, is enforced."""

    increase: Decimal = CCNL_MINIMUM_INCREASE
    max_share: Decimal = Decimal(10)

    def __post_init__(self) -> None:
        _set(self, "increase", as_decimal(self.increase, "increase"))
        _set(self, "max_share", as_percent(self.max_share, "max_share"))
        if self.increase < CCNL_MINIMUM_INCREASE:
            raise ValueError("art. 81 CCNL: the increase is at least 30% of the average")


@dataclass(frozen=True)
class PayRules:
    """The SMVP and integrative contract's choices for one fund."""

    bands: PayBands
    basis: PayBasis = PayBasis.SCORE
    absences: AbsenceRule = AbsenceRule()
    differentiation: Differentiation | None = None
    rounding: Rounding = Rounding.LARGEST_REMAINDER

    def __post_init__(self) -> None:
        _set(self, "basis", PayBasis(self.basis))
        _set(self, "rounding", Rounding(self.rounding))


@dataclass(frozen=True)
class Fund:
    """The money of one family for one year, in euro to the cent."""

    family: Hashable
    year: int
    amount: Decimal

    def __post_init__(self) -> None:
        _check_int(self.year, "year", 1900, 9999)
        amount = as_decimal(self.amount, "amount")
        if amount < 0 or amount != amount.quantize(_CENT):
            raise ValueError("a fund is a non-negative amount in cents")
        _set(self, "amount", amount)

    @property
    def days(self) -> int:
        return 366 if calendar.isleap(self.year) else 365


@dataclass(frozen=True)
class Service:
    """A person's year: `days` of service in it, `part_time` percent, `absence_days` that
    reduce per the ente's rule and `protected_days` of leave that by law does not count
    (art. 9 c.3: maternity, parental leave, ...), recorded and never reducing."""

    days: int
    part_time: Decimal = HUNDRED
    absence_days: int = 0
    protected_days: int = 0

    def __post_init__(self) -> None:
        _check_int(self.days, "days", 0, 366)
        _check_int(self.absence_days, "absence_days", 0, 366)
        _check_int(self.protected_days, "protected_days", 0, 366)
        _set(self, "part_time", as_percent(self.part_time, "part_time"))
        if self.absence_days + self.protected_days > self.days:
            raise ValueError("absences cannot exceed the days of service")

    def share(self, year_days: int, rule: AbsenceRule) -> Fraction:
        """(days − reducing absences beyond the franchise) / days of the year × part time."""
        reducing = max(0, self.absence_days - rule.franchise_days)
        days = Fraction(min(self.days, year_days) - reducing, year_days)
        return days * Fraction(self.part_time) / 100


@dataclass(frozen=True)
class Payee:
    """One person of the family: their evaluation total (None while it is not final)."""

    key: Hashable
    score: Decimal | None
    service: Service

    def __post_init__(self) -> None:
        score = as_optional_decimal(self.score, "score")
        _set(self, "score", None if score is None else as_percent(score, "score"))


@dataclass(frozen=True)
class Allocation:
    """One person's premium: `band` is 1-based, `service_share` rounded to 4 places for
    reading (the computation is exact), `increased` says the CCNL increase is included."""

    key: Hashable
    score: Decimal
    band: int
    band_share: Decimal
    service_share: Decimal
    increased: bool
    amount: Decimal


@dataclass(frozen=True)
class Distribution:
    """The fund shared out. `distributed` + `remainder` = `fund`; `average_premium` is the
    average premium before the increase of those paid anything, `increase` what each of the
    `beneficiaries` received on top (both to the cent, for reading)."""

    fund: Decimal
    allocations: dict[Hashable, Allocation]
    distributed: Decimal
    remainder: Decimal
    average_premium: Decimal
    increase: Decimal
    beneficiaries: frozenset[Hashable]
    issues: tuple[Issue, ...]


def _points(payee: Payee, share: Decimal, basis: PayBasis) -> Fraction:
    score = Fraction(payee.score or ZERO)
    if basis is PayBasis.SCORE:
        return score if share > 0 else Fraction(0)
    if basis is PayBasis.BAND:
        return Fraction(share)
    return score * Fraction(share) / 100


def _beneficiaries(
    positive: Sequence[Payee], rules: Differentiation, issues: list[Issue]
) -> frozenset[Hashable]:
    """The best evaluated, at most max_share % of those paid; a tie across the limit is left
    out whole (a warning asks the ente's tie-break), so the choice never depends on order."""
    limit = int(Fraction(len(positive)) * Fraction(rules.max_share) / 100)
    if limit == 0:
        issues.append(Issue("increase_nobody", "warning", "differentiation"))
        return frozenset()
    ranked = sorted(positive, key=lambda payee: payee.score or ZERO, reverse=True)
    chosen: list[Hashable] = []
    for score, group in groupby(ranked, key=lambda payee: payee.score):
        if len(chosen) == limit:
            break
        members = [payee.key for payee in group]
        if len(chosen) + len(members) > limit:
            params = _params(score=score, tied=len(members), places=limit - len(chosen))
            issues.append(Issue("increase_tie", "warning", "differentiation", params=params))
            break
        chosen.extend(members)
    return frozenset(chosen)


def _cents(
    exact: dict[Hashable, Fraction], fund_cents: int, rounding: Rounding
) -> dict[Hashable, int]:
    cents = {key: int(value * 100) for key, value in exact.items()}  # non-negative: floor
    if rounding is Rounding.FLOOR:
        return cents
    left = fund_cents - sum(cents.values())
    fractions = {key: value * 100 - cents[key] for key, value in exact.items()}
    ranked = sorted(fractions, key=fractions.__getitem__, reverse=True)
    for fraction, group in groupby(ranked, key=fractions.__getitem__):
        keys = list(group)
        if fraction == 0 or len(keys) > left:
            break
        for key in keys:
            cents[key] += 1
        left -= len(keys)
    return cents


def distribute(fund: Fund, payees: Sequence[Payee], rules: PayRules) -> Distribution:
    """Share `fund` among `payees` by `rules`.

    Premium = k × points (+ the increase for the beneficiaries), with k such that the exact
    amounts add up to the fund. Any payee without a final score stops the distribution with
    an error (nothing is shared out on a guess).
    """
    keys = [payee.key for payee in payees]
    if len(set(keys)) != len(keys):
        raise ValueError("two payees with the same key")
    issues: list[Issue] = []
    for position, payee in enumerate(payees, start=1):
        if payee.score is None:
            params = _params(key=payee.key)
            issues.append(Issue("missing_score", "error", "score", position, params))
    if issues:
        return Distribution(
            fund.amount, {}, ZERO, fund.amount, ZERO, ZERO, frozenset(), tuple(issues)
        )
    bands = {payee.key: rules.bands.band_of(payee.score or ZERO) for payee in payees}
    services = {p.key: p.service.share(fund.days, rules.absences) for p in payees}
    points = {
        p.key: _points(p, bands[p.key][1].share, rules.basis) * services[p.key] for p in payees
    }
    positive = [payee for payee in payees if points[payee.key] > 0]
    total_points = sum(points.values(), Fraction(0))
    beneficiaries: frozenset[Hashable] = frozenset()
    exact = {key: Fraction(0) for key in keys}
    average = increase = Fraction(0)
    if not positive:
        issues.append(Issue("nobody_paid", "warning", "payees"))
    else:
        if rules.differentiation is not None:
            beneficiaries = _beneficiaries(positive, rules.differentiation, issues)
        rate = Fraction(rules.differentiation.increase) / 100 if rules.differentiation else 0
        mean_points = total_points / len(positive)
        k = Fraction(fund.amount) / (total_points + len(beneficiaries) * rate * mean_points)
        average = k * mean_points
        increase = rate * average
        for key in keys:
            exact[key] = k * points[key] + (increase if key in beneficiaries else 0)
    fund_cents = int(Fraction(fund.amount) * 100)
    cents = _cents(exact, fund_cents, rules.rounding)
    distributed = sum(cents.values())
    if distributed > fund_cents:  # cannot happen: the exact amounts add up to the fund
        raise ArithmeticError("the distribution exceeds the fund")
    allocations = {
        payee.key: Allocation(
            key=payee.key,
            score=payee.score or ZERO,
            band=bands[payee.key][0],
            band_share=bands[payee.key][1].share,
            service_share=_decimal(services[payee.key], 4),
            increased=payee.key in beneficiaries,
            amount=Decimal(cents[payee.key]).scaleb(-2),
        )
        for payee in payees
    }
    return Distribution(
        fund=fund.amount,
        allocations=allocations,
        distributed=Decimal(distributed).scaleb(-2),
        remainder=Decimal(fund_cents - distributed).scaleb(-2),
        average_premium=_decimal(average, 2),
        increase=_decimal(increase, 2),
        beneficiaries=beneficiaries,
        issues=tuple(issues),
    )
