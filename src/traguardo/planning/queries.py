"""Reusable queries of the planning app: one place that knows what a page of schede needs.

``load_for_scoring(objectives)`` is the loader of every whole-plan computation (the kept
results, the documents, the deadlines, the close check): the schede with everything the scheda
layout and the scoring engine read, in a fixed number of queries whatever the plan's size.

It does by hand what ``select_related`` + ``prefetch_related`` did, without their per-row cost
(one model instance per joined row, a queryset cloned and filtered per scheda and relation):

- one query per related table, filtered by the loaded schede's ids, never one per scheda;
- a row used by many schede is one instance: a grading scale, a PolicyLevel, a unit, a
  person, an ambito read by a thousand rows is built once and shared (treat them as read-only);
- each reverse or many-to-many relation is installed in the instance's prefetch cache as a
  ``LoadedRows`` queryset, so ``objective.indicators.all()``, iteration, ``len``, ``bool``,
  ``.count()`` and ``.exists()`` read the loaded rows and never the database, exactly as after
  ``prefetch_related``; a method that needs SQL (``.filter()``, ``.order_by()``…) gets the
  relation's own queryset, built only then.

Every reverse relation is read through the model's default (django-scopes) manager, as the
prefetch did, so inside ``scope(authority=…)`` it is filtered by the authority and inside
``scopes_disabled()`` it is not; the foreign keys of the loaded rows are read through the base
manager, as ``select_related``'s joins did.
"""

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import models
from django.db.models import QuerySet

from traguardo.organization.models import (
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
)
from traguardo.planning.models import Activity, DupGoal, Indicator, Objective, Target

# What a scheda reads through its foreign keys (and its unit's head).
_RELATED = (
    "unit__head",
    "responsible",
    "dup_goal",
    "series",
    "strategic_level",
    "complexity_level",
    "kind_level",
)
_LEVELS = ("strategic_level", "complexity_level", "kind_level")


def objectives_for_scoring(objectives: QuerySet[Objective]) -> QuerySet[Objective]:
    """The schede with their foreign keys joined (``select_related``); their rows, ambiti,
    involved units and multi-year cards are read by ``load_for_scoring``, which the
    whole-plan computations call instead."""
    return objectives.select_related(*_RELATED)


