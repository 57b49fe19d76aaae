from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "traguardo.accounts"
    label = "accounts"
