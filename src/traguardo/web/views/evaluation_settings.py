"""The individual evaluation's settings (admins): the years' schemes, a scheme's settings,
its families with their components and fund, and their behaviours' catalogue.

Thin adapters: a form bound to the authority → a business action of
``evaluation.domain.settings`` → a redirect with a message, or the page again with the
refusal next to its field. A frozen scheme (an evaluation of its year delivered) is shown
read-only, and its actions refuse anyway.
"""

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from traguardo.core.domain import DomainError
from traguardo.core.forms import show_error
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import tenant_view
from traguardo.evaluation.domain import settings as domain
from traguardo.evaluation.forms import (
    BehaviourForm,
    FamilyForm,
    SchemeCreateForm,
    SchemeForm,
    bands_text,
    levels_text,
)
from traguardo.evaluation.models import Behaviour, Family, FamilyComponent, Scheme
from traguardo.web.deletion import delete_page

MANAGE = "evaluation.manage_scheme"


def _url(request: TenantRequest, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"authority": request.authority.slug, **kwargs})


def _scheme(year: int) -> Scheme:
    return get_object_or_404(Scheme, year=year)


def _scheme_section(request: TenantRequest, scheme: Scheme) -> dict[str, str]:
    return {
        "title": _("Sistema %(year)s") % {"year": scheme.year},
        "url": _url(request, "evaluation_scheme", year=scheme.year),
        "is_scheme": "1",  # the breadcrumbs name the scheme once
    }


def _refused(request: HttpRequest, error: DomainError) -> None:
    # base.html builds "alert-<tags>": Bootstrap's red alert is "danger".
    messages.error(request, error.message, extra_tags="danger")


@tenant_view(MANAGE)
def scheme_list(request: TenantRequest) -> HttpResponse:
    """The years' schemes, and a new one (empty or copied from another year)."""
    schemes = Scheme.objects.annotate(
        family_count=Count("families", distinct=True),
        assignment_count=Count("assignments", distinct=True),
        delivered_count=Count(
            "assignments__evaluation",
            filter=~Q(assignments__evaluation__state__in=domain.OPEN_STATES),
            distinct=True,
        ),
    ).order_by("-year")
    latest = schemes.first()
    initial = {"year": latest.year + 1, "copy_from": latest} if latest else {}
    form = SchemeCreateForm(request.POST or None, authority=request.authority, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = domain.create_scheme(
                request.authority,
                actor=request.user,
                year=form.cleaned_data["year"],
                copy_from=form.cleaned_data["copy_from"],
            )
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request, _("Sistema di valutazione %(year)s creato.") % {"year": scheme.year}
            )
            return redirect(_url(request, "evaluation_scheme", year=scheme.year))
    return render(request, "evaluation/settings_list.html", {"schemes": schemes, "form": form})


@tenant_view(MANAGE)
def scheme_edit(request: TenantRequest, year: int) -> HttpResponse:
    """A year's settings (one form) and its families with the engine's findings."""
    scheme = _scheme(year)
    frozen = domain.delivered_count(scheme)
    stored = domain.scheme_data(scheme)
    initial = {"levels": levels_text(stored.levels), "bands": bands_text(stored.bands)}
    form = SchemeForm(
        request.POST or None, instance=Scheme.objects.get(pk=scheme.pk), initial=initial
    )
    if frozen:  # shown, not editable
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and not frozen and form.is_valid():
        data = domain.SchemeData(
            **{name: form.cleaned_data[name] for name in SchemeForm.Meta.fields},
            levels=form.cleaned_data["levels"],
            bands=form.cleaned_data["bands"],
        )
        try:
            domain.update_scheme(scheme, actor=request.user, data=data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request, _("Impostazioni del %(year)s salvate.") % {"year": scheme.year}
            )
            return redirect(_url(request, "evaluation_scheme", year=year))
    elif request.method == "POST" and frozen:
        messages.error(request, domain.frozen_message(scheme.year), extra_tags="danger")
        return redirect(_url(request, "evaluation_scheme", year=year))
    families = (
        Family.objects.filter(scheme=scheme)
        .select_related("fund")
        .prefetch_related(
            Prefetch("components", queryset=FamilyComponent.objects.order_by("pk")),
        )
        .annotate(
            behaviour_count=Count("behaviours", distinct=True),
            assignment_count=Count("assignments", distinct=True),
        )
    )
    rows = [
        {
            "family": family,
            "findings": domain.family_findings({c.kind: c.weight for c in family.components.all()}),
        }
        for family in families
    ]
    return render(
        request,
        "evaluation/settings_scheme.html",
        {
            "scheme": scheme,
            "form": form,
            "families": rows,
            "frozen": frozen,
            "page_title": _("Valutazione individuale %(year)s") % {"year": year},
        },
    )


