"""From a draft to the plan: the dry run (``prepare``) and the write (``apply``).

``prepare(draft, plan, actor)`` writes nothing. It resolves the names the file uses against
the authority (``imports.names``: units, people, scales, SMVP levels, ambiti, DUP goals),
reads the measure of an indicator from its formula when the file does not say it, and
decides for each scheda:

- ``new``: nothing like it in the plan; it will be added;
- ``unchanged``: the plan already holds the same scheda (same code and content; for a scheda
  without code the same content) — so importing a file twice creates nothing;
- ``conflict``: the code is in the plan with different content; the person chooses to keep
  the plan's scheda (the default) or to replace it with the file's, where they may change it,
  seeing what would change (``imports.changes``); a replacement that would delete rows with
  measurements is refused;
- ``error``: a blocking problem; the scheda is not imported.

``apply(import_plan, decisions, actor)`` writes in one transaction: the new schede, the
replacements chosen, their versions (``ObjectiveVersion``) and audit entries as the editor
writes them, and one ``import.apply`` entry for the whole import. Schede keep whatever the
file said, faults included; the plan's checks flag them, a person fixes them in the editor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from traguardo.accounts.models import User
from traguardo.audit.log import Record, log_actions
from traguardo.core.domain import ConflictError, DomainError, require
from traguardo.core.text import check_single_line, clean_line, clean_multiline
from traguardo.imports.changes import (
    ACTIVITY_KEYS,
    HEADER_KEYS,
    INDICATOR_KEYS,
    Change,
    differences,
    removed_measured,
)
from traguardo.imports.draft import (
    ActivityDraft,
    ImportDraft,
    IndicatorDraft,
    Problem,
    SchedaDraft,
    TargetDraft,
    Where,
)
from traguardo.imports.interpret import read_measure
from traguardo.imports.names import Names, ScaleRef, normalize, points_in
from traguardo.imports.questions import (
    KEEP_CODE,
    RENAME,
    SKIP,
    Question,
    code_options,
    measure_label,
    measure_options,
    measure_value,
)
from traguardo.monitoring.models import Measurement
from traguardo.organization.models import GradingScale
from traguardo.planning.checks import DATE_ONLY_MEASURES, describe_issue, objective_facts
from traguardo.planning.domain.objectives import VersionWrite, keep_versions
from traguardo.planning.domain.rows import (
    NewScheda,
    RowWrite,
    SchedaRows,
    TargetWrite,
    insert_schede,
    write_rows,
)
from traguardo.planning.guards import lock_plan, require_now
from traguardo.planning.models import Activity, Indicator, Objective, Plan
from traguardo.planning.versioning import one_bump
from traguardo.planning.versions import objective_state
from traguardo.scoring import (
    ActivityFacts,
    Direction,
    IndicatorFacts,
    Measure,
    ObjectiveFacts,
    check_plan,
)

NEW, UNCHANGED, CONFLICT, ERROR = "new", "unchanged", "conflict", "error"
SKIPPED = "skipped"  # the person chose not to import it (a code repeated in the file)
KEEP, REPLACE = "keep", "replace"


# Field lengths of the models: longer text is refused in the dry run, not by the database.
_HEADER_LIMITS = {
    "code": 30,
    "title": 300,
    "dup_text": 300,
    "unit_text": 300,
    "responsible_text": 200,
    "involved_text": 500,
}
_INDICATOR_LIMITS = {"name": 300, "formula_text": 300, "baseline_text": 100, "grading_text": 300}
_TARGET_LIMITS = {"value_text": 100, "due_text": 100}
_ACTIVITY_LIMITS = {
    "title": 300,
    "timing_text": 100,
    "indicator_text": 300,
    "expected_text": 100,
    "grading_text": 300,
    "achieved_text": 100,
}
_LABELS = {
    "code": gettext_lazy("codice obiettivo"),
    "title": gettext_lazy("denominazione"),
    "dup_text": gettext_lazy("riferimento DUP"),
    "unit_text": gettext_lazy("unità organizzativa responsabile"),
    "responsible_text": gettext_lazy("responsabile"),
    "involved_text": gettext_lazy("unità organizzative coinvolte"),
    "name": gettext_lazy("denominazione"),
    "formula_text": gettext_lazy("formula di calcolo"),
    "baseline_text": gettext_lazy("valore di riferimento"),
    "grading_text": gettext_lazy("graduazione"),
    "value_text": gettext_lazy("valore atteso"),
    "due_text": gettext_lazy("alla data"),
    "timing_text": gettext_lazy("tempi"),
    "indicator_text": gettext_lazy("indicatori"),
    "expected_text": gettext_lazy("livello atteso"),
    "achieved_text": gettext_lazy("raggiunto"),
    "weight": gettext_lazy("peso"),
    "value": gettext_lazy("valore atteso"),
    "baseline": gettext_lazy("valore di riferimento"),
}


# -- what the dry run found --------------------------------------------------------------


@dataclass
class ResolvedIndicator:
    position: int
    values: dict  # Indicator fields except the scale
    scale: ScaleRef | None
    targets: list[TargetDraft]


@dataclass
class ResolvedActivity:
    position: int
    values: dict  # Activity fields except the scale
    scale: ScaleRef | None


@dataclass
class Resolved:
    """A scheda as rows to write: model field values, ids of the authority's rows."""

    header: dict
    involved_ids: list[int]
    area_ids: list[int]
    indicators: list[ResolvedIndicator]
    activities: list[ResolvedActivity]
    import_notes: list[dict]

    def content(self) -> dict:
        """What makes two schede the same (import notes and series are not content)."""
        return {
            **{k: v for k, v in self.header.items() if k != "import_notes"},
            "involved": sorted(self.involved_ids),
            "areas": sorted(self.area_ids),
            "indicators": [
                (
                    i.position,
                    *(i.values[k] for k in INDICATOR_KEYS),
                    i.scale.name if i.scale else "",
                    sorted(_target_key(t) for t in i.targets),
                )
                for i in self.indicators
            ],
            "activities": [
                (
                    a.position,
                    *(a.values[k] for k in ACTIVITY_KEYS),
                    a.scale.name if a.scale else "",
                )
                for a in self.activities
            ],
        }

    def target_years(self) -> set[int]:
        return {self.header["year"]} | {t.year for i in self.indicators for t in i.targets}


def _target_key(t) -> tuple:
    return (t.kind, t.year, t.value, t.value_text, t.due_date, t.due_text)


