"""Back-office pages. Each view declares its permission and only adapts: query, render."""

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from traguardo.accounts.models import Membership
from traguardo.core.tenancy import check_perm, public_view, tenant_view
from traguardo.planning.models import Objective, Plan
from traguardo.reports.pdf import pdf_response
from traguardo.reports.scheda import plan_pages, scheda_page


@public_view
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@public_view
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One authority: straight to its plans. Several: let the user choose."""
    memberships = list(Membership.objects.filter(user=request.user).select_related("authority"))
    if len(memberships) == 1:
        return redirect("plan_list", authority=memberships[0].authority.slug)
    return render(request, "web/home.html", {"memberships": memberships})


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


@tenant_view("planning.view_objective")
def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective(request, pk)
    return render(request, "web/objective_detail.html", {"card": scheda_page(objective)})


@tenant_view("planning.view_objective")
def objective_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective(request, pk)
    card = scheda_page(objective)
    filename = _("scheda-%(code)s.pdf") % {"code": objective.code or objective.position}
    return pdf_response(request, "reports/scheda_pdf.html", {"card": card}, filename)


def _objective(request: HttpRequest, pk: int) -> Objective:
    objective = Objective.objects.filter(pk=pk).select_related("plan").first()
    if objective is None:
        raise Http404
    check_perm(request, "planning.view_objective", objective)
    return objective
