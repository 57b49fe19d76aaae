"""audit: the append-only, hash-chained log of every write."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "traguardo.audit"
    label = "audit"
    verbose_name = "Registro delle modifiche"

    def ready(self) -> None:
        from traguardo.audit import signals  # noqa: F401  (login receivers)
