"""The "Premi" pages: the allocation table, the fund's edit, the payroll files read back."""

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from tests.evaluation.test_pay import TWELVE, employees
from tests.factories import (
    AssignmentFactory,
    AuthorityFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
    SchemeFactory,
    UserFactory,
)
from traguardo.accounts.models import Role
from traguardo.audit.models import AuditEntry
from traguardo.evaluation.models import Evaluation, Fund, IndividualGoal

pytestmark = pytest.mark.django_db
D = Decimal


def text(response) -> str:
    """The page as a reader sees it: the words, without the markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def twelve(authority):
    with scopes_disabled():
        return employees("floor", authority=authority)


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


def url(name, authority, **kwargs):
    return reverse(name, kwargs={"authority": authority.slug, "year": 2025, **kwargs})


def test_the_admin_reads_each_premium_the_remainder_and_the_increase(
    admin_client, authority, twelve
):
    page = text(admin_client.get(url("pay_overview", authority)))

    assert "Categoria C" in page and "24.000,00 €" in page
    # Person, matricola, score, band, band's share, service share, CCNL increase, amount.
    assert "E01 Cognome E01 E01 96,00 4 100,00% 100,00% sì 3.585,76" in page
    assert "E03 Cognome E03 E03 91,00 4 100,00% 50,00% no 1.397,51" in page
    assert "E06 Cognome E06 E06 82,00 3 80,00% 49,86% no 1.255,84" in page
    assert "E12 Cognome E12 E12 45,00 1 0,00% 100,00% no 0,00" in page
    assert "Distribuito 23.999,96 Residuo non distribuito 0,04 Fondo 24.000,00" in page
    assert "Premio medio prima della maggiorazione: 2.123,89 €" in page
    assert "Maggiorazione CCNL: 637,17 € a ciascuno dei 1 beneficiari" in page


def test_an_evaluation_not_final_is_named_and_no_amount_is_shown(admin_client, authority):
    with scopes_disabled():
        employees(final=False, authority=authority)

    page = text(admin_client.get(url("pay_overview", authority)))

    assert (
        "Errore: E05 Cognome E05 non ha una valutazione definitiva: il fondo non si ripartisce."
        in page
    )
    assert (
        "E05 Cognome E05 E05 non definitiva — — — — —" in page
        and "3.585,76" not in page
        and "Distribuito" not in page
    )


def test_the_ccnl_tie_is_reported_in_italian(admin_client, authority):
    with scopes_disabled():
        scheme = SchemeFactory(authority=authority, increase=D(30), increase_max_share=D(10))
        family = FamilyFactory(
            scheme=scheme,
            name="Dirigenti",
            components={"individual_objectives": 100},
            behaviours=(),
        )
        Fund.objects.create(authority=authority, family=family, amount=D("10000.00"))
        for score in [95] * 2 + [80] * 9:
            assignment = AssignmentFactory(family=family)
            IndividualGoal.objects.create(
                authority=authority, assignment=assignment, title="Obiettivo", indicator="i",
                target=D(100), actual=D(score),
            )  # fmt: skip
            Evaluation.objects.create(authority=authority, assignment=assignment, state="final")

    page = text(admin_client.get(url("pay_overview", authority)))

    assert (
        "Maggiorazione del premio: 2 persone a pari punteggio (95) per 1 posto; nessuna la "
        "riceve finché l'ente non applica il suo criterio di spareggio."
    ) in page


def test_the_fund_changes_until_paid_and_each_change_is_audited(admin_client, authority, twelve):
    with scopes_disabled():
        family = twelve.families.get()
    edit = url("pay_fund_edit", authority, pk=family.pk)

    response = admin_client.post(edit, {"amount": "25000,00", "paid_on": ""})
    assert response.status_code == 302
    response = admin_client.post(edit, {"amount": "25000,00", "paid_on": "2026-03-31"})
    assert response.status_code == 302
    refused = admin_client.post(edit, {"amount": "26000,00", "paid_on": "2026-03-31"})

    assert "Il fondo è stato liquidato il 31 marzo 2026: l'importo non cambia." in text(refused)
    with scopes_disabled():
        assert (family.fund.amount, family.fund.paid_on) == (D("25000.00"), date(2026, 3, 31))
        entries = list(
            AuditEntry.objects.filter(action="fund.update").order_by("id").values("before", "after")
        )
    assert [e["after"] for e in entries] == [
        {"amount": "25000.00", "paid_on": None},
        {"amount": "25000.00", "paid_on": "2026-03-31"},
    ]
    assert entries[0]["before"] == {"amount": "24000.00", "paid_on": None}


def test_a_fund_is_not_marked_paid_while_an_evaluation_is_open(admin_client, authority):
    with scopes_disabled():
        family = employees(final=False, authority=authority).families.get()

    refused = admin_client.post(
        url("pay_fund_edit", authority, pk=family.pk),
        {"amount": "24000,00", "paid_on": "2026-01-15"},
    )

    assert "non si può segnare come liquidato finché la ripartizione ha errori" in text(refused)
    with scopes_disabled():
        assert Fund.objects.get(family=family).paid_on is None


def test_the_payroll_csv_is_read_back_by_an_italian_spreadsheet(admin_client, authority, twelve):
    response = admin_client.get(url("pay_export", authority, fmt="csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Matricola", "Cognome", "Nome", "Famiglia", "Punteggio", "Fascia", "Importo (€)"
    ]  # fmt: skip
    assert rows[1] == ["E01", "Cognome E01", "E01", "Categoria C", "96", "4", "3585,76"]
    amounts = {row[0]: D(row[6].replace(",", ".")) for row in rows[1:]}
    assert amounts == {code: D(premium) for code, _s, _f, premium in TWELVE}
    assert sum(amounts.values()) == D("23999.96")
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="payroll.export")
    assert entry.actor.username == "admin"
    assert entry.after == {"format": "csv", "people": 12, "total": "23999.96"}


def test_the_payroll_xlsx_has_numbers_and_formula_like_names_stay_text(
    admin_client, authority, twelve
):
    with scopes_disabled():
        PersonFactory._meta.model.objects.filter(first_name="E02").update(last_name="=SOMMA(A1)")

    response = admin_client.get(url("pay_export", authority, fmt="xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = sorted(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:6] == ("E01", "Cognome E01", "E01", "Categoria C", 96, 4)
    assert D(str(rows[0][6])) == D("3585.76")  # a number cell, as the spreadsheet sums it
    e02 = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "E02")
    assert (e02[1].value, e02[1].data_type, e02[1].quotePrefix) == ("=SOMMA(A1)", "s", True)
    assert sum(D(str(r[6])) for r in rows) == D("23999.96")
    csv_rows = admin_client.get(url("pay_export", authority, fmt="csv")).content.decode("utf-8-sig")
    assert "E02;'=SOMMA(A1);E02" in csv_rows


def test_no_payroll_file_while_a_distribution_has_an_error(admin_client, authority):
    with scopes_disabled():
        employees(final=False, authority=authority)

    response = admin_client.get(url("pay_export", authority, fmt="csv"), follow=True)

    assert response["Content-Type"].startswith("text/html")
    assert "Il file per le paghe non si può produrre: E05 Cognome E05 non ha una valutazione" in (
        text(response)
    )
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="payroll.export").exists()


def _authority_with(people: int, name: str) -> tuple[Client, str]:
    """An authority, its admin and a scheme 2025 of one family of ``people`` final evaluations."""
    with scopes_disabled():
        authority = AuthorityFactory(name=f"Comune {name}", slug=f"comune-{name}")
        user = UserFactory(username=f"admin-{name}")
        MembershipFactory(user=user, authority=authority, role=Role.ADMIN)
        scheme = SchemeFactory(authority=authority)
        family = FamilyFactory(
            scheme=scheme, name="Dipendenti", components={"individual_objectives": 100},
            behaviours=(),
        )  # fmt: skip
        Fund.objects.create(authority=authority, family=family, amount=D("9000.00"))
        evaluator = PersonFactory(authority=authority)
        for n in range(people):
            assignment = AssignmentFactory(family=family, evaluator=evaluator, payroll_code=f"M{n}")
            IndividualGoal.objects.create(
                authority=authority, assignment=assignment, title="Obiettivo", indicator="i",
                target=D(100), actual=D(60 + n),
            )  # fmt: skip
            Evaluation.objects.create(authority=authority, assignment=assignment, state="final")
    client = Client()
    client.force_login(user)
    return client, url("pay_overview", authority)


def test_the_page_costs_the_same_queries_with_1_and_3_people():
    """Three people show any query made per person (two more than with one)."""
    counted = {}
    for people, name in ((1, "uno"), (3, "tre")):
        client, address = _authority_with(people, name)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(address)
        assert response.status_code == 200
        assert (
            len(re.findall(r"\bM\d+\b", text(response))) == people
        )  # every matricola is on the page
        counted[people] = len(captured)
    assert counted[1] == counted[3]


def test_the_first_fund_of_a_family_is_created_and_audited(admin_client, authority):
    with scopes_disabled():
        family = FamilyFactory(
            scheme=SchemeFactory(authority=authority), components={"individual_objectives": 100}
        )

    form = admin_client.get(url("pay_fund_edit", authority, pk=family.pk))
    response = admin_client.post(
        url("pay_fund_edit", authority, pk=family.pk), {"amount": "1.500,50", "paid_on": ""}
    )

    assert "Importo del fondo (€)" in text(form)
    assert response.status_code == 302
    assert response["Location"] == url("pay_overview", authority)
    with scopes_disabled():
        assert Fund.objects.get(family=family).amount == D("1500.50")
        entry = AuditEntry.objects.get(action="fund.create")
    assert (entry.before, entry.after) == (None, {"amount": "1500.50", "paid_on": None})


def test_an_amount_with_a_decimal_point_is_refused_not_read_as_thousands(
    admin_client, authority, twelve
):
    with scopes_disabled():
        family = twelve.families.get()

    refused = admin_client.post(
        url("pay_fund_edit", authority, pk=family.pk), {"amount": "24000.50", "paid_on": ""}
    )

    assert "Scrivere un importo in euro, ad esempio 24.000,00." in text(refused)
    with scopes_disabled():
        assert Fund.objects.get(family=family).amount == D("24000.00")
