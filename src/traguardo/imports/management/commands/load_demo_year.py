from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from traguardo.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoRefused
from traguardo.core.domain import DomainError
from traguardo.imports.demo_year import load_demo_year


class Command(BaseCommand):
    help = (
        "Carica il secondo ente dimostrativo, con il Piano 2019 approvato, monitorato, "
        "consuntivato e validato (idempotente, atomico)."
    )

    def handle(self, *args, **options):
        try:
            report = load_demo_year()
        except DemoRefused as error:
            raise CommandError(str(error)) from None
        except DomainError as error:
            raise CommandError(
                _("Anno dimostrativo non caricato (%(e)s). Nessun dato è stato scritto.")
                % {"e": error}
            ) from None
        plan = report.plan
        if report.created:
            self.stdout.write(
                _("Caricato «%(plan)s» di «%(ente)s»: approvato, monitorato e validato.")
                % {"plan": plan, "ente": plan.authority}
            )
        else:
            self.stdout.write(
                _("«%(plan)s» di «%(ente)s» è già presente: nessuna modifica.")
                % {"plan": plan, "ente": plan.authority}
            )
        self.stdout.write(
            _("Account dimostrativi di «%(ente)s» (password: %(p)s):")
            % {"ente": plan.authority, "p": DEMO_PASSWORD}
        )
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<10} {account.description}")
        self.stdout.write(f"Pagine pubbliche: /trasparenza/{plan.authority.slug}/")
