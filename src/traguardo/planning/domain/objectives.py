"""Writing a scheda: create and update, with the checks of DESIGN.md §4.5 and optimistic locking.

A scheda is saved whole (header, indicators with the targets of the card's year, activities),
as the editor submits it. The checks are the engine's (``scoring.check_objective``) run on the
data about to be written, with the codes alone of the plan's other schede: an error refuses the
save with the message next to its field; warnings are saved and shown on the card.

Whether the actor may write depends on the plan's state (a manager writes only drafts): each
save reads the plan again inside its transaction (``planning.guards``), so a save that races
the plan's proposal is refused instead of landing on the proposed plan.
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.audit.log import log_action
from traguardo.core.domain import ConflictError, InvalidData, require
from traguardo.core.models import AuthorityScoped
from traguardo.core.text import clean_line, clean_multiline, has_line_break
from traguardo.organization.models import (
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
)
from traguardo.planning.checks import DATE_ONLY_MEASURES, describe_issue, plan_codes_and_names
from traguardo.planning.domain.rows import (
    ACTIVITY_FIELDS,
    INDICATOR_FIELDS,
    RowWrite,
    SchedaRows,
    TargetWrite,
    write_rows,
)
from traguardo.planning.guards import lock_plan, require_now
from traguardo.planning.models import (
    DupGoal,
    Objective,
    ObjectiveVersion,
    Plan,
    Target,
    Variation,
)
from traguardo.planning.notes import resolve_notes
from traguardo.planning.versions import objective_state
from traguardo.scoring import (
    ActivityFacts,
    IndicatorFacts,
    Measure,
    ObjectiveFacts,
    ScaleParseError,
    check_objective,
    describe_scale,
    parse_scale,
    scale_to_dict,
)

HEADER_FIELDS = (
    "code", "title", "year", "first_year", "last_year", "dup_goal_id", "dup_text", "unit_id",
    "responsible_id", "expected_result", "notes", "strategic_level_id", "complexity_level_id",
    "kind_level_id",
)  # fmt: skip


@dataclass(frozen=True)
class TargetData:
    value: Decimal | None = None
    value_text: str = ""
    due_date: date | None = None
    due_text: str = ""


@dataclass(frozen=True)
class IndicatorData:
    id: int | None
    weight: Decimal | None
    name: str
    formula_text: str = ""
    measure: str = Measure.DEADLINE.value
    direction: str = "higher"
    baseline: Decimal | None = None
    baseline_text: str = ""
    variation_percent: bool = False
    grading_scale_id: int | None = None
    grading_text: str = ""
    intermediate: TargetData | None = None
    final: TargetData | None = None


@dataclass(frozen=True)
class ActivityData:
    id: int | None
    weight: Decimal | None
    title: str
    start_date: date | None = None
    end_date: date | None = None
    indicator_text: str = ""
    expected_text: str = ""
    grading_scale_id: int | None = None
    grading_text: str = ""
    achieved_text: str = ""
    timing_text: str = ""


@dataclass(frozen=True)
class ObjectiveData:
    code: str
    title: str
    year: int
    first_year: int
    last_year: int
    dup_goal_id: int | None = None
    dup_text: str = ""
    unit_id: int | None = None
    responsible_id: int | None = None
    involved_unit_ids: tuple[int, ...] = ()
    expected_result: str = ""
    notes: str = ""
    area_ids: tuple[int, ...] = ()
    strategic_level_id: int | None = None
    complexity_level_id: int | None = None
    kind_level_id: int | None = None
    indicators: tuple[IndicatorData, ...] = ()
    activities: tuple[ActivityData, ...] = ()


def create_objective(plan: Plan, *, actor: User, data: ObjectiveData) -> Objective:
    """Add a scheda to a plan.

    1. the actor may add schede to the plan (admin, or manager while the plan is a draft);
    2. with the plan locked in the transaction, the permission holds on its current state;
    3. a manager may only name a unit they head;
    4. the data passes the checks (errors refuse, next to their field);
    5. header, rows and targets are written in that transaction.
    """
    _refuse_line_breaks(data)
    data = clean_objective_data(data)
    require(actor, "planning.add_objective", plan)
    with transaction.atomic():
        plan = lock_plan(plan.pk)
        require_now(actor, "planning.add_objective", plan, plan)
        last = plan.objectives.order_by("-position").values_list("position", flat=True).first()
        objective = Objective(authority=plan.authority, plan=plan, position=(last or 0) + 1)
        _validate(plan, objective, data, actor)
        _write_header(objective, data)
        objective.save()
        _write_rows(objective, data)
        after = objective_state(_fresh(objective))
        keep_version(objective, after, actor=actor)
        log_action(actor=actor, action="objective.create", obj=objective, after=after)
    return objective


def update_objective(
    objective: Objective, *, actor: User, version: int, data: ObjectiveData
) -> Objective:
    """Save the editor's version of a scheda, unless someone saved it since it was loaded.

    The plan is locked and the permission checked again on its current state inside the
    transaction (a scheda of a plan proposed meanwhile is refused). The UPDATE carries
    ``version = <loaded version>``: when another save got there first no row matches, nothing
    is written and ``ConflictError`` tells the view to show the conflict.
    """
    _refuse_line_breaks(data)
    data = clean_objective_data(data)
    require(actor, "planning.change_objective", objective)
    with transaction.atomic():
        require_now(actor, "planning.change_objective", objective, lock_plan(objective.plan_id))
        _validate(objective.plan, objective, data, actor)
        before = objective_state(_fresh(objective))
        # The version being replaced stays readable (loaded schede have none stored yet).
        keep_version(objective, before, actor=None, version=version, current=False)
        values = {name: getattr(data, name) for name in HEADER_FIELDS}
        updated = Objective.objects.filter(pk=objective.pk, version=version).update(
            version=F("version") + 1, **values
        )
        if not updated:
            raise ConflictError(
                _("La scheda è stata modificata da un'altra persona dopo la sua apertura.")
            )
        objective.refresh_from_db()
        _write_rows(objective, data)
        after = objective_state(_fresh(objective))
        _resolve_import_notes(objective, before, after)
        keep_version(objective, after, actor=actor)
        log_action(
            actor=actor, action="objective.update", obj=objective, before=before, after=after
        )
    return objective


def _resolve_import_notes(objective: Objective, before: dict, after: dict) -> None:
    """An import note about a field this save changed no longer holds: marked resolved."""
    notes = resolve_notes(objective.import_notes, before, after, on=timezone.localdate())
    if notes != objective.import_notes:
        Objective.objects.filter(pk=objective.pk).update(import_notes=notes)
        objective.import_notes = notes


def keep_version(
    objective: Objective,
    state: dict,
    *,
    actor: User | None,
    version: int | None = None,
    current: bool = True,
) -> None:
    """Store a version of the scheda once; one saved during a variazione points to it."""
    number = objective.version if version is None else version
    keep_versions([VersionWrite(objective, state, number, current)], actor=actor)


@dataclass(frozen=True)
class VersionWrite:
    """A version of a scheda to keep: ``current`` the one saved now (by the actor, in the
    open variazione), else the one being replaced (kept with no author, as loaded)."""

    objective: Objective
    state: dict
    version: int
    current: bool = True


def keep_versions(versions: list[VersionWrite], *, actor: User | None) -> None:
    """Store versions of schede of one plan, each once (one already stored stays as it is),
    in one INSERT whatever their number: an import keeps one per scheda written."""
    if not versions:
        return
    variation = None
    if any(v.current for v in versions):
        variation = open_variation(versions[0].objective.plan)
    now = timezone.now()
    ObjectiveVersion.objects.bulk_create(
        [
            ObjectiveVersion(
                authority_id=v.objective.authority_id,
                objective=v.objective,
                version=v.version,
                state=v.state,
                variation=variation if v.current else None,
                saved_by=actor if v.current else None,
                saved_at=now,
            )
            for v in versions
        ],
        ignore_conflicts=True,  # (objective, version) is unique: a stored version stays
    )


def open_variation(plan: Plan) -> Variation | None:
    return plan.variations.filter(closed_at__isnull=True).first()


def _fresh(objective: Objective) -> Objective:
    """The scheda as the database holds it now (no cached rows), for the audit log."""
    return Objective.objects.select_related(
        "dup_goal", "unit", "responsible", "strategic_level", "complexity_level", "kind_level"
    ).get(pk=objective.pk)


# -- clean text ----------------------------------------------------------------------------

# One-line texts (a line break becomes a space) and texts with lines, of the header and rows.
_LINE_FIELDS = ("title", "dup_text")
_MULTILINE_FIELDS = ("expected_result", "notes")
_INDICATOR_LINES = ("name", "formula_text", "baseline_text", "grading_text")
_TARGET_LINES = ("value_text", "due_text")
_ACTIVITY_LINES = (
    "title", "timing_text", "indicator_text", "expected_text", "grading_text", "achieved_text"
)  # fmt: skip


def _refuse_line_breaks(data: ObjectiveData) -> None:
    """A code is one line: a CR/LF in it would reach e-mails and feeds as extra lines."""
    if has_line_break(data.code):
        raise InvalidData([("code", _("Il codice non può contenere un a capo."))])


def clean_objective_data(data: ObjectiveData) -> ObjectiveData:
    """Every text of a scheda through the one normaliser (``core.text``)."""

    # Changes for ``replace``, keyed by the field names above: ``dict[str, Any]`` because a
    # dict of str values would be checked against every field of the dataclass.
    def lines(row: object, names: tuple[str, ...]) -> dict[str, Any]:
        return {name: clean_line(getattr(row, name)) for name in names}

    def multilines(row: object, names: tuple[str, ...]) -> dict[str, Any]:
        return {name: clean_multiline(getattr(row, name)) for name in names}

    def target(value: TargetData | None) -> TargetData | None:
        return None if value is None else replace(value, **lines(value, _TARGET_LINES))

    indicators = tuple(
        replace(
            row,
            **lines(row, _INDICATOR_LINES),
            intermediate=target(row.intermediate),
            final=target(row.final),
        )
        for row in data.indicators
    )
    activities = tuple(replace(row, **lines(row, _ACTIVITY_LINES)) for row in data.activities)
    return replace(
        data,
        code=clean_line(data.code).strip(),
        **lines(data, _LINE_FIELDS),
        **multilines(data, _MULTILINE_FIELDS),
        indicators=indicators,
        activities=activities,
    )


# -- checks --------------------------------------------------------------------------------


def _validate(plan: Plan, objective: Objective, data: ObjectiveData, actor: User) -> None:
    errors: list[tuple[str, str]] = []
    errors += _foreign_keys(plan, data)
    errors += _scales(data)
    if data.first_year > data.last_year:
        errors.append(("last_year", _("L'ultimo anno non può precedere il primo.")))
    elif not data.first_year <= data.year <= data.last_year:
        errors.append(("year", _("L'anno della scheda deve stare tra il primo e l'ultimo anno.")))
    if data.unit_id and not actor.has_perm("organization.manage_setup", plan.authority):
        probe = Objective(authority=plan.authority, plan=plan, unit_id=data.unit_id)
        probe.unit = OrgUnit.objects.filter(pk=data.unit_id).first()
        if not actor.has_perm("planning.change_objective", probe):
            errors.append(
                ("unit", _("Si possono indicare solo le unità di cui si è responsabili."))
            )
    if errors:
        raise InvalidData(errors)
    # The card as it would be written, after the plan's other schede: of those, the
    # duplicate-code check needs the codes alone.
    mine = _facts(objective.pk or 0, data)
    codes, names = plan_codes_and_names(plan, excluding=objective.pk)
    issues = check_objective(mine, codes=codes, first_year=plan.year, last_year=plan.last_year)
    errors = [
        (_error_key(issue.field, issue.position), describe_issue(issue, names))
        for issue in issues
        if issue.severity == "error" and not _kept_duplicate(issue, objective, data)
    ]
    if errors:
        raise InvalidData(errors)


def _kept_duplicate(issue, objective: Objective, data: ObjectiveData) -> bool:
    """A code the scheda already had when it came (an import, a copy) does not stop the other
    fields being saved: the card keeps showing the error and approval stays refused until one
    of the schede gets another code. Typing a code that another scheda has is refused."""
    return (
        issue.code == "duplicate_code"
        and objective.pk is not None
        and objective.code.strip().casefold() == data.code.strip().casefold()
    )


def _error_key(field_name: str, position: int | None) -> str:
    return f"{field_name}-{position}" if position else field_name


def _foreign_keys(plan: Plan, data: ObjectiveData) -> list[tuple[str, str]]:
    """Every id must name a row of the plan's authority (the scoped managers filter by it)."""
    wrong = _("Valore non valido.")
    checks: list[tuple[str, type[AuthorityScoped], set[int | None]]] = [
        ("dup_goal", DupGoal, {data.dup_goal_id} - {None}),
        ("unit", OrgUnit, {data.unit_id} - {None}),
        ("responsible", Person, {data.responsible_id} - {None}),
        ("involved_units", OrgUnit, set(data.involved_unit_ids)),
        ("areas", PerformanceArea, set(data.area_ids)),
        (
            "indicators",
            GradingScale,
            {i.grading_scale_id for i in data.indicators} - {None}
            | {a.grading_scale_id for a in data.activities} - {None},
        ),
    ]
    errors = []
    for name, model, ids in checks:
        if ids and model.objects.filter(pk__in=ids).count() != len(ids):
            errors.append((name, wrong))
    for name, dimension in (
        ("strategic_level", "strategic"),
        ("complexity_level", "complexity"),
        ("kind_level", "kind"),
    ):
        level_id = getattr(data, f"{name}_id")
        if level_id and not PolicyLevel.objects.filter(pk=level_id, dimension=dimension).exists():
            errors.append((name, wrong))
    return errors


