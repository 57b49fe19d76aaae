"""Monitoring pages: the periods of a plan, the measurements of a scheda, evidence files."""

from functools import partial

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from traguardo.core.domain import DomainError, InvalidData
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.monitoring import domain
from traguardo.monitoring.deadlines import situation_text
from traguardo.monitoring.domain import OPEN_STATES, closure_check, graded_by_delay
from traguardo.monitoring.forms import (
    PUBLISHED,
    PUBLISHED_ID,
    MeasurementForm,
    PeriodForm,
    initial_from,
)
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.monitoring.queries import evidence_with_subjects, plan_periods, scheda_measurements
from traguardo.planning.asof import as_of, current_period
from traguardo.planning.guards import results_frozen
from traguardo.planning.kept import keep, schede
from traguardo.planning.models import Activity, Indicator, Objective, Plan
from traguardo.planning.rulebook import plan_rules
from traguardo.reports.scheda import ActivityRow, IndicatorRow, scheda_page
from traguardo.web.fragments import fragment_key


@tenant_view("monitoring.view_dashboard")
def periods(request: TenantRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    can_manage = request.user.has_perm("monitoring.manage_periods", plan)
    form = PeriodForm(request.POST or None)
    if request.method == "POST":
        check_perm(request, "monitoring.manage_periods", plan)
        if form.is_valid():
            try:
                period = domain.create_period(plan, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, _("Periodo «%(name)s» programmato.") % {"name": period})
                return redirect("periods", authority=request.authority.slug, year=year)
    rows, open_period = plan_periods(plan)
    context = {
        "plan": plan,
        "periods": rows,
        "form": form,
        "can_manage": can_manage,
        # A closed plan's periods reopen only inside a variazione (the domain refuses too).
        "frozen": results_frozen(plan),
        "open_period": open_period,
        # Kept per data version, as a plan's results: the check reads the whole plan.
        "check": keep(
            plan.authority_id,
            f"closure:{open_period.pk}",
            lambda _key: closure_check(open_period),
            local=schede,
        )
        if open_period
        else None,
        "refused": request.session.pop("traguardo.closure_missing", []),
    }
    return render(
        request, "web/monitoring/periods.html", context, status=400 if form.errors else 200
    )


@require_POST
@tenant_view("monitoring.view_dashboard")
def period_action(request: TenantRequest, pk: int, action: str) -> HttpResponse:
    period = get_object_or_404(MonitoringPeriod.objects.select_related("plan"), pk=pk)
    check_perm(request, "monitoring.manage_periods", period.plan)
    actions = {"apri": domain.open_period, "chiudi": domain.close_period}
    if action not in actions:
        raise Http404
    try:
        actions[action](period, actor=request.user)
    except InvalidData as error:
        messages.error(
            request,
            ngettext(
                "Il periodo non si può chiudere: %(n)d elemento dovuto è senza risultato "
                "né decisione.",
                "Il periodo non si può chiudere: %(n)d elementi dovuti sono senza risultato "
                "né decisione.",
                len(error.errors),
            )
            % {"n": len(error.errors)},
        )
        request.session["traguardo.closure_missing"] = [message for _f, message in error.errors]
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = {"apri": _("Periodo «%(name)s» aperto."), "chiudi": _("Periodo «%(name)s» chiuso.")}
        messages.success(request, done[action] % {"name": period.name})
    return redirect("periods", authority=request.authority.slug, year=period.plan.year)


@tenant_view("planning.view_objective")
def measurements(request: TenantRequest, pk: int) -> HttpResponse:
    objective = get_object_or_404(Objective.objects.select_related("plan"), pk=pk)
    check_perm(request, "planning.view_objective", objective)
    period = current_period(objective.plan)
    frozen = results_frozen(objective.plan)
    can_record = (
        period is not None
        and period.state in OPEN_STATES
        and not frozen
        and request.user.has_perm("monitoring.record_measurement", objective)
    )
    can_force = request.user.has_perm("monitoring.force_achievement", objective)
    bound = None
    if request.method == "POST":
        if not can_record:
            check_perm(request, "monitoring.record_measurement", objective)
            messages.error(
                request,
                _("Il piano è consuntivato: le rilevazioni si modificano solo in una variazione.")
                if frozen
                else _("Nessun periodo aperto: le rilevazioni sono chiuse."),
            )
            return redirect("measurements", authority=request.authority.slug, pk=pk)
        bound, response = _save(request, objective, period, can_force)
        if response is not None:
            return response
    scheda = scheda_page(objective)
    can_see_evidence = request.user.has_perm("monitoring.view_evidence", objective)
    when = as_of(objective.plan, period)
    rules = plan_rules(objective.plan)
    stored = scheda_measurements(objective, period)
    entries: list[tuple[str, IndicatorRow | ActivityRow, Indicator | Activity]] = [
        *(("ind", row, row.indicator) for row in scheda.indicators),
        *(("att", row, row.activity) for row in scheda.activities),
    ]
    rows = []
    for kind, row, subject in entries:
        key = f"{kind}-{subject.pk}"
        measurement = stored.get((kind, subject.pk))
        form = (
            bound[1]
            if bound and bound[0] == key
            # Built only when its section is rendered (not when its HTML is kept).
            else SimpleLazyObject(
                partial(_entry_form, key, kind, subject, measurement, rules, can_force)
            )
        )
        rows.append(
            {
                "kind": kind,
                "key": key,
                "row": row,
                "subject": subject,
                "measurement": measurement,
                "form": form,
            }
        )
    context = {
        # The sections (the forms but their CSRF tokens) are rendered once per kept card and
        # what the user may do (web.fragments); a form sent back with errors is not kept.
        "fragment_key": None
        if bound
        else fragment_key(scheda.key, request, can_record, can_force, can_see_evidence),
        "card": scheda,
        "objective": objective,
        "period": period,
        "as_of": when,
        "situation": situation_text(when),
        "rows": rows,
        "can_record": can_record,
        "frozen": frozen,
        "can_see_evidence": can_see_evidence,
        "published_id": PUBLISHED_ID,
        "published_notice": PUBLISHED,
    }
    return render(
        request, "web/monitoring/measurements.html", context, status=400 if bound else 200
    )


def _entry_form(key, kind, subject, measurement, rules, can_force) -> MeasurementForm:
    """The form of one indicator's or activity's measurement, filled with what is recorded."""
    return MeasurementForm(
        prefix=key,
        initial=initial_from(measurement),
        measure=subject.measure if kind == "ind" else None,
        can_force=can_force,
        by_delay=kind == "ind" and graded_by_delay(subject, rules.scale(subject)),
    )


def _save(request, objective, period, can_force):
    """Save the one form that was submitted; on error return it bound, to show it again."""
    key = request.POST.get("subject", "")
    kind, _sep, raw_pk = key.partition("-")
    if kind not in ("ind", "att") or not raw_pk.isdigit():
        raise Http404
    rows = objective.indicators if kind == "ind" else objective.activities
    subject = get_object_or_404(rows.all(), pk=int(raw_pk))
    by_delay = kind == "ind" and graded_by_delay(subject, plan_rules(objective.plan).scale(subject))
    form = MeasurementForm(
        request.POST,
        request.FILES,
        prefix=key,
        measure=subject.measure if kind == "ind" else None,
        can_force=can_force,
        by_delay=by_delay,
    )
    if not form.is_valid():
        return (key, form), None
    try:
        # One transaction: a refused file leaves the measurement unwritten too, and the page
        # comes back with what was typed.
        domain.record_with_evidence(
            subject,
            period,
            actor=request.user,
            data=form.data_for_domain(),
            upload=form.cleaned_data.get("file"),
        )
    except InvalidData as error:
        for field, message in error.errors:
            form.add_error(field if field in form.fields else None, message)
        return (key, form), None
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return (key, form), None
    messages.success(request, _("Rilevazione salvata: %(what)s.") % {"what": subject})
    url = redirect("measurements", authority=request.authority.slug, pk=objective.pk)
    url["Location"] += f"#rilevazione-{key}"
    return None, url


@tenant_view("planning.view_objective")
def evidence_download(request: TenantRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(evidence_with_subjects(), pk=pk)
    check_perm(request, "monitoring.view_evidence", evidence.measurement.subject.objective)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("piani/<int:year>/periodi/", periods, name="periods"),
    path("periodi/<int:pk>/<str:action>/", period_action, name="period_action"),
    path("schede/<int:pk>/rilevazioni/", measurements, name="measurements"),
    path("allegati/<int:pk>/", evidence_download, name="evidence_download"),
]
