"""The assignments of a year (admins): who is evaluated by whom, in which family, with which
service, and the plan's schede counted in the objectives component.

Thin adapters over ``evaluation.domain.assignments``; the list reads a fixed number of
queries whatever the number of assignments.
"""

from copy import copy

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from traguardo.core.domain import DomainError
from traguardo.core.forms import show_error
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import tenant_view
from traguardo.evaluation.domain import assignments as domain
from traguardo.evaluation.forms import AssignmentForm, SchedaAddForm, SchedaWeightForm
from traguardo.evaluation.models import AssignedScheda, Assignment, Evaluation, Scheme
from traguardo.planning.models import Objective
from traguardo.web.deletion import delete_page

MANAGE = "evaluation.manage_scheme"


def _url(request: TenantRequest, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"authority": request.authority.slug, **kwargs})


def _list_section(request: TenantRequest, scheme: Scheme) -> dict[str, str]:
    return {
        "title": _("Assegnazioni %(year)s") % {"year": scheme.year},
        "url": _url(request, "evaluation_assignments", year=scheme.year),
    }


@tenant_view(MANAGE)
def assignment_list(request: TenantRequest, year: int) -> HttpResponse:
    scheme = get_object_or_404(Scheme, year=year)
    assignments = (
        Assignment.objects.filter(scheme=scheme)
        .select_related("person", "evaluator", "family", "evaluation")
        .annotate(scheda_count=Count("schede"))
    )
    return render(
        request,
        "evaluation/assignment_list.html",
        {"scheme": scheme, "assignments": assignments, "plan": domain.year_plan(scheme)},
    )


def _form_data(form: AssignmentForm) -> domain.AssignmentData:
    fields = AssignmentForm.Meta.fields
    return domain.AssignmentData(**{name: form.cleaned_data[name] for name in fields})


@tenant_view(MANAGE)
def assignment_add(request: TenantRequest, year: int) -> HttpResponse:
    scheme = get_object_or_404(Scheme, year=year)
    form = AssignmentForm(request.POST or None, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = domain.create_assignment(scheme, actor=request.user, data=_form_data(form))
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request, _("%(person)s assegnata alla valutazione.") % {"person": assignment.person}
            )
            return redirect(
                _url(request, "evaluation_assignment_edit", year=year, pk=assignment.pk)
            )
    return render(
        request,
        "evaluation/settings_form.html",
        {
            "form": form,
            "scheme": scheme,
            "section": _list_section(request, scheme),
            "page_title": _("Nuova assegnazione"),
        },
    )


def _assignment(year: int, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.select_related("scheme", "family", "person", "evaluator"),
        pk=pk,
        scheme__year=year,
    )


def _state(assignment: Assignment) -> str:
    try:
        return assignment.evaluation.state
    except Evaluation.DoesNotExist:
        return Evaluation.State.DRAFT


