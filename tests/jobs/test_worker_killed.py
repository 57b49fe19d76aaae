"""A worker process killed in the middle of a job (a real ``db_worker`` subprocess, SIGKILL): the
job stops beating, is «interrotta» once the heartbeat window has passed, and asked again it runs
to its end in a new worker."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.conftest import DATABASE_QUEUE
from traguardo.jobs.models import Job
from traguardo.jobs.runner import JobResult, register, start_job

ROOT = Path(__file__).resolve().parents[2]
# The heartbeat window of this test (seconds): the timer beats four times a window.
WINDOW = 4
# How long to wait for a subprocess to get somewhere: generous, the machine may be busy.
PATIENCE = 180

# The worker: Django set up on the test database, this module imported for its handler, then
# django-tasks-db's worker, as `python -m traguardo db_worker` runs it.
WORKER = """
import sys
import django
django.setup()
from django.db import connections
connections["default"].settings_dict["NAME"] = sys.argv[1]
import tests.jobs.test_worker_killed  # noqa: F401  (registers "tests.waits")
from django.core.management import call_command
call_command("db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.1")
"""


@register("tests.waits")
def waits(job, progress):
    """Waits, without a progress step, until the test creates the file named by the job."""
    progress.set_total(1, "In attesa")
    release = Path(job.params["release"])
    waited = 0.0
    while not release.exists():
        if waited > PATIENCE:
            raise RuntimeError("never released")
        time.sleep(0.05)
        waited += 0.05
    progress.advance()
    return JobResult(data=b"completata", filename="attesa.txt", content_type="text/plain")


def _worker(tmp_path: Path, name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "traguardo.settings",
        "TRAGUARDO_TASKS_BACKEND": "database",
        "TRAGUARDO_JOB_HEARTBEAT_SECONDS": str(WINDOW),
        # A var directory of the test's (media: the job's file); the database is the test's.
        "TRAGUARDO_VAR_DIR": str(tmp_path / "var"),
    }
    with (tmp_path / f"{name}.log").open("wb") as log:
        return subprocess.Popen(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-c", WORKER, str(connection.settings_dict["NAME"])],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _job(pk: int) -> Job:
    with scopes_disabled():
        return Job.objects.get(pk=pk)


def _until(condition, what: str):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {PATIENCE} s: {what}")


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=PATIENCE)


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_an_interrupted_job_that_runs_again(
    client, settings, tmp_path, admin, authority
):
    settings.TASKS = {"default": {"BACKEND": DATABASE_QUEUE}}
    settings.TRAGUARDO_JOB_HEARTBEAT_SECONDS = WINDOW
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    release = tmp_path / "release"
    params = {"release": str(release)}
    job = start_job(
        actor=admin, authority=authority, kind="tests.waits", title="Piano 2019", params=params
    )
    first = _worker(tmp_path, "first")
    try:
        claimed = _until(lambda: _job(job.pk).started_at, "the worker claims the job")
        # The handler makes no progress step: the timer beats for it while it waits.
        _until(lambda: _job(job.pk).heartbeat_at > claimed, "a heartbeat from the timer")
        assert not _job(job.pk).is_stale
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=PATIENCE)
    finally:
        _stop(first)
    last_beat = _job(job.pk).heartbeat_at

    # No beat after the kill: once the window has passed the job is interrupted.
    interrupted = _until(lambda: _job(job.pk).is_stale and _job(job.pk), "interrotta")
    assert (interrupted.state, interrupted.heartbeat_at) == ("running", last_beat)
    client.force_login(admin)
    detail = reverse("job_detail", args=[authority.slug, job.pk])
    assert "elaborazione interrotta" in client.get(detail).content.decode()

    # Asked again at once: a new job (the interrupted one blocks nothing), run to its end.
    release.touch()
    retry = start_job(
        actor=admin, authority=authority, kind="tests.waits", title="Piano 2019", params=params
    )
    assert retry.pk != job.pk
    second = _worker(tmp_path, "second")
    try:
        done = _until(lambda: _job(retry.pk).finished and _job(retry.pk), "the retry ends")
    finally:
        _stop(second)
    assert (done.state, done.done, done.total, done.output_name) == ("done", 1, 1, "attesa.txt")
    with done.output.open("rb") as output:
        assert output.read() == b"completata"
    assert _job(job.pk).state == "running"  # the killed one is not run again behind our back
