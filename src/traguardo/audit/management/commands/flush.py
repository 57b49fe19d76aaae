"""Django's ``flush``, allowed to empty the append-only audit log too.

The test runner empties the database with ``flush`` after each transactional test; an
operator may wipe a demo database the same way. The audit triggers allow deletes only while
``audit_maintenance`` holds a row: it is inserted and removed inside the flush's transaction.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction


class Command(flush.Command):
    def handle(self, **options):
        database = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[database]
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO audit_maintenance (enabled) VALUES (1)")
            super().handle(**options)
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_maintenance")
