"""Jobs: long work off the request, its progress bar, its file, who may see it."""

import os
import threading
import time
from datetime import timedelta
from io import StringIO
from uuid import UUID

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from tests.conftest import DATABASE_QUEUE, DUMMY
from traguardo.core.domain import DomainError
from traguardo.jobs.models import Job
from traguardo.jobs.runner import JobResult, mark_stale, register, start_job

pytestmark = pytest.mark.django_db

# What the handlers saw, for the assertions (the handlers run inline or in a thread).
SEEN: dict[str, object] = {}
RELEASE = threading.Event()


@register("tests.document")
def document(job, progress):
    progress.set_total(4, "Preparazione")
    for step in range(4):
        progress.advance(message=f"Scheda {step + 1}")
    SEEN["params"] = job.params
    return JobResult(
        data=b"%PDF-1.4 test", filename="relazione-2019.pdf", content_type="application/pdf"
    )


@register("tests.refused")
def refused(job, progress):
    raise DomainError("Il piano non ha schede da stampare.")


@register("tests.broken")
def broken(job, progress):
    raise ZeroDivisionError("bug")


@register("tests.next")
def continues(job, progress):
    return JobResult(result={"schede": 3}, next_url="/altrove/")


@register("tests.slow")
def slow(job, progress):
    progress.set_total(2, "Attesa")
    RELEASE.wait(60)
    progress.advance()
    return JobResult(data=b"ok", filename="ok.txt", content_type="text/plain")


def _start(user, authority, kind="tests.document", **params):
    return start_job(
        actor=user, authority=authority, kind=kind, title="Relazione 2019", params=params
    )


def _url(name, job):
    return reverse(name, kwargs={"authority": job.authority.slug, "pk": job.pk})


def test_a_job_runs_and_its_file_is_downloaded_from_its_page(client, admin, authority):
    job = _start(admin, authority, plan=7)
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.percent) == ("done", 4, 4, 100)
    assert SEEN["params"] == {"plan": 7}
    client.force_login(admin)
    page = client.get(_url("job_detail", job)).content.decode()
    assert "Completata" in page and "Scarica relazione-2019.pdf" in page
    assert "Scheda 4" not in page  # the last progress message gave way to the finished state
    download = client.get(_url("job_download", job))
    assert download["Content-Disposition"] == 'attachment; filename="relazione-2019.pdf"'
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_a_refused_job_says_why_and_offers_no_file(client, admin, authority):
    job = _start(admin, authority, kind="tests.refused")
    client.force_login(admin)
    page = client.get(_url("job_detail", job)).content.decode()
    assert "Elaborazione non riuscita" in page and "Il piano non ha schede da stampare." in page
    assert client.get(_url("job_download", job)).status_code == 404


def test_a_crash_is_reported_without_its_details(client, admin, authority, caplog):
    job = _start(admin, authority, kind="tests.broken")
    job.refresh_from_db()
    assert job.state == "failed"
    assert "ZeroDivisionError" not in job.error and "non è riuscita" in job.error
    assert "ZeroDivisionError" in caplog.text  # the log keeps the traceback for the operators


