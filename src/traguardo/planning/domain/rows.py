"""The one writer of a scheda's rows, for the editor's save and the import's apply.

A scheda's rows are its involved units, its ambiti, its indicators with their targets and its
activities. Both writers describe them the same way (``RowWrite``, ``TargetWrite``) and give
every field of ``INDICATOR_FIELDS`` / ``ACTIVITY_FIELDS``: a row missing one, or carrying one
more, is refused, so a field added to a row is added here and to each caller's data, and
written by this module alone.

Which stored row a written row keeps (the key rule), ``match``:

- ``"id"`` (the editor): a row naming a stored row's id keeps it; a row without id is new
  (a row added where one was removed does not take over the removed row's measurements);
- ``"position"`` (an import replacing a scheda): a row keeps the stored row of its number, so
  the measurements of that number stay.

Stored rows matched by none are deleted. New schede with no stored rows go through
``insert_schede``: the same rows, one INSERT per table whatever the number of schede.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.db import connection, models
from django.db.models import F

from traguardo.organization.models import GradingScale
from traguardo.planning.models import Activity, Indicator, Objective, Target

# The model fields a writer gives for each row (the scale, the position and the targets aside).
INDICATOR_FIELDS = (
    "weight", "name", "formula_text", "measure", "direction", "baseline", "baseline_text",
    "variation_percent", "grading_text",
)  # fmt: skip
ACTIVITY_FIELDS = (
    "weight", "title", "start_date", "end_date", "timing_text", "indicator_text",
    "expected_text", "grading_text", "achieved_text",
)  # fmt: skip

Match = Literal["id", "position"]


@dataclass(frozen=True)
class TargetWrite:
    kind: str
    year: int
    value: Decimal | None = None
    value_text: str = ""
    due_date: date | None = None
    due_text: str = ""


@dataclass(frozen=True)
class RowWrite:
    """An indicator or activity as a writer gives it: ``key`` the row's id (editor) or None,
    ``position`` its number, ``values`` the fields of ``INDICATOR_FIELDS`` or
    ``ACTIVITY_FIELDS``, ``scale`` resolved, ``targets`` (indicators only)."""

    key: int | None
    position: int
    values: dict[str, Any]
    scale: GradingScale | None = None
    targets: tuple[TargetWrite, ...] = ()


@dataclass(frozen=True)
class SchedaRows:
    """Every row of one scheda, as both writers give them."""

    involved_unit_ids: Sequence[int]
    area_ids: Sequence[int]
    indicators: Sequence[RowWrite]
    activities: Sequence[RowWrite]


_FIELDS: dict[type[models.Model], frozenset[str]] = {
    Indicator: frozenset(INDICATOR_FIELDS),
    Activity: frozenset(ACTIVITY_FIELDS),
}


def _checked(model: type[models.Model], rows: Sequence[RowWrite]) -> Sequence[RowWrite]:
    """Refuse a row whose fields are not the model's row fields: a caller that forgot a new
    field fails here rather than writing its default silently."""
    expected = _FIELDS[model]
    for row in rows:
        if row.values.keys() != expected:
            missing = sorted(expected - row.values.keys())
            extra = sorted(row.values.keys() - expected)
            raise ValueError(
                f"{model.__name__} row {row.position}: missing {missing}, extra {extra}"
            )
    return rows


def write_rows(
    objective: Objective,
    rows: SchedaRows,
    *,
    target_years: set[int],
    match: Match,
    keep_date_words: bool = False,
) -> None:
    """Write a stored scheda's rows: matched by ``match`` (module docstring).

    - positions are moved out of the way first, so reordering never trips the (objective,
      position) constraint;
    - targets: those given are written; stored targets of ``target_years`` not given are
      deleted; other years' targets (multi-year schede) stay;
    - ``keep_date_words``: the card's own words for a date ("entro la fine di ogni anno")
      stay while the date they stand for is unchanged, a date typed anew replaces them (the
      editor); an import writes the file's words as they are.
    Runs inside the caller's transaction.
    """
    indicators = _checked(Indicator, rows.indicators)
    activities = _checked(Activity, rows.activities)
    objective.involved_units.set(rows.involved_unit_ids)
    objective.areas.set(rows.area_ids)
    for instance, row in _sync(objective, Indicator, indicators, match, keep_date_words):
        if isinstance(instance, Indicator):
            _write_targets(instance, row.targets, target_years, keep_date_words)
    _sync(objective, Activity, activities, match, keep_date_words)


@dataclass(frozen=True)
class NewScheda:
    """A scheda to add, as ``insert_schede`` takes it: the objective with its header set (not
    saved yet) and its rows."""

    objective: Objective
    rows: SchedaRows


def insert_schede(schede: list[NewScheda]) -> None:
    """Add new schede with their rows in a handful of INSERTs whatever their number (an
    import of hundreds of schede): the objectives, their involved units, ambiti, indicators,
    targets and activities, each table in one bulk insert — the rows ``write_rows`` would
    write for a scheda without stored rows. ``bulk_create`` sends no signal: run it inside
    ``versioning.one_bump``. Runs inside the caller's transaction."""
    if not schede:
        return
    _bulk_insert(Objective, [s.objective for s in schede])
    involved = Objective.involved_units.through
    areas = Objective.areas.through
    involved.objects.bulk_create(
        involved(objective_id=s.objective.pk, orgunit_id=unit_id)
        for s in schede
        for unit_id in dict.fromkeys(s.rows.involved_unit_ids)
    )
    # django-stubs 6.1.2 loses the generated through model of Objective.areas (typed Never;
    # involved_units' is found): the same calls as above, unchecked.
    areas.objects.bulk_create(  # type: ignore[attr-defined]
        areas(objective_id=s.objective.pk, performancearea_id=area_id)  # type: ignore[misc]
        for s in schede
        for area_id in dict.fromkeys(s.rows.area_ids)
    )
    indicators = _insert_rows(Indicator, schede)
    _insert_rows(Activity, schede)
    targets = []
    for indicator, written in indicators:
        # One target per kind and year, the last given winning (as ``update_or_create``).
        by_key = {(t.kind, t.year): t for t in written}
        targets += [
            Target(
                authority_id=indicator.authority_id,
                indicator=indicator,
                kind=t.kind,
                year=t.year,
                value=t.value,
                value_text=t.value_text,
                due_date=t.due_date,
                due_text=t.due_text,
            )
            for t in by_key.values()
        ]
    Target.objects.bulk_create(targets)


