"""The maintenance switch needs the installation's key: a row in ``audit_maintenance`` lets
deletes through only if its ``token`` hashes to the digest written here (see
``traguardo.audit.maintenance``). Inserting ``(enabled) VALUES (1)`` no longer does anything.
UPDATE stays refused always.
"""

from django.db import migrations

from traguardo.audit.maintenance import SQLITE_FUNCTION, digest, token


def sqlite(hashed):
    return [
        "ALTER TABLE audit_maintenance ADD COLUMN token text NOT NULL DEFAULT ''",
        "DROP TRIGGER audit_no_delete",
        f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditentry
        WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance WHERE {SQLITE_FUNCTION}(token) = '{hashed}')
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    ]


SQLITE_REVERSE = [
    "DROP TRIGGER audit_no_delete",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditentry
    WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance)
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    "ALTER TABLE audit_maintenance DROP COLUMN token",
]


def postgresql(hashed):
    return [
        "ALTER TABLE audit_maintenance ADD COLUMN token text NOT NULL DEFAULT ''",
        f"""CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'UPDATE' AND EXISTS (
                SELECT 1 FROM audit_maintenance
                WHERE encode(sha256(convert_to(token, 'UTF8')), 'hex') = '{hashed}'
            ) THEN
                IF TG_OP = 'DELETE' THEN
                    RETURN OLD;
                END IF;
                RETURN NULL;  -- TRUNCATE: a statement trigger's result is ignored
            END IF;
            RAISE EXCEPTION 'audit log is append-only';
        END;
        $$""",
    ]


POSTGRESQL_REVERSE = [
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'UPDATE' AND EXISTS (SELECT 1 FROM audit_maintenance) THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit log is append-only';
    END;
    $$""",
    "ALTER TABLE audit_maintenance DROP COLUMN token",
]


def forwards(apps, schema_editor):
    hashed = digest(token())
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite, "postgresql": postgresql}[vendor](hashed)
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}[vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [migrations.RunPython(forwards, backwards)]
