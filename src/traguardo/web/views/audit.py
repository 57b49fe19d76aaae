"""The audit log on screen: a scheda's Cronologia and the authority's Registro (admins)."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from traguardo.audit.display import ACTIONS, rows
from traguardo.audit.models import AuditEntry
from traguardo.core.forms import StyledForm
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.monitoring.models import Evidence, Measurement
from traguardo.planning.models import Objective

PER_PAGE = 50


@tenant_view("planning.view_objective")
def objective_history(request: TenantRequest, pk: int) -> HttpResponse:
    """The entries of a scheda and of its measurements (and evidence, for who may see it)."""
    objective = get_object_or_404(Objective.objects.select_related("plan"), pk=pk)
    check_perm(request, "planning.view_objective", objective)
    measurements = [
        str(m)
        for m in Measurement.objects.filter(
            Q(indicator__objective=objective) | Q(activity__objective=objective)
        ).values_list("pk", flat=True)
    ]
    linked = Q(object_type="planning.objective", object_id=str(objective.pk)) | Q(
        object_type="monitoring.measurement", object_id__in=measurements
    )
    if request.user.has_perm("monitoring.view_evidence", objective):
        evidence = Evidence.objects.filter(measurement_id__in=measurements).values_list(
            "pk", flat=True
        )
        linked |= Q(object_type="monitoring.evidence", object_id__in=[str(e) for e in evidence])
    entries = AuditEntry.objects.filter(linked, authority=request.authority).order_by("-id")
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("pagina"))
    context = {"objective": objective, "page": page, "rows": _rows(page)}
    return render(request, "audit/objective_history.html", context)


class LogFilter(StyledForm):
    azione = forms.ChoiceField(
        label=_("Azione"),
        required=False,
        choices=[("", _("Tutte")), *sorted(ACTIONS.items(), key=lambda item: str(item[1]))],
    )
    utente = forms.CharField(label=_("Utente"), required=False, max_length=150)
    dal = forms.DateField(
        label=_("Dal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    al = forms.DateField(
        label=_("Al"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    oggetto = forms.CharField(label=_("Oggetto"), required=False, max_length=200)

    def filter(self, entries):
        data = self.cleaned_data
        if data["azione"]:
            entries = entries.filter(action=data["azione"])
        if data["utente"]:
            entries = entries.filter(actor_name__icontains=data["utente"])
        if data["dal"]:
            entries = entries.filter(at__date__gte=data["dal"])
        if data["al"]:
            entries = entries.filter(at__date__lte=data["al"])
        if data["oggetto"]:
            entries = entries.filter(object_repr__icontains=data["oggetto"])
        return entries


@tenant_view("audit.view_log")
def audit_log(request: TenantRequest) -> HttpResponse:
    """Every entry of the authority, newest first, filtered, 50 a page."""
    entries = AuditEntry.objects.filter(authority=request.authority).order_by("-id")
    form = LogFilter(request.GET or None)
    if form.is_valid():
        entries = form.filter(entries)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {"form": form, "page": page, "rows": _rows(page), "query": query.urlencode()}
    return render(request, "audit/log.html", context, status=400 if form.errors else 200)


def _rows(page) -> list[dict]:
    return rows(page)


urlpatterns = [
    path("schede/<int:pk>/cronologia/", objective_history, name="objective_history"),
    path("registro/", audit_log, name="audit_log"),
]
