from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from traguardo.imports.cardtext import CardTextError
from traguardo.imports.seed import SEED_FILE, load_seed


class Command(BaseCommand):
    help = "Carica il piano dimostrativo dal testo delle schede (idempotente, atomico)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=SEED_FILE)

    def handle(self, *args, file: Path, **options):
        try:
            report = load_seed(file)
        except FileNotFoundError:
            raise CommandError(_("File non trovato: %(f)s") % {"f": file}) from None
        except CardTextError as error:
            raise CommandError(
                _("%(f)s, %(e)s. Nessun dato è stato scritto.") % {"f": file.name, "e": error}
            ) from None
        if report.created:
            self.stdout.write(
                _("Caricato «%(plan)s»: %(n)d schede.") % {"plan": report.plan, "n": report.cards}
            )
        else:
            self.stdout.write(
                _("«%(plan)s» è già presente (%(n)d schede): nessuna modifica.")
                % {"plan": report.plan, "n": report.cards}
            )
