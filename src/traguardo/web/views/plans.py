"""Plans: the list, opening a plan (empty or copied), the plan page with its search, the PDF."""

from itertools import groupby

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from traguardo.core.domain import DomainError
from traguardo.core.tenancy import tenant_view
from traguardo.planning.domain.plans import copy_plan, create_plan
from traguardo.planning.forms import PlanCreateForm, SchedaFilterForm
from traguardo.planning.models import Plan
from traguardo.reports.pdf import pdf_response
from traguardo.reports.scheda import plan_pages
from traguardo.reports.tasks import plan_filename
from traguardo.web.views.lifecycle import state_panel

# The last copy's report, kept so that its page survives a reload without copying again.
COPY_REPORT_KEY = "traguardo.plan_copy_report"


@tenant_view("planning.view_plan")
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.all().order_by("-year")
    can_add = request.user.has_perm("planning.add_plan", request.authority)
    return render(request, "web/plan_list.html", {"plans": plans, "can_add_plan": can_add})


@tenant_view("planning.add_plan")
def plan_create(request: HttpRequest) -> HttpResponse:
    plans = list(Plan.objects.order_by("-year"))
    form = PlanCreateForm(request.POST or None, plans=plans)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        years = {"year": data["year"], "last_year": data["last_year"], "title": data["title"]}
        try:
            if data["source"] is not None:
                report = copy_plan(data["source"], actor=request.user, **years)
                request.session[COPY_REPORT_KEY] = report.as_session()
                return redirect(
                    "plan_copy_report", authority=request.authority.slug, year=report.plan.year
                )
            plan = create_plan(request.authority, actor=request.user, **years)
        except DomainError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("%(title)s aperto come bozza.") % {"title": plan.title})
            return redirect("plan_detail", authority=request.authority.slug, year=plan.year)
    return render(request, "web/plan_create.html", {"form": form})


@tenant_view("planning.add_plan")
@require_safe
def plan_copy_report(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    report = request.session.get(COPY_REPORT_KEY)
    if not report or report.get("plan_id") != plan.pk:
        return redirect("plan_detail", authority=request.authority.slug, year=plan.year)
    source = Plan.objects.filter(pk=report["source_id"]).first()
    return render(
        request, "web/plan_copy_report.html", {"plan": plan, "source": source, "report": report}
    )


@tenant_view("planning.view_plan")
def plan_detail(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    page = plan_pages(plan)
    search = SchedaFilterForm(request.GET or None)
    rows = search.apply(page.rows)
    editable = _editable(request, [row.objective for row in rows])
    groups = [
        (unit, [(row, row.objective.pk in editable) for row in unit_rows])
        for unit, unit_rows in groupby(rows, key=lambda row: row.objective.unit)
    ]
    context = {
        "plan": plan,
        "page": page,
        "groups": groups,
        "shown": len(rows),
        "search": search,
        "filtered": bool(search.criteria),
        "can_add_plan": request.user.has_perm("planning.add_plan", request.authority),
        "can_add_objective": request.user.has_perm("planning.add_objective", plan),
        "can_import": request.user.has_perm("imports.import_plan", plan),
        "lifecycle": state_panel(request, plan, page),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "web/plan_detail.html#risultati" if partial else "web/plan_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _editable(request: HttpRequest, objectives: list) -> set[int]:
    """The schede the user may edit (the units a member covers are read once per request)."""
    return {o.pk for o in objectives if request.user.has_perm("planning.change_objective", o)}


@tenant_view("planning.print_plan")
def plan_pdf(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    page = plan_pages(plan)
    context = {"plan": plan, "page": page}
    return pdf_response(request, "reports/plan_pdf.html", context, plan_filename(plan))


urlpatterns = [
    path("piani/", plan_list, name="plan_list"),
    path("piani/nuovo/", plan_create, name="plan_create"),
    path("piani/<int:year>/", plan_detail, name="plan_detail"),
    path("piani/<int:year>/esito-copia/", plan_copy_report, name="plan_copy_report"),
    path("piani/<int:year>/stampa.pdf", plan_pdf, name="plan_pdf"),
]
