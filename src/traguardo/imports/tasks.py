"""The import as two jobs: the dry run, then the write once the person confirms.

``imports.dry_run`` (a job, so that a large file gets a progress bar) checks the stored upload
(``safety``), reads it with the reader of its kind, runs ``pipeline.prepare`` one step per
scheda and keeps in the job's result the draft and what the person will review (outcomes,
problems, and for each conflict what a replacement would change).

``imports.apply`` (a job too: hundreds of schede take longer than a web worker may) runs
``confirm``: it reads the draft back from the dry-run job (not the file), runs the dry run
again against the plan as it is now, refuses if the outcome differs from what was reviewed
(the review is updated, the person decides again), writes in one transaction and marks the
dry-run job applied in that same transaction, so a second confirmation imports nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from traguardo.accounts.models import User
from traguardo.core.domain import DomainError
from traguardo.exchange.ods_reading import read_ods
from traguardo.exchange.xlsx import read_workbook
from traguardo.imports.cardtext_draft import read_card_text
from traguardo.imports.convert import convert
from traguardo.imports.draft import ImportDraft
from traguardo.imports.odt import read_odt
from traguardo.imports.pipeline import ImportOutcome, ImportPlan, apply, prepare
from traguardo.imports.safety import LEGACY, check_import_file, decode_text, max_import_bytes
from traguardo.imports.stored import dump, load_draft
from traguardo.imports.word import read_docx
from traguardo.jobs.models import Job
from traguardo.jobs.runner import JobResult, register
from traguardo.planning.models import Plan

logger = logging.getLogger(__name__)

READERS = {"xlsx": read_workbook, "docx": read_docx, "odt": read_odt, "ods": read_ods}
WHAT = {
    "xlsx": gettext_lazy("cartella Excel"),
    "docx": gettext_lazy("documento Word"),
    "odt": gettext_lazy("documento LibreOffice Writer"),
    "ods": gettext_lazy("foglio LibreOffice Calc"),
}
DRY_RUN = "imports.dry_run"
APPLY = "imports.apply"


@register(DRY_RUN)
def dry_run(job: Job, progress) -> JobResult:
    plan = Plan.objects.get(pk=job.params["plan"])
    name = job.input_name
    progress.set_total(1, _("Controllo del file…"))
    with job.input.open("rb") as stored:
        data = stored.read()
    kind = check_import_file(name, data, max_bytes=max_import_bytes())
    if kind in LEGACY:
        progress.set_total(1, _("Conversione del file con LibreOffice…"))
        name, data = convert(name, data, LEGACY[kind])
        kind = check_import_file(name, data, max_bytes=max_import_bytes())
    progress.set_total(1, _("Lettura del file…"))
    draft = read_file(name, kind, data)
    saved = dump(draft)
    progress.set_total(len(draft.schede), _("Confronto delle schede con il piano…"))
    import_plan = prepare(
        draft, plan, job.created_by, progress=lambda scheda: progress.advance(message=scheda.label)
    )
    review = review_data(import_plan)
    return JobResult(
        result={"draft": saved, "review": review, "applied": None},
        next_url=reverse("import_review", kwargs={"authority": plan.authority.slug, "pk": job.pk}),
        message=_("Analisi completata: %(n)s schede lette.") % {"n": len(draft.schede)},
    )


def read_file(name: str, kind: str, data: bytes) -> ImportDraft:
    """The draft the reader of ``kind`` makes of a file that passed the safety checks."""
    if kind == "text":
        return read_card_text(name, decode_text(name, data))
    reader = READERS[kind]
    try:
        return reader(name, data)
    except DomainError:
        raise
    except Exception:
        # A file the third-party parser chokes on: the person gets a message, the log the trace.
        logger.exception("import reader failed on %s", name)
        raise DomainError(
            _("Il file «%(name)s» non si legge come %(what)s: controllare che sia il file giusto.")
            % {"name": name, "what": WHAT[kind]}
        ) from None


def review_data(import_plan: ImportPlan) -> dict:
    """What the review page shows, JSON-safe (the page reads it without touching the plan)."""
    draft = import_plan.draft
    return {
        "plan": import_plan.plan.pk,
        "file": draft.source_name,
        "kind": draft.source_kind,
        "counts": {
            outcome: import_plan.count(outcome)
            for outcome in ("new", "unchanged", "conflict", "error", "skipped")
        },
        "open_questions": import_plan.open_questions,
        "importable": import_plan.importable,
        "blocking": import_plan.blocking,
        "file_problems": [_problem(p) for p in import_plan.problems],
        "schede": [
            {
                "ordinal": s.draft.ordinal,
                "label": s.label,
                "code": s.draft.code,
                "title": s.draft.title,
                "where": str(s.draft.where),
                "outcome": s.outcome,
                "problems": [_problem(p) for p in s.problems],
                "existing": (
                    {"pk": s.existing.pk, "position": s.existing.position, "title": str(s.existing)}
                    if s.existing
                    else None
                ),
                "can_replace": s.can_replace,
                "refusal": s.refusal,
                "changes": [change.as_dict() for change in s.changes],
                "questions": [q.as_dict() for q in s.questions],
                "open_questions": len(s.open_questions),
                "checks": s.checks,
            }
            for s in import_plan.schede
        ],
        "fingerprint": import_plan.fingerprint(),
    }


def _problem(problem) -> dict:
    return {"where": str(problem.where), "message": problem.message, "blocking": problem.blocking}


@dataclass
class Confirmation:
    """``applied``: the import was written now (``outcome``); ``changed``: the plan changed
    since the review, which was redone (nothing written)."""

    status: str
    outcome: ImportOutcome | None = None


def stored_answers(result: dict) -> dict[int, dict[str, str]]:
    """The answers kept in a dry-run job's result (JSON keys are strings)."""
    return {int(ordinal): dict(said) for ordinal, said in result.get("answers", {}).items()}