def load_for_scoring(objectives: QuerySet[Objective]) -> list[Objective]:
    """The schede of ``objectives`` (in its order), with everything the scheda layout and the
    scoring engine read loaded: unit and its head, responsible, DUP goal, series card,
    Punteggio levels; indicators (with their scale, and their targets by year and kind),
    activities (with their scale), ambiti, involved units and the series' cards.

    A fixed number of queries (at most 14), whatever the number of schede; afterwards no
    attribute or relation of the loaded objects touches the database."""
    with collector_paused():
        loaded = list(objectives)
        if loaded:
            install_for_scoring(loaded)
    return loaded


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a block builds many objects that all
    stay alive (a plan's rows): otherwise it runs again and again over the growing heap and
    finds nothing to free, which took half of a 2,000-schede load. Nothing is lost: what
    the block leaves unreachable is collected by the next collection after it. Nested
    blocks (and other threads' blocks) leave it to the block that paused it to restart it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def install_for_scoring(objectives: list[Objective]) -> None:
    """Load into already-fetched schede what ``load_for_scoring`` loads."""
    by_pk = {o.pk: o for o in objectives}
    ids = list(by_pk)
    area_pairs = _pairs("areas", ids)
    involved_pairs = _pairs("involved_units", ids)
    units = _install_foreign_keys(objectives, by_pk, {pk for _, pk in involved_pairs})

    indicators = list(
        Indicator.objects.filter(objective_id__in=ids).order_by("objective_id", "position")
    )
    activities = list(
        Activity.objects.filter(objective_id__in=ids).order_by("objective_id", "position")
    )
    scored: list[Indicator | Activity] = [*indicators, *activities]
    scales = _by_pk(GradingScale, {r.grading_scale_id for r in scored})
    for row in scored:
        row._state.fields_cache["grading_scale"] = scales.get(row.grading_scale_id)

    indicators_by_pk = {i.pk: i for i in indicators}
    targets: dict[int, list[Target]] = {pk: [] for pk in indicators_by_pk}
    for target in Target.objects.filter(indicator__objective_id__in=ids).order_by(
        "indicator_id", "year", "kind"
    ):
        rows = targets.get(target.indicator_id)
        if rows is not None:  # its indicator is one of the loaded (and scoped) ones
            target._state.fields_cache["indicator"] = indicators_by_pk[target.indicator_id]
            rows.append(target)
    install = _installer(Target, "targets")
    for pk, indicator in indicators_by_pk.items():
        install(indicator, targets[pk])

    _install_children(objectives, by_pk, "indicators", Indicator, indicators)
    _install_children(objectives, by_pk, "activities", Activity, activities)
    areas = _by_pk(PerformanceArea, {pk for _, pk in area_pairs})
    _install_many(objectives, "areas", PerformanceArea, area_pairs, areas)
    _install_many(objectives, "involved_units", OrgUnit, involved_pairs, units)

    # The yearly schede of the multi-year objectives these schede start: the loaded instance
    # when the scheda is one of them, else the one read, pointing back to its first scheda.
    members: dict[int, list[Objective]] = {pk: [] for pk in by_pk}
    for read in Objective.objects.filter(series_id__in=ids):
        member = by_pk.get(read.pk, read)
        series_id = member.series_id
        if series_id is None:  # not so: they were read by their series
            continue
        member._state.fields_cache["series"] = by_pk[series_id]
        members[series_id].append(member)
    install = _installer(Objective, "series_cards")
    for pk, objective in by_pk.items():
        install(objective, members[pk])


def rows(instance: models.Model, relation: str) -> list:
    """The rows of a reverse or many-to-many ``relation`` of ``instance``: the list loaded by
    ``load_for_scoring`` (or by a ``prefetch_related``) as it is, without making a related
    manager and a queryset per call, else ``relation.all()`` read now."""
    loaded = instance.__dict__.get("_prefetched_objects_cache", {}).get(relation)
    if loaded is not None and loaded._result_cache is not None:
        return loaded._result_cache
    return list(getattr(instance, relation).all())


class LoadedRows(QuerySet):
    """A related manager's rows, loaded by ``install_for_scoring``.

    Reading it (iteration, ``len``, ``bool``, indexing, ``.count()``, ``.exists()``) reads the
    rows. It is made without building any SQL; the relation's SQL — the queryset the related
    manager itself would build for its instance — is made only when a method asks for it
    (``.filter()``, ``.order_by()``, ``.values_list()`` and any other method that makes a new
    queryset), so such a query is the relation's, as after ``prefetch_related``.
    """

    _owner: models.Model | None = None  # the instance whose relation this is, until built
    _relation = ""

    @property
    def query(self):
        if self._owner is not None:
            owner, self._owner = self._owner, None
            # The manager builds its own queryset when its instance has no cached rows.
            cache = owner.__dict__.get("_prefetched_objects_cache", {})
            mine = cache.pop(self._relation, None)
            try:
                real = getattr(owner, self._relation).get_queryset()
            finally:
                if mine is not None:
                    cache[self._relation] = mine
            self._query = real.query
            self._hints = real._hints
            self._known_related_objects = real._known_related_objects
            self._db = real._db
        return QuerySet.query.fget(self)

    @query.setter
    def query(self, value):
        QuerySet.query.fset(self, value)


def _installer(model: type[models.Model], relation: str):
    """A function that installs a list of rows as ``relation``'s prefetched rows on an
    instance: a ``LoadedRows`` copied from one made here, sharing its (never used) empty
    query, so that a thousand schede cost a thousand small dictionaries and nothing more."""
    template = LoadedRows(model=model).__dict__

    def install(instance: models.Model, rows: list) -> None:
        qs = object.__new__(LoadedRows)
        qs.__dict__ = {
            **template,
            "_hints": {},
            "_known_related_objects": {},
            "_result_cache": rows,
            "_prefetch_done": True,
            "_owner": instance,
            "_relation": relation,
        }
        instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = qs

    return install


def _install_children(
    objectives: list[Objective],
    by_pk: dict[int, Objective],
    relation: str,
    model: type[models.Model],
    rows: list,
) -> None:
    """A reverse foreign key: each row points back to its scheda, as the prefetch did."""
    grouped: dict[int, list] = {pk: [] for pk in by_pk}
    for row in rows:
        row._state.fields_cache["objective"] = by_pk[row.objective_id]
        grouped[row.objective_id].append(row)
    install = _installer(model, relation)
    for objective in objectives:
        install(objective, grouped[objective.pk])


def _pairs(relation: str, ids: list[int]) -> list[tuple[int, int]]:
    """The (scheda, row) pairs of a many-to-many relation of these schede, in the related
    model's ordering, read through its (scoped) manager as the prefetch read them."""
    field = Objective._meta.get_field(relation)
    if not isinstance(field, models.ManyToManyField):
        raise TypeError(f"{relation} is not a many-to-many relation of a scheda")
    name = field.related_query_name()
    manager = field.related_model._default_manager
    return list(manager.filter(**{f"{name}__in": ids}).values_list(name, "pk"))


def _install_many(
    objectives: list[Objective],
    relation: str,
    model: type[models.Model],
    pairs: list[tuple[int, int]],
    found: dict,
) -> None:
    """A many-to-many relation: each scheda's rows in the pairs' order, one instance each."""
    grouped: dict[int, list] = {o.pk: [] for o in objectives}
    for objective_id, pk in pairs:
        grouped[objective_id].append(found[pk])
    install = _installer(model, relation)
    for objective in objectives:
        install(objective, grouped[objective.pk])


def _install_foreign_keys(
    objectives: list[Objective], by_pk: dict[int, Objective], involved: set[int]
) -> dict:
    """unit (with its head), responsible, dup_goal, series and the three levels: one query
    per model, one instance per row. A key the caller's queryset already joined is kept.
    The units are read with the ``involved`` ones, and returned."""

    def missing(rows: Iterable[models.Model], name: str) -> list:
        return [row for row in rows if name not in row._state.fields_cache]

    def put(rows: Iterable[models.Model], name: str, found: dict) -> None:
        attname = f"{name}_id"
        for row in rows:
            value = getattr(row, attname)
            if value is None:
                row._state.fields_cache[name] = None
            elif value in found:
                row._state.fields_cache[name] = found[value]
            # else: not readable here; the descriptor reads it if asked, as before

    without_unit = missing(objectives, "unit")
    found_units = _by_pk(OrgUnit, {o.unit_id for o in without_unit} | involved)
    put(without_unit, "unit", found_units)
    units: dict[int, OrgUnit] = {
        id(unit): unit for o in objectives if (unit := o._state.fields_cache.get("unit"))
    }
    units |= {id(u): u for u in found_units.values()}
    heads = missing(units.values(), "head")
    without_responsible = missing(objectives, "responsible")
    people = _by_pk(
        Person,
        {o.responsible_id for o in without_responsible} | {u.head_id for u in heads},
    )
    put(heads, "head", people)
    put(without_responsible, "responsible", people)

    without_goal = missing(objectives, "dup_goal")
    put(without_goal, "dup_goal", _by_pk(DupGoal, {o.dup_goal_id for o in without_goal}))

    without_level = {name: missing(objectives, name) for name in _LEVELS}
    levels = _by_pk(
        PolicyLevel,
        {getattr(o, f"{name}_id") for name, rows in without_level.items() for o in rows},
    )
    for name, rows in without_level.items():
        put(rows, name, levels)

    without_series = missing(objectives, "series")
    outside = {o.series_id for o in without_series} - by_pk.keys()
    put(without_series, "series", {**by_pk, **_by_pk(Objective, outside)})
    return found_units


def _by_pk(model: type[models.Model], pks: set) -> dict:
    """The rows of these keys, one instance each (through the base manager, as a join)."""
    pks.discard(None)
    if not pks:
        return {}
    return {row.pk: row for row in model._base_manager.filter(pk__in=pks)}
