from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "traguardo.planning"
    label = "planning"

    def ready(self) -> None:
        from traguardo.planning import versioning

        versioning.connect()
