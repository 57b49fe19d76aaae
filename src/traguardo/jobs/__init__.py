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

A job runs as a task of Django's task framework (the ``django-tasks`` backport): the backend
(``TASKS``, chosen by ``TRAGUARDO_TASKS_BACKEND``) decides where — the database queue read by
``python -m traguardo db_worker`` (the default; ``make run`` starts one beside gunicorn), Redis
read by RQ's workers, or inline (the immediate backend, in tests). A running job writes a
heartbeat; one without it for ``TRAGUARDO_JOB_HEARTBEAT_SECONDS`` is interrupted.
"""
