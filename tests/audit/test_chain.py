"""The chain: ``verify_audit`` finds an entry changed, removed or relinked; the database refuses
UPDATE and DELETE on the log (SQLite here, PostgreSQL in CI's second pass)."""

from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from traguardo.audit.log import entry_hash, log_action
from traguardo.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(authority):
    with transaction.atomic():
        for n in (1, 2, 3):
            log_action(actor=None, action="unit.create", authority=authority, after={"n": n})
    return list(AuditEntry.objects.order_by("id"))


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue().strip()


def failure() -> str:
    with pytest.raises(CommandError) as raised:
        verify()
    assert raised.value.returncode == 1
    return str(raised.value)


@contextmanager
def triggers_off():
    """What only someone with the database's keys could do: switch the guard off. DDL is
    transactional on both vendors, so the test's rollback puts the triggers back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The deferred foreign-key checks of the inserts must run before an ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")
        yield cursor


def test_a_whole_chain_verifies(three):
    assert verify() == "Registro integro: 3 voci verificate."
    assert [e.previous_hash for e in three[1:]] == [e.hash for e in three[:-1]]
    assert all(entry_hash(e) == e.hash for e in three)


def test_an_empty_log_verifies(db):
    assert verify() == "Registro integro: 0 voci verificate."


def test_a_changed_entry_is_named(three):
    with triggers_off() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'ritoccata' WHERE id = 2")
    assert failure() == (
        "Registro alterato dopo 1 voci integre. Voce 2: il contenuto è stato modificato "
        "(l'impronta non corrisponde)."
    )


def test_a_changed_entry_with_a_recomputed_hash_breaks_the_next_link(three):
    forged = three[1]
    forged.reason = "ritoccata"
    with triggers_off() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET reason = %s, hash = %s WHERE id = 2",
            [forged.reason, entry_hash(forged)],
        )
    assert "Voce 3: non è collegata alla voce precedente" in failure()


def test_a_removed_entry_is_reported_as_a_gap(three):
    # The maintenance switch lets deletes through (as our flush does), inside this test's
    # transaction only.
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_maintenance (enabled) VALUES (1)")
        cursor.execute("DELETE FROM audit_auditentry WHERE id = 2")
        cursor.execute("DELETE FROM audit_maintenance")
    assert failure() == (
        "Registro alterato dopo 1 voci integre. Voce 3: mancano le voci precedenti n. 2 (rimosse)."
    )


def test_a_removed_first_entry_is_reported(three):
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = 1")
    assert "Voce 2: mancano le voci precedenti n. 1 (rimosse)." in failure()


def test_an_entry_inserted_out_of_order_is_named(three):
    intruder = AuditEntry(
        id=4,
        at=three[-1].at,
        action="objective.update",
        previous_hash=three[1].hash,  # chained to 2, not to the last entry
    )
    intruder.hash = entry_hash(intruder)
    intruder.save(force_insert=True)
    assert "Voce 4: non è collegata alla voce precedente" in failure()


def refused():
    """The database refuses, in a savepoint so that the test's transaction goes on."""
    return pytest.raises(DatabaseError, match="append-only")


def test_the_database_refuses_updates_and_deletes(three):
    entry = three[0]
    entry.reason = "ritoccata"
    with refused(), transaction.atomic():
        entry.save()
    with refused(), transaction.atomic():
        AuditEntry.objects.filter(pk=1).update(reason="ritoccata")
    with refused(), transaction.atomic():
        AuditEntry.objects.filter(pk=3).delete()
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'x'")
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    if connection.vendor == "postgresql":
        with refused(), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.count() == 3
    assert verify() == "Registro integro: 3 voci verificate."


def test_the_maintenance_switch_does_not_allow_updates(three):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_maintenance (enabled) VALUES (1)")
    with refused(), transaction.atomic():
        AuditEntry.objects.filter(pk=1).update(reason="ritoccata")


def test_flush_empties_the_log_and_leaves_the_switch_off(transactional_db, authority):
    with transaction.atomic():
        log_action(actor=None, action="unit.create", authority=authority)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEntry.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audit_maintenance")
        assert cursor.fetchone() == (0,)
