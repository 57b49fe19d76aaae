"""The plan's lifecycle (state panel, transitions) and the Nucleo's workspace (review, comments)."""

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from traguardo.accounts.models import User
from traguardo.core.domain import DomainError, InvalidData
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.planning.domain import lifecycle
from traguardo.planning.kept import KeptPlan, kept_plan
from traguardo.planning.lifecycle_forms import ApprovalForm, CommentForm, ValidationForm
from traguardo.planning.models import Comment, Objective, Plan
from traguardo.reports.scheda import scheda_page
from traguardo.web.paging import paginate

FORMS = {"approva": ApprovalForm, "valida": ValidationForm}


def _approve(plan: Plan, *, actor: User, data: dict) -> Plan:
    return lifecycle.approve_plan(plan, actor=actor, **data)


def _validate(plan: Plan, *, actor: User, data: dict) -> Plan:
    return lifecycle.validate_plan(
        plan, actor=actor, validated_on=data["validated_on"], minutes=data["minutes"]
    )


ACTIONS = {
    "proponi": lambda plan, *, actor, data: lifecycle.submit_plan(plan, actor=actor),
    "approva": _approve,
    "avvia-monitoraggio": lambda plan, *, actor, data: lifecycle.start_monitoring(
        plan, actor=actor
    ),
    "chiudi": lambda plan, *, actor, data: lifecycle.close_plan(plan, actor=actor),
    "valida": _validate,
}


def done_message(action: str, plan: Plan) -> str:
    return {
        "proponi": _("Piano proposto per l'approvazione."),
        "approva": _("Piano approvato con %(act)s.") % {"act": lifecycle.act_text(plan)},
        "avvia-monitoraggio": _("Monitoraggio del piano avviato."),
        "chiudi": _("Piano consuntivato."),
        "valida": _("Risultati del piano validati."),
    }[action]


def state_panel(request: TenantRequest, plan: Plan, kept: KeptPlan) -> dict:
    """What the plan page's state panel shows: the act, the validation, the next step (with
    its form when the user may take it, or the reason why it cannot be taken yet).

    The schede come from the plan's kept rows (no scheda is read again): the failing ones
    are the rows with errors."""
    step = lifecycle.step_for(plan)
    # The step the user may take now, if any.
    may = step if step is not None and request.user.has_perm(step.permission, plan) else None
    allowed = may is not None
    # Only these two steps look at the schede: no list of 2,000 pairs for the others.
    needs_checked = may is not None and may.action in ("proponi", "approva")
    checked = [(row.objective, row.anomalies) for row in kept.rows] if needs_checked else []
    blocker = lifecycle.blocker(plan, may, checked) if may is not None else ""
    form_class = FORMS.get(may.action) if may is not None and not blocker else None
    failing = []
    if blocker and may is not None and may.action == "approva":
        failing = _failing(request, checked, can_edit=edit_check(request, plan))
    return {
        "act": lifecycle.act_text(plan),
        "step": step,
        "allowed": allowed,
        "blocker": blocker,
        "failing": failing,
        "form": form_class() if form_class else None,
        "locked": plan.state not in (Plan.State.DRAFT, Plan.State.SUBMITTED),
        "can_review": request.user.has_perm("planning.review_plan", plan),
    }


def edit_check(request: HttpRequest, plan: Plan) -> Callable[[object], bool]:
    """Whether the user may edit a scheda of ``plan`` given as a kept ObjectiveRef.

    The rules decide on the plan (its state, an open variazione) and the scheda's responsible
    unit only, so they are asked once per unit on a stand-in scheda of that unit: the same
    answer as ``has_perm("planning.change_objective", scheda)``, without reading the schede
    (the member's covered units and the plan's open variazione are read once per request)."""
    answers: dict[int | None, bool] = {}

    def can_edit(ref) -> bool:
        unit_id = ref.unit_id
        if unit_id not in answers:
            probe = Objective(plan=plan, authority_id=plan.authority_id, unit_id=unit_id)
            answers[unit_id] = request.user.has_perm("planning.change_objective", probe)
        return answers[unit_id]

    return can_edit


