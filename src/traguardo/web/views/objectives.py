"""Schede: the card page, its PDF, and the editor (create, edit, live checks, conflicts)."""

from django.contrib import messages
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from traguardo.accounts.rules import covered_units
from traguardo.core.domain import ConflictError, DomainError, InvalidData
from traguardo.core.downloads import attachment
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.organization.models import GradingScale, OrgUnit
from traguardo.planning import live
from traguardo.planning.checks import plan_codes_and_names
from traguardo.planning.domain.objectives import create_objective, update_objective
from traguardo.planning.models import Objective, Plan
from traguardo.planning.objective_forms import (
    ACTIVITY_PREFIX,
    INDICATOR_PREFIX,
    ActivityFormSet,
    IndicatorFormSet,
    ObjectiveForm,
    initial_activities,
    initial_header,
    initial_indicators,
    objective_data,
    rearranged,
    rows_of,
)
from traguardo.planning.queries import load_for_scoring, objectives_for_scoring
from traguardo.planning.versions import differences, objective_state, sign_state, unsign_state
from traguardo.reports import copies, paper
from traguardo.reports.scheda import scheda_page
from traguardo.web.views.lifecycle import comments_context


@tenant_view("planning.view_objective")
def objective_detail(request: TenantRequest, pk: int) -> HttpResponse:
    objective = _objective(request, pk)
    scheda = scheda_page(objective)
    can_edit = request.user.has_perm("planning.change_objective", objective)
    context = {"card": scheda, "can_edit": can_edit, **comments_context(request, objective)}
    return render(request, "web/objective_detail.html", context)


@tenant_view("planning.view_objective")
def objective_pdf(request: TenantRequest, pk: int) -> HttpResponse:
    """The scheda's PDF: the official copy, or with ``?segnalazioni=1`` the internal one."""
    objective = _objective(request, pk)
    scheda = scheda_page(objective)
    internal = copies.asked(request.GET)
    filename = _("scheda-%(code)s.pdf") % {"code": objective.code or objective.position}
    data = paper.scheda_pdf(scheda, internal=internal)
    return attachment(data, copies.filename(filename, internal), "application/pdf", no_store=False)


@tenant_view("planning.view_objective")
def objective_edit(request: TenantRequest, pk: int) -> HttpResponse:
    objective = _objective(request, pk, prefetch=True)
    check_perm(request, "planning.change_objective", objective)
    editor = _Editor(request, objective.plan, objective)
    if request.method != "POST":
        return editor.render(editor.initial_forms(objective))
    return editor.handle_post()


