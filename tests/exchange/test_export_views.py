"""The download views: attachments with Italian names, contents, and query counts."""

from datetime import date
from email.message import Message

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.exchange.helpers import as_dicts, csv_rows, ods_sheets, xlsx_sheets
from tests.factories import (
    ActivityFactory,
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from tests.jobfiles import job_file
from traguardo.exchange.layout import TABLES
from traguardo.jobs import runner
from traguardo.planning.models import Plan

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name, **kwargs) -> str:
    return reverse(name, kwargs={"authority": "comune-prova", **kwargs})


def test_the_workbooks_download_as_attachments(rich, viewer):
    client = client_for(viewer)
    xlsx = job_file(client, url("plan_export", year=2019, fmt="xlsx"))
    assert xlsx["Content-Disposition"] == 'attachment; filename="piano-2019.xlsx"'
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [r["Denominazione"] for r in as_dicts(xlsx_sheets(xlsx.content)["Schede"])] == [
        "Protezione dei dati personali",
        "Protezione dei dati personali",
        "Scheda senza codice",
    ]
    ods = job_file(client, url("plan_export", year=2019, fmt="ods"))
    assert ods["Content-Disposition"] == 'attachment; filename="piano-2019.ods"'
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert len(as_dicts(ods_sheets(ods.content)["Indicatori"])) == 3


def test_a_csv_table_and_the_plans_list_download(rich, evaluator):
    client = client_for(evaluator)
    response = job_file(client, url("plan_export_csv", year=2019, table="livelli-attesi"))
    assert response["Content-Disposition"] == (
        'attachment; filename="piano-2019-livelli-attesi.csv"'
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response.content)
    assert [(r[4], r[5]) for r in rows[1:]] == [
        ("2020", "Livello finale"),
        ("2021", "Livello finale"),
        ("2021", "Livello intermedio"),
        ("2019", "Livello finale"),
    ]
    plans = client.get(url("plans_export_csv"))
    assert plans["Content-Disposition"] == 'attachment; filename="piani-comune-prova.csv"'
    assert csv_rows(plans.content)[1][:3] == ["2019", "2021", "Piano 2019"]


def test_the_import_template_downloads_empty(rich, manager_a):
    response = client_for(manager_a).get(url("plan_template", year=2019))
    assert response["Content-Disposition"] == (
        'attachment; filename="modello-importazione-piano-2019.xlsx"'
    )
    sheets = xlsx_sheets(response.content)
    assert sheets["Schede"][0][0] == "N. scheda" and len(sheets["Schede"]) == 1


def test_unknown_formats_tables_and_years_are_not_found(rich, admin):
    client = client_for(admin)
    assert (
        client.get(url("plan_export", year=2019, fmt="xlsx").replace("xlsx", "pdf")).status_code
        == 404
    )
    base = url("plan_export_csv", year=2019, table="schede")
    assert client.get(base.replace("schede", "persone")).status_code == 404
    assert client.get(url("plan_export", year=2030, fmt="xlsx")).status_code == 404


def test_a_post_is_refused(rich, admin):
    assert client_for(admin).post(url("plan_export", year=2019, fmt="xlsx")).status_code == 405


# --- query counts -------------------------------------------------------------------------


def build(authority, unit, count: int) -> Plan:
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2019)
        period = MonitoringPeriodFactory(plan=plan, reference_date=date(2019, 12, 31))
        for n in range(count):
            objective = ObjectiveFactory(
                plan=plan, position=n + 1, unit=unit, responsible=unit.head
            )
            indicator = IndicatorFactory(objective=objective, position=1)
            TargetFactory(indicator=indicator, year=2019)
            TargetFactory(indicator=indicator, year=2020)
            ActivityFactory(objective=objective, position=1)
            MeasurementFactory(period=period, indicator=indicator, completed_on=date(2019, 12, 1))
    return plan


DOWNLOADS = [
    ("plan_export", {"year": 2019, "fmt": "xlsx"}),
    ("plan_export", {"year": 2019, "fmt": "ods"}),
    *(
        ("plan_export_csv", {"year": 2019, "table": table})
        for table in (
            "schede",
            "indicatori",
            "livelli-attesi",
            "attivita",
            "misurazioni",
            "risultati",
        )
    ),
    ("plan_template", {"year": 2019}),
    ("plans_export_csv", {}),
]


