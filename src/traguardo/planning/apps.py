from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "traguardo.planning"
    label = "planning"