def answer(job: Job, answers: dict[int, dict[str, str]], *, actor: User) -> dict:
    """Keep the person's answers to the review's questions and make the dry run again with
    them (nothing is written to the plan); returns the new review."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.result.get("applied"):
            raise DomainError(_("Questa importazione è già stata confermata."))
        plan = Plan.objects.get(pk=locked.result["review"]["plan"])
        import_plan = prepare(load_draft(locked.result["draft"]), plan, actor, answers=answers)
        locked.result["answers"] = {str(k): v for k, v in answers.items()}
        locked.result["review"] = review_data(import_plan)
        locked.save(update_fields=["result", "updated_at"])
    job.result = locked.result
    return locked.result["review"]


def confirm(job: Job, decisions: dict[int, str], *, actor: User) -> Confirmation:
    """Write the dry run of ``job`` with ``decisions`` (ordinal → keep/replace), once."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.result.get("applied"):
            raise DomainError(
                _("Questa importazione era già stata confermata: nulla è stato importato di nuovo.")
            )
        review = locked.result["review"]
        plan = Plan.objects.get(pk=review["plan"])
        import_plan = prepare(
            load_draft(locked.result["draft"]),
            plan,
            actor,
            answers=stored_answers(locked.result),
        )
        if import_plan.fingerprint() != review["fingerprint"]:
            locked.result["review"] = {**review_data(import_plan), "changed": True}
            locked.save(update_fields=["result", "updated_at"])
            job.result = locked.result
            return Confirmation("changed")
        outcome = apply(import_plan, decisions, actor)
        locked.result["applied"] = {
            **outcome.as_dict(),
            "at": timezone.now().isoformat(),
            "by": actor.pk,
        }
        locked.save(update_fields=["result", "updated_at"])
    job.result = locked.result
    return Confirmation("applied", outcome)


@register(APPLY)
def apply_job(job: Job, progress) -> JobResult:
    """``params``: ``dry_run`` (the reviewed job's pk) and ``decisions`` (ordinal → keep or
    replace, ordinals as strings: JSON keys)."""
    dry_run_job = Job.objects.get(pk=job.params["dry_run"], kind=DRY_RUN)
    decisions = {int(ordinal): choice for ordinal, choice in job.params["decisions"].items()}
    progress.set_total(1, _("Scrittura delle schede…"))
    confirmation = confirm(dry_run_job, decisions, actor=job.created_by)
    review = dry_run_job.result["review"]
    slug = job.authority.slug
    if confirmation.status == "changed":
        return JobResult(
            next_url=reverse("import_review", kwargs={"authority": slug, "pk": dry_run_job.pk}),
            message=_(
                "Il piano è cambiato dopo l'analisi del file: nulla è stato importato e l'esito "
                "è stato aggiornato. Controllalo e conferma di nuovo."
            ),
        )
    outcome = confirmation.outcome
    if outcome is None:  # not so: an applied confirmation carries its outcome
        raise RuntimeError("an applied import without its outcome")
    plan = Plan.objects.get(pk=review["plan"])
    return JobResult(
        result=outcome.as_dict(),
        next_url=reverse("plan_detail", kwargs={"authority": slug, "year": plan.year}),
        message=outcome_message(outcome),
    )


def outcome_message(outcome: ImportOutcome) -> str:
    written = len(outcome.created) + len(outcome.replaced)
    return ngettext(
        "Importata %(n)d scheda (nuove: %(new)d, sostituite: %(replaced)d; "
        "invariate: %(same)d, mantenute: %(kept)d, non importate: %(errors)d).",
        "Importate %(n)d schede (nuove: %(new)d, sostituite: %(replaced)d; "
        "invariate: %(same)d, mantenute: %(kept)d, non importate: %(errors)d).",
        written,
    ) % {
        "n": written,
        "new": len(outcome.created),
        "replaced": len(outcome.replaced),
        "same": outcome.unchanged,
        "kept": outcome.kept,
        "errors": outcome.errors,
    }
