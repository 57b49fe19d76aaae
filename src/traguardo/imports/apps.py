from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "traguardo.imports"
    label = "imports"
