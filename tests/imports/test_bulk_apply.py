"""The apply of many schede: one version and one audit entry per scheda, appended in bulk
with the chain intact; queries bounded whatever the number of schede; one data-version bump
per import; a failed apply leaves nothing written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from tests.factories import PlanFactory
from tests.imports.test_pipeline import draft, scheda
from traguardo.audit.checkpoint import write_checkpoint
from traguardo.audit.models import AuditEntry
from traguardo.audit.verify import verify_chain
from traguardo.core.domain import ConflictError
from traguardo.imports.pipeline import REPLACE, apply, prepare
from traguardo.planning.models import DataVersion, Objective, ObjectiveVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(authority, unit_a, unit_b):
    with scopes_disabled():
        return PlanFactory(authority=authority, year=2019)


def many(count: int, start: int = 1):
    return draft(*(scheda(n, str(n), title=f"Scheda {n}") for n in range(start, start + count)))


def data_version(authority) -> int:
    row = DataVersion.objects.filter(authority=authority).values_list("number", flat=True)
    return row.first() or 0


def test_500_schede_get_one_version_and_one_audit_entry_each_and_the_chain_verifies(plan, admin):
    since = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with scope(authority=plan.authority):
        result = prepare(many(500), plan, admin)
        outcome = apply(result, {}, admin)
    assert len(outcome.created) == 500
    with scopes_disabled():
        ids = set(Objective.objects.filter(plan=plan).values_list("pk", flat=True))
        versions = list(ObjectiveVersion.objects.filter(objective__plan=plan))
    assert len(ids) == 500
    assert sorted(v.objective_id for v in versions) == sorted(ids)
    assert {v.version for v in versions} == {1} and {v.saved_by for v in versions} == {admin}
    entries = list(AuditEntry.objects.filter(id__gt=since).order_by("id"))
    creates = [e for e in entries if e.action == "objective.create"]
    assert sorted(int(e.object_id) for e in creates) == sorted(ids)
    assert [e.action for e in entries[-1:]] == ["import.apply"]
    assert len(entries) == 501
    assert {e.after["Denominazione"] for e in creates} == {f"Scheda {n}" for n in range(1, 501)}
    write_checkpoint("test")
    assert verify_chain().ok


def count_queries(plan, admin, file) -> int:
    with scope(authority=plan.authority):
        result = prepare(file, plan, admin)
        with CaptureQueriesContext(connection) as queries:
            apply(result, {}, admin)
    return len(queries)


def test_the_queries_of_an_apply_do_not_grow_with_the_schede(plan, admin):
    five = count_queries(plan, admin, many(5))
    fifty = count_queries(plan, admin, many(50, start=100))
    # The first import also adds the file's graduation as a scale of the authority.
    assert fifty <= five <= 30


def test_one_bump_of_the_data_version_per_import(plan, admin):
    before = data_version(plan.authority)
    with scope(authority=plan.authority):
        apply(prepare(many(20), plan, admin), {}, admin)
    assert data_version(plan.authority) == before + 1


def test_a_failed_apply_writes_no_scheda_version_entry_or_data_version(plan, admin):
    with scope(authority=plan.authority):
        apply(prepare(draft(scheda(1, "1")), plan, admin), {}, admin)
        file = draft(scheda(1, "1", weight="90"), *(scheda(n, str(n)) for n in range(2, 30)))
        result = prepare(file, plan, admin)
    # Someone saves the scheda in conflict after the dry run: its replacement must fail,
    # after the new schede were staged.
    with scopes_disabled():
        Objective.objects.filter(plan=plan, code="1").update(version=2)
        counts = (
            Objective.objects.count(),
            ObjectiveVersion.objects.count(),
            AuditEntry.objects.count(),
            data_version(plan.authority),
        )
    with scope(authority=plan.authority), pytest.raises(ConflictError):
        apply(result, {1: REPLACE}, admin)
    with scopes_disabled():
        after = (
            Objective.objects.count(),
            ObjectiveVersion.objects.count(),
            AuditEntry.objects.count(),
            data_version(plan.authority),
        )
    assert after == counts
