"""audit: the append-only, hash-chained log of every write."""

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AuditConfig(AppConfig):
    name = "traguardo.audit"
    label = "audit"
    verbose_name = "Registro delle modifiche"

    def ready(self) -> None:
        from traguardo.audit import signals  # noqa: F401  (login receivers)
        from traguardo.audit.maintenance import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="audit-sqlite-sha256")
