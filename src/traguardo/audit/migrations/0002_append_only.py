"""The database refuses UPDATE, DELETE (and TRUNCATE on PostgreSQL) on the audit log.

``audit_maintenance`` is a plain table outside Django's models (so ``flush`` never empties
it): while it holds a row, deletes are allowed. Only our ``flush`` command inserts that row,
and removes it, inside the transaction that empties the database (test teardown, an
operator's deliberate wipe), so no other connection ever sees the switch on. UPDATE is
refused always.
"""

from django.db import migrations

SQLITE = [
    "CREATE TABLE audit_maintenance (enabled integer NOT NULL)",
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditentry
    WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER audit_no_delete",
    "DROP TRIGGER audit_no_update",
    "DROP TABLE audit_maintenance",
]

POSTGRESQL = [
    "CREATE TABLE audit_maintenance (enabled integer NOT NULL)",
    """CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'UPDATE' AND EXISTS (SELECT 1 FROM audit_maintenance) THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;  -- TRUNCATE: a statement trigger's result is ignored
        END IF;
        RAISE EXCEPTION 'audit log is append-only';
    END;
    $$""",
    """CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
    """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER audit_no_truncate ON audit_auditentry",
    "DROP TRIGGER audit_no_update_delete ON audit_auditentry",
    "DROP FUNCTION audit_append_only()",
    "DROP TABLE audit_maintenance",
]


def forwards(apps, schema_editor):
    for statement in _statements(schema_editor)[0]:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in _statements(schema_editor)[1]:
        schema_editor.execute(statement)


def _statements(schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        return SQLITE, SQLITE_REVERSE
    if vendor == "postgresql":
        return POSTGRESQL, POSTGRESQL_REVERSE
    raise NotImplementedError(f"audit triggers for {vendor}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
