from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "traguardo.monitoring"
    label = "monitoring"