@tenant_view(MANAGE)
def assignment_edit(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    """The assignment's form, the schede it counts and the ways to change them."""
    assignment = _assignment(year, pk)
    scheme = assignment.scheme
    form = AssignmentForm(request.POST or None, instance=copy(assignment), scheme=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            domain.update_assignment(assignment, actor=request.user, data=_form_data(form))
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Assegnazione salvata."))
            return redirect(_url(request, "evaluation_assignment_edit", year=year, pk=pk))
    return _detail(request, assignment, form=form)


def _detail(
    request: TenantRequest,
    assignment: Assignment,
    *,
    form: AssignmentForm | None = None,
    add_form: SchedaAddForm | None = None,
) -> HttpResponse:
    scheme = assignment.scheme
    plan = domain.year_plan(scheme)
    assigned = list(
        assignment.schede.select_related("objective__unit", "objective__responsible").order_by(
            "objective__position"
        )
    )
    candidates = (
        Objective.objects.filter(plan=plan)
        .exclude(pk__in=[a.objective_id for a in assigned])
        .order_by("position")
        if plan
        else Objective.objects.none()
    )
    return render(
        request,
        "evaluation/assignment_detail.html",
        {
            "scheme": scheme,
            "assignment": assignment,
            "state": Evaluation.State(_state(assignment)),
            # Delivered on: the schede it was scored on stay (the actions refuse anyway).
            "schede_locked": _state(assignment)
            not in (Evaluation.State.DRAFT, Evaluation.State.INTERVIEW),
            "form": form or AssignmentForm(instance=copy(assignment), scheme=scheme),
            "add_form": add_form or SchedaAddForm(objectives=candidates),
            "assigned": [
                (a, SchedaWeightForm(prefix=f"s{a.pk}", initial={"weight": a.weight}))
                for a in assigned
            ],
            "plan": plan,
            "by_weight": assignment.family.objectives_rule == "by_weight",
            "section": _list_section(request, scheme),
            "page_title": str(assignment.person),
        },
    )


@tenant_view(MANAGE)
def assignment_delete(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    assignment = _assignment(year, pk)
    section = _list_section(request, assignment.scheme)
    return delete_page(
        request,
        lambda: domain.delete_assignment(assignment, actor=request.user),
        what=_("l'assegnazione di %(person)s") % {"person": assignment.person},
        success=_("Assegnazione eliminata."),
        section=section,
        breadcrumbs="evaluation/_settings_breadcrumbs.html",
    )


@tenant_view(MANAGE)
@require_POST
def assignment_fill(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    """ "Prendi le schede dal piano": the rule's schede added to those assigned."""
    assignment = _assignment(year, pk)
    try:
        added = domain.fill_schede_from_plan(assignment, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message, extra_tags="danger")
    else:
        messages.success(
            request,
            ngettext("%(n)d scheda aggiunta dal piano.", "%(n)d schede aggiunte dal piano.", added)
            % {"n": added},
        )
    return redirect(_url(request, "evaluation_assignment_edit", year=year, pk=pk))


@tenant_view(MANAGE)
@require_POST
def assignment_scheda_add(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    assignment = _assignment(year, pk)
    # Any scheda of the authority: the action refuses one of another year's plan, in words.
    add_form = SchedaAddForm(request.POST, objectives=Objective.objects.select_related("plan"))
    if add_form.is_valid():
        try:
            domain.add_scheda(
                assignment,
                actor=request.user,
                objective=add_form.cleaned_data["objective"],
                weight=add_form.cleaned_data["weight"],
            )
        except DomainError as error:
            show_error(add_form, error)
        else:
            messages.success(request, _("Scheda aggiunta."))
            return redirect(_url(request, "evaluation_assignment_edit", year=year, pk=pk))
    return _detail(request, assignment, add_form=add_form)


@tenant_view(MANAGE)
@require_POST
def assigned_scheda(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    """Change a scheda's declared weight, or remove the scheda (``azione=rimuovi``)."""
    assigned = get_object_or_404(
        AssignedScheda.objects.select_related(
            "assignment__scheme", "assignment__person", "objective"
        ),
        pk=pk,
        assignment__scheme__year=year,
    )
    back = _url(request, "evaluation_assignment_edit", year=year, pk=assigned.assignment_id)
    try:
        if request.POST.get("azione") == "rimuovi":
            domain.remove_scheda(assigned, actor=request.user)
            messages.success(request, _("Scheda tolta dall'assegnazione."))
        else:
            form = SchedaWeightForm(request.POST, prefix=f"s{assigned.pk}")
            if not form.is_valid():
                raise DomainError(_("Il peso dichiarato è un numero tra 0 e 100."))
            domain.set_scheda_weight(
                assigned, actor=request.user, weight=form.cleaned_data["weight"]
            )
            messages.success(request, _("Peso della scheda salvato."))
    except DomainError as error:
        messages.error(request, error.message, extra_tags="danger")
    return redirect(back)


# Under /enti/<slug>/valutazione-individuale/<year>/assegnazioni/ (web/urls.py).
urlpatterns = [
    path("", assignment_list, name="evaluation_assignments"),
    path("nuova/", assignment_add, name="evaluation_assignment_add"),
    path("<int:pk>/", assignment_edit, name="evaluation_assignment_edit"),
    path("<int:pk>/elimina/", assignment_delete, name="evaluation_assignment_delete"),
    path("<int:pk>/schede-dal-piano/", assignment_fill, name="evaluation_assignment_fill"),
    path("<int:pk>/schede/", assignment_scheda_add, name="evaluation_assignment_scheda_add"),
    path("schede/<int:pk>/", assigned_scheda, name="evaluation_assigned_scheda"),
]
