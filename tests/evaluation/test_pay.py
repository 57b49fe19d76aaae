"""The premiums of a year from the stored rows (``evaluation.pay``): docs/individual.md's
worked example entered as assignments and final evaluations, to the cent."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import AssignmentFactory, FamilyFactory, PersonFactory, SchemeFactory
from traguardo.evaluation.models import Assignment, Evaluation, Fund, IndividualGoal
from traguardo.evaluation.pay import service, year_pay

pytestmark = pytest.mark.django_db
D = Decimal

# docs/individual.md: 12 employees of one category, 2025, fund 24 000,00 €, franchise 10
# days, CCNL increase 30 % to at most 10 %: (code, score, service fields, premium rounded down).
TWELVE = (
    ("E01", 96, {}, "3585.76"),  # 2 948,59 + the increase 637,17
    ("E02", 93, {}, "2856.45"),
    ("E03", 91, {"part_time": D(50)}, "1397.51"),
    ("E04", 88, {"absence_days": 20}, "2628.82"),  # 10 beyond the franchise: 355/365
    ("E05", 85, {"part_time": D(75)}, "1958.05"),
    ("E06", 82, {"service_from": date(2025, 7, 3)}, "1255.84"),  # 182/365
    ("E07", 78, {"protected_days": 150}, "2395.73"),  # maternity leave: a full year
    ("E08", 74, {"absence_days": 40}, "2086.06"),  # 335/365
    ("E09", 70, {}, "2150.01"),
    ("E10", 65, {}, "1996.44"),
    ("E11", 55, {}, "1689.29"),
    ("E12", 45, {}, "0.00"),  # band 0 %
)


def employees(rounding="floor", *, final=True, **scheme_fields):
    """The category's family with one individual goal each (target 100, reached = score)."""
    settings = {"year": 2025, "franchise_days": 10, "increase": D(30), "increase_max_share": D(10)}
    scheme = SchemeFactory(**{**settings, "rounding": rounding, **scheme_fields})
    family = FamilyFactory(
        scheme=scheme, name="Categoria C", components={"individual_objectives": 100}, behaviours=()
    )
    Fund.objects.create(authority=scheme.authority, family=family, amount=D("24000.00"))
    evaluator = PersonFactory(authority=scheme.authority, last_name="Valutatrice")
    for code, score, fields, _premium in TWELVE:
        person = PersonFactory(
            authority=scheme.authority, first_name=code, last_name=f"Cognome {code}"
        )
        assignment = AssignmentFactory(
            family=family, person=person, evaluator=evaluator, payroll_code=code, **fields
        )
        IndividualGoal.objects.create(
            authority=scheme.authority,
            assignment=assignment,
            title="Pratiche evase",
            indicator="pratiche evase",
            target=D(100),
            actual=D(score),
        )
        Evaluation.objects.create(
            authority=scheme.authority,
            assignment=assignment,
            state="final" if final or code != "E05" else "delivered",
        )
    return scheme


def by_code(family_pay):
    return {
        line.assignment.payroll_code: line.allocation.amount if line.allocation else None
        for line in family_pay.lines
    }


@scopes_disabled()
def test_24000_among_12_rounded_down_pays_each_to_the_cent_and_reports_0_04():
    (category,) = year_pay(employees("floor")).families

    assert by_code(category) == {code: D(premium) for code, _s, _f, premium in TWELVE}
    result = category.distribution
    assert (result.distributed, result.remainder) == (D("23999.96"), D("0.04"))
    assert result.distributed + result.remainder == category.fund.amount
    # The CCNL increase: 10 % of the 11 paid is one person, the best evaluated.
    increased = [
        line.assignment.payroll_code for line in category.lines if line.allocation.increased
    ]
    assert increased == ["E01"]
    assert (result.average_premium, result.increase) == (D("2123.89"), D("637.17"))
    assert category.complete and category.findings == ()


@scopes_disabled()
def test_by_largest_remainder_the_4_cents_go_to_e04_e06_e09_e11_and_the_fund_is_all_paid():
    (category,) = year_pay(employees("largest_remainder")).families

    cents = {code: D(premium) for code, _s, _f, premium in TWELVE}
    more = {code for code, amount in by_code(category).items() if amount != cents[code]}
    assert more == {"E04", "E06", "E09", "E11"}
    assert (category.distribution.distributed, category.distribution.remainder) == (
        D("24000.00"),
        D("0.00"),
    )


