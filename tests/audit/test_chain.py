"""The chain: ``verify_audit`` finds an entry changed, removed or relinked, a cut end, an emptied
log and a rewritten tail (against the checkpoints kept outside the database); the database
refuses UPDATE and DELETE on the log, and its maintenance switch needs the installation's key
(SQLite here, PostgreSQL in CI's second pass)."""

from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from traguardo.audit import maintenance
from traguardo.audit.checkpoint import read_checkpoints, write_checkpoint
from traguardo.audit.log import entry_hash, log_action
from traguardo.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def append(authority, count: int) -> None:
    with transaction.atomic():
        for n in range(count):
            log_action(actor=None, action="unit.create", authority=authority, after={"n": n})


@pytest.fixture
def three(authority):
    """Three entries, the last one checkpointed (as after a lifecycle step or a day)."""
    append(authority, 3)
    write_checkpoint("test")
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
    lines = verify().splitlines()
    assert lines[0] == "Registro integro: 3 voci verificate."
    assert lines[1].startswith("Ultimo punto di controllo: voce n. 3 del ")
    assert lines[1].endswith(f", impronta {three[-1].hash}.")
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
        cursor.execute(
            "INSERT INTO audit_maintenance (enabled, token) VALUES (1, %s)", [maintenance.token()]
        )
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
    assert verify().startswith("Registro integro: 3 voci verificate.")


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


# The attacks: someone with the database's keys but not the audit key.


def test_a_cut_end_is_named_against_the_last_checkpoint(authority):
    append(authority, 742)
    write_checkpoint("test")
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id > 737")
    message = failure()
    assert message.startswith("Registro alterato dopo 737 voci integre. ")
    assert "Il registro finisce alla voce n. 737, ma il punto di controllo del " in message
    assert "registra la voce n. 742" in message
    assert message.endswith("mancano le voci n. 738–742 (rimosse).")


def test_an_emptied_log_fails(three):
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    message = failure()
    assert "Il registro è vuoto, ma il punto di controllo" in message
    assert message.endswith("mancano le voci n. 1–3 (rimosse).")


def test_entries_without_any_checkpoint_cannot_prove_their_end(authority):
    append(authority, 2)
    assert "Nessun punto di controllo in " in failure()


def rewrite(entries, start_id: int, reason: str) -> None:
    """Change entry ``start_id`` and recompute the hashes from there to the end, as someone
    with the database's keys would, with whatever ``entry_hash`` computes now."""
    previous = next(e.hash for e in entries if e.id == start_id - 1) if start_id > 1 else None
    with triggers_off() as cursor:
        for entry in [e for e in entries if e.id >= start_id]:
            if entry.id == start_id:
                entry.reason = reason
            if previous is not None:
                entry.previous_hash = previous
            entry.hash = entry_hash(entry)
            cursor.execute(
                "UPDATE audit_auditentry SET reason = %s, previous_hash = %s, hash = %s "
                "WHERE id = %s",
                [entry.reason, entry.previous_hash, entry.hash, entry.id],
            )
            previous = entry.hash


def test_a_rewrite_without_the_key_fails(three, settings):
    key = settings.AUDIT_KEY
    settings.AUDIT_KEY = "a guess at the audit key, not the key itself"
    rewrite(three, 2, "ritoccata")
    settings.AUDIT_KEY = key
    assert failure() == (
        "Registro alterato dopo 1 voci integre. Voce 2: il contenuto è stato modificato "
        "(l'impronta non corrisponde)."
    )


def test_a_rewrite_with_the_key_fails_at_the_checkpoint(three):
    rewrite(three, 2, "ritoccata")
    message = failure()
    assert message.startswith("Registro alterato dopo 2 voci integre. Voce 3: l'impronta non è ")
    assert "questa voce o una precedente è stata riscritta" in message


