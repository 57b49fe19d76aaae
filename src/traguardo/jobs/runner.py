"""Starting, running and reporting jobs (see the package docstring).

A job is a ``Job`` row (what the pages show: state, progress, heartbeat, files) run by one task
of Django's task framework, ``run_job_task(job_pk)``: the backend decides where it runs (the
database queue and its ``db_worker`` by default, Redis and RQ's workers, inline in tests).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled
from django_tasks import task, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db import DatabaseBackend

from traguardo.accounts.models import User
from traguardo.core.domain import DomainError
from traguardo.jobs.models import Job, heartbeat_window, live_jobs

logger = logging.getLogger(__name__)

Handler = Callable[[Job, "Progress"], "JobResult"]
_HANDLERS: dict[str, Handler] = {}

# Progress is written at most this often (seconds): a 500-scheda PDF does not need 500 writes.
PROGRESS_EVERY = 0.5
# Jobs one person may have queued or running at once: the workers are shared by every
# authority of the installation, so one person must not fill their queue.
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
    """How far a job has gone, written to its row so the page can show a progress bar; each
    write is a heartbeat too.

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
            heartbeat_at=timezone.now(),
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
    actor: User,
    authority,
    kind: str,
    title: str,
    params: dict | None = None,
    upload: tuple[str, bytes] | None = None,
) -> Job:
    """Queue a job (and store its uploaded file) as a task of the task framework.

    The same job (kind and parameters, no upload) already queued or running for this person is
    returned instead of a new one; a person with MAX_ACTIVE_PER_USER jobs still going gets a
    DomainError saying so. An interrupted job (no heartbeat: see ``Job.is_stale``) counts for
    neither: the same document can be asked again at once.
    """
    if kind not in _HANDLERS:
        raise RuntimeError(f"unknown job kind: {kind}")
    with scopes_disabled():  # a person's jobs in every authority share the workers
        active = list(Job.objects.filter(live_jobs(), created_by=actor).order_by("-pk"))
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
    backend = task_backends[run_job_task.backend]
    if isinstance(backend, ImmediateBackend):
        job.save()
        _enqueue(job)  # runs now, inside the caller's transaction
        job.refresh_from_db()
    elif isinstance(backend, DatabaseBackend):
        with transaction.atomic():  # the job and its task: both or neither
            job.save()
            _enqueue(job)
    else:
        # A queue outside the database (Redis): a worker must not see the task before the job.
        job.save()
        transaction.on_commit(lambda: _enqueue(job))
    return job


def _enqueue(job: Job) -> None:
    job.task_id = str(run_job_task.enqueue(job.pk).id)[:64]
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(task_id=job.task_id)


@task()
def run_job_task(job_pk: int) -> bool:
    """The task framework's side of a job: run it where the backend's worker runs."""
    return run_job(job_pk)


def run_job(pk: int) -> bool:
    """Run a queued job to its end; False when another runner had already claimed it."""
    with scopes_disabled():
        now = timezone.now()
        claimed = Job.objects.filter(pk=pk, state=Job.State.QUEUED).update(
            state=Job.State.RUNNING, started_at=now, heartbeat_at=now, updated_at=now
        )
        if not claimed:
            return False
        job = Job.objects.select_related("authority", "created_by").get(pk=pk)
    handler = _HANDLERS[job.kind]
    heartbeat = None if _inline() else Heartbeat(job.pk)
    try:
        with scope(authority=job.authority):
            outcome = handler(job, Progress(job))
    except DomainError as error:
        _stop(heartbeat)
        _finish(job, Job.State.FAILED, error=error.message)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _stop(heartbeat)
        _finish(
            job,
            Job.State.FAILED,
            error=_("Errore interno: l'elaborazione non è riuscita e non ha scritto nulla."),
        )
    else:
        _stop(heartbeat)
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


class Heartbeat:
    """A timer thread that writes the running job's ``heartbeat_at`` four times a window, so
    that a handler busy in one long step (WeasyPrint's layout) is not taken for a dead one.
    Its writes use the thread's own connection, outside the handler's transaction; a write
    that fails (a locked SQLite database) is tried again at the next beat."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.every = heartbeat_window().total_seconds() / 4
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{pk}-heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.every):
                try:
                    with scopes_disabled():
                        Job.objects.filter(pk=self.pk, state=Job.State.RUNNING).update(
                            heartbeat_at=timezone.now()
                        )
                except DatabaseError:
                    logger.warning("job %s: heartbeat not written", self.pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()


def _stop(heartbeat: Heartbeat | None) -> None:
    if heartbeat is not None:
        heartbeat.stop()


def _finish(job: Job, state: str, error: str = "") -> None:
    job.state = state
    job.error = error
    job.finished_at = timezone.now()
    if state == Job.State.DONE and job.total:
        job.done = job.total
    with scopes_disabled():
        job.save()


def _inline() -> bool:
    """Jobs run inside the request (the immediate backend: tests): no separate writes."""
    return isinstance(task_backends[run_job_task.backend], ImmediateBackend)


def purge(older_than) -> int:
    """Delete the finished jobs created before ``older_than`` with their files (uploads may
    hold personal data; documents can be prepared again) and their tasks' rows in the database
    queue. Returns how many jobs were deleted."""
    from django_tasks_db.models import DBTaskResult

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
    # Whatever the backend is now, rows it left in the database queue go too (its ids are UUIDs;
    # other backends' ids are not).
    DBTaskResult.objects.filter(id__in=[i for job in old if (i := _uuid(job.task_id))]).delete()
    return len(old)


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def mark_stale() -> int:
    """Fail the jobs whose worker stopped (no heartbeat): their page then says so."""
    with scopes_disabled():
        stale = [job for job in Job.objects.filter(state__in=("queued", "running")) if job.is_stale]
        for job in stale:
            _finish(job, Job.State.FAILED, error=_("Elaborazione interrotta: avviarla di nuovo."))
    return len(stale)
