"""The scheda di valutazione individuale as a PDF (``reports.individual``).

Whoever may see the evaluation may print it (``evaluation.view_evaluation``: the admins, the
evaluator, the Nucleo for the families it reviews, the evaluated person once delivered); the
others of the authority get 403, anyone else 404. As the scheda's PDF, it is composed in the
request (a few pages) and not audited: reading is not a change. Unlike it, no cache may keep
the file: it holds a person's evaluation.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_safe

from traguardo.core.downloads import attachment
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.evaluation.models import Assignment
from traguardo.evaluation.scores import assignment_result
from traguardo.reports import individual


@tenant_view("evaluation.view_evaluations")
@require_safe
def evaluation_pdf(request: TenantRequest, pk: int) -> HttpResponse:
    """The printed scheda of an assignment (``pk``, as the scheda's page): a draft not yet
    written prints as a draft."""
    assignment = get_object_or_404(Assignment.objects.select_related("family", "evaluation"), pk=pk)
    check_perm(request, "evaluation.view_evaluation", assignment)
    result = assignment_result(assignment)
    data = individual.evaluation_pdf(result)
    return attachment(data, individual.filename(result), "application/pdf", no_store=True)


urlpatterns = [
    path("valutazioni/scheda/<int:pk>/pdf/", evaluation_pdf, name="evaluation_pdf"),
]
