"""Every setup list costs the same queries with 1 row as with 50."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from tests.factories import GradingScaleFactory, OrgUnitFactory, PersonFactory
from tests.setup.conftest import login, url
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import PerformanceArea, PolicyLevel
from traguardo.planning.models import DupGoal

pytestmark = pytest.mark.django_db


def _units(authority, count):
    """Sectors with an office each, every unit with its head."""
    sector = None
    for n in range(count):
        head = PersonFactory(authority=authority)
        parent = sector if n % 2 else None
        unit = OrgUnitFactory(authority=authority, head=head, parent=parent, kind="settore")
        sector = unit if parent is None else sector


def _people(authority, count):
    for _ in range(count):
        OrgUnitFactory(authority=authority, head=PersonFactory(authority=authority))


def _dup(authority, count):
    levels = ("mandate", "strategic", "operational")
    parent = None
    for n in range(count):
        level = levels[n % 3]
        parent = DupGoal.objects.create(
            authority=authority,
            level=level,
            code=f"{n}",
            title=f"Obiettivo {n}",
            parent=None if level == "mandate" else parent,
        )


def _areas(authority, count):
    start = PerformanceArea.objects.filter(authority=authority).count()
    for n in range(start + 1, start + count + 1):
        PerformanceArea.objects.create(authority=authority, number=n, name=f"Ambito {n}")


def _levels(authority, count):
    policy = ensure_policy(authority)
    start = policy.levels.count()
    dimensions = list(PolicyLevel.Dimension.values)
    for n in range(start, start + count):
        PolicyLevel.objects.create(
            authority=authority,
            policy=policy,
            dimension=dimensions[n % 3],
            code=f"l{n}",
            label=f"Livello {n}",
            value=Decimal(n + 1),
            position=n,
        )


def _scales(authority, count):
    for _ in range(count):
        GradingScaleFactory(authority=authority)


PAGES = {
    "setup_home": _units,
    "setup_units": _units,
    "setup_people": _people,
    "setup_dup": _dup,
    "setup_areas": _areas,
    "setup_policy": _levels,
    "setup_scales": _scales,
}


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", list(PAGES))
def test_a_list_costs_the_same_queries_with_1_and_50_rows(
    client, admin, authority, other_authority, page
):
    login(client, admin)
    address = url(authority, page)
    with scopes_disabled():
        ensure_policy(authority).levels.all().delete()
        PAGES[page](other_authority, 5)  # another authority's rows are neither shown nor counted
        PAGES[page](authority, 1)
    one = _queries(client, address)
    with scopes_disabled():
        PAGES[page](authority, 49)
    assert _queries(client, address) == one
