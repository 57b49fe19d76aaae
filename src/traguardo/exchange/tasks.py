"""Jobs of the exchange package: the files whose size grows with the plan — the whole plan in
Word (one progress step per scheda), the plan's workbook (XLSX, ODS) and each of its tables in
CSV. None of them is composed within a request."""

from django.utils.translation import gettext as _

from traguardo.exchange import csv, ods, xlsx
from traguardo.exchange.word import CONTENT_TYPE, plan_docx, plan_filename
from traguardo.jobs.models import Job
from traguardo.jobs.runner import JobResult, Progress, register
from traguardo.planning.models import Plan
from traguardo.reports import copies

PLAN_DOCX = "exchange.plan_docx"
PLAN_WORKBOOK = "exchange.plan_workbook"
PLAN_CSV = "exchange.plan_csv"

# The workbook formats: the builder and the content type of each.
WORKBOOKS = {
    "xlsx": (xlsx.plan_workbook, xlsx.CONTENT_TYPE),
    "ods": (ods.plan_ods, ods.CONTENT_TYPE),
}


@register(PLAN_DOCX)
def plan_docx_job(job: Job, progress: Progress) -> JobResult:
    """The plan in Word; ``params["internal"]``: the copy with the Segnalazioni."""
    plan = Plan.objects.select_related("authority").get(pk=job.params["plan"])
    internal = bool(job.params.get("internal"))
    data = plan_docx(plan, progress, internal=internal)
    filename = copies.filename(plan_filename(plan), internal)
    return JobResult(data=data, filename=filename, content_type=CONTENT_TYPE)


@register(PLAN_WORKBOOK)
def plan_workbook_job(job: Job, progress: Progress) -> JobResult:
    plan = Plan.objects.select_related("authority").get(pk=job.params["plan"])
    fmt = job.params["format"]
    build, content_type = WORKBOOKS[fmt]
    progress.set_total(1, _("Lettura delle schede e scrittura del file…"))
    data = build(plan)
    progress.advance()
    filename = _("piano-%(year)s.%(ext)s") % {"year": plan.year, "ext": fmt}
    return JobResult(data=data, filename=filename, content_type=content_type)


@register(PLAN_CSV)
def plan_csv_job(job: Job, progress: Progress) -> JobResult:
    plan = Plan.objects.select_related("authority").get(pk=job.params["plan"])
    table = job.params["table"]
    progress.set_total(1, _("Lettura delle schede e scrittura del file…"))
    data = csv.table_csv(plan, table)
    progress.advance()
    filename = _("piano-%(year)s-%(table)s.csv") % {"year": plan.year, "table": table}
    return JobResult(data=data, filename=filename, content_type=csv.CONTENT_TYPE)
