from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "traguardo.jobs"
    label = "jobs"
    verbose_name = _("Elaborazioni")

    def ready(self) -> None:
        # Each app declares its job handlers in a ``tasks`` module.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
