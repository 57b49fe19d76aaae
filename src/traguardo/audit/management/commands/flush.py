"""Django's ``flush``, allowed to empty the append-only audit log too.

The test runner empties the database with ``flush`` after each transactional test; an
operator may wipe a demo database the same way. The audit triggers allow deletes only while
``audit_maintenance`` holds a row with the installation's maintenance token (an HMAC under the
audit key, see ``traguardo.audit.maintenance``): it is inserted and removed inside the flush's
transaction, so no other connection ever sees the switch on.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from traguardo.audit.maintenance import token


class Command(flush.Command):
    def handle(self, **options):
        database = options.get("database") or DEFAULT_DB_ALIAS
        connection = connections[database]
        with transaction.atomic(using=database):
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO audit_maintenance (enabled, token) VALUES (1, %s)", [token()]
                )
            super().handle(**options)
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_maintenance")
