from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "traguardo.reports"
    label = "reports"
