"""Write a checkpoint of the audit log's head now (schedule it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from traguardo.audit.checkpoint import adopt_legacy_entries, checkpoint_path, write_checkpoint


class Command(BaseCommand):
    help = "Scrive un punto di controllo del registro delle modifiche (voce, impronta, ora)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--voci-precedenti",
            dest="legacy",
            action="store_true",
            help="una volta, dopo l'aggiornamento: fissa con un punto di controllo firmato le "
            "voci scritte senza chiave dalle versioni precedenti",
        )

    def handle(self, *args, **options):
        if options.get("legacy"):
            try:
                mark = adopt_legacy_entries()
            except ValueError as error:
                raise CommandError(
                    _("Le voci precedenti non sono integre dalla voce %(id)s: non le fisso.")
                    % {"id": error.args[0]},
                    returncode=1,
                ) from None
            if mark is None:
                self.stdout.write(_("Nessuna voce scritta senza chiave."))
                return
        else:
            mark = write_checkpoint("scheduled")
        self.stdout.write(
            _("Punto di controllo scritto in %(file)s: voce n. %(id)d, impronta %(hash)s.")
            % {"file": checkpoint_path(), "id": mark.entry_id, "hash": mark.hash}
        )
