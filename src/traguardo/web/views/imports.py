"""Importing schede into a plan: the upload, the dry run's review, the confirmation.

The upload is checked at once (``imports.safety``: a hostile or broken file is refused with
its reason, nothing stored); the reading and the dry run run as a job with a progress bar;
the review page shows what the job found and, once confirmed, the import is written by a
second job in one transaction (``imports.tasks.apply_job``), whose page leads to the plan.
"""

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from traguardo.core.domain import DomainError
from traguardo.core.forms import StyledForm
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.imports.pipeline import CONFLICT, KEEP, REPLACE
from traguardo.imports.safety import check_import_file, check_size, max_import_bytes
from traguardo.imports.tasks import APPLY, DRY_RUN, answer
from traguardo.jobs.models import Job
from traguardo.jobs.runner import start_job
from traguardo.planning.models import Plan

ACCEPT = ".xlsx,.ods,.docx,.odt,.txt,.doc,.xls"
OUTCOMES = {
    "new": gettext_lazy("nuova"),
    "unchanged": gettext_lazy("invariata"),
    "conflict": gettext_lazy("conflitto"),
    "error": gettext_lazy("errore"),
    "skipped": gettext_lazy("non importata"),
}
# Each outcome's badge: a Bootstrap Italia background under the badge's white text (contrast
# above 4.5:1); the word stays, colour is never the only signal.
BADGES = {
    "new": "bg-success",
    "unchanged": "bg-secondary",
    "conflict": "bg-warning",
    "error": "bg-danger",
    "skipped": "bg-secondary",
}
# The schede whose questions the page shows (an error is not imported, an unchanged one is
# already in the plan: nothing to ask).
ASKED = frozenset({"new", "conflict", "skipped"})
# The radio values a conflict is decided with, in the page's words.
CHOICES = {"mantieni": KEEP, "sostituisci": REPLACE}


class ImportForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("File da importare"),
        help_text=gettext_lazy(
            "Modello Excel (.xlsx) o LibreOffice Calc (.ods), documento Word (.docx) o "
            "LibreOffice Writer (.odt), testo delle schede (.txt); i vecchi .doc e .xls "
            "solo dove LibreOffice è installato."
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )


