"""Scores of a plan, computed by the scoring engine from the stored rows.

This is the only bridge between the database and ``traguardo.scoring``: it turns objectives,
indicators, activities and the measurements of one monitoring period into the engine's
dataclasses and returns the engine's results untouched. Nothing here decides a number.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.organization.models import OrgUnit
from traguardo.planning.asof import AsOf, as_of
from traguardo.planning.checks import year_targets
from traguardo.planning.models import Objective, Plan
from traguardo.planning.queries import collector_paused, rows
from traguardo.planning.rulebook import PlanRules, plan_rules
from traguardo.scoring import (
    ActivitySpec,
    Context,
    Direction,
    IndicatorSpec,
    Measure,
    ObjectiveSpec,
    Observation,
    PlanResult,
    score_plan,
    weight_score,
)


@dataclass(frozen=True)
class PlanScores:
    as_of: AsOf
    result: PlanResult
    rules: PlanRules

    @property
    def period(self) -> MonitoringPeriod | None:
        return self.as_of.period

    @property
    def context(self) -> Context:
        return self.as_of.context


def objective_weight_score(objective: Objective, rules: PlanRules) -> Decimal | None:
    levels = (objective.strategic_level, objective.complexity_level, objective.kind_level)
    return weight_score(*(rules.level_value(level) for level in levels))


def score_objectives(
    plan: Plan,
    objectives: list[Objective],
    *,
    today: date | None = None,
    period: MonitoringPeriod | None = None,
):
    """Score loaded objectives (see ``queries.load_for_scoring``) of one plan,
    against the measurements of ``period`` (default: the current period), as of the date
    ``planning.asof.as_of`` gives."""
    return _score(plan, objectives, Q(), today=today, period=period, units=True)


def score_objective_alone(
    plan: Plan,
    objective: Objective,
    *,
    today: date | None = None,
    period: MonitoringPeriod | None = None,
) -> PlanScores:
    """Score one prefetched objective, reading its own measurements only.

    An objective's result (``result.objectives[objective.pk]``) does not depend on the plan's
    other objectives, so it is the one ``score_objectives`` gives over the whole plan; the
    roll-ups (people, authority; units without their parents) count this objective alone and
    mean nothing here."""
    own = Q(indicator_id__in=[i.pk for i in objective.indicators.all()]) | Q(
        activity_id__in=[a.pk for a in objective.activities.all()]
    )
    return _score(plan, [objective], own, today=today, period=period, units=False)


def _score(
    plan: Plan,
    objectives: list[Objective],
    measured: Q,
    *,
    today: date | None,
    period: MonitoringPeriod | None,
    units: bool,
) -> PlanScores:
    when = as_of(plan, period, today=today)
    with collector_paused():  # the measurements, the specs and the results all stay alive
        measurements = {}
        if when.period is not None:
            measurements = {
                (m.indicator_id, m.activity_id): m
                for m in Measurement.objects.filter(measured, period=when.period)
            }
        rules = plan_rules(plan)
        intermediate = (
            when.period is not None and when.period.kind == MonitoringPeriod.Kind.INTERMEDIATE
        )
        specs = [_objective_spec(o, measurements, intermediate, rules) for o in objectives]
        unit_parents = _unit_parents(objectives) if units else {}
        result = score_plan(
            specs, policy=rules.policy, context=when.context, unit_parents=unit_parents
        )
    return PlanScores(as_of=when, result=result, rules=rules)


def _unit_parents(objectives: list[Objective]) -> dict:
    authority_ids = {o.authority_id for o in objectives}
    return dict(
        OrgUnit.objects.filter(authority_id__in=authority_ids).values_list("pk", "parent_id")
    )


def _objective_spec(
    objective: Objective, measurements: dict, intermediate: bool, rules: PlanRules
) -> ObjectiveSpec:
    indicators = []
    for indicator in rows(objective, "indicators"):
        final, intermediate_one = year_targets(indicator, objective.year)
        target = (intermediate and intermediate_one) or final
        if target is not None and objective.is_multi_year and target.year != objective.year:
            target = None  # a multi-year objective is scored on its year's targets only
        m = measurements.get((indicator.pk, None))
        indicators.append(
            IndicatorSpec(
                key=indicator.pk,
                weight=indicator.weight if indicator.weight is not None else Decimal(0),
                measure=Measure(indicator.measure),
                scale=rules.scale(indicator),
                target=target.value if target else None,
                due_on=target.due_date if target else None,
                due_year=target.year if target else objective.year,
                direction=Direction(indicator.direction),
                baseline=indicator.baseline,
                variation_percent=indicator.variation_percent,
                observation=_observation(m),
                excluded=bool(m and m.not_assessable),
                forced=m.forced_achievement if m else None,
            )
        )
    activities = []
    for activity in rows(objective, "activities"):
        m = measurements.get((None, activity.pk))
        activities.append(
            ActivitySpec(
                key=activity.pk,
                weight=activity.weight if activity.weight is not None else Decimal(0),
                due_on=activity.end_date,
                due_year=objective.year,
                scale=rules.scale(activity),
                completed_on=m.completed_on if m else None,
                progress=m.progress if m else None,
                excluded=bool(m and m.not_assessable),
            )
        )
    return ObjectiveSpec(
        key=objective.pk,
        indicators=tuple(indicators),
        activities=tuple(activities),
        weight_score=objective_weight_score(objective, rules),
        unit_key=objective.unit_id,
        person_key=objective.responsible_id,
    )


def _observation(m: Measurement | None) -> Observation | None:
    if m is None or m.not_assessable:
        return None
    return Observation(
        numerator=m.numerator,
        denominator=m.denominator,
        value=m.value,
        completed_on=m.completed_on,
        done=m.done,
    )
