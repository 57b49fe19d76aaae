"""Check the audit log's hash chain; exit code 1 at the first broken entry."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from traguardo.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verifica la catena di impronte del registro delle modifiche."

    def handle(self, *args, **options):
        verdict = verify_chain()
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
