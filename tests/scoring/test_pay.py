"""The results-based pay: bands, service share, the CCNL increase, cents and the remainder."""

from dataclasses import replace
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.scoring.strategies import decimals
from traguardo.scoring import (
    AbsenceRule,
    Differentiation,
    Fund,
    PayBand,
    PayBands,
    PayBasis,
    Payee,
    PayRules,
    Rounding,
    Service,
    distribute,
)

D = Decimal
BANDS = PayBands(
    (PayBand(D(0), D(0)), PayBand(D(50), D(60)), PayBand(D(70), D(80)), PayBand(D(90), D(100)))
)
FULL_YEAR = Service(365)
DIRIGENTI_FUND = Fund("dirigenti", 2025, D("30000.00"))
# The dirigente of test_individual's worked example (84.98) and two colleagues.
DIRIGENTI = [
    Payee("A", D("84.98"), FULL_YEAR),
    Payee("B", D("92.00"), FULL_YEAR),
    Payee("C", D("65.00"), FULL_YEAR),
]
# 12 employees of one category, 2025 (365 days): score, days, part time, absences that reduce,
# leave that by law does not count.
TWELVE = [
    Payee(key, D(score), Service(days, D(part_time), absences, protected))
    for key, score, days, part_time, absences, protected in (
        ("E01", 96, 365, 100, 0, 0),
        ("E02", 93, 365, 100, 0, 0),
        ("E03", 91, 365, 50, 0, 0),  # part time 50 %
        ("E04", 88, 365, 100, 20, 0),  # 20 days of absence, 10 beyond the franchise
        ("E05", 85, 365, 75, 0, 0),  # part time 75 %
        ("E06", 82, 182, 100, 0, 0),  # hired on 3 July
        ("E07", 78, 365, 100, 0, 150),  # maternity leave: art. 9 c.3, no reduction
        ("E08", 74, 365, 100, 40, 0),  # 40 days, 30 beyond the franchise
        ("E09", 70, 365, 100, 0, 0),
        ("E10", 65, 365, 100, 0, 0),
        ("E11", 55, 365, 100, 0, 0),
        ("E12", 45, 365, 100, 0, 0),  # below 50: band 0 %
    )
]
CATEGORY_FUND = Fund("cat. C", 2025, D("24000.00"))
CCNL = PayRules(BANDS, PayBasis.SCORE, AbsenceRule(10), Differentiation(D(30), D(10)))


def amounts(distribution):
    return {key: a.amount for key, a in distribution.allocations.items()}


def test_dirigente_84_98_band_80_percent_gets_10249_67_of_30000_00_by_score_times_band():
    # points: 84.98·0.8 = 67.984, 92·1 = 92, 65·0.6 = 39; Σ = 198.984
    # A = 30 000 · 67.984 / 198.984 = 10 249.668… ; B = 13 870.466… ; C = 5 879.865…
    rules = PayRules(BANDS, PayBasis.SCORE_TIMES_BAND)
    result = distribute(DIRIGENTI_FUND, DIRIGENTI, rules)
    assert (result.allocations["A"].band, result.allocations["A"].band_share) == (3, D(80))
    assert amounts(result) == {"A": D("10249.67"), "B": D("13870.46"), "C": D("5879.87")}
    assert (result.distributed, result.remainder) == (D("30000.00"), D("0.00"))


def test_rounded_down_the_same_fund_leaves_2_cents_reported():
    rules = PayRules(BANDS, PayBasis.SCORE_TIMES_BAND, rounding=Rounding.FLOOR)
    result = distribute(DIRIGENTI_FUND, DIRIGENTI, rules)
    assert amounts(result) == {"A": D("10249.66"), "B": D("13870.46"), "C": D("5879.86")}
    assert (result.distributed, result.remainder) == (D("29999.98"), D("0.02"))


def test_by_band_everyone_in_a_band_weighs_the_same():
    result = distribute(DIRIGENTI_FUND, DIRIGENTI, PayRules(BANDS, PayBasis.BAND))
    # shares 80 : 100 : 60 of 240
    assert amounts(result) == {"A": D("10000.00"), "B": D("12500.00"), "C": D("7500.00")}


def test_24000_00_among_12_employees_floor_pays_23999_96_and_reports_0_04():
    result = distribute(CATEGORY_FUND, TWELVE, replace(CCNL, rounding=Rounding.FLOOR))
    assert amounts(result) == {
        "E01": D("3585.76"),  # 2 948.59 as 96 points + the increase 637.17
        "E02": D("2856.45"),
        "E03": D("1397.51"),  # half of 91 points
        "E04": D("2628.82"),  # 355 of 365 days
        "E05": D("1958.05"),
        "E06": D("1255.84"),  # 182 of 365 days
        "E07": D("2395.73"),  # 150 days of maternity leave: as a full year
        "E08": D("2086.06"),  # 335 of 365 days
        "E09": D("2150.01"),
        "E10": D("1996.44"),
        "E11": D("1689.29"),
        "E12": D("0.00"),  # 45: band 0 %
    }
    assert (result.distributed, result.remainder) == (D("23999.96"), D("0.04"))
    assert result.distributed == CATEGORY_FUND.amount - result.remainder


