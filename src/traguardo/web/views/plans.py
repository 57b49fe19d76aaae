"""Plans: the list, opening a plan (empty or copied), the plan page with its search."""

from collections import Counter
from itertools import groupby

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from traguardo.accounts.models import Role
from traguardo.accounts.rules import covered_units
from traguardo.core.domain import DomainError
from traguardo.core.formats import status_label
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import tenant_view
from traguardo.planning.domain.plans import copy_plan, create_plan
from traguardo.planning.forms import SORT_UNIT, PlanCreateForm, SchedaFilterForm
from traguardo.planning.kept import KeptPlan, kept_plan
from traguardo.planning.models import Plan, Variation
from traguardo.reports.scheda import scheda_state
from traguardo.scoring import Status
from traguardo.web.fragments import flags, fragment_key
from traguardo.web.paging import paginate
from traguardo.web.views.lifecycle import edit_check, state_panel

# The last copy's report, kept so that its page survives a reload without copying again.
COPY_REPORT_KEY = "traguardo.plan_copy_report"


@tenant_view("planning.view_plan")
def plan_list(request: TenantRequest) -> HttpResponse:
    plans = Plan.objects.all().order_by("-year")
    can_add = request.user.has_perm("planning.add_plan", request.authority)
    return render(request, "web/plan_list.html", {"plans": plans, "can_add_plan": can_add})


@tenant_view("planning.add_plan")
def plan_create(request: TenantRequest) -> HttpResponse:
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
def plan_copy_report(request: TenantRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    report = request.session.get(COPY_REPORT_KEY)
    if not report or report.get("plan_id") != plan.pk:
        return redirect("plan_detail", authority=request.authority.slug, year=plan.year)
    source = Plan.objects.filter(pk=report["source_id"]).first()
    return render(
        request, "web/plan_copy_report.html", {"plan": plan, "source": source, "report": report}
    )


@tenant_view("planning.view_plan")
def plan_detail(request: TenantRequest, year: int) -> HttpResponse:
    """The plan's summaries (the ente's result, schede by state and by signals, units), then
    its schede found, sorted and paged on the server from the kept rows: the same handful
    of queries for 1 scheda or 2,000."""
    open_variation = Variation.objects.filter(plan=OuterRef("pk"), closed_at__isnull=True)
    # The rules' "variazione open?" read with the plan (accounts.rules keeps it on the plan).
    plans = Plan.objects.annotate(_open_variation=Exists(open_variation))
    plan = get_object_or_404(plans, year=year)
    kept = kept_plan(plan)
    search = SchedaFilterForm(request.GET or None, kept=kept)
    rows = search.apply(kept.rows, plan)
    page_obj = paginate(request, rows)
    if request.membership.role == Role.MANAGER:
        # The units the manager covers, walked on the tree the search already has.
        covered_units(request.membership, tree=search.choices.tree)
    can_edit = edit_check(request, plan)
    shown = [(row, can_edit(row.objective)) for row in page_obj.object_list]
    by_unit = search.sort == SORT_UNIT
    if by_unit:
        groups = [
            (unit_rows[0][0].objective, unit_rows)
            for unit_rows in (
                list(group) for _unit, group in groupby(shown, key=lambda s: s[0].objective.unit_id)
            )
        ]
    else:
        groups = [(None, shown)] if shown else []
    context = {
        "plan": plan,
        "kept": kept,
        # The summaries, the search form and the listed rows are rendered once per kept plan,
        # query and what the user may edit on the page (web.fragments): read only on a miss.
        "summary_key": fragment_key(kept.key),
        "search_key": fragment_key(kept.key, request),
        "rows_key": fragment_key(kept.key, request, flags(edit for _row, edit in shown)),
        "groups": groups,
        "by_unit": by_unit,
        "page_obj": page_obj,
        "shown": len(rows),
        "total": len(kept.rows),
        "search": search,
        "filtered": bool(search.criteria),
        "can_add_plan": request.user.has_perm("planning.add_plan", request.authority),
        "can_add_objective": request.user.has_perm("planning.add_objective", plan),
        "can_import": request.user.has_perm("imports.import_plan", plan),
        "lifecycle": state_panel(request, plan, kept),
        # One reversed URL for every row: «…/schede/» + id + «/» (and + «modifica/»).
        "schede_url": reverse("objective_detail", args=[request.authority.slug, 0])[:-2],
    }
    partial = request.htmx and not request.htmx.history_restore_request
    if not partial:
        context["summary"] = SimpleLazyObject(
            lambda: kept.derived("plan-summary", lambda: plan_summary(kept))
        )
    template = "web/plan_detail.html#risultati" if partial else "web/plan_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _state_rank(label: str) -> int:
    """Schede by state from the most to the least measured (the labels of scheda_state)."""
    order = [
        *(status_label(s) for s in (Status.MEASURED, Status.FORCED, Status.PROVISIONAL)),
        status_label(Status.PARTIAL),
        _("non misurata"),
        *(status_label(s) for s in (Status.NOT_MEASURABLE, Status.EXCLUDED)),
        _("non ancora dovuta"),
    ]
    return order.index(label) if label in order else len(order)


def plan_summary(kept: KeptPlan) -> dict:
    """What the page opens with: schede by state of their result, by signals, by unit."""
    by_state = Counter(scheda_state(row.result) for row in kept.rows)
    errors = sum(1 for row in kept.rows if row.errors)
    warnings = sum(1 for row in kept.rows if row.anomalies and not row.errors)
    units: dict[int | None, list] = {}
    for row in kept.rows:
        units.setdefault(row.objective.unit_id, []).append(row)
    aggregates = kept.scores.result.units
    return {
        "states": sorted(by_state.items(), key=lambda item: _state_rank(item[0])),
        "errors": errors,
        "warnings": warnings,
        "clean": len(kept.rows) - errors - warnings,
        "overdue": len(kept.overdue()),
        "units": [
            {
                "objective": unit_rows[0].objective,
                "count": len(unit_rows),
                "errors": sum(1 for row in unit_rows if row.errors),
                "aggregate": aggregates.get(unit_id) if unit_id is not None else None,
            }
            for unit_id, unit_rows in units.items()
        ],
    }


urlpatterns = [
    path("piani/", plan_list, name="plan_list"),
    path("piani/nuovo/", plan_create, name="plan_create"),
    path("piani/<int:year>/", plan_detail, name="plan_detail"),
    path("piani/<int:year>/esito-copia/", plan_copy_report, name="plan_copy_report"),
]
