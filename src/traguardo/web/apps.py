from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "traguardo.web"
    label = "web"
