"""Delete old finished jobs and their files (schedule it daily, like send_reminders)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from traguardo.jobs.runner import mark_stale, purge


class Command(BaseCommand):
    help = (
        "Cancella le elaborazioni terminate da più di N giorni, con i file caricati e prodotti, "
        "e segna come interrotte quelle ferme."
    )

    def add_arguments(self, parser):
        parser.add_argument("--giorni", type=int, default=30, dest="days")

    def handle(self, *args, days: int, **options):
        stale = mark_stale()
        deleted = purge(timezone.now() - timedelta(days=days))
        self.stdout.write(f"Elaborazioni cancellate: {deleted}; segnate come interrotte: {stale}.")