@tenant_view("imports.import_plan")
def plan_import(request: TenantRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    check_perm(request, "imports.import_plan", plan)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = PurePath(upload.name or "").name
        max_bytes = max_import_bytes()
        try:
            check_size(name, upload.size, max_bytes=max_bytes)
            data = upload.read()
            check_import_file(name, data, max_bytes=max_bytes)
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            try:
                job = start_job(
                    actor=request.user,
                    authority=request.authority,
                    kind=DRY_RUN,
                    title=_("Importazione di «%(name)s» in %(plan)s")
                    % {"name": name, "plan": plan},
                    params={"plan": plan.pk},
                    upload=(name, data),
                )
            except DomainError as error:  # too many jobs going for this person
                form.add_error(None, error.message)
            else:
                if job.state == Job.State.DONE and job.next_url:
                    return redirect(job.next_url)  # ran inline: straight to the dry run
                return redirect(job)
    template_url = reverse(
        "plan_template", kwargs={"authority": request.authority.slug, "year": plan.year}
    )
    context = {"plan": plan, "form": form, "template_url": template_url}
    return render(
        request, "web/imports/plan_import.html", context, status=400 if form.errors else 200
    )


@tenant_view("imports.import_plan")
def import_review(request: TenantRequest, pk: int) -> HttpResponse:
    # Only an import's job has a review: any other job (a PDF) is not found here.
    job = get_object_or_404(Job.objects.select_related("created_by"), pk=pk, kind=DRY_RUN)
    check_perm(request, "jobs.view_job", job)
    if job.state != Job.State.DONE:
        return redirect(job)
    review = job.result["review"]
    plan = get_object_or_404(Plan, pk=review["plan"])
    if request.method == "POST":
        check_perm(request, "imports.import_plan", plan)
        if not job.result.get("applied"):
            shown = _shown(review)
            posted = _answers(request, review)
            said = _given(
                {
                    ordinal: {**shown.get(ordinal, {}), **posted.get(ordinal, {})}
                    for ordinal in shown.keys() | posted.keys()
                }
            )
            if request.POST.get("azione") == "rispondi" or said != shown:
                return _answer(request, job, said)
        return _confirm(request, job, plan, review)
    applied = job.result.get("applied")
    rows = [
        {
            **row,
            "outcome_label": OUTCOMES[row["outcome"]],
            "badge": BADGES[row["outcome"]],
            "asked": row["outcome"] in ASKED and bool(row.get("questions")),
        }
        for row in review["schede"]
    ]
    may_import = request.user.has_perm("imports.import_plan", plan)
    context = {
        "job": job,
        "plan": plan,
        "review": review,
        "rows": rows,
        "conflicts": [row for row in rows if row["outcome"] == CONFLICT],
        "applied": applied,
        "may_answer": not applied and may_import,
        "asked": any(row["asked"] for row in rows),
        "open_questions": review.get("open_questions", 0),
        "can_confirm": not applied
        and review["importable"]
        and not review.get("open_questions", 0)
        and may_import,
    }
    return render(request, "web/imports/review.html", context)


def _answers(request: HttpRequest, review: dict) -> dict[int, dict[str, str]]:
    """The answers posted for the review's questions (``q-<ordinal>-<key>``), only those
    posted; a value the page did not offer counts as no answer (the question stays open)."""
    answers: dict[int, dict[str, str]] = {}
    for row in review["schede"]:
        if row["outcome"] not in ASKED:
            continue
        said = {}
        for question in row.get("questions", []):
            name = f"q-{row['ordinal']}-{question['key']}"
            if name in request.POST:
                value = request.POST[name]
                offered = {option[0] for option in question["options"]}
                said[question["key"]] = value if value in offered else ""
            if question["key"] == "code" and f"{name}-new" in request.POST:
                said["code-new"] = request.POST[f"{name}-new"].strip()[:30]
        if said:
            answers[row["ordinal"]] = said
    return answers


def _given(answers: dict) -> dict:
    return {
        ordinal: {key: value for key, value in said.items() if value}
        for ordinal, said in answers.items()
        if any(said.values())
    }


def _shown(review: dict) -> dict:
    """The answers the page showed (given, or the readings proposed): a confirm that changes
    none of them confirms; one that changes any is taken as answers first."""
    shown = {}
    for row in review["schede"]:
        if row["outcome"] not in ASKED:
            continue
        said = {}
        for question in row.get("questions", []):
            if question["answer"]:
                said[question["key"]] = question["answer"]
            if question["key"] == "code" and question.get("extra", {}).get("code_new"):
                said["code-new"] = question["extra"]["code_new"]
        if said:
            shown[row["ordinal"]] = said
    return shown


def _answer(request: TenantRequest, job: Job, answers: dict) -> HttpResponse:
    """Keep the answers and make the dry run again with them: the page shows the outcome."""
    try:
        review = answer(job, answers, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if review["open_questions"]:
            messages.warning(
                request,
                _("Risposte registrate; restano %(n)s domande senza risposta.")
                % {"n": review["open_questions"]},
            )
        else:
            messages.success(
                request, _("Risposte registrate: controllare l'esito e confermare l'importazione.")
            )
    return redirect(
        reverse("import_review", kwargs={"authority": request.authority.slug, "pk": job.pk})
    )


def _confirm(request: TenantRequest, job: Job, plan: Plan, review: dict) -> HttpResponse:
    """Check the decisions, then write as a job (hundreds of schede outlast a request)."""
    try:
        decisions = _decisions(request, review)
        apply_job = start_job(
            actor=request.user,
            authority=request.authority,
            kind=APPLY,
            title=_("Conferma dell'importazione di «%(name)s» in %(plan)s")
            % {"name": review["file"], "plan": plan},
            params={"dry_run": job.pk, "decisions": {str(k): v for k, v in decisions.items()}},
        )
    except DomainError as error:  # a decision not offered, or too many jobs going
        messages.error(request, error.message)
        return redirect(
            reverse("import_review", kwargs={"authority": request.authority.slug, "pk": job.pk})
        )
    return redirect(apply_job)


def _decisions(request: HttpRequest, review: dict) -> dict[int, str]:
    """The choice made for each conflict (keep when none); a choice the page did not offer
    is refused with the scheda it was about."""
    decisions = {}
    for row in review["schede"]:
        if row["outcome"] != CONFLICT:
            continue
        said = request.POST.get(f"scheda-{row['ordinal']}", "mantieni")
        if said not in CHOICES:
            raise DomainError(
                _("Scelta «%(said)s» non valida per la %(label)s: mantieni o sostituisci.")
                % {"said": said[:40], "label": row["label"]}
            )
        if CHOICES[said] == REPLACE and not row["can_replace"]:
            raise DomainError(
                _("La %(label)s non può essere sostituita: %(why)s")
                % {"label": row["label"], "why": row["refusal"]}
            )
        decisions[row["ordinal"]] = CHOICES[said]
    return decisions


urlpatterns = [
    path("piani/<int:year>/importa/", plan_import, name="plan_import"),
    path("importazioni/<int:pk>/", import_review, name="import_review"),
]
