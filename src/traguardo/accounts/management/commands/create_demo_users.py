from django.core.management.base import BaseCommand, CommandError

from traguardo.accounts.demo import (
    DEMO_AUTHORITY,
    DEMO_PASSWORD,
    DemoRefused,
    create_demo_accounts,
)
from traguardo.organization.models import Authority


class Command(BaseCommand):
    help = "Crea gli account dimostrativi dell'ente di esempio e ne stampa le credenziali."

    def handle(self, *args, **options):
        authority = Authority.objects.filter(slug=DEMO_AUTHORITY["slug"]).first()
        if authority is None:
            raise CommandError("Carica prima il piano dimostrativo: manage.py load_seed")
        try:
            accounts = create_demo_accounts(authority)
        except DemoRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"\nAccount dimostrativi di «{authority}» (password: {DEMO_PASSWORD}):")
        for account in accounts:
            self.stdout.write(f"  {account.username:<10} {account.description}")
        self.stdout.write("")