def _insert_rows(
    model: type[Indicator] | type[Activity], schede: list[NewScheda]
) -> list[tuple[Indicator, tuple[TargetWrite, ...]]]:
    """The schede's indicators or activities in one INSERT; the indicators with their
    targets to write."""
    instances: list[Indicator | Activity] = []
    indicators = []
    for scheda in schede:
        objective = scheda.objective
        given = scheda.rows.indicators if model is Indicator else scheda.rows.activities
        for row in _checked(model, given):
            instance = model(
                authority_id=objective.authority_id,
                objective=objective,
                position=row.position,
                grading_scale=row.scale,
                **row.values,
            )
            instances.append(instance)
            if isinstance(instance, Indicator):
                indicators.append((instance, row.targets))
    _bulk_insert(model, instances)
    return indicators


def _bulk_insert(model: type[Objective] | type[Indicator] | type[Activity], rows: list) -> None:
    """Insert ``rows`` with their ids set on them (SQLite ≥ 3.35 and PostgreSQL return them
    from a bulk insert; elsewhere one INSERT a row)."""
    if connection.features.can_return_rows_from_bulk_insert:
        model.objects.bulk_create(rows)
    else:
        for row in rows:
            row.save(force_insert=True)


def _sync(
    objective: Objective,
    model: type[Indicator] | type[Activity],
    rows: Sequence[RowWrite],
    match: Match,
    keep_words: bool,
) -> list[tuple[Indicator | Activity, RowWrite]]:
    stored: list[Indicator | Activity] = list(model.objects.filter(objective=objective))
    chosen: dict[int, Indicator | Activity | None]
    if match == "id":
        by_id = {r.pk: r for r in stored}
        chosen = {row.position: by_id.get(row.key) if row.key else None for row in rows}
    else:
        by_position = {r.position: r for r in stored}
        chosen = {row.position: by_position.get(row.position) for row in rows}
    kept = {r.pk for r in chosen.values() if r is not None}
    model.objects.filter(objective=objective).exclude(pk__in=kept).delete()
    model.objects.filter(objective=objective).update(position=F("position") + 10_000)
    written: list[tuple[Indicator | Activity, RowWrite]] = []
    for row in rows:
        instance = chosen[row.position] or model(authority=objective.authority, objective=objective)
        values = dict(row.values)
        if keep_words and "timing_text" in values:
            values["timing_text"] = _kept_text(
                values["timing_text"], values.get("end_date"), getattr(instance, "end_date", None)
            )
        for name, value in values.items():
            setattr(instance, name, value)
        instance.grading_scale = row.scale
        instance.position = row.position
        instance.save()
        written.append((instance, row))
    return written


def _write_targets(
    indicator: Indicator, targets: Iterable[TargetWrite], years: set[int], keep_words: bool
) -> None:
    targets = list(targets)
    given = {(t.kind, t.year) for t in targets}
    stored = {(t.kind, t.year): t for t in Target.objects.filter(indicator=indicator)}
    for key, target in stored.items():
        if key[1] in years and key not in given:
            target.delete()
    for wanted in targets:
        before = stored.get((wanted.kind, wanted.year))
        due_text = wanted.due_text
        if keep_words:
            due_text = _kept_text(due_text, wanted.due_date, before.due_date if before else None)
        Target.objects.update_or_create(
            indicator=indicator,
            kind=wanted.kind,
            year=wanted.year,
            defaults={
                "authority": indicator.authority,
                "value": wanted.value,
                "value_text": wanted.value_text,
                "due_date": wanted.due_date,
                "due_text": due_text,
            },
        )


def _kept_text(text: str, new_date: date | None, stored_date: date | None) -> str:
    """The card's own words for a date ("entro la fine di ogni anno", "31 dic 2019") stay while
    the date they stand for is unchanged; a date typed anew replaces them."""
    if new_date is None or new_date == stored_date:
        return text
    return ""