@scopes_disabled()
def test_the_service_shares_come_from_the_assignments_dates_part_time_and_absences():
    (category,) = year_pay(employees()).families

    shares = {
        line.assignment.payroll_code: line.allocation.service_share for line in category.lines
    }
    assert shares["E03"] == D("0.5000")
    assert shares["E04"] == D("0.9726")  # 355 / 365
    assert shares["E06"] == D("0.4986")  # 182 / 365
    assert shares["E07"] == D("1.0000")  # art. 9 c.3
    assert shares["E08"] == D("0.9178")  # 335 / 365


@scopes_disabled()
def test_one_evaluation_not_final_stops_the_distribution_naming_the_person():
    (category,) = year_pay(employees(final=False)).families

    assert not category.complete
    assert all(line.allocation is None for line in category.lines)
    assert [f.text for f in category.findings] == [
        "E05 Cognome E05 non ha una valutazione definitiva: il fondo non si ripartisce."
    ]


@scopes_disabled()
def test_a_family_without_a_fund_is_an_error_and_pays_nobody():
    family = FamilyFactory(components={"individual_objectives": 100}, behaviours=())
    AssignmentFactory(family=family)

    (pay,) = year_pay(family.scheme).families

    assert pay.distribution is None and not pay.complete
    assert [f.text for f in pay.findings] == [
        f"La famiglia «{family.name}» non ha un fondo: indicarne l'importo."
    ]


@scopes_disabled()
def test_absences_beyond_the_days_of_service_are_named_not_a_crash():
    family = FamilyFactory(components={"individual_objectives": 100}, behaviours=())
    Fund.objects.create(authority=family.authority, family=family, amount=D("1000.00"))
    person = PersonFactory(authority=family.authority, first_name="Ugo", last_name="Breve")
    AssignmentFactory(family=family, person=person, service_from=date(2025, 12, 1), absence_days=40)

    (pay,) = year_pay(family.scheme).families

    assert pay.distribution is None
    assert [f.text for f in pay.findings] == [
        "Ugo Breve: i giorni di assenza superano i giorni di servizio nell'anno."
    ]


@scopes_disabled()
def test_the_year_is_read_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    scheme = employees()
    with django_assert_max_num_queries(14):
        pay = year_pay(scheme)
    assert pay.complete and pay.families[0].people == 12


# The engine's properties (tests/scoring/test_pay.py) hold for any payees; what the bridge adds
# is the days of service it reads from the dates: every day of the year from service_from to
# service_to, both included, blank meaning the year's first or last day.
_DAY = st.dates(date(2023, 6, 1), date(2025, 8, 1))


@given(start=st.none() | _DAY, end=st.none() | _DAY, year=st.sampled_from([2024, 2025]))
def test_the_days_of_service_are_the_days_of_the_year_between_the_dates(start, end, year):
    assignment = Assignment(service_from=start, service_to=end, part_time=D(100))
    first = date(year, 1, 1)
    days_of_year = [first + timedelta(days=n) for n in range(366 if year == 2024 else 365)]
    expected = sum(
        1 for day in days_of_year if (start is None or day >= start) and (end is None or day <= end)
    )
    assert service(assignment, year).days == expected


def _final_family(scores, **scheme_fields):
    scheme = SchemeFactory(**scheme_fields)
    family = FamilyFactory(
        scheme=scheme, name="Dirigenti", components={"individual_objectives": 100}, behaviours=()
    )
    Fund.objects.create(authority=scheme.authority, family=family, amount=D("9000.00"))
    for score in scores:
        assignment = AssignmentFactory(family=family)
        IndividualGoal.objects.create(
            authority=scheme.authority, assignment=assignment, title="Obiettivo", indicator="i",
            target=D(100), actual=D(score),
        )  # fmt: skip
        Evaluation.objects.create(authority=scheme.authority, assignment=assignment, state="final")
    return scheme


@scopes_disabled()
def test_three_dirigenti_are_too_few_for_the_ccnl_increase_and_are_told_so():
    (pay,) = year_pay(_final_family((95, 85, 75), increase=D(30))).families

    assert pay.complete and pay.distribution.distributed == D("9000.00")
    assert [f.text for f in pay.findings] == [
        "Maggiorazione del premio: la quota massima di beneficiari non raggiunge una persona, "
        "nessuno la riceve."
    ]


@scopes_disabled()
def test_everyone_below_the_first_paid_band_leaves_the_fund_to_share_and_says_so():
    (pay,) = year_pay(_final_family((45, 30))).families

    assert pay.distribution.remainder == D("9000.00")
    assert [f.text for f in pay.findings] == [
        "Nessuna persona ha diritto al premio: il fondo resta da ripartire."
    ]