def _family_form_page(
    request: TenantRequest, scheme: Scheme, family: Family | None
) -> HttpResponse:
    initial = FamilyForm.initial_of(family) if family else {}
    form = FamilyForm(request.POST or None, initial=initial)
    frozen = domain.delivered_count(scheme)
    if request.method == "POST" and form.is_valid():
        data = domain.FamilyData(
            name=form.cleaned_data["name"],
            objectives_rule=form.cleaned_data["objectives_rule"],
            nucleo_reviews=form.cleaned_data["nucleo_reviews"],
            position=form.cleaned_data["position"] or 0,
            weights=form.weights(),
            fund=form.cleaned_data["fund"],
        )
        try:
            if family is None:
                saved = domain.create_family(scheme, actor=request.user, data=data)
            else:
                saved = domain.update_family(family, actor=request.user, data=data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Famiglia «%(name)s» salvata.") % {"name": saved.name})
            return redirect(_url(request, "evaluation_family_edit", year=scheme.year, pk=saved.pk))
    findings = []
    if family is not None:
        findings = domain.family_findings({c.kind: c.weight for c in family.components.all()})
    return render(
        request,
        "evaluation/settings_family.html",
        {
            "scheme": scheme,
            "family": family,
            "form": form,
            "frozen": frozen,
            "findings": findings,
            "behaviours": family.behaviours.all() if family else [],
            "section": _scheme_section(request, scheme),
            "page_title": family.name if family else _("Nuova famiglia"),
        },
    )


@tenant_view(MANAGE)
def family_add(request: TenantRequest, year: int) -> HttpResponse:
    return _family_form_page(request, _scheme(year), None)


def _family(year: int, pk: int) -> Family:
    return get_object_or_404(
        Family.objects.select_related("scheme").prefetch_related("components"),
        pk=pk,
        scheme__year=year,
    )


@tenant_view(MANAGE)
def family_edit(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    family = _family(year, pk)
    return _family_form_page(request, family.scheme, family)


SETTINGS_TRAIL = "evaluation/_settings_breadcrumbs.html"


@tenant_view(MANAGE)
def family_delete(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    family = _family(year, pk)
    return delete_page(
        request,
        lambda: domain.delete_family(family, actor=request.user),
        breadcrumbs=SETTINGS_TRAIL,
        what=_("la famiglia «%(name)s»") % {"name": family.name},
        success=_("Famiglia «%(name)s» eliminata.") % {"name": family.name},
        section=_scheme_section(request, family.scheme),
    )


def _behaviour_page(
    request: TenantRequest, family: Family, behaviour: Behaviour | None
) -> HttpResponse:
    section = {
        "title": family.name,
        "url": _url(request, "evaluation_family_edit", year=family.scheme.year, pk=family.pk),
    }
    instance = Behaviour.objects.get(pk=behaviour.pk) if behaviour else None
    form = BehaviourForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = domain.BehaviourData(
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            weight=form.cleaned_data["weight"],
            position=form.cleaned_data["position"],
        )
        try:
            if behaviour is None:
                domain.create_behaviour(family, actor=request.user, data=data)
            else:
                domain.update_behaviour(behaviour, actor=request.user, data=data)
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(request, _("Comportamento «%(name)s» salvato.") % {"name": data.name})
            return redirect(section["url"])
    return render(
        request,
        "evaluation/settings_form.html",
        {
            "form": form,
            "scheme": family.scheme,
            "section": section,
            "page_title": behaviour.name if behaviour else _("Nuovo comportamento"),
            "delete_url": _url(
                request,
                "evaluation_behaviour_delete",
                year=family.scheme.year,
                pk=behaviour.pk,
            )
            if behaviour
            else None,
        },
    )


@tenant_view(MANAGE)
def behaviour_add(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    return _behaviour_page(request, _family(year, pk), None)


def _behaviour(year: int, pk: int) -> Behaviour:
    return get_object_or_404(
        Behaviour.objects.select_related("family__scheme"), pk=pk, family__scheme__year=year
    )


@tenant_view(MANAGE)
def behaviour_edit(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    behaviour = _behaviour(year, pk)
    return _behaviour_page(request, behaviour.family, behaviour)


@tenant_view(MANAGE)
def behaviour_delete(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    behaviour = _behaviour(year, pk)
    family = behaviour.family
    return delete_page(
        request,
        lambda: domain.delete_behaviour(behaviour, actor=request.user),
        breadcrumbs=SETTINGS_TRAIL,
        what=_("il comportamento «%(name)s»") % {"name": behaviour.name},
        success=_("Comportamento «%(name)s» eliminato.") % {"name": behaviour.name},
        section={
            "title": family.name,
            "url": _url(request, "evaluation_family_edit", year=year, pk=family.pk),
        },
    )


# Under /enti/<slug>/valutazione-individuale/impostazioni/ (web/urls.py).
urlpatterns = [
    path("", scheme_list, name="evaluation_schemes"),
    path("<int:year>/", scheme_edit, name="evaluation_scheme"),
    path("<int:year>/famiglie/nuova/", family_add, name="evaluation_family_add"),
    path("<int:year>/famiglie/<int:pk>/", family_edit, name="evaluation_family_edit"),
    path("<int:year>/famiglie/<int:pk>/elimina/", family_delete, name="evaluation_family_delete"),
    path(
        "<int:year>/famiglie/<int:pk>/comportamenti/nuovo/",
        behaviour_add,
        name="evaluation_behaviour_add",
    ),
    path("<int:year>/comportamenti/<int:pk>/", behaviour_edit, name="evaluation_behaviour_edit"),
    path(
        "<int:year>/comportamenti/<int:pk>/elimina/",
        behaviour_delete,
        name="evaluation_behaviour_delete",
    ),
]