def objective_content(objective: Objective, years: set[int]) -> dict:
    """``Resolved.content`` of a stored scheda (its rows prefetched as ``existing_schede``
    does); only the targets of ``years`` count, the years the file speaks of."""
    return {
        **{k: getattr(objective, k) for k in HEADER_KEYS},
        "involved": sorted(u.pk for u in objective.involved_units.all()),
        "areas": sorted(a.pk for a in objective.areas.all()),
        "indicators": [
            (
                i.position,
                *(getattr(i, k) for k in INDICATOR_KEYS),
                i.grading_scale.name if i.grading_scale else "",
                sorted(_target_key(t) for t in i.targets.all() if t.year in years),
            )
            for i in objective.indicators.all()
        ],
        "activities": [
            (
                a.position,
                *(getattr(a, k) for k in ACTIVITY_KEYS),
                a.grading_scale.name if a.grading_scale else "",
            )
            for a in objective.activities.all()
        ],
    }


@dataclass
class SchedaPlan:
    draft: SchedaDraft
    outcome: str
    resolved: Resolved
    problems: list[Problem]
    existing: Objective | None = None  # the plan's scheda matched: UNCHANGED and CONFLICT
    can_replace: bool = False
    refusal: str = ""  # why a conflict cannot be replaced, or why a scheda is an error
    changes: list[Change] = field(default_factory=list)  # what replacing would change
    questions: list[Question] = field(default_factory=list)  # asked on the review page
    # The plan's own checks on the scheda as it would be written (``planning.checks``):
    # [{"message": …, "error": bool}], the plan page's sentences.
    checks: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.draft.label

    @property
    def matched(self) -> Objective:
        """The plan's scheda this one matched, which an UNCHANGED or CONFLICT scheda has."""
        if self.existing is None:
            raise RuntimeError(f"{self.label} ({self.outcome}) matched no scheda of the plan")
        return self.existing

    @property
    def open_questions(self) -> list[Question]:
        if self.outcome in (ERROR, SKIPPED, UNCHANGED):
            return []
        return [q for q in self.questions if q.open]


