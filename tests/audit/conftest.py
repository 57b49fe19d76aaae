"""Helpers of the audit tests: the entries written since a point, and the personas' scheda."""

import pytest
from django.db.models import Max
from django_scopes import scopes_disabled

from tests.factories import ObjectiveFactory, PlanFactory
from traguardo.audit.models import AuditEntry


def last_id() -> int:
    return AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0


def entries_since(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(id__gt=since).order_by("id"))


@pytest.fixture
def draft(authority, unit_a):
    """A scheda of unit A in a draft plan of the personas' authority."""
    with scopes_disabled():
        plan = PlanFactory(authority=authority)
        return ObjectiveFactory(plan=plan, unit=unit_a, title="Sportello unico")
