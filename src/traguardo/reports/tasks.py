"""The long documents as jobs: the plan, the Relazione, the Verifica intermedia (PDF).

Progress is real: one step for the scores, one per scheda examined, one for the layout
(Typst for the plan, WeasyPrint for the Relazione and the Verifica: a single step).
"""

from django.utils.translation import gettext as _

from traguardo.jobs.models import Job
from traguardo.jobs.runner import JobResult, Progress, register
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import Plan
from traguardo.reports import copies, paper
from traguardo.reports.relazione import relazione_filename, render_relazione_pdf
from traguardo.reports.scheda import plan_pages
from traguardo.reports.verifica import render_verifica_pdf, verifica_filename

PDF = "application/pdf"


def plan_filename(plan: Plan) -> str:
    return _("piano-%(year)s.pdf") % {"year": plan.year}


@register("reports.plan_pdf")
def plan_pdf(job: Job, progress: Progress) -> JobResult:
    """The plan's PDF; ``params["internal"]``: the copy with the Segnalazioni."""
    plan = Plan.objects.get(pk=job.params["plan"])
    internal = bool(job.params.get("internal"))
    progress.set_total(2, _("Lettura delle schede e calcolo dei risultati…"))
    page = plan_pages(plan)
    progress.advance(message=_("Impaginazione del documento…"))
    data = paper.plan_pdf(page, internal=internal)
    filename = copies.filename(plan_filename(plan), internal)
    return JobResult(data=data, filename=filename, content_type=PDF)


@register("reports.relazione_pdf")
def relazione_pdf(job: Job, progress: Progress) -> JobResult:
    plan = Plan.objects.get(pk=job.params["plan"])
    data = render_relazione_pdf(plan, progress)
    return JobResult(data=data, filename=relazione_filename(plan), content_type=PDF)


@register("reports.verifica_pdf")
def verifica_pdf(job: Job, progress: Progress) -> JobResult:
    period = MonitoringPeriod.objects.select_related("plan").get(pk=job.params["period"])
    data = render_verifica_pdf(period.plan, period, progress)
    return JobResult(data=data, filename=verifica_filename(period), content_type=PDF)
