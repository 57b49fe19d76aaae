"""Variazioni of an approved (or closed) plan, and the versions of a scheda side by side."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from traguardo.core.domain import DomainError, InvalidData
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.planning.domain import variations as domain
from traguardo.planning.lifecycle_forms import VariationForm
from traguardo.planning.models import Objective, ObjectiveVersion, Plan, Variation


@tenant_view("planning.view_plan")
def variation_list(request: TenantRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    can_manage = request.user.has_perm("planning.manage_variations", plan)
    form = VariationForm(request.POST or None)
    refused: list[str] = []
    if request.method == "POST":
        check_perm(request, "planning.manage_variations", plan)
        if form.is_valid():
            try:
                variation = domain.open_variation(plan, actor=request.user, **form.cleaned_data)
            except InvalidData as error:
                for field, message in error.errors:
                    form.add_error(field if field in form.fields else None, message)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(v)s aperta: le schede del piano si possono modificare fino alla chiusura.")
                    % {"v": variation},
                )
                return redirect("variation_list", authority=request.authority.slug, year=year)
    refused = request.session.pop("traguardo.variation_refused", [])
    rows = list(plan.variations.select_related("opened_by", "closed_by").order_by("number"))
    has_open = any(v.is_open for v in rows)
    context = {
        "plan": plan,
        "variations": rows,
        "form": form,
        "can_manage": can_manage,
        "has_open": has_open,
        # A closed plan keeps its SMVP rules; inside a variazione the admin may renew them.
        "can_refresh_rules": can_manage and has_open and plan.state == Plan.State.CLOSED,
        "refused": refused,
    }
    return render(request, "web/variations/list.html", context, status=400 if form.errors else 200)


@require_POST
@tenant_view("planning.view_plan")
def variation_close(request: TenantRequest, pk: int) -> HttpResponse:
    variation = get_object_or_404(Variation.objects.select_related("plan"), pk=pk)
    check_perm(request, "planning.manage_variations", variation.plan)
    try:
        domain.close_variation(variation, actor=request.user)
    except InvalidData as error:
        messages.error(request, _("La variazione non si può chiudere: ci sono schede con errori."))
        request.session["traguardo.variation_refused"] = [m for _f, m in error.errors]
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(v)s chiusa.") % {"v": variation})
    return redirect("variation_list", authority=request.authority.slug, year=variation.plan.year)


@require_POST
@tenant_view("planning.view_plan")
def variation_rules(request: TenantRequest, pk: int) -> HttpResponse:
    """«Applica al piano le regole attuali dell'SMVP», inside an open variazione."""
    variation = get_object_or_404(Variation.objects.select_related("plan"), pk=pk)
    check_perm(request, "planning.manage_variations", variation.plan)
    try:
        domain.refresh_plan_rules(variation, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Il piano ora usa le regole attuali dell'SMVP (graduazioni, livelli, semaforo)."),
        )
    return redirect("variation_list", authority=request.authority.slug, year=variation.plan.year)


@tenant_view("planning.view_objective")
def objective_versions(request: TenantRequest, pk: int) -> HttpResponse:
    """The stored versions of a scheda, and any two of them side by side."""
    objective = get_object_or_404(Objective.objects.select_related("plan"), pk=pk)
    check_perm(request, "planning.view_objective", objective)
    versions = list(
        ObjectiveVersion.objects.filter(objective=objective)
        .select_related("variation", "saved_by")
        .order_by("version")
    )
    by_number: dict[int | None, ObjectiveVersion] = {v.version: v for v in versions}
    left = right = None
    if len(versions) >= 2:
        left = by_number.get(_number(request.GET.get("da")), versions[-2])
        right = by_number.get(_number(request.GET.get("a")), versions[-1])
    rows = []
    if left and right:
        labels = list(left.state) + [k for k in right.state if k not in left.state]
        rows = [(label, left.state.get(label, ""), right.state.get(label, "")) for label in labels]
    context = {
        "objective": objective,
        "versions": versions,
        "left": left,
        "right": right,
        "rows": rows,
    }
    return render(request, "web/variations/versions.html", context)


def _number(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


urlpatterns = [
    path("piani/<int:year>/variazioni/", variation_list, name="variation_list"),
    path("variazioni/<int:pk>/chiudi/", variation_close, name="variation_close"),
    path("variazioni/<int:pk>/regole/", variation_rules, name="variation_rules"),
    path("schede/<int:pk>/versioni/", objective_versions, name="objective_versions"),
]
