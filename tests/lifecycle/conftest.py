"""A plan of the personas' authority with one scheda of unit A that passes every check."""

from datetime import date

import pytest
from django.db.models import Max
from django_scopes import scopes_disabled

from tests.factories import IndicatorFactory, ObjectiveFactory, PlanFactory, TargetFactory
from traguardo.audit.models import AuditEntry
from traguardo.planning.models import Plan


def last_id() -> int:
    return AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0


def entries_since(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gt=since).order_by("id"))


@pytest.fixture
def plan(authority, unit_a) -> Plan:
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2019)
        objective = ObjectiveFactory(
            plan=plan, unit=unit_a, responsible=unit_a.head, title="Sportello unico"
        )
        indicator = IndicatorFactory(objective=objective)
        TargetFactory(indicator=indicator, year=2019, due_date=date(2019, 12, 31))
    return plan


def in_state(plan: Plan, state: str) -> Plan:
    """The plan moved straight to ``state`` (the steps before it are tested on their own)."""
    Plan.objects.filter(pk=plan.pk).update(state=state)
    plan.state = state
    return plan
