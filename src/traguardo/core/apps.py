from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "traguardo.core"
    label = "core"

    def ready(self) -> None:
        # The login time of a session is stored when the user logs in (signal receiver).
        from traguardo.core import middleware  # noqa: F401
