"""The roll-up of DESIGN.md §4.3: indicators → objective → unit, person, authority.

Callers build `ObjectiveSpec`s from their rows and call `score_plan` once per plan; every figure
is computed exactly and rounded half-up to 2 places only in the results.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from .italian import round_half_up
from .measures import activity_outcome, indicator_outcome, score_activity, score_indicator
from .specs import (
    ActivityResult,
    ActivitySpec,
    Aggregate,
    Context,
    IndicatorResult,
    IndicatorSpec,
    ObjectiveResult,
    ObjectiveSpec,
    Observation,
    PlanResult,
    Policy,
)
from .types import Status
from .values import HUNDRED, exact_product, exact_sum, weighted_mean

__all__ = [
    "ActivityResult",
    "ActivitySpec",
    "Aggregate",
    "Context",
    "IndicatorResult",
    "IndicatorSpec",
    "ObjectiveResult",
    "ObjectiveSpec",
    "Observation",
    "PlanResult",
    "Policy",
    "score_activity",
    "score_areas",
    "score_indicator",
    "score_objective",
    "score_plan",
]

_COUNTED = frozenset({Status.MEASURED, Status.PROVISIONAL, Status.FORCED})
_UNKNOWN = frozenset({Status.MISSING, Status.NOT_MEASURABLE})
_OUT_OF_COUNT = frozenset({Status.NOT_DUE, Status.EXCLUDED})
_NO_PARENTS: Mapping[Hashable, Hashable | None] = MappingProxyType({})
_ONE = Decimal(1)


@dataclass(frozen=True)
class _Part:
    """The weighted mean of one table of the card (indicators or activities)."""

    mean: Decimal | None
    size: int
    pending: bool
    provisional: bool
    not_due: int


def _roll(
    items: Sequence[tuple[Decimal, Status, Decimal | None]], *, missing_counts_zero: bool
) -> _Part:
    """Σw·a/Σw over what counts; EXCLUDED and NOT_DUE rows are left out (renormalised).

    MISSING and NOT_MEASURABLE wait for a person while the period is open (the objective is
    partial). Once it is closed they count as 0 for indicators (DESIGN.md §4.3): a figure
    that cannot be computed is excluded only by a person, with a reason, never silently by
    the engine. An activity nobody reported on never counts as 0: it stays pending.
    """
    pairs = []
    pending = provisional = False
    not_due = 0
    for weight, status, achievement in items:
        if status in _COUNTED and achievement is not None:
            pairs.append((weight, achievement))
            provisional = provisional or status is Status.PROVISIONAL
        elif status in _UNKNOWN:
            if missing_counts_zero:
                pairs.append((weight, Decimal(0)))
            else:
                pending = True
        elif status is Status.NOT_DUE:
            not_due += 1
    return _Part(weighted_mean(pairs), len(items), pending, provisional, not_due)


def _combine(
    indicators: _Part, activities: _Part, share: Decimal
) -> tuple[Decimal | None, list[_Part]]:
    """Mix indicators and activities by the policy's share; returns the parts that decided.

    With no activities, or a share of 0, the indicators decide alone; if one side has nothing
    to count (all excluded, or all pending), the other side decides.
    """
    if share == 0 or activities.size == 0:
        return indicators.mean, [indicators]
    if share == HUNDRED:
        return activities.mean, [activities]
    parts = [indicators, activities]
    if indicators.mean is None or activities.mean is None:
        return (indicators.mean if activities.mean is None else activities.mean), parts
    mixed = exact_sum(
        (exact_product(indicators.mean, HUNDRED - share), exact_product(activities.mean, share))
    )
    return mixed / HUNDRED, parts


def _objective(
    spec: ObjectiveSpec, policy: Policy, context: Context
) -> tuple[ObjectiveResult, Decimal | None]:
    indicators = [indicator_outcome(i, context) for i in spec.indicators]
    activities = [activity_outcome(a, context) for a in spec.activities]
    indicator_part = _roll(
        [(s.weight, r.status, a) for s, (r, a) in zip(spec.indicators, indicators, strict=True)],
        missing_counts_zero=context.closed,
    )
    activity_part = _roll(
        [(s.weight, r.status, a) for s, (r, a) in zip(spec.activities, activities, strict=True)],
        missing_counts_zero=False,
    )
    achievement, parts = _combine(indicator_part, activity_part, policy.activity_share)
    if spec.forced is not None:
        status, achievement = Status.FORCED, spec.forced
    elif any(part.pending for part in parts):
        status = Status.PARTIAL
    elif achievement is None and any(part.not_due for part in parts):
        status = Status.NOT_DUE
    elif achievement is None:
        status = Status.EXCLUDED if any(part.size for part in parts) else Status.NOT_MEASURABLE
    elif any(part.provisional for part in parts):
        status = Status.PROVISIONAL
    else:
        status = Status.MEASURED
    result = ObjectiveResult(
        key=spec.key,
        status=status,
        achievement=_rounded(achievement),
        indicator_achievement=_rounded(indicator_part.mean),
        activity_progress=_rounded(activity_part.mean),
        indicators=tuple(r for r, _ in indicators),
        activities=tuple(r for r, _ in activities),
    )
    return result, achievement


def score_objective(spec: ObjectiveSpec, policy: Policy, context: Context) -> ObjectiveResult:
    """Score one card: its indicators, its activities and their mix.

    Status: FORCED when overridden; PARTIAL while something that counts is still missing;
    NOT_DUE when nothing is due yet as of the reference date; EXCLUDED when everything was
    excluded; NOT_MEASURABLE with nothing to score; PROVISIONAL when a counted figure is
    provisional; MEASURED otherwise.
    """
    return _objective(spec, policy, context)[0]


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_half_up(value)


_Member = tuple[Decimal | None, Decimal | None, Status]  # (Punteggio, achievement, status)


def _aggregate(members: Sequence[_Member]) -> Aggregate:
    """Mean of the due objectives' achievements, weighted by Punteggio.

    One blank Punteggio among the due objectives gives every one the same weight
    (equal_weights), and so does a group whose measured objectives all weigh 0. Objectives
    not due as of the reference date, and those a person excluded whole (every row "non
    valutabile"), are counted apart and stay out of the mean.
    """
    due = [(w, a) for w, a, status in members if status not in _OUT_OF_COUNT]
    measured = [(weight, achievement) for weight, achievement in due if achievement is not None]
    excluded = sum(1 for *_wa, status in members if status is Status.EXCLUDED)
    partial = sum(1 for _w, a, status in members if status is Status.PARTIAL and a is not None)
    equal = any(weight is None for weight, _ in due) or (
        bool(measured) and exact_sum(weight for weight, _ in measured if weight is not None) == 0
    )
    pairs = [(_ONE if equal or weight is None else weight, a) for weight, a in measured]
    return Aggregate(
        _rounded(weighted_mean(pairs)),
        len(members),
        len(measured),
        equal,
        not_due=len(members) - len(due) - excluded,
        partial=partial,
        excluded=excluded,
    )


def _lineage(unit: Hashable, parents: Mapping[Hashable, Hashable | None]) -> list[Hashable]:
    """The unit and its ancestors, nearest first."""
    chain: list[Hashable] = []
    current: Hashable | None = unit
    while current is not None:
        if current in chain:
            raise ValueError(f"unit_parents has a cycle through {current!r}")
        chain.append(current)
        current = parents.get(current)
    return chain


def score_plan(
    objectives: Iterable[ObjectiveSpec],
    *,
    policy: Policy,
    context: Context,
    unit_parents: Mapping[Hashable, Hashable | None] = _NO_PARENTS,
) -> PlanResult:
    """Score a whole plan in one pass and roll it up to units, people and the authority.

    A unit's aggregate includes the objectives of all its descendant units; every unit named
    in `unit_parents` appears, with no objectives if none belongs to it.
    """
    results: dict[Hashable, ObjectiveResult] = {}
    units: dict[Hashable, list[_Member]] = {}
    people: dict[Hashable, list[_Member]] = {}
    everyone: list[_Member] = []
    for unit, parent in unit_parents.items():
        for key in (unit, parent):
            if key is not None:
                units.setdefault(key, [])
    lineages = {unit: _lineage(unit, unit_parents) for unit in units}
    for spec in objectives:
        if spec.key in results:
            raise ValueError(f"two objectives with the key {spec.key!r}")
        result, achievement = _objective(spec, policy, context)
        results[spec.key] = result
        member = (spec.weight_score, achievement, result.status)
        everyone.append(member)
        if spec.unit_key is not None:
            if spec.unit_key not in lineages:
                lineages[spec.unit_key] = _lineage(spec.unit_key, unit_parents)
            for unit in lineages[spec.unit_key]:
                units.setdefault(unit, []).append(member)
        if spec.person_key is not None:
            people.setdefault(spec.person_key, []).append(member)
    return PlanResult(
        objectives=results,
        units={unit: _aggregate(members) for unit, members in units.items()},
        people={person: _aggregate(members) for person, members in people.items()},
        authority=_aggregate(everyone),
    )


def score_areas(
    members: Iterable[tuple[Decimal | None, Decimal | None, Iterable[Hashable]]]
    | Iterable[tuple[Decimal | None, Decimal | None, Iterable[Hashable], Status]],
) -> dict[Hashable, Aggregate]:
    """Roll objectives up to the ambiti of performance they serve, as units are rolled up.

    Each member is (weight_score, achievement, area keys[, status]) of one objective; an
    objective in several ambiti counts in each. The achievements are the objectives' results
    as reported (rounded to 2 places), so that an ambito's figure is the mean of the figures
    printed beside it; the mean is weighted by Punteggio, with equal weights as in
    `score_plan`, and objectives not yet due are counted apart.
    """
    areas: dict[Hashable, list[_Member]] = {}
    for weight, achievement, keys, *rest in members:
        status = Status(rest[0]) if rest else Status.MEASURED
        for key in dict.fromkeys(keys):  # an area named twice still counts the objective once
            areas.setdefault(key, []).append((weight, achievement, status))
    return {key: _aggregate(group) for key, group in areas.items()}