@require_POST
@tenant_view("planning.view_plan")
def plan_transition(request: TenantRequest, year: int, action: str) -> HttpResponse:
    step = lifecycle.STEP_BY_ACTION.get(action)
    if step is None:
        raise Http404
    plan = get_object_or_404(Plan, year=year)
    check_perm(request, step.permission, plan)
    form_class = FORMS.get(action)
    form = form_class(request.POST) if form_class else None
    failing = []
    if form is None or form.is_valid():
        data = form.cleaned_data if form is not None else {}
        try:
            ACTIONS[action](plan, actor=request.user, data=data)
        except InvalidData as error:
            for field, message in error.errors:
                if field == "schede" and form is not None:
                    continue  # listed below the form, each error linked to its field
                _refuse(request, form, field, message)
            if any(field == "schede" for field, _m in error.errors):
                failing = _failing(request, lifecycle.checked_schede(plan))
        except DomainError as error:
            _refuse(request, form, error.field, error.message)
        else:
            messages.success(request, done_message(action, plan))
            return redirect("plan_detail", authority=request.authority.slug, year=plan.year)
    if form is None:
        return redirect("plan_detail", authority=request.authority.slug, year=plan.year)
    context = {"plan": plan, "step": step, "form": form, "failing": failing}
    return render(request, "web/lifecycle/transition.html", context, status=400)


def _failing(request: TenantRequest, checked, can_edit=None) -> list[dict]:
    """The schede that block the approval, each error linked to its field in the editor for
    who may edit it (``can_edit``: default, the rules asked on each scheda)."""
    if can_edit is None:

        def can_edit(objective) -> bool:
            return request.user.has_perm("planning.change_objective", objective)

    failing = []
    for objective, name, errors in lifecycle.schede_with_errors(checked):
        edit_url = (
            reverse("objective_edit", args=[request.authority.slug, objective.pk])
            if can_edit(objective)
            else ""
        )
        failing.append(
            {
                "name": name,
                "errors": [
                    {
                        "text": lifecycle.sentence(a.message),
                        "url": f"{edit_url}#{a.anchor}" if edit_url else "",
                    }
                    for a in errors
                ],
            }
        )
    return failing


def _refuse(request: HttpRequest, form, field: str | None, message: str) -> None:
    """A refusal goes next to its field on a form, else into the page's messages."""
    if form is None:
        messages.error(request, message)
    else:
        form.add_error(field if field in form.fields else None, message)


@tenant_view("planning.view_plan")
@require_safe
def plan_review(request: TenantRequest, year: int) -> HttpResponse:
    """The Nucleo's page: the ente's result, then the schede in pages with their result,
    anomalies and comments (from the kept results: nothing is recomputed per request)."""
    plan = get_object_or_404(Plan, year=year)
    check_perm(request, "planning.review_plan", plan)
    kept = kept_plan(plan)
    page_obj = paginate(request, kept.rows)
    shown = [row.pk for row in page_obj.object_list]
    counts = dict(
        Comment.objects.filter(objective_id__in=shown)
        .values("objective")
        .annotate(n=Count("pk"))
        .values_list("objective", "n")
    )
    can_validate = plan.state == Plan.State.CLOSED and request.user.has_perm(
        "planning.validate_plan", plan
    )
    detail = reverse("objective_detail", args=[request.authority.slug, 0]).removesuffix("0/")
    context = {
        "plan": plan,
        "page": kept,
        "page_obj": page_obj,
        "rows": [(row, counts.get(row.pk, 0)) for row in page_obj.object_list],
        "detail_base": detail,
        "act": lifecycle.act_text(plan),
        "form": ValidationForm() if can_validate else None,
        "step": lifecycle.STEP_BY_ACTION["valida"],
    }
    return render(request, "web/lifecycle/review.html", context)


def comments_context(request: HttpRequest, objective: Objective, form=None) -> dict:
    """The comments of a scheda and, for those who may write one, the form."""
    can_comment = request.user.has_perm("planning.comment_objective", objective)
    return {
        "comments": list(objective.comments.select_related("author")),
        "comment_form": (form or CommentForm()) if can_comment else None,
    }


@require_POST
@tenant_view("planning.view_objective")
def objective_comment(request: TenantRequest, pk: int) -> HttpResponse:
    objective = get_object_or_404(Objective.objects.select_related("plan"), pk=pk)
    check_perm(request, "planning.comment_objective", objective)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.add_comment(objective, actor=request.user, **form.cleaned_data)
        except InvalidData as error:
            for field, message in error.errors:
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Commento aggiunto."))
            url = reverse("objective_detail", args=[request.authority.slug, objective.pk])
            return redirect(url + "#commenti")
    context = {
        "card": scheda_page(objective),
        "can_edit": request.user.has_perm("planning.change_objective", objective),
        **comments_context(request, objective, form),
    }
    return render(request, "web/objective_detail.html", context, status=400)


urlpatterns = [
    path("piani/<int:year>/stato/<str:action>/", plan_transition, name="plan_transition"),
    path("piani/<int:year>/nucleo/", plan_review, name="plan_review"),
    path("schede/<int:pk>/commenti/", objective_comment, name="objective_comment"),
]
