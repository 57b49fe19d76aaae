"""A plan's results, checks and deadlines kept per change, not recomputed per request.

Every page that summarises a plan (the plan page, the cruscotto, the Nucleo's page, the
Relazione and Verifica pages, the public pages) reads ``kept_plan(plan, period)``: the engine's
results (``scores``), one light row per scheda for the lists (``rows``: what a list shows, its
checks and anomalies, its result), the ambiti roll-up and every deadline. It is computed by
exactly the code the documents use (``load_for_scoring`` → ``score_objectives``,
``plan_anomalies``, ``plan_deadlines``) and kept under a key made of the plan, the period asked
for, today's date and the authority's data version (``planning.versioning``): any write that
could change it moves the version in its own transaction, so the next request computes it
again, and nothing has to remember to invalidate anything. A test compares kept and fresh
results after every kind of write (``tests/planning/test_kept.py``).

Where it is kept: in the process (a few plans, no copying: a hit costs nothing) in front of
Django's ``results`` cache (files under var/ shared by the processes of a machine, or Redis
shared by several web nodes, see ``settings.CACHES``). Losing either costs one computation.

A scheda's card (``reports.scheda.scheda_page``) is kept the same way (``keep``), so showing a
scheda again costs one query. Keys also carry the release and ``FORMAT`` (raise it when a kept
class changes shape), so values pickled by other code are never read.

When: on the first request after a change, and — unless ``TRAGUARDO_KEEP_WARM`` is off —
right after the commit of the change, in a thread of the process that wrote it (one at a time
per authority), so that a large plan's pages are usually ready before anyone asks again.
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from importlib import metadata
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext
from django_scopes import scopes_disabled

from traguardo.monitoring.deadlines import Deadline, plan_deadlines
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.asof import AsOf
from traguardo.planning.checks import Anomaly, Check, plan_anomalies, weights_check
from traguardo.planning.models import Objective, Plan
from traguardo.planning.queries import load_for_scoring
from traguardo.planning.scores import PlanScores, objective_weight_score, score_objectives
from traguardo.planning.states import Coverage
from traguardo.planning.versioning import data_changed, data_stamp
from traguardo.scoring import Aggregate, ObjectiveResult, Status, score_areas

logger = logging.getLogger(__name__)
T = TypeVar("T")
CACHE_ALIAS = "results"
FORMAT = 1
RELEASE = metadata.version("traguardo")
_lock = threading.Lock()


@dataclass(frozen=True)
class ObjectiveRef:
    """What a list, a deadline or a link shows of a scheda, without the model."""

    pk: int
    plan_id: int
    position: int
    code: str
    title: str
    year: int
    first_year: int
    last_year: int
    in_series: bool  # a year of a multi-year objective (it has a series or is one)
    unit_id: int | None
    unit_name: str
    unit_head: str
    unit_position: int
    responsible_id: int | None
    responsible_name: str
    area_ids: tuple[int, ...]

    def __str__(self) -> str:
        return self.title or gettext("Scheda senza denominazione")  # as Objective.__str__

    @property
    def id(self) -> int:
        return self.pk

    @property
    def is_multi_year(self) -> bool:
        return self.last_year > self.first_year

    @property
    def responsible(self) -> str:
        return self.responsible_name


@dataclass(frozen=True)
class KeptRow:
    """One scheda as the lists show it: the same fields, checks and result as its card."""

    objective: ObjectiveRef
    result: ObjectiveResult | None
    weight_score: Decimal | None
    indicator_check: Check
    activity_check: Check | None
    anomalies: tuple[Anomaly, ...]

    @property
    def pk(self) -> int:
        return self.objective.pk

    @property
    def errors(self) -> list[Anomaly]:
        return [a for a in self.anomalies if a.is_error]

    @property
    def warnings(self) -> list[Anomaly]:
        return [a for a in self.anomalies if not a.is_error]

    @property
    def forced(self) -> bool:
        return self.result is not None and any(r.status == "forced" for r in self.result.indicators)

    @property
    def not_due(self) -> bool:
        return self.result is not None and self.result.status == Status.NOT_DUE


class OnKeptRow:
    """A page's item built on a kept row (``row``), shown as the row is: its scheda, its
    result and whether it was forced."""

    row: KeptRow

    @property
    def objective(self) -> ObjectiveRef:
        return self.row.objective

    @property
    def result(self) -> ObjectiveResult | None:
        return self.row.result

    @property
    def forced(self) -> bool:
        return self.row.forced


@dataclass(frozen=True)
class KeptPlan:
    """A plan's results as of one date, with the rows of its lists and its deadlines."""

    key: str
    plan_id: int
    scores: PlanScores
    rows: tuple[KeptRow, ...]  # by responsible unit, then position (as the documents)
    areas: dict[Hashable, Aggregate]  # the ambiti roll-up, by PerformanceArea id
    deadlines: tuple[Deadline, ...]  # by date; ``objective`` is an ObjectiveRef
    computed_at: object

    @property
    def as_of(self) -> AsOf:
        return self.scores.as_of

    @property
    def period(self) -> MonitoringPeriod | None:
        return self.scores.as_of.period

    def coverage(self, aggregate: Aggregate | None = None) -> Coverage:
        """What a roll-up (default: the authority's) counts, and as of when."""
        return Coverage(aggregate or self.scores.result.authority, self.scores.as_of)

    def row(self, pk: int) -> KeptRow | None:
        return self._by_pk().get(pk)

    def _by_pk(self) -> dict[int, KeptRow]:
        index = self.__dict__.get("_index")
        if index is None:
            index = {row.objective.pk: row for row in self.rows}
            object.__setattr__(self, "_index", index)
        return index

    def overdue(self) -> list[Deadline]:
        """Deadlines past due as of the plan's date, neither met nor settled."""
        return [d for d in self.deadlines if d.is_overdue()]

    def upcoming(self, days: int) -> list[Deadline]:
        """Deadlines due within ``days`` days of the plan's date, not yet met."""
        return [d for d in self.deadlines if d.is_upcoming(None, days)]

    def derived(self, name, build: Callable[[], T]) -> T:
        """What a page derives from the kept plan alone (its rows sorted, its charts…), built
        once per kept plan and process, and dropped with it: ``build`` must read nothing but
        this plan and settings that cannot change without a new kept plan."""
        views = self.__dict__.get("_derived")
        if views is None:
            views = {}
            object.__setattr__(self, "_derived", views)
        if name not in views:
            views[name] = build()
        return views[name]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_index", None)
        state.pop("_derived", None)
        return state


