from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "traguardo.core"
    label = "core"
