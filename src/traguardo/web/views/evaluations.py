"""Individual evaluations: the year's list, the scheda di valutazione individuale, the
evaluator's form and the conversation's steps.

Who sees what is ``evaluation.view_evaluation`` on each assignment (the list filters with
``evaluation.queries.visible_assignments``, the same rule as one query); every figure comes
from ``evaluation.scores.Results`` (nothing is stored); every write is a business action of
``evaluation.domain``.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from traguardo.audit.display import action_label
from traguardo.core.domain import ConflictError, DomainError, InvalidData
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.evaluation.domain import conversation
from traguardo.evaluation.domain.scheda import may_write, save_scheda
from traguardo.evaluation.messages import component_name
from traguardo.evaluation.models import Assignment, Evaluation, Scheme
from traguardo.evaluation.queries import history, visible_assignments
from traguardo.evaluation.scheda_forms import (
    STEP_FORMS,
    GoalFormSet,
    SchedaForm,
    goal_initial,
)
from traguardo.evaluation.scores import IndividualResult, Results
from traguardo.scoring import ComponentKind
from traguardo.web.paging import paginate

State = Evaluation.State
VIEW = "evaluation.view_evaluations"


@dataclass(frozen=True)
class ComponentRow:
    """A component of the scheda: its model weight, the weight used and its score."""

    kind: str
    name: str
    weight: Decimal
    used: Decimal | None
    score: Decimal | None
    applies: bool
    reason: str


def component_rows(result: IndividualResult) -> list[ComponentRow]:
    declared = result.assignment.evaluation.not_applicable if _has_evaluation(result) else {}
    rows = []
    for component in result.assignment.family.components.all():
        score = result.component(component.kind)  # type: ignore[arg-type]  # the kind's value
        rows.append(
            ComponentRow(
                kind=component.kind,
                name=component_name(component.kind),
                weight=component.weight,
                used=result.engine.weights.get(component.kind),  # type: ignore[call-overload]
                score=score.score if score else None,
                applies=score.applies if score else True,
                reason=str((declared or {}).get(component.kind, "")),
            )
        )
    return rows


def _has_evaluation(result: IndividualResult) -> bool:
    try:
        return result.assignment.evaluation is not None
    except Evaluation.DoesNotExist:
        return False


def open_reason(result: IndividualResult) -> str:
    """Why the total is open: the first error, in Italian."""
    return next((f.text for f in result.findings if f.severity == "error"), "")


@tenant_view(VIEW)
@require_safe
def evaluation_home(request: TenantRequest) -> HttpResponse:
    """The latest year's evaluations (an employee's landing page)."""
    scheme = Scheme.objects.order_by("-year").first()
    if scheme is None:
        return render(request, "evaluation/list.html", {"scheme": None, "rows": []})
    return redirect("evaluation_list", authority=request.authority.slug, year=scheme.year)


@tenant_view(VIEW)
@require_safe
def evaluation_list(request: TenantRequest, year: int) -> HttpResponse:
    """The year's evaluations the viewer may open, with their state, total and band."""
    scheme = get_object_or_404(Scheme, year=year)
    visible = set(visible_assignments(scheme, request.membership).values_list("pk", flat=True))
    results = Results(scheme)
    rows = [results.result(pk) for pk in results.assignments if pk in visible]
    page_obj = paginate(request, rows)
    context = {
        "scheme": scheme,
        "years": list(Scheme.objects.values_list("year", flat=True)),
        "page_obj": page_obj,
        "rows": [(r, open_reason(r), State(r.state).label) for r in page_obj.object_list],
        "count": len(rows),
        # The admins' ways from the year's evaluations to its settings, assignments, premiums.
        "can_manage": request.user.has_perm("evaluation.manage_scheme", request.authority),
    }
    return render(request, "evaluation/list.html", context)


def _assignment(request: TenantRequest, pk: int, permission: str = "evaluation.view_evaluation"):
    assignment = get_object_or_404(
        Assignment.objects.select_related("scheme", "family", "person", "evaluator"), pk=pk
    )
    check_perm(request, permission, assignment)
    return assignment


def _evaluation(assignment: Assignment) -> Evaluation | None:
    return Evaluation.objects.filter(assignment=assignment).first()


def _steps(request: TenantRequest, assignment: Assignment, evaluation: Evaluation | None):
    """The conversation's steps the viewer may take now, each with its form."""
    state = evaluation.state if evaluation else State.DRAFT
    today = timezone.localdate()
    steps = []
    for step in conversation.STEPS:
        if step.source != state or not request.user.has_perm(step.permission, assignment):
            continue
        if step.action == "chiudi" and (
            evaluation is None
            or evaluation.review_until is None
            or today <= evaluation.review_until
        ):
            continue
        if (
            step.action == "revisione"
            and evaluation
            and evaluation.review_until
            and (today > evaluation.review_until)
        ):
            continue
        form_class = STEP_FORMS.get(step.action)
        form = form_class(initial={"held_on": today}) if form_class else None
        steps.append((step, form))
    return steps


def _applies(result: IndividualResult, kind: ComponentKind) -> bool:
    score = result.component(kind)
    return score is not None and score.applies