@dataclass
class ImportPlan:
    draft: ImportDraft
    plan: Plan
    schede: list[SchedaPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # about the file as a whole

    @property
    def blocking(self) -> bool:
        return any(p.blocking for p in self.problems)

    def count(self, outcome: str) -> int:
        return sum(1 for s in self.schede if s.outcome == outcome)

    @property
    def open_questions(self) -> int:
        """Questions still without an answer: confirm waits for them."""
        return sum(len(s.open_questions) for s in self.schede)

    @property
    def importable(self) -> bool:
        """Something could be written: a new scheda, or a conflict the person may replace."""
        return not self.blocking and any(
            s.outcome == NEW or (s.outcome == CONFLICT and s.can_replace) for s in self.schede
        )

    def fingerprint(self) -> list[list]:
        """What the person decided on: the outcome of each scheda against which plan row.
        The confirmation is refused when a fresh dry run no longer gives the same."""
        return [
            [
                s.draft.ordinal,
                s.outcome,
                s.resolved.header["code"] if s.resolved else s.draft.code,
                s.existing.pk if s.existing else None,
                s.existing.version if s.existing else None,
            ]
            for s in self.schede
        ]


@dataclass
class ImportOutcome:
    created: list[Objective]
    replaced: list[Objective]
    unchanged: int
    kept: int
    errors: int
    skipped: int = 0

    def as_dict(self) -> dict:
        return {
            "created": len(self.created),
            "replaced": len(self.replaced),
            "unchanged": self.unchanged,
            "kept": self.kept,
            "errors": self.errors,
            "skipped": self.skipped,
        }


# -- the dry run ---------------------------------------------------------------------------


def prepare(
    draft: ImportDraft,
    plan: Plan,
    actor: User | None,
    *,
    aliases: dict[str, tuple[str, bool]] | None = None,
    progress: Callable[[SchedaDraft], None] | None = None,
    answers: dict[int, dict[str, str]] | None = None,
) -> ImportPlan:
    """The dry run of ``draft`` into ``plan`` for ``actor`` (None: the system). Writes nothing.

    ``aliases`` maps words a file uses for a unit to the unit's name, and whether reading
    them so deserves a note (a typo) — the seed's offices. ``progress`` is called per scheda.
    ``answers`` are the person's answers to the review page's questions, by scheda ordinal
    (``imports.questions``).
    """
    result = ImportPlan(draft=draft, plan=plan, problems=list(draft.problems))
    if result.blocking:
        return result
    if not draft.schede:
        result.problems.append(
            Problem(
                Where(),
                _("Il file «%(name)s» non contiene schede.") % {"name": draft.source_name},
                blocking=True,
            )
        )
        return result
    _other_authority(result)
    names = Names(plan.authority, aliases or {})
    answers = answers or {}
    repeated = _repeated_codes(draft.schede)
    for scheda in draft.schede:
        said = answers.get(scheda.ordinal, {})
        result.schede.append(_resolve(scheda, plan, names, actor, said, repeated))
        if progress is not None:
            progress(scheda)
    _codes_after_answers(result, repeated)
    existing = existing_schede(plan)
    _match(result, existing, actor, names)
    _plan_checks(result, existing)
    return result


def _other_authority(result: ImportPlan) -> None:
    """A file naming another authority in its title or page header is said so."""
    ours = normalize(result.plan.authority.name)
    named = result.draft.authority_names
    if not named or any(normalize(name) in ours or ours in normalize(name) for name in named):
        return
    result.problems.append(
        Problem(
            Where(),
            _(
                "Il file è intestato a «%(other)s», non a «%(ours)s»: controllare che sia un "
                "file di questo ente prima di confermare."
            )
            % {"other": named[0], "ours": result.plan.authority.name},
        )
    )


def _one_series(drafts: list[SchedaDraft]) -> bool:
    """The yearly schede of one multi-year objective (same title, one per year, or linked by
    the file as one series) carry one code: not a conflict of the file (the plan's check on
    codes still says so, on the review page as on the plan page)."""
    heads = {d.series_ordinal or d.ordinal for d in drafts}
    if len(heads) == 1 and any(d.series_ordinal for d in drafts):
        return True
    titles = {normalize(d.title) for d in drafts}
    years = [d.year or d.first_year for d in drafts]
    multi = all(d.first_year is not None and d.first_year != d.last_year for d in drafts)
    return multi and len(titles) == 1 and None not in years and len(set(years)) == len(years)


def _repeated_codes(schede: list[SchedaDraft]) -> dict[str, list[SchedaDraft]]:
    """The codes two or more schede of the file use, with those schede."""
    groups: dict[str, list[SchedaDraft]] = {}
    for scheda in schede:
        code = clean_line(scheda.code).strip().casefold()
        if code:
            groups.setdefault(code, []).append(scheda)
    return {
        code: group for code, group in groups.items() if len(group) > 1 and not _one_series(group)
    }


def _codes_after_answers(result: ImportPlan, repeated: dict[str, list[SchedaDraft]]) -> None:
    """After the answers, the codes the file would write must still be unique: any that is
    not reopens the question on every scheda that uses it."""
    if not repeated:
        return
    by_code: dict[str, list[SchedaPlan]] = {}
    for scheda in result.schede:
        if scheda.outcome in (ERROR, SKIPPED):
            continue
        code = scheda.resolved.header["code"].casefold()
        if code:
            by_code.setdefault(code, []).append(scheda)
    for group in by_code.values():
        if len(group) < 2 or _one_series([s.draft for s in group]):
            continue
        labels = ", ".join(s.label for s in group)
        for scheda in group:
            question = next((q for q in scheda.questions if q.key == "code"), None)
            if question is None:
                question = _code_question(scheda.draft, group_labels=labels, answer="")
                scheda.questions.insert(0, question)
            elif question.answer:
                question.answer = ""
                question.text += " " + _(
                    "Con le risposte date, il codice è ancora usato da: %(labels)s."
                ) % {"labels": labels}


def existing_schede(plan: Plan) -> list[Objective]:
    """The plan's schede with every row the comparison reads (six queries)."""
    indicators = Indicator.objects.select_related("grading_scale").prefetch_related("targets")
    return list(
        plan.objectives.select_related(
            "plan", "dup_goal", "unit", "responsible", "strategic_level", "complexity_level",
            "kind_level",
        ).prefetch_related(
            Prefetch("indicators", queryset=indicators),
            Prefetch("activities", queryset=Activity.objects.select_related("grading_scale")),
            "involved_units",
            "areas",
        )
    )  # fmt: skip


def _match(result: ImportPlan, existing: list[Objective], actor: User | None, names: Names) -> None:
    by_code: dict[str, list[Objective]] = {}
    for objective in existing:
        by_code.setdefault(objective.code.strip().casefold(), []).append(objective)
    used: set[int] = set()
    pending = [s for s in result.schede if s.outcome not in (ERROR, SKIPPED)]
    # First the identical schede, so that a file imported twice matches row for row.
    for scheda in list(pending):
        content = scheda.resolved.content()
        years = scheda.resolved.target_years()
        for objective in by_code.get(scheda.resolved.header["code"].casefold(), []):
            if objective.pk not in used and objective_content(objective, years) == content:
                scheda.outcome, scheda.existing = UNCHANGED, objective
                used.add(objective.pk)
                pending.remove(scheda)
                break
    for scheda in pending:
        code = scheda.resolved.header["code"].casefold()
        candidates = [o for o in by_code.get(code, []) if o.pk not in used] if code else []
        if not candidates:
            scheda.outcome = NEW
            if code and by_code.get(code):
                scheda.problems.append(
                    Problem(
                        scheda.draft.where,
                        _(
                            "Il codice «%(code)s» è già usato nel piano: la scheda sarà "
                            "aggiunta con lo stesso codice."
                        )
                        % {"code": scheda.resolved.header["code"]},
                    )
                )
            continue
        same_year = [o for o in candidates if o.year == scheda.resolved.header["year"]]
        objective = (same_year or candidates)[0]
        used.add(objective.pk)
        scheda.outcome, scheda.existing = CONFLICT, objective
        scheda.can_replace, scheda.refusal = _may_replace(objective, scheda, actor)
    _compare_conflicts(result, names)
    _refuse_other_units(result, actor)


def _plan_checks(result: ImportPlan, existing: list[Objective]) -> None:
    """The plan's own checks (``scoring.check_plan``, the plan page's sentences) on each
    scheda of the file as it would be written, together with the plan's schede: a blank
    Punteggio, weights that do not make 100 %, activities without dates, a code used twice
    are said here, before confirm, exactly as the plan page says them after."""
    file_schede = [s for s in result.schede if s.outcome not in (ERROR, SKIPPED, UNCHANGED)]
    if not file_schede:
        return
    replaced = {s.existing.pk for s in file_schede if s.existing is not None}
    facts = [objective_facts(o) for o in existing if o.pk not in replaced]
    facts += [_facts(s) for s in file_schede]
    plan = result.plan
    issues = check_plan(facts, first_year=plan.year, last_year=plan.last_year)
    for scheda in file_schede:
        scheda.checks = [
            {"message": describe_issue(issue), "error": issue.severity == "error"}
            for issue in issues.get(("file", scheda.draft.ordinal), [])
        ]


def _facts(scheda: SchedaPlan) -> ObjectiveFacts:
    """The engine's facts of a scheda as the file would write it (``objective_facts`` of a
    stored one)."""
    resolved = scheda.resolved
    header = resolved.header
    year = header["year"]
    indicators = []
    for row in resolved.indicators:
        finals = [t for t in row.targets if t.kind == "final"]
        final = next((t for t in finals if t.year == year), finals[0] if len(finals) == 1 else None)
        intermediate = next(
            (t for t in row.targets if t.kind == "intermediate" and t.year == year), None
        )
        measure = Measure(row.values["measure"])
        indicators.append(
            IndicatorFacts(
                position=row.position,
                weight=row.values["weight"],
                final_value=final is not None
                and (final.value is not None or measure in DATE_ONLY_MEASURES),
                final_due_on=final.due_date if final else None,
                final_due_text=final.due_text if final else "",
                intermediate_due_on=intermediate.due_date if intermediate else None,
                has_scale=row.scale is not None,
            )
        )
    activities = tuple(
        ActivityFacts(
            position=row.position,
            weight=row.values["weight"],
            start_on=row.values["start_date"],
            end_on=row.values["end_date"],
        )
        for row in resolved.activities
    )
    return ObjectiveFacts(
        key=("file", scheda.draft.ordinal),
        code=header["code"],
        title=header["title"],
        has_unit=header["unit_id"] is not None,
        has_responsible=header["responsible_id"] is not None,
        has_weight_score=None
        not in (
            header["strategic_level_id"],
            header["complexity_level_id"],
            header["kind_level_id"],
        ),
        has_areas=bool(resolved.area_ids),
        indicators=tuple(indicators),
        activities=activities,
    )


def _compare_conflicts(result: ImportPlan, names: Names) -> None:
    """Each conflict's differences; a replacement that would delete rows with measurements
    (and their evidence) is refused. Two queries whatever the number of conflicts."""
    conflicts = [s for s in result.schede if s.outcome == CONFLICT]
    if not conflicts:
        return
    ids = [s.matched.pk for s in conflicts]
    measured: dict[tuple[str, int], set[int]] = {}
    for kind, rows in (
        ("indicator", Measurement.objects.filter(indicator__objective__in=ids)),
        ("activity", Measurement.objects.filter(activity__objective__in=ids)),
    ):
        for objective_id, position in rows.values_list(
            f"{kind}__objective_id", f"{kind}__position"
        ).distinct():
            measured.setdefault((kind, objective_id), set()).add(position)
    for scheda in conflicts:
        pk = scheda.matched.pk
        indicators = measured.get(("indicator", pk), set())
        activities = measured.get(("activity", pk), set())
        old = objective_content(scheda.matched, scheda.resolved.target_years())
        new = scheda.resolved.content()
        scheda.changes = differences(old, new, names.labels, indicators, activities)
        reasons = removed_measured(old, new, indicators, activities)
        if reasons and scheda.can_replace:
            scheda.can_replace, scheda.refusal = False, " ".join(reasons)


def _may_replace(objective: Objective, scheda: SchedaPlan, actor: User | None) -> tuple[bool, str]:
    if actor is None:
        return True, ""
    if not actor.has_perm("planning.change_objective", objective):
        if objective.plan.state not in ("draft", "submitted"):
            return False, _("Il piano è approvato: le sue schede si cambiano con una variazione.")
        return False, _("Questa scheda del piano non è modificabile con il ruolo assegnato.")
    if not _may_write_unit(actor, objective.plan, scheda.resolved.header["unit_id"]):
        return False, _("Nel file la scheda è di un'unità di cui non sei responsabile.")
    return True, ""


def _may_write_unit(actor: User | None, plan: Plan, unit_id: int | None) -> bool:
    """The editor's rule: a manager names only the units they head (admins any)."""
    if actor is None:
        return True
    probe = Objective(authority=plan.authority, plan=plan, unit_id=unit_id)
    return actor.has_perm("planning.change_objective", probe)


def _refuse_other_units(result: ImportPlan, actor: User | None) -> None:
    for scheda in result.schede:
        if scheda.outcome == NEW and not _may_write_unit(
            actor, result.plan, scheda.resolved.header["unit_id"]
        ):
            scheda.outcome = ERROR
            scheda.refusal = _(
                "Si possono importare solo schede delle unità di cui si è responsabili: "
                "l'unità di questa scheda non è tra queste (o non è stata riconosciuta)."
            )
            scheda.problems.append(Problem(scheda.draft.where, scheda.refusal, blocking=True))


def _code_question(draft: SchedaDraft, *, group_labels: str, answer: str) -> Question:
    return Question(
        key="code",
        text=_(
            "Il codice «%(code)s» è usato da più schede del file (%(labels)s): scegliere per "
            "ciascuna se importarla con un nuovo codice, non importarla o importarla con "
            "questo codice."
        )
        % {"code": draft.code.strip(), "labels": group_labels},
        options=code_options(),
        answer=answer,
    )


_SINGLE_LINE = ("code", "responsible_text", "responsible_name", "unit_name", "unit_text")
_LINE = ("title", "dup_text", "involved_text", "strategic_text", "complexity_text", "kind_text")
_MULTILINE = ("expected_result", "notes")


def _clean_draft(draft: SchedaDraft, problem) -> None:
    """Every text of the scheda through the one normaliser (``core.text``): control characters
    go, line separators become line breaks where a field has lines, and a code or a name that
    holds a line break is refused (it would split an e-mail or a feed)."""
    for name in _SINGLE_LINE:
        text, broken = check_single_line(getattr(draft, name))
        setattr(draft, name, text)
        if broken:
            problem(
                _("«%(field)s» non può andare a capo: «%(text)s». Occorre correggere il file.")
                % {"field": _LABELS.get(name, name), "text": text[:60]},
                blocking=True,
            )
    draft.involved_names = [check_single_line(n)[0] for n in draft.involved_names]
    for name in _LINE:
        setattr(draft, name, clean_line(getattr(draft, name)).strip())
    for name in _MULTILINE:
        setattr(draft, name, clean_multiline(getattr(draft, name)).strip())
    for row in draft.indicators:
        for name in ("name", "formula_text", "baseline_text", "grading_text", "weight_text"):
            setattr(row, name, clean_line(getattr(row, name)).strip())
        for target in row.targets:
            target.value_text = clean_line(target.value_text).strip()
            target.due_text = clean_line(target.due_text).strip()
    for activity in draft.activities:
        for name in (
            "title", "weight_text", "timing_text", "indicator_text", "expected_text",
            "grading_text", "achieved_text",
        ):  # fmt: skip
            setattr(activity, name, clean_line(getattr(activity, name)).strip())


_DIMENSIONS = (
    ("strategic", "strategic_text", gettext_lazy("Strategicità"), gettext_lazy("punti")),
    ("complexity", "complexity_text", gettext_lazy("Complessità"), gettext_lazy("punti")),
    ("kind", "kind_text", gettext_lazy("Tipologia"), gettext_lazy("come coefficiente")),
)


def _levels(draft: SchedaDraft, names: Names, answers: dict, problem, questions: list) -> dict:
    """The three Punteggio levels: by label, code or points; otherwise asked, the value kept
    verbatim in the question and the import notes."""
    levels: dict[str, int | None] = {}
    for dimension, attribute, label, unit in _DIMENSIONS:
        text = getattr(draft, attribute)
        found = names.levels_for(dimension, text)
        levels[dimension] = found[0].pk if len(found) == 1 else None
        if not text or len(found) == 1:
            continue
        choices = [
            (str(level.pk), f"{level.label} ({level.value.normalize():f})")
            for level in names.levels_of(dimension)
        ]
        points = points_in(text)
        if points is None and not found:
            why = _("«%(t)s» non è un livello del sistema di valutazione dell'ente") % {"t": text}
        elif not found:
            why = _("nessun livello vale %(t)s %(unit)s") % {"t": text, "unit": unit}
        else:
            why = _("più livelli valgono %(t)s %(unit)s") % {"t": text, "unit": unit}
        answer = answers.get(dimension, "")
        answer = answer if answer in {value for value, _label in choices} else ""
        questions.append(
            Question(
                key=dimension,
                text=_("%(what)s %(t)s: %(why)s — scegliere il livello.")
                % {"what": label, "t": text, "why": why},
                options=choices,
                answer=answer,
            )
        )
        problem(
            _("%(what)s letta dal file: «%(t)s».") % {"what": label, "t": text},
            note=f"{dimension}_level",
        )
        levels[dimension] = int(answer) if answer else None
    _score_agrees(draft, names, levels, problem)
    return levels


def _score_agrees(draft: SchedaDraft, names: Names, levels: dict, problem) -> None:
    """The Punteggio the file writes against the one its levels make."""
    written = points_in(draft.score_text) if draft.score_text else None
    if written is None or None in levels.values():
        return
    value = {level.pk: level.value for level in names.level_rows}
    made = (value[levels["strategic"]] + value[levels["complexity"]]) * value[levels["kind"]]
    if made != written:
        problem(
            _("Il file scrive Punteggio %(w)s, ma i livelli letti danno %(m)s.")
            % {"w": draft.score_text, "m": f"{made.normalize():f}".replace(".", ",")},
            note="weight_score",
        )


def _unit_question(draft: SchedaDraft, candidates, answers: dict, questions: list):
    choices = [(str(unit.pk), unit.name) for unit in candidates]
    answer = answers.get("unit", "")
    answer = answer if answer in {value for value, _label in choices} else ""
    questions.append(
        Question(
            key="unit",
            text=_("Unità «%(t)s»: più unità hanno questo nome — scegliere quale.")
            % {"t": draft.unit_text},
            options=choices,
            answer=answer,
        )
    )
    return next((u for u in candidates if str(u.pk) == answer), None)


def _responsible(draft: SchedaDraft, names: Names, answers: dict, problem, questions: list):
    said = draft.responsible_name.strip() or draft.responsible_text.strip()
    found = names.people_named(said)
    if not said:
        return None
    if len(found) == 1:
        if not names.same_name(said, found[0]):  # "Verdi", "M. Verdi": said so
            problem(
                _("Responsabile «%(t)s» letto come «%(p)s».") % {"t": said, "p": found[0]},
                note="responsible",
            )
        return found[0]
    if not found:
        problem(_("Responsabile «%(t)s» non riconosciuto.") % {"t": said}, note="responsible")
        return None
    choices = [(str(person.pk), str(person)) for person in found]
    answer = answers.get("responsible", "")
    answer = answer if answer in {value for value, _label in choices} else ""
    questions.append(
        Question(
            key="responsible",
            text=_("Responsabile «%(t)s»: più persone hanno questo nome — scegliere chi è.")
            % {"t": said},
            options=choices,
            answer=answer,
        )
    )
    return next((p for p in found if str(p.pk) == answer), None)


def _resolve(
    draft: SchedaDraft,
    plan: Plan,
    names: Names,
    actor: User | None,
    answers: dict | None = None,
    repeated: dict | None = None,
) -> SchedaPlan:
    answers = answers or {}
    problems = list(draft.problems)
    notes = list(draft.import_notes)
    questions: list[Question] = []

    def problem(message: str, where: Where | None = None, *, blocking=False, note="") -> None:
        problems.append(Problem(where or draft.where, message, blocking))
        if note:
            notes.append({"field": note, "message": message})

    _clean_draft(draft, problem)
    code = draft.code.strip()
    skipped = False
    group = (repeated or {}).get(code.casefold())
    if group:
        labels = ", ".join(s.label for s in group)
        choice = answers.get("code", "")
        new_code, broken = check_single_line(answers.get("code-new", ""))
        if choice == RENAME and (not new_code or broken or len(new_code) > 30):
            choice = ""
        question = _code_question(
            draft, group_labels=labels, answer=choice if choice in (RENAME, SKIP, KEEP_CODE) else ""
        )
        question.extra = {"code_new": new_code if choice == RENAME else ""}
        questions.append(question)
        if question.answer == RENAME:
            problem(
                _("Codice «%(old)s» ripetuto nel file: importata con il codice «%(new)s».")
                % {"old": code, "new": new_code},
                note="code",
            )
            code = new_code
        skipped = question.answer == SKIP

    year = draft.year or draft.first_year or plan.year
    first_year = draft.first_year or min(year, draft.last_year or year)
    last_year = draft.last_year or max(year, first_year)
    if first_year > last_year:
        problem(
            _("Gli anni della scheda non sono in ordine: %(a)s–%(b)s.")
            % {"a": first_year, "b": last_year},
            blocking=True,
        )
    elif not first_year <= year <= last_year:
        problem(
            _("L'anno della scheda (%(y)s) non è tra il primo e l'ultimo anno (%(a)s–%(b)s).")
            % {"y": year, "a": first_year, "b": last_year},
            blocking=True,
        )
    if not plan.year <= year <= plan.last_year:
        problem(
            _("L'anno della scheda (%(y)s) è fuori dal triennio del piano (%(a)s–%(b)s).")
            % {"y": year, "a": plan.year, "b": plan.last_year}
        )
    for name, limit in _HEADER_LIMITS.items():
        _check_length(problem, getattr(draft, name), limit, name, draft.where)

    if draft.unit_name.strip():
        unit, note = names.unit_named(draft.unit_name), ""
        if unit is None:
            problem(_("Unità «%(t)s» non riconosciuta.") % {"t": draft.unit_name}, note="unit")
    else:
        unit, note = names.unit(draft.unit_text)
        if note:
            problem(note, note="unit")
        candidates = names.units_for(draft.unit_text) if unit is None else []
        if candidates:
            unit = _unit_question(draft, candidates, answers, questions)
        elif draft.unit_text.strip() and unit is None:
            problem(_("Unità «%(t)s» non riconosciuta.") % {"t": draft.unit_text}, note="unit")
    responsible = _responsible(draft, names, answers, problem, questions)
    if draft.involved_names:
        involved, involved_notes = [], []
        for name in draft.involved_names:
            found = names.unit_named(name)
            if found is None:
                involved_notes.append(_("Unità coinvolta «%(t)s» non riconosciuta.") % {"t": name})
            elif found not in involved:
                involved.append(found)
    else:
        involved, involved_notes = names.involved(draft.involved_text)
    for message in involved_notes:
        problem(message, note="involved_units")
    area_ids = []
    for number in draft.area_numbers:
        area = names.areas.get(number)
        if area is None:
            problem(
                _("L'ambito n. %(n)s non esiste tra gli ambiti dell'ente.") % {"n": number},
                note="areas",
            )
        elif area not in area_ids:
            area_ids.append(area)
    levels = _levels(draft, names, answers, problem, questions)

    indicators = [
        _indicator(row, year, names, problem, answers, questions)
        for row in _unique_rows(draft.indicators, problem, _("indicatore"))
    ]
    activities = [
        _activity(row, names, problem)
        for row in _unique_rows(draft.activities, problem, _("attività"))
    ]
    header = {
        "code": code,
        "title": draft.title,
        "year": year,
        "first_year": first_year,
        "last_year": last_year,
        "dup_goal_id": names.dup_goal(draft.dup_goal_code or draft.dup_text),
        "dup_text": draft.dup_text,
        "unit_id": unit.pk if unit else None,
        "unit_text": draft.unit_text,
        "responsible_id": responsible.pk if responsible else None,
        "responsible_text": draft.responsible_text,
        "involved_text": draft.involved_text,
        "expected_result": draft.expected_result,
        "notes": draft.notes,
        "strategic_level_id": levels["strategic"],
        "complexity_level_id": levels["complexity"],
        "kind_level_id": levels["kind"],
    }
    resolved = Resolved(
        header=header,
        involved_ids=[u.pk for u in involved],
        area_ids=area_ids,
        indicators=indicators,
        activities=activities,
        import_notes=notes,
    )
    blocking = any(p.blocking for p in problems)
    outcome = ERROR if blocking else SKIPPED if skipped else NEW
    return SchedaPlan(
        draft=draft,
        outcome=outcome,
        resolved=resolved,
        problems=problems,
        refusal=_("La scheda ha problemi bloccanti: occorre correggere il file.")
        if blocking
        else "",
        questions=questions,
    )


def _unique_rows(rows, problem, what: str):
    seen = set()
    for row in rows:
        if row.position in seen:
            problem(
                _("Il numero %(n)s è ripetuto: ogni %(what)s ha il suo numero.")
                % {"n": row.position, "what": what},
                row.where,
                blocking=True,
            )
        seen.add(row.position)
    return rows


def _indicator(
    row: IndicatorDraft,
    year: int,
    names: Names,
    problem,
    answers: dict | None = None,
    questions: list | None = None,
) -> ResolvedIndicator:
    where = row.where
    for name, limit in _INDICATOR_LIMITS.items():
        _check_length(problem, getattr(row, name), limit, name, where)
    final = next(
        (t for t in row.targets if t.kind == "final" and t.year == year),
        next((t for t in row.targets if t.kind == "final"), None),
    )
    target_text = final.value_text if final else ""
    reading = read_measure(row.formula_text, target_text, row.grading_text)
    measure, direction = reading.measure.value, reading.direction.value
    if not row.measure and questions is not None:
        measure, direction = _measure_question(
            row, reading, target_text, (answers or {}), questions
        )
    if row.measure:
        try:
            measure = Measure(row.measure).value
        except ValueError:
            problem(
                _("Misura «%(m)s» dell'indicatore %(n)s non riconosciuta.")
                % {"m": row.measure, "n": row.position},
                where,
                blocking=True,
            )
        if Measure(measure) != reading.measure:
            direction = Direction.HIGHER.value
    if row.direction:
        try:
            direction = Direction(row.direction).value
        except ValueError:
            problem(
                _("Verso «%(d)s» dell'indicatore %(n)s non riconosciuto.")
                % {"d": row.direction, "n": row.position},
                where,
                blocking=True,
            )
    kinds = set()
    for target in row.targets:
        if target.kind not in ("intermediate", "final") or (target.kind, target.year) in kinds:
            problem(
                _("L'indicatore %(n)s ha due livelli dello stesso tipo per il %(y)s.")
                % {"n": row.position, "y": target.year},
                where,
                blocking=True,
            )
        kinds.add((target.kind, target.year))
        for name, limit in _TARGET_LIMITS.items():
            _check_length(problem, getattr(target, name), limit, name, where)
        target.value = _fit(problem, target.value, 4, 16, "value", where)
    values = {
        "weight": _fit(problem, row.weight, 2, 6, "weight", where),
        "name": row.name,
        "formula_text": row.formula_text,
        "measure": measure,
        "direction": direction,
        "baseline": _fit(problem, row.baseline, 4, 16, "baseline", where),
        "baseline_text": row.baseline_text or reading.baseline_text,
        "variation_percent": row.variation_percent,
        "grading_text": row.grading_text.strip(),
    }
    scale = names.scale(row.grading_scale_name, row.grading_text, where, problem)
    return ResolvedIndicator(row.position, values, scale, list(row.targets))


def _measure_question(row, reading, target_text: str, answers: dict, questions: list):
    """The measure the rules read, shown to the person with the text it was read from; asked
    (required) when no rule is sure. The person's choice wins."""
    proposed = measure_value(reading.measure.value, reading.direction.value)
    options = measure_options()
    if proposed not in {value for value, _label in options}:
        label = measure_label(reading.measure.value, reading.direction.value, reading.unit)
        options.insert(0, (proposed, label))
    key = f"measure-{row.position}"
    answer = answers.get(key, "")
    answer = answer if answer in {value for value, _label in options} else ""
    words = measure_label(reading.measure.value, reading.direction.value, reading.unit)
    source = _("da «%(f)s», livello atteso «%(t)s»") % {
        "f": row.formula_text or "—",
        "t": target_text or "—",
    }
    if reading.sure:
        text = _("Indicatore %(n)s, misura dedotta: %(m)s — %(s)s.")
    else:
        text = _(
            "Indicatore %(n)s, misura incerta: potrebbe essere %(m)s — %(s)s. Scegliere la misura."
        )
    questions.append(
        Question(
            key=key,
            text=text % {"n": row.position, "m": words, "s": source},
            options=options,
            answer=answer or (proposed if reading.sure else ""),
            required=not reading.sure,
        )
    )
    chosen = answer or proposed
    measure, _sep, direction = chosen.partition("|")
    return measure, direction


def _activity(row: ActivityDraft, names: Names, problem) -> ResolvedActivity:
    where = row.where
    for name, limit in _ACTIVITY_LIMITS.items():
        _check_length(problem, getattr(row, name), limit, name, where)
    if row.start_date and row.end_date and row.start_date > row.end_date:
        problem(_("L'attività %(n)s finisce prima di cominciare.") % {"n": row.position}, where)
    values = {
        "weight": _fit(problem, row.weight, 2, 6, "weight", where),
        "title": row.title,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "timing_text": row.timing_text,
        "indicator_text": row.indicator_text,
        "expected_text": row.expected_text,
        "grading_text": row.grading_text.strip(),
        "achieved_text": row.achieved_text,
    }
    scale = names.scale(row.grading_scale_name, row.grading_text, where, problem)
    return ResolvedActivity(row.position, values, scale)


def _check_length(problem, text: str, limit: int, name: str, where: Where) -> None:
    if len(text) > limit:
        problem(
            _(
                "Il testo di «%(field)s» è troppo lungo (%(n)s caratteri, al massimo "
                "%(max)s): «%(start)s…»."
            )
            % {"field": _LABELS[name], "n": len(text), "max": limit, "start": text[:40]},
            where,
            blocking=True,
        )


def _fit(problem, value: Decimal | None, places: int, digits: int, name: str, where: Where):
    """The number as the database stores it (rounded half-up), or a blocking problem."""
    if value is None:
        return None
    try:
        fitted = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        fitted = None
    if fitted is None or not fitted.is_finite() or len(fitted.as_tuple().digits) > digits:
        problem(
            _("Il valore di «%(field)s» non è un numero ammesso: %(v)s.")
            % {"field": _LABELS[name], "v": value},
            where,
            blocking=True,
        )
        return None
    if fitted != value:
        problem(
            _("Il valore di «%(field)s» %(v)s è arrotondato a %(r)s.")
            % {"field": _LABELS[name], "v": value, "r": fitted},
            where,
        )
    return fitted


# -- the write -----------------------------------------------------------------------------


def apply(import_plan: ImportPlan, decisions: dict[int, str], actor: User) -> ImportOutcome:
    """Write the dry run's new schede and the replacements chosen, in one transaction.

    1. the actor may import into the plan (``imports.import_plan``);
    2. a file with a blocking problem, or a replacement the actor may not make, is refused;
    3. new schede are added after the plan's last one, replaced schede keep their place and
       their measurements (rows are updated by number), both get a version and an entry in
       the audit trail as the editor's saves do;
    4. one ``import.apply`` entry records the file and the counts.
    Inside the transaction the plan is locked and (1) checked again on its current state: an
    import confirmed while the plan was proposed or approved meanwhile is refused.
    ``decisions`` maps a scheda's ordinal in the file to ``"keep"`` or ``"replace"``.
    """
    plan = import_plan.plan
    require(actor, "imports.import_plan", plan)
    if import_plan.blocking:
        raise DomainError(_("Il file ha problemi bloccanti: nulla è stato importato."))
    if import_plan.open_questions:
        raise DomainError(
            _(
                "Rispondere prima alle domande della revisione (%(n)s senza risposta): nulla è "
                "stato importato."
            )
            % {"n": import_plan.open_questions}
        )
    for scheda in import_plan.schede:
        if decisions.get(scheda.draft.ordinal) == REPLACE and not (
            scheda.outcome == CONFLICT and scheda.can_replace
        ):
            raise DomainError(
                _("La %(label)s non può essere sostituita: %(why)s")
                % {"label": scheda.label, "why": scheda.refusal or _("non è in conflitto.")}
            )
    with transaction.atomic():
        require_now(actor, "imports.import_plan", plan, lock_plan(plan.pk))
        with one_bump(plan.authority_id):
            outcome, records = _write(import_plan, decisions, actor=actor, record=True)
        records.append(
            Record(
                "import.apply",
                obj=plan,
                after={
                    "file": import_plan.draft.source_name,
                    "kind": import_plan.draft.source_kind,
                    **outcome.as_dict(),
                },
            )
        )
        log_actions(records, actor=actor)
    return outcome


def load(import_plan: ImportPlan) -> ImportOutcome:
    """Write the new schede for a system loader (the seed) that logs its own single entry:
    no versions, no entry per scheda. The caller holds the transaction."""
    with one_bump(import_plan.plan.authority_id):
        outcome, _records = _write(import_plan, {}, actor=None, record=False)
    return outcome


def _write(
    import_plan: ImportPlan, decisions: dict[int, str], *, actor: User | None, record: bool
) -> tuple[ImportOutcome, list[Record]]:
    """The schede and, with ``record``, their versions; returns the outcome and the audit
    entries to append (one per scheda written, in the file's order).

    New schede are inserted together (``insert_schede``), replaced ones one by one through
    ``write_rows`` (their rows are matched by number); the versions and states are read and
    written for all of them at once, so the queries do not grow with the number of schede
    (but for the replacements)."""
    plan = import_plan.plan
    writer = _Writer(plan)
    new = [s for s in import_plan.schede if s.outcome == NEW]
    chosen = [
        s
        for s in import_plan.schede
        if s.outcome == CONFLICT and decisions.get(s.draft.ordinal) == REPLACE
    ]
    writer.load_scales(new + chosen)
    last = plan.objectives.order_by("-position").values_list("position", flat=True).first()
    position = last or 0
    by_ordinal = {s.draft.ordinal: s.existing for s in import_plan.schede if s.existing}
    created: list[Objective] = []
    for scheda in new:
        position += 1
        objective = write_objective(writer, scheda, position)
        by_ordinal[scheda.draft.ordinal] = objective
        created.append(objective)
    writer.insert()
    before = _states([s.matched for s in chosen]) if record else {}
    replaced = [replace_objective(writer, scheda) for scheda in chosen]
    if any(s.draft.series_ordinal for s in import_plan.schede):
        writer.link_named_series(import_plan, by_ordinal)
    else:
        writer.link_series(created)
    records: list[Record] = []
    if record:
        after = _states(created + replaced)
        versions = [VersionWrite(o, before[o.pk], o.version - 1, current=False) for o in replaced]
        versions += [VersionWrite(o, after[o.pk], o.version) for o in created + replaced]
        keep_versions(versions, actor=actor)
        for scheda in new + chosen:
            objective = by_ordinal[scheda.draft.ordinal]
            if scheda.outcome == NEW:
                records.append(Record("objective.create", objective, after=after[objective.pk]))
            else:
                records.append(
                    Record(
                        "objective.update",
                        objective,
                        before=before[objective.pk],
                        after=after[objective.pk],
                    )
                )
    outcome = ImportOutcome(
        created=created,
        replaced=replaced,
        unchanged=import_plan.count(UNCHANGED),
        kept=import_plan.count(CONFLICT) - len(replaced),
        errors=import_plan.count(ERROR),
        skipped=import_plan.count(SKIPPED),
    )
    return outcome, records


def write_objective(writer: _Writer, scheda: SchedaPlan, position: int) -> Objective:
    """One new scheda with its rows, added to the writer's batch (``_Writer.insert`` writes
    them all); the objective has its id once inserted."""
    resolved = scheda.resolved
    objective = Objective(
        authority=writer.plan.authority,
        plan=writer.plan,
        position=position,
        import_notes=resolved.import_notes,
        **resolved.header,
    )
    writer.add(objective, resolved)
    return objective


def replace_objective(writer: _Writer, scheda: SchedaPlan) -> Objective:
    """Replace a scheda's content with the file's: same row, a new version number, rows
    updated by number (their measurements stay), the file's years' targets rewritten. The
    caller keeps the replaced and the new version."""
    objective = scheda.matched
    resolved = scheda.resolved
    updated = Objective.objects.filter(pk=objective.pk, version=objective.version).update(
        version=F("version") + 1, import_notes=resolved.import_notes, **resolved.header
    )
    if not updated:
        raise ConflictError(
            _("La %(label)s è stata modificata dopo l'analisi del file: ripeti l'importazione.")
            % {"label": scheda.label}
        )
    objective.refresh_from_db()
    writer.rows(objective, resolved, years=resolved.target_years())
    return objective


def _states(objectives: list[Objective]) -> dict[int, dict]:
    """Each scheda's labelled values (``objective_state``) as the database holds them now,
    by id: one query per table whatever their number."""
    if not objectives:
        return {}
    indicators = Indicator.objects.prefetch_related("targets")
    fresh = (
        Objective.objects.filter(pk__in=[o.pk for o in objectives])
        .select_related(
            "dup_goal", "unit", "responsible", "strategic_level", "complexity_level", "kind_level"
        )
        .prefetch_related(
            "involved_units", "areas", Prefetch("indicators", queryset=indicators), "activities"
        )
    )
    return {objective.pk: objective_state(objective) for objective in fresh}


class _Writer:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.scales: dict[str, GradingScale] = {}
        self.new: list[NewScheda] = []

    def load_scales(self, schede: list[SchedaPlan]) -> None:
        """The scales the schede use: the authority's in one query, the new ones added."""
        refs = {
            scale.name: scale
            for scheda in schede
            for scale in (
                *(row.scale for row in scheda.resolved.indicators),
                *(row.scale for row in scheda.resolved.activities),
            )
            if scale is not None
        }
        stored = GradingScale.objects.in_bulk([r.pk for r in refs.values() if r.pk is not None])
        for name, ref in refs.items():
            if ref.pk is not None and ref.pk in stored:
                self.scales[name] = stored[ref.pk]
            else:
                self.scale(ref)

    def scale(self, ref: ScaleRef | None) -> GradingScale | None:
        if ref is None:
            return None
        if ref.name not in self.scales:
            if ref.pk is not None:
                self.scales[ref.name] = GradingScale.objects.get(pk=ref.pk)
            else:
                self.scales[ref.name], _c = GradingScale.objects.get_or_create(
                    authority=self.plan.authority,
                    name=ref.name,
                    defaults={"definition": ref.definition, "source_text": ref.source_text},
                )
        return self.scales[ref.name]

    def add(self, objective: Objective, resolved: Resolved) -> None:
        self.new.append(NewScheda(objective=objective, rows=self._rows(resolved)))

    def insert(self) -> None:
        """The new schede added, in one INSERT per table."""
        insert_schede(self.new)
        self.new = []

    def _rows(self, resolved: Resolved) -> SchedaRows:
        """The file's rows as the row writer takes them, keyed by their number."""
        indicators = [
            RowWrite(
                key=None,
                position=row.position,
                values=row.values,
                scale=self.scale(row.scale),
                targets=tuple(
                    TargetWrite(t.kind, t.year, t.value, t.value_text, t.due_date, t.due_text)
                    for t in row.targets
                ),
            )
            for row in resolved.indicators
        ]
        activities = [
            RowWrite(
                key=None, position=row.position, values=row.values, scale=self.scale(row.scale)
            )
            for row in resolved.activities
        ]
        return SchedaRows(resolved.involved_ids, resolved.area_ids, indicators, activities)

    def rows(self, objective: Objective, resolved: Resolved, years: set[int] | None = None) -> None:
        """A replaced scheda's rows through the one row writer (``rows.write_rows``), matched
        by number so that it keeps its measurements; the targets of the years the file speaks
        of and does not list go, other years' stay."""
        write_rows(objective, self._rows(resolved), target_years=years or set(), match="position")

    def link_named_series(self, import_plan: ImportPlan, by_ordinal: dict) -> None:
        """The file says which scheda heads each multi-year series (a workbook does)."""
        linked = []
        for scheda in import_plan.schede:
            objective = by_ordinal.get(scheda.draft.ordinal)
            head = by_ordinal.get(scheda.draft.series_ordinal)
            if scheda.outcome != NEW or objective is None or head is None or head is objective:
                continue
            objective.series = head
            linked.append(objective)
        Objective.objects.bulk_update(linked, ["series"])

    def link_series(self, created: list[Objective]) -> None:
        """Yearly schede of one multi-year objective (same title) point at the earliest one,
        the plan's schede included."""
        titles = {o.title.casefold() for o in created if o.is_multi_year and o.title}
        if not titles:
            return
        groups: dict[str, list[Objective]] = {}
        for objective in self.plan.objectives.all():
            key = objective.title.casefold()
            if key in titles and objective.is_multi_year:
                groups.setdefault(key, []).append(objective)
        created_ids = {o.pk for o in created}
        linked = []
        for group in groups.values():
            if len(group) < 2:
                continue
            group.sort(key=lambda o: (o.year, o.position))
            head = group[0]
            for objective in group:
                series = head if objective is not head else None
                if objective.pk in created_ids and objective.series_id != getattr(
                    series, "pk", None
                ):
                    objective.series = series
                    linked.append(objective)
        Objective.objects.bulk_update(linked, ["series"])


__all__ = [
    "CONFLICT",
    "ERROR",
    "KEEP",
    "NEW",
    "REPLACE",
    "SKIPPED",
    "UNCHANGED",
    "ImportOutcome",
    "ImportPlan",
    "SchedaPlan",
    "apply",
    "load",
    "prepare",
]