def test_the_ccnl_increase_is_30_percent_of_the_average_premium_to_one_of_11_paid():
    # 11 paid (E12 is not), 10 % of 11 → 1 beneficiary, the best: E01.
    # average before the increase = (24 000 − 637.17) / 11 = 2 123.89; 30 % of it = 637.17
    result = distribute(CATEGORY_FUND, TWELVE, CCNL)
    assert result.beneficiaries == frozenset({"E01"})
    assert (result.average_premium, result.increase) == (D("2123.89"), D("637.17"))
    e01, e02 = result.allocations["E01"].amount, result.allocations["E02"].amount
    assert abs(e01 - e02 * 96 / 93 - result.increase) <= D("0.02")
    assert result.issues == ()


def test_largest_remainder_gives_the_4_cents_to_the_largest_fractions():
    result = distribute(CATEGORY_FUND, TWELVE, CCNL)
    floor = distribute(CATEGORY_FUND, TWELVE, replace(CCNL, rounding=Rounding.FLOOR))
    more = {k for k, v in amounts(result).items() if v != floor.allocations[k].amount}
    assert more == {"E04", "E06", "E09", "E11"}
    assert (result.distributed, result.remainder) == (D("24000.00"), D("0.00"))


def test_leave_by_law_does_not_reduce_absences_do_beyond_the_franchise():
    protected = Service(365, protected_days=150)
    assert protected.share(365, AbsenceRule(10)) == 1
    assert Service(365, absence_days=10).share(365, AbsenceRule(10)) == 1
    assert Service(365, D(50), absence_days=83).share(365, AbsenceRule(10)) == D("0.4")


def test_a_tie_across_the_limit_leaves_the_tied_out_and_asks():
    payees = [Payee(f"P{i}", D(95 if i < 2 else 80), FULL_YEAR) for i in range(10)]
    result = distribute(CATEGORY_FUND, payees, CCNL)  # 10 % of 10 = 1 place, 2 tied at 95
    assert result.beneficiaries == frozenset()
    assert [(i.code, i.param_dict()) for i in result.issues] == [
        ("increase_tie", {"places": 1, "score": D(95), "tied": 2})
    ]


def test_a_missing_score_stops_the_distribution():
    payees = [*DIRIGENTI[:2], Payee("C", None, FULL_YEAR)]
    result = distribute(DIRIGENTI_FUND, payees, PayRules(BANDS))
    assert result.allocations == {}
    assert result.remainder == DIRIGENTI_FUND.amount
    assert [(i.code, i.position) for i in result.issues] == [("missing_score", 3)]


def test_bands_with_boundaries_inclusive_or_not():
    assert BANDS.band_of(D(70))[0] == 3
    upper = PayBands(BANDS.bands, lower_inclusive=False)
    assert upper.band_of(D(70))[0] == 2
    assert upper.band_of(D("70.01"))[0] == 3
    assert upper.band_of(D(0))[0] == 1


def test_the_ccnl_floor_of_30_percent_is_enforced():
    with pytest.raises(ValueError, match="30%"):
        Differentiation(D(25))


payees = st.lists(
    st.tuples(decimals(0, 100), st.integers(0, 365), st.sampled_from([D(50), D(83), D(100)])),
    min_size=1,
    max_size=15,
).map(lambda rows: [Payee(i, s, Service(days, pt)) for i, (s, days, pt) in enumerate(rows)])
funds = st.integers(0, 10_000_000).map(lambda cents: Fund("f", 2024, D(cents).scaleb(-2)))
rules = st.builds(
    PayRules,
    bands=st.just(BANDS),
    basis=st.sampled_from(list(PayBasis)),
    absences=st.just(AbsenceRule()),
    differentiation=st.sampled_from([None, Differentiation(), Differentiation(D(50), D(25))]),
    rounding=st.sampled_from(list(Rounding)),
)


@given(funds, payees, rules)
def test_the_distribution_never_exceeds_the_fund_and_reports_the_rest(fund, people, pay_rules):
    result = distribute(fund, people, pay_rules)
    assert sum(amounts(result).values()) == result.distributed <= fund.amount
    assert result.distributed + result.remainder == fund.amount
    assert all(amount >= 0 for amount in amounts(result).values())
    assert distribute(fund, people, pay_rules) == result


@given(funds, payees, rules, st.randoms(use_true_random=False))
def test_the_distribution_does_not_depend_on_the_order_of_people(fund, people, pay_rules, rnd):
    shuffled = list(people)
    rnd.shuffle(shuffled)
    first, second = distribute(fund, people, pay_rules), distribute(fund, shuffled, pay_rules)
    assert first.allocations == second.allocations
    assert (first.remainder, first.beneficiaries) == (second.remainder, second.beneficiaries)


@given(funds, payees, rules)
def test_with_the_same_service_a_higher_score_never_gets_less(fund, people, pay_rules):
    same = [Payee(p.key, p.score, FULL_YEAR) for p in people]
    result = distribute(fund, same, pay_rules)
    ranked = sorted(result.allocations.values(), key=lambda a: a.score)
    assert all(low.amount <= high.amount for low, high in pairwise(ranked))