def kept_plan(
    plan: Plan, period: MonitoringPeriod | None = None, *, today: date | None = None
) -> KeptPlan:
    """The plan's kept results against ``period`` (default: the current one), as of the date
    ``planning.asof.as_of`` gives for ``today`` (default: today); computed if nothing is kept
    for the present data."""
    today = today or timezone.localdate()
    name = f"plan:{plan.pk}:{period.pk if period else 'current'}:{today}"
    return keep(
        plan.authority_id,
        name,
        lambda key: compute(plan, period, today=today, key=key),
        local=_plans,
    )


def keep(authority_id: int, name: str, build: Callable[[str], T], *, local: "_Memo | None") -> T:
    """``build(key)`` kept under ``name`` and the authority's data version: the one way a
    computed view of an authority's data is kept (a plan here, a scheda's card in
    ``reports.scheda``, the public open data and Relazione PDF). ``name`` must say everything
    else the value depends on (which plan, period, day, host). ``local``: this process's memory
    for it, or None for values too big to hold there (a PDF: the shared cache only)."""
    stamp = data_stamp(authority_id)  # before reading any data: see planning.versioning
    key = f"traguardo:{RELEASE}.{FORMAT}:{name}:{stamp}"
    value = local.get(key) if local is not None else None
    if value is not None:
        return value
    if _writing():
        # Inside a write transaction the data may be uncommitted (and rolled back, bringing
        # the version back to a number other data will reach): computed, never kept.
        return build(key)
    cache = caches[CACHE_ALIAS]
    try:
        value = cache.get(key)
    except Exception:  # a damaged entry is a miss: the value is computed again
        logger.exception("Reading the kept value %s failed", key)
        value = None
    if value is None:
        value = build(key)
        cache.set(key, value)
    if local is not None:
        local.put(key, value)
    return value


