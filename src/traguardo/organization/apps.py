from django.apps import AppConfig


class OrganizationConfig(AppConfig):
    name = "traguardo.organization"
    label = "organization"