def test_a_job_that_continues_elsewhere_sends_htmx_there(client, admin, authority):
    job = _start(admin, authority, kind="tests.next")
    client.force_login(admin)
    response = client.get(_url("job_detail", job), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/altrove/"
    assert "Continua" in response.content.decode()


def test_a_running_job_polls_and_a_finished_one_stops(client, admin, authority):
    job = _start(admin, authority)
    client.force_login(admin)
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(state="running", done=1, total=4)
    running = client.get(_url("job_detail", job), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in running and 'aria-valuenow="25"' in running
    assert "1 di 4" in running
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(state="done")
    done = client.get(_url("job_detail", job), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done


def _interrupt(job, settings):
    """The job's worker stopped: running, its last heartbeat older than the window."""
    beat = timezone.now() - timedelta(seconds=settings.TRAGUARDO_JOB_HEARTBEAT_SECONDS + 1)
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(state="running", heartbeat_at=beat)


def test_an_interrupted_job_is_shown_as_such_and_marked_failed(client, settings, admin, authority):
    job = _start(admin, authority)
    _interrupt(job, settings)
    client.force_login(admin)
    assert "elaborazione interrotta" in client.get(_url("job_detail", job)).content.decode()
    listing = client.get(reverse("job_list", kwargs={"authority": authority.slug}))
    assert "Interrotta" in listing.content.decode()
    assert mark_stale() == 1
    with scopes_disabled():
        assert Job.objects.get(pk=job.pk).state == "failed"


def test_a_job_with_a_recent_heartbeat_is_still_running(client, settings, admin, authority):
    job = _start(admin, authority)
    beat = timezone.now() - timedelta(seconds=settings.TRAGUARDO_JOB_HEARTBEAT_SECONDS - 30)
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(state="running", heartbeat_at=beat)
    client.force_login(admin)
    page = client.get(_url("job_detail", job)).content.decode()
    assert "interrotta" not in page and 'hx-trigger="every 1s"' in page
    assert mark_stale() == 0


def test_an_interrupted_job_blocks_no_retry_of_the_same_document(settings, admin, authority):
    settings.TASKS = {"default": {"BACKEND": DUMMY}}  # nothing runs: jobs stay queued
    first = _start(admin, authority, plan=7)
    _interrupt(first, settings)
    retry = _start(admin, authority, plan=7)
    assert retry.pk != first.pk and retry.state == "queued"


def test_the_limit_per_person_ignores_interrupted_jobs(settings, admin, authority):
    settings.TASKS = {"default": {"BACKEND": DUMMY}}
    for plan in range(3):
        _interrupt(_start(admin, authority, plan=plan), settings)
    going = [_start(admin, authority, plan=plan) for plan in (10, 11, 12)]
    assert len({job.pk for job in going}) == 3
    with pytest.raises(DomainError) as error:
        _start(admin, authority, plan=99)
    assert "Risultano già 3 elaborazioni in corso" in error.value.message


def test_members_see_their_own_jobs_and_admins_see_all(client, admin, manager_a, viewer, authority):
    mine = _start(manager_a, authority)
    theirs = _start(viewer, authority)
    client.force_login(manager_a)
    listing = client.get(reverse("job_list", kwargs={"authority": authority.slug})).content.decode()
    assert _url("job_detail", mine) in listing and _url("job_detail", theirs) not in listing
    assert client.get(_url("job_detail", theirs)).status_code == 403
    client.force_login(admin)
    listing = client.get(reverse("job_list", kwargs={"authority": authority.slug})).content.decode()
    assert _url("job_detail", mine) in listing and _url("job_detail", theirs) in listing


@pytest.mark.parametrize("count", [1, 25])
def test_the_job_list_reads_a_fixed_number_of_rows(
    client, admin, authority, count, django_assert_max_num_queries
):
    for _ in range(count):
        _start(admin, authority)
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("job_list", kwargs={"authority": authority.slug}))
    assert response.content.decode().count("Relazione 2019") == count


# db_worker closes the connection of a test's transaction (close_old_connections): these tests
# commit, as the web process and the worker do.
@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_queued_jobs(settings, admin, authority):
    settings.TASKS = {"default": {"BACKEND": DATABASE_QUEUE}}
    job = _start(admin, authority)
    job.refresh_from_db()
    assert job.state == "queued" and job.task_id
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.state == "done" and job.output_name == "relazione-2019.pdf"


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_job_after_the_commit_while_the_page_polls(job_worker, admin, authority):
    RELEASE.clear()
    job = _start(admin, authority, kind="tests.slow")
    deadline = time.monotonic() + 60
    with scopes_disabled():
        while Job.objects.get(pk=job.pk).state != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Job.objects.get(pk=job.pk).state == "running"  # the request did not wait
        RELEASE.set()
        while not Job.objects.get(pk=job.pk).finished and time.monotonic() < deadline:
            time.sleep(0.05)
        assert Job.objects.get(pk=job.pk).state == "done"


def test_the_same_document_asked_twice_follows_the_running_job(settings, admin, authority):
    settings.TASKS = {"default": {"BACKEND": DUMMY}}  # nothing runs: the first job stays queued
    first = _start(admin, authority, plan=7)
    assert _start(admin, authority, plan=7).pk == first.pk
    assert _start(admin, authority, plan=8).pk != first.pk


def test_a_person_may_not_fill_the_queue(settings, admin, authority):
    settings.TASKS = {"default": {"BACKEND": DUMMY}}
    for plan in range(3):
        _start(admin, authority, plan=plan)
    with pytest.raises(DomainError) as error:
        _start(admin, authority, plan=99)
    assert "Risultano già 3 elaborazioni in corso" in error.value.message


@pytest.mark.django_db(transaction=True)
def test_purge_deletes_old_finished_jobs_their_files_and_tasks(
    settings, tmp_path, admin, authority
):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": DATABASE_QUEUE}}
    old = _start(admin, authority)
    recent = _start(admin, authority, plan=2)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    old.refresh_from_db()
    path = old.output.path
    with scopes_disabled():
        Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    call_command("purge_jobs", stdout=StringIO())
    with scopes_disabled():
        assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not os.path.exists(path)
    assert list(DBTaskResult.objects.values_list("id", flat=True)) == [UUID(recent.task_id)]


def test_a_refused_start_says_why_on_the_page_the_person_came_from(
    client, settings, admin, authority
):
    from tests.factories import PlanFactory

    settings.TASKS = {"default": {"BACKEND": DUMMY}}
    for plan in range(3):
        _start(admin, authority, plan=plan)
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2019)
    client.force_login(admin)
    response = client.post(
        reverse("plan_docx_start", args=[authority.slug, plan.year]), follow=True
    )
    assert response.redirect_chain[-1][0].endswith("/documenti/")
    assert "Risultano già 3 elaborazioni in corso" in response.content.decode()
