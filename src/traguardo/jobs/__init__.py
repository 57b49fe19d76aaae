"""Long work off the request: a whole-plan PDF, an import.

    from traguardo.jobs.runner import JobResult, register, start_job

    @register("reports.plan_pdf")
    def plan_pdf(job, progress):          # runs inside scope(authority=job.authority)
        progress.set_total(len(rows))
        ...; progress.advance(message="…")
        return JobResult(data=pdf, filename="piano-2019.pdf", content_type="application/pdf")

    job = start_job(actor=request.user, authority=request.authority,
                    kind="reports.plan_pdf", title="Piano 2019 (PDF)", params={"plan": 1})
    return redirect(job)                  # the page with the progress bar and the download

How a job runs is a setting (``TRAGUARDO_JOBS``): ``thread`` (default: a worker thread of the
web process picks it up when the request's transaction commits), ``worker`` (a separate
``python -m traguardo run_jobs`` process polls the table), ``immediate`` (inline, for tests).
"""
