"""Setting up the authority: structure, people, DUP, ambiti, SMVP and scales (admins).

Every view is an adapter: a form scoped to the authority → a business action of
``organization.domain`` → a redirect with a message, or the page again with the refusal next
to its field and everything the user typed.
"""

from collections.abc import Callable
from copy import copy
from typing import TypeVar

from django.contrib import messages
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from traguardo.core.domain import DomainError
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import tenant_view
from traguardo.organization import domain
from traguardo.organization.forms import (
    AreaForm,
    DupGoalForm,
    LevelForm,
    PersonForm,
    PolicyForm,
    ScaleForm,
    SetupForm,
    UnitForm,
)
from traguardo.organization.models import (
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
)
from traguardo.planning.models import DupGoal
from traguardo.planning.rulebook import policy_usage, scale_usage
from traguardo.web.deletion import delete_page

SETUP = "organization.manage_setup"

# The dimensions of the Punteggio as they appear in URLs.
DIMENSIONS = {
    "strategicita": PolicyLevel.Dimension.STRATEGIC,
    "complessita": PolicyLevel.Dimension.COMPLEXITY,
    "tipologia": PolicyLevel.Dimension.KIND,
}


def _url(request: TenantRequest, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"authority": request.authority.slug, **kwargs})


def _section(request: TenantRequest, name: str, title: str) -> dict[str, str]:
    return {"title": title, "url": _url(request, name)}


# An edited row (none for a new one) and what a setup action saves.
_Row = TypeVar("_Row", bound=models.Model | None)
_Saved = TypeVar("_Saved", bound=models.Model)


def _editable(row: _Row) -> _Row:
    """The instance of an edit form: a model form writes what it cleans onto its instance,
    and the business action must get the row as it is stored."""
    return copy(row)


