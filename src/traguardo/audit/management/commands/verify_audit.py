"""Check the audit log's hash chain against its checkpoints; exit code 1 at the first break."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from traguardo.audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Verifica la catena di impronte del registro delle modifiche e la sua fine rispetto "
        "ai punti di controllo."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--punti-di-controllo",
            dest="checkpoints",
            metavar="FILE",
            help="un file di punti di controllo (una copia di backup, un estratto del syslog) "
            "al posto di quello dell'installazione",
        )

    def handle(self, *args, **options):
        path = Path(options["checkpoints"]) if options.get("checkpoints") else None
        verdict = verify_chain(checkpoints=path)
        if not verdict.ok:
            raise CommandError(
                _("Registro alterato dopo %(n)d voci integre. %(problem)s")
                % {"n": verdict.checked, "problem": verdict.problem},
                returncode=1,
            )
        self.stdout.write(
            ngettext(
                "Registro integro: %(n)d voce verificata.",
                "Registro integro: %(n)d voci verificate.",
                verdict.checked,
            )
            % {"n": verdict.checked}
        )
        mark = verdict.checkpoint
        if mark is not None:
            self.stdout.write(
                _("Ultimo punto di controllo: voce n. %(id)d del %(when)s, impronta %(hash)s.")
                % {
                    "id": mark.entry_id,
                    "when": date_format(timezone.localtime(mark.at), "d/m/Y H:i"),
                    "hash": mark.hash,
                }
            )
