"""Downloads of a plan as spreadsheets: XLSX and ODS workbooks, CSV tables, the import template.

Every member may download (``planning.print_plan``): the workbooks hold what the plan's pages
already show every member — the schede, the results and, in "Misurazioni", the values,
comments and reasons recorded, which the measurements page shows to every member too.
Evidence files are not in the exports: they are downloaded one by one, by whoever may see
them (``monitoring.view_evidence``).

The plan's workbook and its tables grow with the plan, so they are prepared as jobs: their
addresses start the job (or follow the one already going) and redirect to its page, where the
file is downloaded. The import template and the list of plans do not grow with a plan's schede
and are answered at once.

The formats and tables are fixed lists, so each one has its own route: a URL naming another
format or table simply does not exist (404).
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from traguardo.core.downloads import attachment
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import tenant_view
from traguardo.exchange import csv, tasks, xlsx
from traguardo.exchange.layout import TABLES
from traguardo.planning.models import Plan
from traguardo.web.views.jobs import start_and_follow

WORKBOOK_TITLES = {"xlsx": "Excel", "ods": "ODS"}


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    return attachment(data, filename, content_type, no_store=True)


@tenant_view("planning.print_plan")
@require_GET
def plan_export(request: TenantRequest, year: int, fmt: str) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    return start_and_follow(
        request,
        _documents_url(request, plan),
        kind=tasks.PLAN_WORKBOOK,
        title=_("%(plan)s (%(format)s)") % {"plan": plan.title, "format": WORKBOOK_TITLES[fmt]},
        params={"plan": plan.pk, "format": fmt},
    )


@tenant_view("planning.print_plan")
@require_GET
def plan_export_csv(request: TenantRequest, year: int, table: str) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    title = next(t.title for t in TABLES if t.slug == table)
    return start_and_follow(
        request,
        _documents_url(request, plan),
        kind=tasks.PLAN_CSV,
        title=_("%(plan)s: %(table)s (CSV)") % {"plan": plan.title, "table": title},
        params={"plan": plan.pk, "table": table},
    )


def _documents_url(request: TenantRequest, plan: Plan) -> str:
    """Where a refused start (too many jobs going) says why: the plan's Documenti page."""
    return reverse("plan_documents", args=[request.authority.slug, plan.year])


@tenant_view("planning.print_plan")
@require_safe
def plan_template(request: TenantRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    filename = _("modello-importazione-piano-%(year)s.xlsx") % {"year": plan.year}
    data = xlsx.template_workbook(request.authority, plan)
    return _attachment(data, filename, xlsx.CONTENT_TYPE)


@tenant_view("planning.print_plan")
@require_safe
def plans_export_csv(request: TenantRequest) -> HttpResponse:
    filename = _("piani-%(authority)s.csv") % {"authority": request.authority.slug}
    return _attachment(csv.plans_csv(request.authority), filename, csv.CONTENT_TYPE)


urlpatterns = [
    path("piani/esporta.csv", plans_export_csv, name="plans_export_csv"),
    path("piani/<int:year>/modello-importazione.xlsx", plan_template, name="plan_template"),
    # reverse("plan_export", kwargs={…, "fmt": "ods"}) picks the route of that format; without
    # "fmt" it gives the first (xlsx).
    *(
        path(f"piani/<int:year>/esporta/{fmt}/", plan_export, {"fmt": fmt}, name="plan_export")
        for fmt in tasks.WORKBOOKS
    ),
    *(
        path(
            f"piani/<int:year>/esporta/csv/{t.slug}/",
            plan_export_csv,
            {"table": t.slug},
            name="plan_export_csv",
        )
        for t in TABLES
    ),
]
