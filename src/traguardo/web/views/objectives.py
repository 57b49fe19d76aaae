"""Schede: the card page, its PDF and the editor."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.planning.models import Objective
from traguardo.reports.pdf import pdf_response
from traguardo.reports.scheda import scheda_page


@tenant_view("planning.view_objective")
def objective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective(request, pk)
    return render(request, "web/objective_detail.html", {"card": scheda_page(objective)})


@tenant_view("planning.view_objective")
def objective_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    objective = _objective(request, pk)
    card = scheda_page(objective)
    filename = _("scheda-%(code)s.pdf") % {"code": objective.code or objective.position}
    return pdf_response(request, "reports/scheda_pdf.html", {"card": card}, filename)


def _objective(request: HttpRequest, pk: int) -> Objective:
    objective = Objective.objects.filter(pk=pk).select_related("plan").first()
    if objective is None:
        raise Http404
    check_perm(request, "planning.view_objective", objective)
    return objective


urlpatterns = [
    path("schede/<int:pk>/", objective_detail, name="objective_detail"),
    path("schede/<int:pk>/stampa.pdf", objective_pdf, name="objective_pdf"),
]
