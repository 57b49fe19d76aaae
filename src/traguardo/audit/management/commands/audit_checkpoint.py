"""Write a checkpoint of the audit log's head now (schedule it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from traguardo.audit.checkpoint import checkpoint_path, write_checkpoint


class Command(BaseCommand):
    help = "Scrive un punto di controllo del registro delle modifiche (voce, impronta, ora)."

    def handle(self, *args, **options):
        mark = write_checkpoint("scheduled")
        self.stdout.write(
            _("Punto di controllo scritto in %(file)s: voce n. %(id)d, impronta %(hash)s.")
            % {"file": checkpoint_path(), "id": mark.entry_id, "hash": mark.hash}
        )
