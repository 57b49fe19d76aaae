"""A separate job runner, for deployments with TRAGUARDO_JOBS=worker."""

import time

from django.core.management.base import BaseCommand
from django_scopes import scopes_disabled

from traguardo.jobs.models import Job
from traguardo.jobs.runner import mark_stale, run_job


class Command(BaseCommand):
    help = "Esegue le elaborazioni in coda (PDF del piano, importazioni)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Esegue quelle in coda ed esce.")
        parser.add_argument("--sleep", type=float, default=1.0)

    def handle(self, *args, once: bool, sleep: float, **options):
        mark_stale()
        while True:
            with scopes_disabled():
                queued = list(
                    Job.objects.filter(state=Job.State.QUEUED)
                    .order_by("created_at")
                    .values_list("pk", flat=True)[:10]
                )
            for pk in queued:
                run_job(pk)
            if once:
                return
            if not queued:
                time.sleep(sleep)
