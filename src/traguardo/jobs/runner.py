"""Starting, running and reporting jobs (see the package docstring)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from traguardo.core.domain import DomainError
from traguardo.jobs.models import Job

logger = logging.getLogger(__name__)

Handler = Callable[[Job, "Progress"], "JobResult"]
_HANDLERS: dict[str, Handler] = {}
_executor: ThreadPoolExecutor | None = None

# Progress is written at most this often (seconds): a 500-scheda PDF does not need 500 writes.
PROGRESS_EVERY = 0.5
# Jobs one person may have queued or running at once: the runner is shared by every authority
# of the installation, so one person must not fill its queue.
MAX_ACTIVE_PER_USER = 3


@dataclass
class JobResult:
    """What a handler returns: a file to download, and/or data and a page for what follows."""

    data: bytes | None = None
    filename: str = ""
    content_type: str = "application/octet-stream"
    result: dict = field(default_factory=dict)
    next_url: str = ""
    message: str = ""


class Progress:
    """How far a job has gone, written to its row so the page can show a progress bar.

    Writes are skipped inside a transaction (they would be invisible to the page until the
    commit, and on SQLite would wait for the job's own write lock): report progress while
    reading and checking, then write the results in one transaction.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self._written = 0.0

    def set_total(self, total: int, message: str = "") -> None:
        self.job.total = max(0, total)
        self.job.done = 0
        if message:
            self.job.message = message[:300]
        self._save(force=True)

    def advance(self, steps: int = 1, message: str = "") -> None:
        self.job.done = min(self.job.done + steps, self.job.total or self.job.done + steps)
        if message:
            self.job.message = message[:300]
        self._save()

    def _save(self, force: bool = False) -> None:
        now = time.monotonic()
        if transaction.get_connection().in_atomic_block and not _inline():
            return
        if not force and now - self._written < PROGRESS_EVERY:
            return
        self._written = now
        Job.objects.filter(pk=self.job.pk).update(
            done=self.job.done,
            total=self.job.total,
            message=self.job.message,
            updated_at=timezone.now(),
        )


def register(kind: str) -> Callable[[Handler], Handler]:
    """Declare the function that does the work of jobs of ``kind``."""

    def decorator(handler: Handler) -> Handler:
        if _HANDLERS.get(kind, handler) is not handler:
            raise RuntimeError(f"job kind registered twice: {kind}")
        _HANDLERS[kind] = handler
        return handler

    return decorator


def start_job(
    *,
    actor,
    authority,
    kind: str,
    title: str,
    params: dict | None = None,
    upload: tuple[str, bytes] | None = None,
) -> Job:
    """Queue a job (and store its uploaded file); it runs once the current transaction commits.

    The same job (kind and parameters, no upload) already queued or running for this person is
    returned instead of a new one; a person with MAX_ACTIVE_PER_USER jobs still going gets a
    DomainError saying so.
    """
    if kind not in _HANDLERS:
        raise RuntimeError(f"unknown job kind: {kind}")
    with scopes_disabled():  # a person's jobs in every authority share the runner
        active = [
            job
            for job in Job.objects.filter(
                created_by=actor, state__in=(Job.State.QUEUED, Job.State.RUNNING)
            )
            if not job.is_stale
        ]
    if upload is None:
        # The same document asked again while it is being prepared: follow the same job.
        same = [
            j
            for j in active
            if j.authority_id == authority.pk and j.kind == kind and j.params == (params or {})
        ]
        if same:
            return same[0]
    if len(active) >= MAX_ACTIVE_PER_USER:
        raise DomainError(
            _(
                "Risultano già %(n)s elaborazioni in corso: per avviarne un'altra occorre "
                "attendere che finiscano."
            )
            % {"n": len(active)}
        )
    job = Job(
        authority=authority, kind=kind, title=title[:200], params=params or {}, created_by=actor
    )
    if upload is not None:
        name, data = upload
        job.input_name = name[:255]
        job.input.save("upload.bin", ContentFile(data), save=False)
    job.save()
    mode = _mode()
    if mode == "immediate":
        run_job(job.pk)
        job.refresh_from_db()
    elif mode == "thread":
        transaction.on_commit(lambda: _pool().submit(_run_in_thread, job.pk))
    return job


def run_job(pk: int) -> bool:
    """Run a queued job to its end; False when another runner had already claimed it."""
    with scopes_disabled():
        claimed = Job.objects.filter(pk=pk, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
        )
        if not claimed:
            return False
        job = Job.objects.select_related("authority", "created_by").get(pk=pk)
    handler = _HANDLERS[job.kind]
    try:
        with scope(authority=job.authority):
            outcome = handler(job, Progress(job))
    except DomainError as error:
        _finish(job, Job.State.FAILED, error=error.message)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            Job.State.FAILED,
            error=_("Errore interno: l'elaborazione non è riuscita e non ha scritto nulla."),
        )
    else:
        if outcome.data is not None:
            job.output_name = outcome.filename[:255]
            job.output_type = outcome.content_type
            job.output.save("output.bin", ContentFile(outcome.data), save=False)
        job.result = outcome.result
        job.next_url = outcome.next_url
        # The last progress message («Impaginazione del documento…») gives way to the
        # finished state: a finished job shows only what its result has to say.
        job.message = outcome.message[:300]
        _finish(job, Job.State.DONE)
    return True


def _finish(job: Job, state: str, error: str = "") -> None:
    job.state = state
    job.error = error
    job.finished_at = timezone.now()
    if state == Job.State.DONE and job.total:
        job.done = job.total
    with scopes_disabled():
        job.save()


def _run_in_thread(pk: int) -> None:
    close_old_connections()
    try:
        run_job(pk)
    finally:
        # Jobs are rare: the thread's connection is closed, not kept for the next one (a kept
        # connection outlives the job and holds the database open, e.g. for a test teardown).
        connections.close_all()


def _mode() -> str:
    return getattr(settings, "TRAGUARDO_JOBS", "thread")


def _inline() -> bool:
    return _mode() == "immediate"


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=getattr(settings, "TRAGUARDO_JOB_THREADS", 1), thread_name_prefix="job"
        )
    return _executor


def purge(older_than) -> int:
    """Delete the finished jobs created before ``older_than`` with their files (uploads may
    hold personal data; documents can be prepared again). Returns how many were deleted."""
    with scopes_disabled():
        old = list(
            Job.objects.filter(
                created_at__lt=older_than, state__in=(Job.State.DONE, Job.State.FAILED)
            )
        )
        for job in old:
            for stored in (job.input, job.output):
                if stored:
                    stored.delete(save=False)
            job.delete()
    return len(old)


def mark_stale() -> int:
    """Fail the jobs whose runner stopped (a restart): their page then says so."""
    with scopes_disabled():
        stale = [job for job in Job.objects.filter(state__in=("queued", "running")) if job.is_stale]
        for job in stale:
            _finish(job, Job.State.FAILED, error=_("Elaborazione interrotta: avviarla di nuovo."))
    return len(stale)