def _scales(data: ObjectiveData) -> list[tuple[str, str]]:
    errors = []
    sections: tuple[tuple[str, tuple[IndicatorData | ActivityData, ...]], ...] = (
        ("indicators", data.indicators),
        ("activities", data.activities),
    )
    for kind, rows in sections:
        for position, row in enumerate(rows, start=1):
            if row.grading_text.strip():
                try:
                    parse_scale(row.grading_text)
                except ScaleParseError as error:
                    errors.append((f"{kind}-{position}-grading_text", error.message))
    return errors


def _facts(key: int, data: ObjectiveData) -> ObjectiveFacts:
    indicators = []
    for position, row in enumerate(data.indicators, start=1):
        final, intermediate = row.final, row.intermediate
        has_value = final is not None and (
            final.value is not None or Measure(row.measure) in DATE_ONLY_MEASURES
        )
        indicators.append(
            IndicatorFacts(
                position=position,
                weight=row.weight,
                final_value=has_value,
                final_due_on=final.due_date if final else None,
                final_due_text=final.due_text if final else "",
                intermediate_due_on=intermediate.due_date if intermediate else None,
                has_scale=bool(row.grading_scale_id or row.grading_text.strip()),
            )
        )
    activities = tuple(
        ActivityFacts(position=p, weight=a.weight, start_on=a.start_date, end_on=a.end_date)
        for p, a in enumerate(data.activities, start=1)
    )
    return ObjectiveFacts(
        key=key,
        code=data.code,
        title=data.title,
        has_unit=data.unit_id is not None,
        has_responsible=data.responsible_id is not None,
        has_weight_score=None
        not in (data.strategic_level_id, data.complexity_level_id, data.kind_level_id),
        has_areas=bool(data.area_ids),
        indicators=tuple(indicators),
        activities=activities,
    )


