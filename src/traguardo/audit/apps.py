from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "traguardo.audit"
    label = "audit"