def _form_page(
    request: TenantRequest,
    form: SetupForm,
    save: Callable[[dict], _Saved],
    *,
    success: Callable[[_Saved], str],
    then: str,
    context: dict,
    template: str = "web/setup/form.html",
) -> HttpResponse:
    """POST: a valid form goes to ``save`` (a business action); its refusal is shown on the
    form, its success as a message on the page ``then``. GET or refused: the page."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, success(obj))
            return redirect(then)
    return render(request, template, {"form": form, **context})


@tenant_view(SETUP)
def setup_home(request: TenantRequest) -> HttpResponse:
    return render(
        request, "web/setup/home.html", {"counts": domain.setup_counts(request.authority)}
    )


# -- unità organizzative -------------------------------------------------------------------


def _units(request: TenantRequest) -> dict[str, str]:
    return _section(request, "setup_units", _("Unità organizzative"))


@tenant_view(SETUP)
def unit_list(request: TenantRequest) -> HttpResponse:
    return render(
        request, "web/setup/unit_list.html", {"tree": domain.unit_tree(request.authority)}
    )


@tenant_view(SETUP)
def unit_add(request: TenantRequest) -> HttpResponse:
    form = UnitForm(request.POST or None, authority=request.authority)
    return _form_page(
        request,
        form,
        lambda data: domain.create_unit(
            request.authority, actor=request.user, data=domain.UnitData(**data)
        ),
        success=lambda unit: _("Unità «%(name)s» creata.") % {"name": unit.name},
        then=_units(request)["url"],
        context={"section": _units(request), "page_title": _("Nuova unità organizzativa")},
    )


@tenant_view(SETUP)
def unit_edit(request: TenantRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, pk=pk)
    form = UnitForm(request.POST or None, instance=_editable(unit), authority=request.authority)
    return _form_page(
        request,
        form,
        lambda data: domain.update_unit(unit, actor=request.user, data=domain.UnitData(**data)),
        success=lambda unit: _("Unità «%(name)s» aggiornata.") % {"name": unit.name},
        then=_units(request)["url"],
        context={
            "section": _units(request),
            "page_title": unit.name,
            "delete_url": _url(request, "setup_unit_delete", pk=pk),
        },
    )


@tenant_view(SETUP)
def unit_delete(request: TenantRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, pk=pk)
    return delete_page(
        request,
        lambda: domain.delete_unit(unit, actor=request.user),
        what=_("l'unità «%(name)s»") % {"name": unit.name},
        success=_("Unità «%(name)s» eliminata.") % {"name": unit.name},
        section=_units(request),
    )


# -- persone -------------------------------------------------------------------------------


def _people(request: TenantRequest) -> dict[str, str]:
    return _section(request, "setup_people", _("Persone"))


@tenant_view(SETUP)
def person_list(request: TenantRequest) -> HttpResponse:
    people = Person.objects.prefetch_related("headed_units")
    return render(request, "web/setup/person_list.html", {"people": people})


@tenant_view(SETUP)
def person_add(request: TenantRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, authority=request.authority)
    return _form_page(
        request,
        form,
        lambda data: domain.create_person(
            request.authority, actor=request.user, data=domain.PersonData(**data)
        ),
        success=lambda person: _("«%(name)s» aggiunta alle persone.") % {"name": person},
        then=_people(request)["url"],
        context={"section": _people(request), "page_title": _("Nuova persona")},
    )


@tenant_view(SETUP)
def person_edit(request: TenantRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    form = PersonForm(request.POST or None, instance=_editable(person), authority=request.authority)
    return _form_page(
        request,
        form,
        lambda data: domain.update_person(
            person, actor=request.user, data=domain.PersonData(**data)
        ),
        success=lambda person: _("Dati di «%(name)s» aggiornati.") % {"name": person},
        then=_people(request)["url"],
        context={
            "section": _people(request),
            "page_title": str(person),
            "delete_url": _url(request, "setup_person_delete", pk=pk),
        },
    )


@tenant_view(SETUP)
def person_delete(request: TenantRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    return delete_page(
        request,
        lambda: domain.delete_person(person, actor=request.user),
        what=f"«{person}»",
        success=_("«%(name)s» eliminata dalle persone.") % {"name": person},
        section=_people(request),
    )


# -- DUP -----------------------------------------------------------------------------------


def _dup(request: TenantRequest) -> dict[str, str]:
    return _section(request, "setup_dup", _("DUP"))


@tenant_view(SETUP)
def dup_list(request: TenantRequest) -> HttpResponse:
    return render(request, "web/setup/dup_list.html", {"tree": domain.dup_tree(request.authority)})


@tenant_view(SETUP)
def dup_add(request: TenantRequest) -> HttpResponse:
    form = DupGoalForm(request.POST or None, authority=request.authority)
    return _form_page(
        request,
        form,
        lambda data: domain.create_dup_goal(
            request.authority, actor=request.user, data=domain.DupGoalData(**data)
        ),
        success=lambda goal: _("«%(goal)s» aggiunto al DUP.") % {"goal": goal},
        then=_dup(request)["url"],
        context={"section": _dup(request), "page_title": _("Nuovo elemento del DUP")},
    )


@tenant_view(SETUP)
def dup_edit(request: TenantRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(DupGoal, pk=pk)
    form = DupGoalForm(request.POST or None, instance=_editable(goal), authority=request.authority)
    return _form_page(
        request,
        form,
        lambda data: domain.update_dup_goal(
            goal, actor=request.user, data=domain.DupGoalData(**data)
        ),
        success=lambda goal: _("«%(goal)s» aggiornato.") % {"goal": goal},
        then=_dup(request)["url"],
        context={
            "section": _dup(request),
            "page_title": str(goal),
            "delete_url": _url(request, "setup_dup_delete", pk=pk),
        },
    )


@tenant_view(SETUP)
def dup_delete(request: TenantRequest, pk: int) -> HttpResponse:
    goal = get_object_or_404(DupGoal, pk=pk)
    return delete_page(
        request,
        lambda: domain.delete_dup_goal(goal, actor=request.user),
        what=f"«{goal.get_level_display()} {goal}»",
        success=_("«%(goal)s» eliminato dal DUP.") % {"goal": goal},
        section=_dup(request),
    )


# -- ambiti della performance --------------------------------------------------------------


def _areas(request: TenantRequest) -> dict[str, str]:
    return _section(request, "setup_areas", _("Ambiti della performance"))


@tenant_view(SETUP)
def area_list(request: TenantRequest) -> HttpResponse:
    areas = PerformanceArea.objects.order_by("number")
    return render(request, "web/setup/area_list.html", {"areas": areas})


@tenant_view(SETUP)
def area_add(request: TenantRequest) -> HttpResponse:
    form = AreaForm(request.POST or None, authority=request.authority)
    return _form_page(
        request,
        form,
        lambda data: domain.create_area(
            request.authority, actor=request.user, data=domain.AreaData(**data)
        ),
        success=lambda area: _("Ambito %(n)d creato.") % {"n": area.number},
        then=_areas(request)["url"],
        context={"section": _areas(request), "page_title": _("Nuovo ambito della performance")},
    )


@tenant_view(SETUP)
def area_edit(request: TenantRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(PerformanceArea, pk=pk)
    form = AreaForm(request.POST or None, instance=_editable(area), authority=request.authority)
    return _form_page(
        request,
        form,
        lambda data: domain.update_area(area, actor=request.user, data=domain.AreaData(**data)),
        success=lambda area: _("Ambito %(n)d aggiornato.") % {"n": area.number},
        then=_areas(request)["url"],
        context={
            "section": _areas(request),
            "page_title": _("Ambito %(n)d") % {"n": area.number},
            "delete_url": _url(request, "setup_area_delete", pk=pk),
        },
    )


@tenant_view(SETUP)
def area_delete(request: TenantRequest, pk: int) -> HttpResponse:
    area = get_object_or_404(PerformanceArea, pk=pk)
    return delete_page(
        request,
        lambda: domain.delete_area(area, actor=request.user),
        what=_("l'ambito %(n)d") % {"n": area.number},
        success=_("Ambito %(n)d eliminato.") % {"n": area.number},
        section=_areas(request),
    )


# -- SMVP ----------------------------------------------------------------------------------


def _policy(request: TenantRequest) -> dict[str, str]:
    return _section(request, "setup_policy", _("Sistema di misurazione e valutazione"))


@tenant_view(SETUP)
def policy_edit(request: TenantRequest) -> HttpResponse:
    policy = domain.ensure_policy(request.authority)
    form = PolicyForm(request.POST or None, instance=_editable(policy), authority=request.authority)
    return _form_page(
        request,
        form,
        lambda data: domain.update_policy(
            policy, actor=request.user, data=domain.PolicyData(**data)
        ),
        success=lambda policy: _("Regole del sistema di misurazione aggiornate."),
        then=_policy(request)["url"],
        template="web/setup/policy.html",
        context={
            "page_title": _policy(request)["title"],
            "usage": policy_usage(),
            **_policy_levels(policy),
        },
    )


def _policy_levels(policy) -> dict:
    levels = domain.policy_levels(policy)
    dimensions = [
        {
            "slug": slug,
            "title": _dimension_title(dimension),
            "levels": getattr(levels, dimension),
            "value_label": _("Coefficiente") if dimension == "kind" else _("Punti"),
        }
        for slug, dimension in DIMENSIONS.items()
    ]
    return {"dimensions": dimensions, "example": levels.example}


def _dimension_title(dimension: str) -> str:
    return str(PolicyLevel.Dimension(dimension).label)


@tenant_view(SETUP)
def level_add(request: TenantRequest, dimension: str) -> HttpResponse:
    if dimension not in DIMENSIONS:
        raise Http404
    dimension = DIMENSIONS[dimension]
    policy = domain.ensure_policy(request.authority)
    form = LevelForm(request.POST or None, authority=request.authority, dimension=dimension)
    return _form_page(
        request,
        form,
        lambda data: domain.create_level(
            policy, actor=request.user, dimension=dimension, data=domain.LevelData(**data)
        ),
        success=lambda level: (
            _("Livello «%(label)s» aggiunto a %(dimension)s.")
            % {"label": level.label, "dimension": _dimension_title(dimension).lower()}
        ),
        then=_policy(request)["url"],
        context={
            "section": _policy(request),
            "page_title": _("Nuovo livello di %(dimension)s")
            % {"dimension": _dimension_title(dimension).lower()},
        },
    )


@tenant_view(SETUP)
def level_edit(request: TenantRequest, pk: int) -> HttpResponse:
    level = get_object_or_404(PolicyLevel, pk=pk)
    form = LevelForm(
        request.POST or None,
        instance=_editable(level),
        authority=request.authority,
        dimension=level.dimension,
    )
    return _form_page(
        request,
        form,
        lambda data: domain.update_level(level, actor=request.user, data=domain.LevelData(**data)),
        success=lambda level: _("Livello «%(label)s» aggiornato.") % {"label": level.label},
        then=_policy(request)["url"],
        context={
            "section": _policy(request),
            "page_title": f"{level.get_dimension_display()}: {level.label}",
            "delete_url": _url(request, "setup_level_delete", pk=pk),
        },
    )


@tenant_view(SETUP)
def level_delete(request: TenantRequest, pk: int) -> HttpResponse:
    level = get_object_or_404(PolicyLevel, pk=pk)
    return delete_page(
        request,
        lambda: domain.delete_level(level, actor=request.user),
        what=_("il livello «%(label)s» (%(dimension)s)")
        % {"label": level.label, "dimension": level.get_dimension_display().lower()},
        success=_("Livello «%(label)s» eliminato.") % {"label": level.label},
        section=_policy(request),
    )


# -- graduazioni ---------------------------------------------------------------------------


def _scales(request: TenantRequest) -> dict[str, str]:
    return _section(request, "setup_scales", _("Graduazioni del conseguimento"))


@tenant_view(SETUP)
def scale_list(request: TenantRequest) -> HttpResponse:
    usage = scale_usage()
    scales = [
        (scale, domain.reading_of(scale.scale), usage.get(scale.pk, []))
        for scale in GradingScale.objects.all()
    ]
    return render(request, "web/setup/scale_list.html", {"scales": scales})


def _preview(text: str) -> dict:
    """The context of the preview partial: the scale read from ``text``, or why not."""
    try:
        return {"preview": domain.read_scale(text)}
    except DomainError as error:
        return {"preview_error": error.message}


def _scale_page(
    request: TenantRequest, scale: GradingScale | None, save: Callable, context: dict
) -> HttpResponse:
    """The create and edit pages of a scale: "Anteprima" re-renders with the parsed table
    (nothing is saved), "Salva" saves."""
    if request.method == "POST" and "anteprima" in request.POST:
        typed = {name: request.POST.get(name, "") for name in ("name", "source_text")}
        form = ScaleForm(initial=typed, instance=scale, authority=request.authority)
        context = {**context, **_preview(typed["source_text"])}
        return render(request, "web/setup/scale_form.html", {"form": form, **context})
    form = ScaleForm(request.POST or None, instance=_editable(scale), authority=request.authority)
    if scale is not None and not scale.source_text and request.method != "POST":
        form.initial["source_text"] = domain.reading_of(scale.scale).description
    return _form_page(
        request,
        form,
        lambda data: save(domain.ScaleData(**data)),
        success=lambda scale: _("Graduazione «%(name)s» salvata.") % {"name": scale.name},
        then=_scales(request)["url"],
        template="web/setup/scale_form.html",
        context=context,
    )


@tenant_view(SETUP)
def scale_add(request: TenantRequest) -> HttpResponse:
    return _scale_page(
        request,
        None,
        lambda data: domain.create_scale(request.authority, actor=request.user, data=data),
        {"section": _scales(request), "page_title": _("Nuova graduazione")},
    )


@tenant_view(SETUP)
def scale_edit(request: TenantRequest, pk: int) -> HttpResponse:
    scale = get_object_or_404(GradingScale, pk=pk)
    return _scale_page(
        request,
        scale,
        lambda data: domain.update_scale(scale, actor=request.user, data=data),
        {
            "section": _scales(request),
            "page_title": scale.name,
            "delete_url": _url(request, "setup_scale_delete", pk=pk),
            "usage": scale_usage().get(scale.pk, []),
        },
    )


@tenant_view(SETUP)
@require_POST
def scale_preview(request: TenantRequest) -> HttpResponse:
    """The preview partial alone, for htmx: the table updates in place."""
    return render(
        request,
        "web/setup/scale_form.html#preview",
        _preview(request.POST.get("source_text", "")),
    )


@tenant_view(SETUP)
def scale_delete(request: TenantRequest, pk: int) -> HttpResponse:
    scale = get_object_or_404(GradingScale, pk=pk)
    return delete_page(
        request,
        lambda: domain.delete_scale(scale, actor=request.user),
        what=_("la graduazione «%(name)s»") % {"name": scale.name},
        success=_("Graduazione «%(name)s» eliminata.") % {"name": scale.name},
        section=_scales(request),
    )


urlpatterns = [
    path("", setup_home, name="setup_home"),
    path("unita/", unit_list, name="setup_units"),
    path("unita/nuova/", unit_add, name="setup_unit_add"),
    path("unita/<int:pk>/", unit_edit, name="setup_unit_edit"),
    path("unita/<int:pk>/elimina/", unit_delete, name="setup_unit_delete"),
    path("persone/", person_list, name="setup_people"),
    path("persone/nuova/", person_add, name="setup_person_add"),
    path("persone/<int:pk>/", person_edit, name="setup_person_edit"),
    path("persone/<int:pk>/elimina/", person_delete, name="setup_person_delete"),
    path("dup/", dup_list, name="setup_dup"),
    path("dup/nuovo/", dup_add, name="setup_dup_add"),
    path("dup/<int:pk>/", dup_edit, name="setup_dup_edit"),
    path("dup/<int:pk>/elimina/", dup_delete, name="setup_dup_delete"),
    path("ambiti/", area_list, name="setup_areas"),
    path("ambiti/nuovo/", area_add, name="setup_area_add"),
    path("ambiti/<int:pk>/", area_edit, name="setup_area_edit"),
    path("ambiti/<int:pk>/elimina/", area_delete, name="setup_area_delete"),
    path("smvp/", policy_edit, name="setup_policy"),
    path("smvp/<slug:dimension>/nuovo/", level_add, name="setup_level_add"),
    path("smvp/livelli/<int:pk>/", level_edit, name="setup_level_edit"),
    path("smvp/livelli/<int:pk>/elimina/", level_delete, name="setup_level_delete"),
    path("graduazioni/", scale_list, name="setup_scales"),
    path("graduazioni/nuova/", scale_add, name="setup_scale_add"),
    path("graduazioni/anteprima/", scale_preview, name="setup_scale_preview"),
    path("graduazioni/<int:pk>/", scale_edit, name="setup_scale_edit"),
    path("graduazioni/<int:pk>/elimina/", scale_delete, name="setup_scale_delete"),
]