# -- writing -------------------------------------------------------------------------------


def _write_header(objective: Objective, data: ObjectiveData) -> None:
    for name in HEADER_FIELDS:
        setattr(objective, name, getattr(data, name))


def _write_rows(objective: Objective, data: ObjectiveData) -> None:
    """The editor's rows, through the one row writer (``rows.write_rows``): matched by id,
    numbered in the order submitted, the targets of the card's year."""
    scales = _ScaleResolver(objective.authority)
    year = objective.year
    indicators = [
        RowWrite(
            key=row.id,
            position=position,
            values=_row_values(row, INDICATOR_FIELDS),
            scale=scales.resolve(row.grading_scale_id, row.grading_text),
            targets=tuple(
                TargetWrite(kind, year, t.value, t.value_text, t.due_date, t.due_text)
                for kind, t in (
                    (Target.Kind.INTERMEDIATE, row.intermediate),
                    (Target.Kind.FINAL, row.final),
                )
                if t is not None
            ),
        )
        for position, row in enumerate(data.indicators, start=1)
    ]
    activities = [
        RowWrite(
            key=row.id,
            position=position,
            values=_row_values(row, ACTIVITY_FIELDS),
            scale=scales.resolve(row.grading_scale_id, row.grading_text),
        )
        for position, row in enumerate(data.activities, start=1)
    ]
    rows = SchedaRows(data.involved_unit_ids, data.area_ids, indicators, activities)
    write_rows(objective, rows, target_years={year}, match="id", keep_date_words=True)


def _row_values(row: IndicatorData | ActivityData, names: tuple[str, ...]) -> dict[str, Any]:
    """The row's fields the writer takes, by the writer's list; a scale's text trimmed."""
    values = {name: getattr(row, name) for name in names}
    values["grading_text"] = values["grading_text"].strip()
    return values


class _ScaleResolver:
    """A typed graduation text becomes one of the authority's scales (created once)."""

    def __init__(self, authority) -> None:
        self.authority = authority

    def resolve(self, scale_id: int | None, text: str) -> GradingScale | None:
        if text.strip():
            scale = parse_scale(text)
            found, _created = GradingScale.objects.get_or_create(
                authority=self.authority,
                name=describe_scale(scale),
                defaults={"definition": scale_to_dict(scale), "source_text": text.strip()},
            )
            return found
        return GradingScale.objects.filter(pk=scale_id).first() if scale_id else None
