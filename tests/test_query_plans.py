"""Every tenant table is indexed for the queries the main pages make.

The queries of each page are captured, then each SELECT is explained by SQLite (``EXPLAIN QUERY
PLAN``): a ``SCAN`` of a tenant table, as opposed to a ``SEARCH … USING INDEX``, is a read of
the whole table — every ente's rows — and fails the test. SQLite plans by rules, not by
statistics, so the answer does not depend on how many rows the tests left behind; PostgreSQL
plans by cost and, on a test-sized database, legitimately reads small tables whole. The
indexes are the same on both (the same migrations create them), and the shared-installation
bench (bench/load.py --tenants, PostgreSQL) measures what they are for: one ente's pages as
fast beside 299 others as alone.
"""

from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import MonitoringPeriodFactory
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.core.models import AuthorityScoped
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import Objective

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="SQLite's rule-based plans (see the docstring)"
    ),
]
SLUG = "comune-esempio"

TENANT_TABLES = frozenset(
    model._meta.db_table
    for model in apps.get_models()
    if issubclass(model, AuthorityScoped) and not model._meta.proxy
)


def tenant_scans(sql: str, params) -> list[str]:
    """The tenant tables this SELECT reads whole (a ``SCAN``, with or without an index walked
    end to end, as opposed to a ``SEARCH`` on an index), as SQLite plans it."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [
            table
            for *_ids, detail in cursor.fetchall()
            if detail.startswith("SCAN ")
            for table in [detail.split()[1]]
            if table in TENANT_TABLES
        ]


class Recorder(CaptureQueriesContext):
    """Captures the SQL with its parameters (not the display string) for EXPLAIN."""

    def __enter__(self):
        self.statements = []
        connection.execute_wrappers.append(self._wrap)
        return super().__enter__()

    def __exit__(self, *exc):
        connection.execute_wrappers.remove(self._wrap)
        return super().__exit__(*exc)

    def _wrap(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and not many:
            self.statements.append((sql, params))
        return execute(sql, params, many, context)


@pytest.fixture
def pages(client, demo):
    plan = demo
    with scopes_disabled():
        MonitoringPeriodFactory(
            plan=plan,
            name="Verifica",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(plan.year, 6, 30),
        )
        objective = plan.objectives.first()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    year = plan.year
    return [
        reverse("plan_detail", args=[SLUG, year]),
        reverse("plan_dashboard", args=[SLUG, year]),
        reverse("plan_review", args=[SLUG, year]),
        reverse("plan_documents", args=[SLUG, year]),
        reverse("relazione", args=[SLUG, year]),
        reverse("my_deadlines", args=[SLUG]),
        reverse("objective_detail", args=[SLUG, objective.pk]),
        reverse("measurements", args=[SLUG, objective.pk]),
        reverse("audit_log", args=[SLUG]),
    ]


def test_the_main_pages_read_every_tenant_table_through_an_index(client, pages):
    unindexed = {}
    for url in pages:
        with Recorder(connection) as recorder:
            response = client.get(url)
        assert response.status_code == 200, url
        for sql, params in recorder.statements:
            for table in tenant_scans(sql, params):
                unindexed.setdefault(table, []).append(f"{url}: {sql[:300]}")
    assert not unindexed, "\n".join(f"{t}:\n  " + "\n  ".join(q) for t, q in unindexed.items())


def test_a_query_on_an_unindexed_column_is_caught():
    """The check itself: a search by a scheda's title (no index) is a scan of the table."""
    with scopes_disabled():
        query = Objective.objects.filter(title="Sportello").values("pk").query
    sql, params = query.sql_with_params()
    assert tenant_scans(sql, params) == [Objective._meta.db_table]
