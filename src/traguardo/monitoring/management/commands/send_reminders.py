from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from traguardo.monitoring.reminders import send_reminders


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Data non valida: %(v)s (formato AAAA-MM-GG).") % {"v": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Invia a ogni utente il promemoria delle scadenze superate e di quelle in arrivo. "
        "Si può eseguire più volte al giorno: lo stesso promemoria non parte due volte."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=14, help="Giorni in avanti da considerare (14)."
        )
        parser.add_argument(
            "--date", dest="day", help="Il giorno del promemoria (AAAA-MM-GG; oggi)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Mostra cosa sarebbe inviato, senza inviare."
        )

    def handle(self, *args, days: int, day: str | None, dry_run: bool, **options):
        if days < 0:
            raise CommandError(_("--days non può essere negativo."))
        today = _day(day) if day else timezone.localdate()
        outcome = send_reminders(today=today, days=days, dry_run=dry_run)
        if dry_run:
            for reminder in outcome.reminders:
                self.stdout.write(
                    _("%(to)s: %(overdue)d superate, %(upcoming)d in arrivo")
                    % {
                        "to": reminder.address,
                        "overdue": reminder.overdue,
                        "upcoming": reminder.upcoming,
                    }
                )
                if options["verbosity"] > 1:
                    self.stdout.write(f"{reminder.subject}\n\n{reminder.body}")
            self.stdout.write(
                _(
                    "Prova, nessun messaggio inviato. Promemoria da inviare: %(sent)d, "
                    "già inviati oggi: %(already)d, senza scadenze: %(empty)d"
                )
                % {"sent": outcome.sent, "already": outcome.already_sent, "empty": outcome.empty}
            )
            return
        self.stdout.write(
            _(
                "Promemoria inviati: %(sent)d, già inviati oggi: %(already)d, "
                "senza scadenze: %(empty)d"
            )
            % {"sent": outcome.sent, "already": outcome.already_sent, "empty": outcome.empty}
        )
