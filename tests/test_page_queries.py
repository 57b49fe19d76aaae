"""Every page costs the same queries whatever the size of the plan and of the installation:
at most 10 once the plan's results are kept, and the same number with 1 scheda in
1 ente as with 3 schede in each of 3 enti — the first view (which computes the kept results)
included: a query per row or per ente would show 2 more (thirty schede an ente cost seconds
more for the same finding). The pages' own tests check
their paging and contents; this one only counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import (
    PASSWORD,
    ActivityFactory,
    AuthorityFactory,
    IndicatorFactory,
    MeasurementFactory,
    MembershipFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PersonFactory,
    PlanFactory,
    TargetFactory,
    UserFactory,
)
from traguardo.accounts.models import Role
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import Plan

pytestmark = pytest.mark.django_db
WARM_LIMIT = 10
MANY = 3  # schede of each ente: fewer than a page (50), so every row is on the page

BACK_OFFICE = (
    "plan_detail",
    "plan_dashboard",
    "plan_review",
    "plan_documents",
    "plan_document",
    "relazione",
    "verifica",
    "my_deadlines",
    "periods",
    "objective_detail",
    "objective_gantt",
    "measurements",
)
PUBLIC = (
    "public_home",
    "public_plan",
    "public_results",
    "public_objective",
    "public_opendata_csv",
    "public_opendata_json",
)


def build(enti: int, schede: int, prefix: str) -> dict:
    """``enti`` authorities, each with a plan in monitoring of ``schede`` schede (an indicator
    with its target and measurement, an activity), an open period and an admin; the first
    authority's URLs."""
    first = None
    with scopes_disabled():
        for n in range(enti):
            authority = AuthorityFactory(name=f"Comune {prefix}{n}", slug=f"comune-{prefix}{n}")
            head = PersonFactory(authority=authority, first_name="Ada", last_name=f"Capo{n}")
            unit = OrgUnitFactory(authority=authority, name=f"Settore {n}", head=head)
            plan = PlanFactory(authority=authority, state=Plan.State.MONITORING)
            period = MonitoringPeriodFactory(
                plan=plan,
                name="Verifica",
                kind=MonitoringPeriod.Kind.INTERMEDIATE,
                reference_date=date(2019, 6, 30),
            )
            for _ in range(schede):
                objective = ObjectiveFactory(plan=plan, unit=unit, responsible=head)
                indicator = IndicatorFactory(objective=objective, weight=Decimal(100))
                TargetFactory(indicator=indicator, year=2019, value=Decimal(10))
                ActivityFactory(objective=objective, weight=Decimal(100))
                MeasurementFactory(period=period, indicator=indicator, value=Decimal(8))
            user = UserFactory(username=f"admin-{prefix}{n}")
            MembershipFactory(user=user, authority=authority, role=Role.ADMIN, person=head)
            if first is None:
                first = {"slug": authority.slug, "plan": plan, "period": period}
                first.update(scheda=objective, user=user.username)
    return first


def urls(world: dict) -> dict[str, str]:
    slug, year = world["slug"], world["plan"].year
    scheda, period = world["scheda"].pk, world["period"].pk
    return {
        "plan_detail": reverse("plan_detail", args=[slug, year]),
        "plan_dashboard": reverse("plan_dashboard", args=[slug, year]),
        "plan_review": reverse("plan_review", args=[slug, year]),
        "plan_documents": reverse("plan_documents", args=[slug, year]),
        "plan_document": reverse("plan_document", args=[slug, year]),
        "relazione": reverse("relazione", args=[slug, year]),
        "verifica": reverse("verifica", args=[slug, year, period]),
        "my_deadlines": reverse("my_deadlines", args=[slug]),
        "periods": reverse("periods", args=[slug, year]),
        "objective_detail": reverse("objective_detail", args=[slug, scheda]),
        "objective_gantt": reverse("objective_gantt", args=[slug, year, scheda]),
        "measurements": reverse("measurements", args=[slug, scheda]),
        "public_home": reverse("public_home", args=[slug]),
        "public_plan": reverse("public_plan", args=[slug, year]),
        "public_results": reverse("public_results", args=[slug, year]),
        "public_objective": reverse("public_objective", args=[slug, year, scheda]),
        "public_opendata_csv": reverse("public_opendata", args=[slug, year, "csv"]),
        "public_opendata_json": reverse("public_opendata", args=[slug, year, "json"]),
    }


def counts(world: dict, names) -> dict[str, tuple[int, int]]:
    """Queries of each page's first view (results computed) and of the next (kept)."""
    client = Client()
    assert client.login(username=world["user"], password=PASSWORD)
    found = {}
    for name in names:
        url = urls(world)[name]
        with CaptureQueriesContext(connection) as cold:
            assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as warm:
            assert client.get(url).status_code == 200, url
        found[name] = (len(cold), len(warm))
    return found


def test_every_page_costs_the_same_with_1_scheda_in_1_ente_and_3_in_each_of_3():
    small = counts(build(1, 1, "a"), (*BACK_OFFICE, *PUBLIC))
    big = counts(build(3, MANY, "b"), (*BACK_OFFICE, *PUBLIC))
    assert big == small
    over = {name: warm for name, (_cold, warm) in small.items() if warm > WARM_LIMIT}
    assert not over, f"more than {WARM_LIMIT} queries once the results are kept: {over}"
