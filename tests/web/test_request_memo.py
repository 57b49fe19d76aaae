"""A page view reads the current period and the SMVP once, however many helpers ask."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from traguardo.accounts.models import User
from traguardo.core.memo import remembered, request_memo
from traguardo.imports.demo_year import load_demo_year
from traguardo.organization.models import ScoringPolicy
from traguardo.planning.asof import current_period
from traguardo.planning.rulebook import plan_rules

pytestmark = pytest.mark.django_db


def reads(client: Client, url: str, table: str, *, warm: bool = True) -> int:
    if warm:
        client.get(url)  # warm-up: nothing of it counted
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and f'FROM "{table}"' in query["sql"]
    )


def admin_client() -> Client:
    client = Client()
    with scopes_disabled():
        client.force_login(User.objects.get(username="admin"))
    return client


def test_the_dashboard_reads_the_smvp_once(demo):
    plan = demo  # a draft: scored with the authority's current SMVP
    url = reverse("plan_dashboard", kwargs={"authority": plan.authority.slug, "year": plan.year})
    # The first view computes the plan's kept results (planning.kept): the SMVP read once.
    assert reads(admin_client(), url, "organization_scoringpolicy", warm=False) == 1


def test_the_measurements_page_reads_the_periods_once():
    plan = load_demo_year().plan
    with scopes_disabled():
        objective = plan.objectives.order_by("position").first()
    url = reverse("measurements", kwargs={"authority": plan.authority.slug, "pk": objective.pk})
    assert reads(admin_client(), url, "monitoring_monitoringperiod") == 1


def test_outside_a_page_view_nothing_is_remembered(demo):
    with scopes_disabled():
        plan = demo
        before = plan_rules(plan).green_from
        ScoringPolicy.objects.filter(authority_id=plan.authority_id).update(green_from=95)
        assert plan_rules(plan).green_from == 95 != before
        assert current_period(plan) is None


def test_a_memo_lasts_one_block():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert remembered("k", compute) == 1
    assert remembered("k", compute) == 2  # no memo open: computed each time
    with request_memo():
        assert remembered("k", compute) == 3
        assert remembered("k", compute) == 3
    assert remembered("k", compute) == 4


def test_a_post_remembers_nothing(rf):
    from traguardo.core.memo import _memo
    from traguardo.core.middleware import RequestMemoMiddleware

    seen = []

    def view(request):
        seen.append(_memo.get())
        return None

    RequestMemoMiddleware(view)(rf.post("/"))
    RequestMemoMiddleware(view)(rf.get("/"))
    assert seen[0] is None
    assert seen[1] == {}