def queries(client, address) -> int:
    """The queries of one download: the request and, for the files prepared as jobs (their
    answer a redirect to the job), the job too — run inline in the tests."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code in (200, 302)
    return len(captured)


@pytest.mark.parametrize(("name", "kwargs"), DOWNLOADS)
def test_the_query_count_does_not_grow_with_the_schede(
    authority, unit_a, manager_a, django_assert_max_num_queries, name, kwargs, monkeypatch
):
    # Progress is written by time (at most every PROGRESS_EVERY): only its first write, then.
    monkeypatch.setattr(runner, "PROGRESS_EVERY", float("inf"))
    client = client_for(manager_a)
    plan = build(authority, unit_a, 1)
    one = queries(client, url(name, **kwargs))
    with scopes_disabled():
        plan.delete()
    # Ten schede, not thirty: a query made for each scheda (or each of its rows) adds nine
    # queries here as surely as it added twenty-nine, and building and exporting the twenty
    # more cost most of the test.
    build(authority, unit_a, 10)
    with django_assert_max_num_queries(one):
        assert client.get(url(name, **kwargs)).status_code in (200, 302)


def test_every_csv_table_is_measured_for_its_query_count():
    """DOWNLOADS above covers every table of the plan."""
    measured = {kwargs["table"] for name, kwargs in DOWNLOADS if name == "plan_export_csv"}
    assert measured == {table.slug for table in TABLES}


def test_the_plans_csv_costs_the_same_queries_with_1_and_12_plans(
    authority, unit_a, manager_a, django_assert_max_num_queries
):
    client = client_for(manager_a)
    build(authority, unit_a, 3)
    one = queries(client, url("plans_export_csv"))
    with scopes_disabled():
        for year in range(2020, 2031):
            plan = PlanFactory(authority=authority, year=year)
            ObjectiveFactory(plan=plan, position=1, unit=unit_a)
    with django_assert_max_num_queries(one):
        response = client.get(url("plans_export_csv"))
    rows = csv_rows(response.content)
    assert [row[0] for row in rows[1:]] == [str(year) for year in range(2019, 2031)]
    assert [row[7] for row in rows[1:]] == ["3"] + ["1"] * 11  # schede of each plan


# --- the Word download's header -----------------------------------------------------------


def saved_name(header: str) -> list[str]:
    """The file names a browser reads from a Content-Disposition header (RFC 6266/2231)."""
    message = Message()
    message["Content-Disposition"] = header
    assert message.get_content_disposition() == "attachment"
    names = [key for key, _value in message.get_params(header="content-disposition")[1:]]
    assert len(names) == 1, names  # one file name, nothing injected after it
    return [message.get_filename()]


@pytest.mark.parametrize(
    "code",
    [
        "x\";filename*=UTF-8''x.exe;a=\"",  # a header injection, in ASCII
        'Ω"; a=€.exe',  # outside Latin-1
        '3\\"\r\nX-Evil: 1',  # a backslash and a line break
    ],
)
def test_a_schedas_word_file_has_a_safe_name_whatever_its_code(rich, viewer, code):
    with scopes_disabled():
        objective = ObjectiveFactory(plan=rich, position=9, code=code)
    response = client_for(viewer).get(url("objective_docx", pk=objective.pk))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert saved_name(header) == [f"scheda-{code}.docx"]
    assert response["Cache-Control"] == "private, no-store"
    # The printed scheda is named the same way, through the same helper.
    header = client_for(viewer).get(url("objective_pdf", pk=objective.pk))["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert saved_name(header) == [f"scheda-{code}.pdf"]


def test_the_plans_word_file_is_not_cached(rich, viewer):
    response = job_file(client_for(viewer), url("plan_docx", year=2019))
    assert response["Content-Disposition"] == 'attachment; filename="piano-2019.docx"'
    assert response["Cache-Control"] == "private, no-store"