@tenant_view("planning.view_plan")
def objective_create(request: TenantRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    check_perm(request, "planning.add_objective", plan)
    editor = _Editor(request, plan, None)
    if request.method != "POST":
        return editor.render(editor.blank_forms())
    return editor.handle_post()


@tenant_view("planning.view_plan")
def objective_live(request: TenantRequest, year: int) -> HttpResponse:
    """htmx: the weight totals, the Punteggio and the scales read back, as the user types."""
    if request.method != "POST":
        raise Http404
    data = request.POST
    return render(
        request,
        "web/objective_live.html",
        {
            "indicator_check": live.weight_check(_typed_weights(data, INDICATOR_PREFIX)),
            "activity_check": live.weight_check(_typed_weights(data, ACTIVITY_PREFIX)),
            "score": live.level_score([data.get(name) for name in live.LEVEL_FIELDS]),
            "previews": live.scale_previews(_typed_scales(data), live.scales_by_id()),
        },
    )


class _Editor:
    """The editor's round trip: forms in, domain call, page or conflict out."""

    template = "web/objective_edit.html"

    def __init__(self, request: TenantRequest, plan: Plan, objective: Objective | None) -> None:
        self.request = request
        self.plan = plan
        self.objective = objective
        self.units = _editable_units(request)
        self.scales = list(GradingScale.objects.order_by("name"))
        self.scales_by_id = {str(scale.pk): scale for scale in self.scales}

    def forms(self, data=None, initial=None):
        initial = initial or {}
        header = ObjectiveForm(data, initial=initial.get("header"), units=self.units)
        rows = {"form_kwargs": {"scales": self.scales}}  # read once for all the rows
        indicators = IndicatorFormSet(
            data, initial=initial.get("indicators"), prefix=INDICATOR_PREFIX, **rows
        )
        activities = ActivityFormSet(
            data, initial=initial.get("activities"), prefix=ACTIVITY_PREFIX, **rows
        )
        return header, indicators, activities

    def initial_forms(self, objective: Objective):
        header = initial_header(objective)
        header["snapshot"] = sign_state(objective_state(objective))
        return self.forms(
            initial={
                "header": header,
                "indicators": initial_indicators(objective),
                "activities": initial_activities(objective),
            }
        )

    def blank_forms(self):
        year = self.plan.year
        header = {"year": year, "first_year": year, "last_year": year}
        if self.units is not None and len(self.units) == 1:
            header["unit"] = self.units[0].pk
        return self.forms(initial={"header": header, "indicators": [{"measure": "deadline"}]})

    def handle_post(self) -> HttpResponse:
        action = self.request.POST.get("action", "save")
        if action != "save":
            posted, focus = rearranged(self.request.POST, action)
            forms = self.forms(posted)
            for form in (forms[0], *forms[1], *forms[2]):
                form.silence()
            return self.render(forms, focus=focus)
        forms = header, indicators, activities = self.forms(self.request.POST)
        if header.is_valid() & indicators.is_valid() & activities.is_valid():
            data = objective_data(header, indicators, activities)
            try:
                if self.objective is None:
                    saved = create_objective(self.plan, actor=self.request.user, data=data)
                else:
                    saved = update_objective(
                        self.objective,
                        actor=self.request.user,
                        version=header.cleaned_data["version"] or 0,
                        data=data,
                    )
            except ConflictError as error:
                return self.conflict(header, error)
            except InvalidData as error:
                table_errors = live.place_errors(error, header, indicators, activities)
                return self.render(forms, table_errors=table_errors, status=400)
            except DomainError as error:  # the plan changed state since the page was loaded
                return self.render(forms, table_errors={"header": [error.message]}, status=400)
            messages.success(self.request, _("Scheda salvata."))
            return redirect("objective_detail", authority=self.plan.authority.slug, pk=saved.pk)
        return self.render(forms, status=400)

    def conflict(self, header: ObjectiveForm, error: ConflictError) -> HttpResponse:
        if self.objective is None:  # only update_objective raises it: a new scheda has no rival
            raise error
        current = _objective(self.request, self.objective.pk, prefetch=True)
        before = unsign_state(header.cleaned_data.get("snapshot") or "") or {}
        context = {
            "objective": current,
            "message": error.message,
            "changes": differences(before, objective_state(current)),
        }
        return render(self.request, "web/objective_conflict.html", context, status=409)

    def render(self, forms, *, focus=None, table_errors=None, status=200) -> HttpResponse:
        header, indicators, activities = forms
        if focus:
            for form in (*indicators, *activities):
                for bound in form:
                    if bound.auto_id == focus:
                        bound.field.widget.attrs["autofocus"] = True
        data = indicators.data if indicators.is_bound else None
        levels = header.data if header.is_bound else header.initial
        context = {
            "plan": self.plan,
            "objective": self.objective,
            "form": header,
            "indicators": indicators,
            "activities": activities,
            "focus": focus,
            "table_errors": table_errors or {},
            "indicator_check": live.weight_check(
                _typed_weights(data, INDICATOR_PREFIX)
                if data is not None
                else [f.initial.get("weight", "") for f in indicators]
            ),
            "activity_check": live.weight_check(
                _typed_weights(data, ACTIVITY_PREFIX)
                if data is not None
                else [f.initial.get("weight", "") for f in activities]
            ),
            "score": live.level_score([levels.get(name) for name in live.LEVEL_FIELDS]),
            "same_code": self.same_code(header),
            "previews": live.scale_previews(
                _typed_scales(data) if data is not None else _stored_scales(indicators, activities),
                self.scales_by_id,
            ),
            "live_url": reverse(
                "objective_live",
                kwargs={"authority": self.plan.authority.slug, "year": self.plan.year},
            ),
        }
        return render(self.request, self.template, context, status=status)

    def same_code(self, header: ObjectiveForm) -> list[tuple[int, str]]:
        """The plan's other schede with the code typed (or stored): (id, name), to link."""
        code = header.data.get("code", "") if header.is_bound else header.initial.get("code")
        code = (code or "").strip().casefold()
        if not code:
            return []
        mine = self.objective.pk if self.objective is not None else None
        codes, names = plan_codes_and_names(self.plan, excluding=mine)
        return [(pk, names[pk]) for pk, other in codes if other.strip().casefold() == code]


def _objective(request: TenantRequest, pk: int, *, prefetch: bool = False) -> Objective:
    objectives = Objective.objects.filter(pk=pk)
    if prefetch:
        objectives = objectives_for_scoring(objectives)
    found = (load_for_scoring if prefetch else list)(objectives.select_related("plan")[:1])
    objective = found[0] if found else None
    if objective is None:
        raise Http404
    check_perm(request, "planning.view_objective", objective)
    return objective


def _editable_units(request: TenantRequest):
    """Admins choose any unit; a manager the units they head and those below them."""
    if request.user.has_perm("organization.manage_setup", request.authority):
        return None
    return OrgUnit.objects.filter(pk__in=covered_units(request.membership))


def _typed_weights(data: QueryDict, prefix: str) -> list[str]:
    """Each submitted row's weight as typed (the last value of its field)."""
    return [(row.get("weight") or [""])[-1] for row in rows_of(data, prefix, ("weight",))]


def _typed_scales(data: QueryDict) -> list[tuple[str, str, str]]:
    """(row id, graduation text, scale id) of each submitted row, as typed."""
    return [
        (
            f"{prefix}-{i}",
            (row.get("grading_text") or [""])[-1],
            (row.get("grading_scale") or [""])[-1],
        )
        for prefix in (INDICATOR_PREFIX, ACTIVITY_PREFIX)
        for i, row in enumerate(rows_of(data, prefix, ("grading_text", "grading_scale")))
    ]


def _stored_scales(indicators, activities) -> list[tuple[str, str, str | int | None]]:
    """(row id, graduation text, scale id) of each row the editor opened with."""
    return [
        (
            f"{formset.prefix}-{i}",
            form.initial.get("grading_text", ""),
            form.initial.get("grading_scale"),
        )
        for formset in (indicators, activities)
        for i, form in enumerate(formset)
    ]


urlpatterns = [
    path("schede/<int:pk>/", objective_detail, name="objective_detail"),
    path("schede/<int:pk>/stampa.pdf", objective_pdf, name="objective_pdf"),
    path("schede/<int:pk>/modifica/", objective_edit, name="objective_edit"),
    path("piani/<int:year>/schede/nuova/", objective_create, name="objective_create"),
    path("piani/<int:year>/schede/verifica/", objective_live, name="objective_live"),
]