def test_a_forged_checkpoint_is_named(three, settings):
    with open(settings.AUDIT_CHECKPOINT_FILE, "a", encoding="utf-8") as file:
        file.write('{"at":"2026-01-01T00:00:00+00:00","hash":"00","id":2,"mac":"x","reason":"x"}\n')
    assert "Punto di controllo alla riga 2 di " in failure()


def test_a_backup_copy_of_the_checkpoints_can_be_named(three, settings, tmp_path):
    backup = tmp_path / "backup.jsonl"
    backup.write_bytes(settings.AUDIT_CHECKPOINT_FILE.read_bytes())
    settings.AUDIT_CHECKPOINT_FILE.unlink()
    with triggers_off() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = 3")
    assert "Nessun punto di controllo" in failure()
    with pytest.raises(CommandError, match=r"mancano le voci n\. 3"):
        call_command("verify_audit", "--punti-di-controllo", str(backup), stdout=StringIO())


@pytest.mark.parametrize("token", [None, "", "enabled", "0" * 64])
def test_the_maintenance_switch_needs_the_installation_key(three, token):
    with connection.cursor() as cursor:
        if token is None:
            cursor.execute("INSERT INTO audit_maintenance (enabled) VALUES (1)")
        else:
            cursor.execute("INSERT INTO audit_maintenance (enabled, token) VALUES (1, %s)", [token])
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id > 1")
    assert AuditEntry.objects.count() == 3


def test_a_lifecycle_step_writes_a_checkpoint_once_committed(
    authority, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        append(authority, 2)  # the first write of the day: a daily checkpoint
    with django_capture_on_commit_callbacks(execute=True):
        append(authority, 1)  # the same day: none
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        log_action(actor=None, action="plan.approve", authority=authority)
    marks = read_checkpoints()
    assert [(m.entry_id, m.reason) for m in marks] == [(2, "daily"), (4, "plan.approve")]
    assert all(m.authentic for m in marks)
    assert marks[-1].hash == AuditEntry.objects.get(id=4).hash
    assert verify().startswith("Registro integro: 4 voci verificate.")


def test_the_checkpoint_command_writes_the_head(three):
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert f"voce n. 3, impronta {three[-1].hash}" in out.getvalue()
    assert [m.entry_id for m in read_checkpoints()] == [3, 3]


def test_entries_from_before_the_key_are_adopted_once_and_stay_protected(authority, settings):
    """An installation upgraded from the unkeyed chain: its old entries verify only once a
    keyed checkpoint pins them, and a rewrite of them still shows."""
    import hashlib

    from traguardo.audit.log import canonical

    def unkeyed(entry):
        return hashlib.sha256(canonical(entry.hashed_fields()).encode()).hexdigest()

    previous = "0" * 64
    for n in (1, 2, 3):  # as the previous version wrote them
        entry = AuditEntry(id=n, at=timezone.now(), action="unit.create", previous_hash=previous)
        entry.hash = unkeyed(entry)
        entry.save(force_insert=True)
        previous = entry.hash
    append(authority, 1)  # the first entry after the upgrade is keyed
    write_checkpoint("test")
    assert "impronta senza chiave, scritta da una versione precedente" in failure()
    out = StringIO()
    call_command("audit_checkpoint", "--voci-precedenti", stdout=out)
    assert "voce n. 3" in out.getvalue()
    assert verify().startswith("Registro integro: 4 voci verificate.")
    # Rewriting the old entries with their (unkeyed) hash recomputed breaks at the pin.
    old = list(AuditEntry.objects.filter(id__lte=3).order_by("id"))
    with triggers_off() as cursor:
        previous = "0" * 64
        for entry in old:
            entry.reason = "riscritta" if entry.id == 2 else entry.reason
            entry.previous_hash = previous
            entry.hash = unkeyed(entry)
            cursor.execute(
                "UPDATE audit_auditentry SET reason = %s, previous_hash = %s, hash = %s "
                "WHERE id = %s",
                [entry.reason, entry.previous_hash, entry.hash, entry.id],
            )
            previous = entry.hash
    assert "Voce 3: l'impronta non è quella registrata dal punto di controllo" in failure()