def _page(request, assignment, *, step_errors=None, status=200):
    evaluation = _evaluation(assignment)
    if evaluation is not None:
        assignment.evaluation = evaluation
    results = Results(assignment.scheme)
    result = results.result(assignment.pk)
    steps = _steps(request, assignment, evaluation)
    if step_errors is not None:
        steps = [(s, step_errors[1] if s.action == step_errors[0] else f) for s, f in steps]
    context = {
        "assignment": assignment,
        "evaluation": evaluation,
        "result": result,
        "components": component_rows(result),
        "anchors": dict(results.scale.anchors) if results.scale else {},
        "differentiation": _applies(result, ComponentKind.DIFFERENTIATION),
        "history": [(step, action_label(step.action)) for step in history(evaluation)],
        "steps": steps,
        "can_write": may_write(
            request.user, assignment, evaluation.state if evaluation else State.DRAFT
        ),
        "state_label": State(evaluation.state if evaluation else State.DRAFT).label,
    }
    return render(request, "evaluation/detail.html", context, status=status)


@tenant_view(VIEW)
@require_safe
def evaluation_detail(request: TenantRequest, pk: int) -> HttpResponse:
    """The scheda di valutazione individuale of an assignment and its conversation."""
    return _page(request, _assignment(request, pk))


@tenant_view(VIEW)
@require_http_methods(["GET", "HEAD", "POST"])
def evaluation_edit(request: TenantRequest, pk: int) -> HttpResponse:
    """The evaluator's form (the review's answerer while a review is asked)."""
    assignment = _assignment(request, pk)
    evaluation = _evaluation(assignment)
    state = evaluation.state if evaluation else State.DRAFT
    if not may_write(request.user, assignment, state):
        if not (
            request.user.has_perm("evaluation.write_evaluation", assignment)
            or request.user.has_perm("evaluation.answer_review", assignment)
        ):
            check_perm(request, "evaluation.write_evaluation", assignment)  # 403, logged
        messages.error(request, _("La valutazione non si modifica nel suo stato attuale."))
        return redirect("evaluation_detail", authority=request.authority.slug, pk=pk)
    results = Results(assignment.scheme)
    kwargs = {"assignment": assignment, "evaluation": evaluation, "scale": results.scale}
    status = 200
    if request.method == "POST":
        form = SchedaForm(request.POST, **kwargs)
        goals = GoalFormSet(request.POST, prefix="obiettivi")
        if form.is_valid() and goals.is_valid():
            try:
                save_scheda(
                    assignment,
                    actor=request.user,
                    version=form.cleaned_data["version"],
                    data=form.data_for(goals),
                )
            except ConflictError as error:
                form.add_error(None, error.message)
                status = 409
            except InvalidData as error:
                for field, message in error.errors:
                    key = field.replace("-", "_", 1) if field.startswith(("rating", "na")) else ""
                    key = key.replace("na_", "reason_", 1)
                    form.add_error(key if key in form.fields else None, message)
                status = 400
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("Valutazione salvata."))
                return redirect("evaluation_detail", authority=request.authority.slug, pk=pk)
        else:
            status = 400
    else:
        form = SchedaForm(**kwargs)
        goals = GoalFormSet(initial=goal_initial(assignment), prefix="obiettivi")
    context = {
        "assignment": assignment,
        "evaluation": evaluation,
        "form": form,
        "goals": goals,
        "state_label": State(state).label,
    }
    return render(request, "evaluation/edit.html", context, status=status)


@require_POST
@tenant_view(VIEW)
def evaluation_step(request: TenantRequest, pk: int, action: str) -> HttpResponse:
    """A step of the conversation (POST only): colloquio, consegna, accetta, revisione,
    risposta, chiudi, riapri."""
    step = conversation.STEP_BY_ACTION.get(action)
    if step is None:
        raise Http404
    assignment = _assignment(request, pk, step.permission)
    form_class = STEP_FORMS.get(action)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _page(request, assignment, step_errors=(action, form), status=400)
    data = form.cleaned_data if form is not None else {}
    user = request.user
    try:
        if action == "colloquio":
            conversation.record_interview(
                assignment, actor=user, held_on=data["held_on"], notes=data["notes"]
            )
        elif action == "consegna":
            conversation.deliver(assignment, actor=user)
        elif action == "accetta":
            conversation.accept(assignment, actor=user)
        elif action == "revisione":
            conversation.request_review(assignment, actor=user, reasons=data["reasons"])
        elif action == "risposta":
            conversation.answer_review(assignment, actor=user, answer=data["answer"])
        elif action == "chiudi":
            conversation.close_after_deadline(assignment, actor=user)
        else:
            conversation.revise(assignment, actor=user, reason=data["reason"])
    except DomainError as error:
        if form is not None and error.field in form.fields:
            form.add_error(error.field, error.message)
            return _page(request, assignment, step_errors=(action, form), status=400)
        # Not about a field (the state changed, the total is open…): above the page, since
        # the step may no longer be offered.
        messages.error(request, error.message)
        return _page(request, assignment, status=400)
    messages.success(request, _("Fatto: %(step)s.") % {"step": step.label})
    return redirect("evaluation_detail", authority=request.authority.slug, pk=pk)


urlpatterns = [
    path("valutazioni/", evaluation_home, name="evaluation_home"),
    path("valutazioni/<int:year>/", evaluation_list, name="evaluation_list"),
    path("valutazioni/scheda/<int:pk>/", evaluation_detail, name="evaluation_detail"),
    path("valutazioni/scheda/<int:pk>/compila/", evaluation_edit, name="evaluation_edit"),
    path(
        "valutazioni/scheda/<int:pk>/passo/<str:action>/",
        evaluation_step,
        name="evaluation_step",
    ),
]
