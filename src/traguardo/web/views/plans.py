"""Plans: the list, the plan page and the whole-plan PDF."""

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _

from traguardo.core.tenancy import tenant_view
from traguardo.planning.models import Plan
from traguardo.reports.pdf import pdf_response
from traguardo.reports.scheda import plan_pages


@tenant_view("planning.view_plan")
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.all().order_by("-year")
    return render(request, "web/plan_list.html", {"plans": plans})


@tenant_view("planning.view_plan")
def plan_detail(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    page = plan_pages(plan)
    groups = [
        (unit, list(rows)) for unit, rows in groupby(page.rows, key=lambda row: row.objective.unit)
    ]
    return render(request, "web/plan_detail.html", {"plan": plan, "page": page, "groups": groups})


@tenant_view("planning.print_plan")
def plan_pdf(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    page = plan_pages(plan)
    filename = _("piano-%(year)s.pdf") % {"year": plan.year}
    return pdf_response(request, "reports/plan_pdf.html", {"plan": plan, "page": page}, filename)


urlpatterns = [
    path("piani/", plan_list, name="plan_list"),
    path("piani/<int:year>/", plan_detail, name="plan_detail"),
    path("piani/<int:year>/stampa.pdf", plan_pdf, name="plan_pdf"),
]
