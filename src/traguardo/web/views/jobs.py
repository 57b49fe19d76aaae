"""Long work on screen: the list of one's jobs, a job's progress bar, its file."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from traguardo.core.domain import DomainError
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.jobs.models import Job
from traguardo.jobs.runner import start_job

RECENT = 30


def start_and_follow(request: TenantRequest, back: str, **job) -> HttpResponse:
    """Start a job for the request's user and go to its page; when it may not start (too many
    jobs going), say why on the page the person came from (``back``)."""
    try:
        started = start_job(actor=request.user, authority=request.authority, **job)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    return redirect(started)


def visible_jobs(request: TenantRequest) -> QuerySet[Job]:
    """The jobs of the request's authority this member may see: every job for the admins
    ("jobs.view_job" on any job of the authority), their own for the others."""
    jobs = Job.objects.all()
    if not request.user.has_perm("jobs.view_job", Job(authority=request.authority)):
        jobs = jobs.filter(created_by=request.user)
    return jobs


@tenant_view("jobs.view_jobs")
@require_safe
def job_list(request: TenantRequest) -> HttpResponse:
    jobs = visible_jobs(request).select_related("created_by")
    return render(request, "web/jobs/list.html", {"jobs": jobs[:RECENT]})


@tenant_view("jobs.view_jobs")
@require_safe
def job_detail(request: TenantRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job.objects.select_related("authority"), pk=pk)
    check_perm(request, "jobs.view_job", job)
    partial = request.htmx and not request.htmx.history_restore_request
    template = "web/jobs/detail.html#stato" if partial else "web/jobs/detail.html"
    response = render(request, template, {"job": job})
    if partial and job.state == Job.State.DONE and job.next_url and not job.output:
        # The job's work continues on another page (an import's dry run): go there.
        response["HX-Redirect"] = job.next_url
    patch_vary_headers(response, ["HX-Request"])
    return response


@tenant_view("jobs.view_jobs")
@require_safe
def job_download(request: TenantRequest, pk: int) -> FileResponse:
    job = get_object_or_404(Job, pk=pk)
    check_perm(request, "jobs.view_job", job)
    if job.state != Job.State.DONE or not job.output:
        raise Http404
    response = FileResponse(
        job.output.open("rb"),
        as_attachment=True,
        filename=job.output_name,
        content_type=job.output_type,
    )
    # A job's file is a plan's data (or an upload): no cache may keep it.
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("elaborazioni/", job_list, name="job_list"),
    path("elaborazioni/<int:pk>/", job_detail, name="job_detail"),
    path("elaborazioni/<int:pk>/file", job_download, name="job_download"),
]
