"""Word (.docx) downloads: a scheda at once, the whole plan only as a job with a progress bar
(its old address starts the job, or follows the one going, and redirects to it). Every member
may print them, as the PDFs; ``segnalazioni=1`` (a query or a form's field) asks for the internal
copy (``reports.copies``)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from traguardo.core.downloads import attachment
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.exchange import tasks
from traguardo.exchange.word import CONTENT_TYPE, scheda_docx, scheda_filename
from traguardo.planning.models import Objective, Plan
from traguardo.reports import copies
from traguardo.web.views.jobs import start_and_follow


@tenant_view("planning.view_objective")
@require_safe
def objective_docx(request: TenantRequest, pk: int) -> HttpResponse:
    objective = Objective.objects.filter(pk=pk).select_related("plan__authority").first()
    if objective is None:
        raise Http404
    check_perm(request, "planning.view_objective", objective)
    internal = copies.asked(request.GET)
    filename = copies.filename(scheda_filename(objective), internal)
    return _attachment(scheda_docx(objective, internal=internal), filename)


@tenant_view("planning.print_plan")
@require_GET
def plan_docx_download(request: TenantRequest, year: int) -> HttpResponse:
    """The plan's Word file at its old address (links, bookmarks): prepared as a job."""
    plan = get_object_or_404(Plan, year=year)
    return _start_plan_docx(request, plan, copies.asked(request.GET))


@tenant_view("planning.print_plan")
@require_http_methods(["GET", "POST"])
def plan_docx_start(request: TenantRequest, year: int) -> HttpResponse:
    """POST: compose the plan's Word file as a job and follow it on the job's page. A GET (a
    bookmark) goes back to the plan."""
    plan = get_object_or_404(Plan, year=year)
    if request.method != "POST":
        return redirect("plan_detail", authority=request.authority.slug, year=plan.year)
    return _start_plan_docx(request, plan, copies.asked(request.POST))


def _start_plan_docx(request: TenantRequest, plan: Plan, internal: bool) -> HttpResponse:
    return start_and_follow(
        request,
        reverse("plan_documents", args=[request.authority.slug, plan.year]),
        kind=tasks.PLAN_DOCX,
        title=copies.titled(_("%(plan)s (Word)") % {"plan": plan.title}, internal),
        params={"plan": plan.pk, **({"internal": True} if internal else {})},
    )


def _attachment(data: bytes, filename: str) -> HttpResponse:
    return attachment(data, filename, CONTENT_TYPE, no_store=True)


urlpatterns = [
    path("schede/<int:pk>/scheda.docx", objective_docx, name="objective_docx"),
    path("piani/<int:year>/piano.docx", plan_docx_download, name="plan_docx"),
    path("piani/<int:year>/piano-word/", plan_docx_start, name="plan_docx_start"),
]