class _Memo:
    """The newest ``size`` values kept in this process, shared by its threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.values: OrderedDict[str, object] = OrderedDict()

    def get(self, key: str):
        with _lock:
            value = self.values.get(key)
            if value is not None:
                self.values.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        with _lock:
            self.values[key] = value
            self.values.move_to_end(key)
            while len(self.values) > self.size:
                self.values.popitem(last=False)

    def clear(self) -> None:
        with _lock:
            self.values.clear()


# Plans kept in each process's memory (a plan of 2,000 schede is a few MB); schede (each a
# SchedaView); files (the open data, up to a few MB each).
_plans = _Memo(8)
schede = _Memo(256)
files = _Memo(8)


def _writing() -> bool:
    """In a transaction of the code's own (the tests' outer transaction does not count)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def forget_local() -> None:
    """Empty this process's memory of kept values (the tests, between databases)."""
    _plans.clear()
    schede.clear()
    files.clear()


def compute(
    plan: Plan,
    period: MonitoringPeriod | None = None,
    *,
    today: date | None = None,
    key: str = "",
) -> KeptPlan:
    """The plan's results, rows and deadlines computed now from the stored data."""
    objectives = load_for_scoring(plan.objectives.all())
    objectives.sort(
        key=lambda o: (o.unit is None, o.unit.position if o.unit else 0, o.unit_id or 0, o.position)
    )
    scores = score_objectives(plan, objectives, period=period, today=today)
    anomalies = plan_anomalies(plan, objectives)
    refs = {o.pk: _ref(o) for o in objectives}
    rows = tuple(_row(o, refs[o.pk], scores, anomalies.get(o.pk, [])) for o in objectives)
    areas = score_areas(
        (
            row.weight_score,
            row.result.achievement if row.result else None,
            row.objective.area_ids,
            row.result.status if row.result else Status.MISSING,
        )
        for row in rows
    )
    deadlines = tuple(
        replace(d, objective=refs[d.objective.pk])
        for d in plan_deadlines(plan, objectives, scores=scores)
    )
    return KeptPlan(
        key=key,
        plan_id=plan.pk,
        scores=scores,
        rows=rows,
        areas=areas,
        deadlines=deadlines,
        computed_at=timezone.now(),
    )


def _ref(objective: Objective) -> ObjectiveRef:
    unit = objective.unit
    return ObjectiveRef(
        pk=objective.pk,
        plan_id=objective.plan_id,
        position=objective.position,
        code=objective.code,
        title=objective.title,
        year=objective.year,
        first_year=objective.first_year,
        last_year=objective.last_year,
        in_series=bool(objective.series_id or objective.series_cards.all()),
        unit_id=objective.unit_id,
        unit_name=unit.name if unit else "",
        unit_head=str(unit.head) if unit and unit.head else "",
        unit_position=unit.position if unit else 0,
        responsible_id=objective.responsible_id,
        responsible_name=str(objective.responsible) if objective.responsible else "",
        area_ids=tuple(sorted(a.pk for a in objective.areas.all())),
    )


def _row(objective: Objective, ref: ObjectiveRef, scores: PlanScores, anomalies) -> KeptRow:
    activities = list(objective.activities.all())
    return KeptRow(
        objective=ref,
        result=scores.result.objectives.get(objective.pk),
        weight_score=objective_weight_score(objective, scores.rules),
        indicator_check=weights_check([i.weight for i in objective.indicators.all()]),
        activity_check=weights_check([a.weight for a in activities]) if activities else None,
        anomalies=tuple(anomalies),
    )


# Authorities being computed again → whether another change came in meanwhile.
_warming: dict[int, bool] = {}


@receiver(data_changed, dispatch_uid="traguardo.kept.warm")
def _warm_after_commit(sender, authority_id: int, **kwargs) -> None:
    """Compute the authority's plans again after a committed change: one thread at a time
    per authority, which goes round once more if another change is committed meanwhile."""
    if not settings.TRAGUARDO_KEEP_WARM:
        return
    with _lock:
        if authority_id in _warming:
            _warming[authority_id] = True
            return
        _warming[authority_id] = False
    threading.Thread(target=_warm, args=(authority_id,), daemon=True).start()


def _warm(authority_id: int) -> None:
    try:
        again = True
        while again:
            with scopes_disabled():
                for plan in Plan.objects.filter(authority_id=authority_id):
                    kept_plan(plan)
            with _lock:
                again = _warming[authority_id]
                _warming[authority_id] = False
    except Exception:
        # A failed warm-up costs the next request a computation; it is worth a line in the log.
        logger.exception("Warming the kept results of authority %s failed", authority_id)
    finally:
        with _lock:
            _warming.pop(authority_id, None)
        connections.close_all()
