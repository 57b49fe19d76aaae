"""Jobs of the exchange package: the whole plan in Word, with a progress bar (one step per
scheda), for plans too large to compose within a request."""

from traguardo.exchange.word import CONTENT_TYPE, plan_docx, plan_filename
from traguardo.jobs.models import Job
from traguardo.jobs.runner import JobResult, Progress, register
from traguardo.planning.models import Plan

PLAN_DOCX = "exchange.plan_docx"


@register(PLAN_DOCX)
def plan_docx_job(job: Job, progress: Progress) -> JobResult:
    plan = Plan.objects.select_related("authority").get(pk=job.params["plan"])
    data = plan_docx(plan, progress)
    return JobResult(data=data, filename=plan_filename(plan), content_type=CONTENT_TYPE)
