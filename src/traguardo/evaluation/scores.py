"""Individual evaluations computed by the engine from the stored rows.

The bridge between this app's models and ``scoring.individual`` (as ``planning.scores`` is for
the plan): it reads an assignment's family, its schede (their results from the year's plan,
through ``planning.kept``), its individual goals, the behaviours' ratings and, for the capacity
to differentiate, the final totals the person gave; turns them into the engine's dataclasses;
and returns the engine's ``Evaluation`` with what a page or a PDF shows beside it. Nothing here
decides a number. One ``Results`` reads a scheme's rows in a fixed number of queries, whatever
the number of assignments, and scores the plan once.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from traguardo.evaluation.messages import message
from traguardo.evaluation.models import (
    Assignment,
    Behaviour,
    BehaviourRating,
    Evaluation,
    IndividualGoal,
    Scheme,
)
from traguardo.planning.asof import AsOf
from traguardo.planning.kept import KeptPlan, kept_plan
from traguardo.planning.models import Plan
from traguardo.scoring import (
    Behaviour as RatedBehaviour,
)
from traguardo.scoring import (
    Component,
    ComponentKind,
    ComponentScore,
    Context,
    DifferentiationRule,
    DifferentiationSettings,
    Direction,
    Family,
    IndicatorSpec,
    Issue,
    Measure,
    ObjectiveSpec,
    ObjectivesRule,
    Observation,
    PayBand,
    PayBands,
    Policy,
    Proportional,
    RatingRule,
    RatingScale,
    SchedaScore,
    Status,
    behaviours_score,
    differentiation_score,
    evaluate,
    individual_objectives_score,
    not_applicable,
    objectives_score,
    score_objective,
)
from traguardo.scoring import (
    Evaluation as EngineEvaluation,
)

__all__ = [
    "Finding",
    "GoalLine",
    "IndividualResult",
    "RatingLine",
    "Results",
    "SchedaLine",
    "assignment_result",
    "pay_bands",
    "rating_scale",
]


@dataclass(frozen=True)
class Finding:
    """One of the engine's findings, in Italian: ``severity`` is "error" or "warning"."""

    severity: str
    text: str


@dataclass(frozen=True)
class SchedaLine:
    """A scheda of the plan counted in the objectives component, as the year's plan scores it."""

    pk: int
    code: str
    title: str
    punteggio: Decimal | None
    weight: Decimal | None
    achievement: Decimal | None
    status: Status | None


@dataclass(frozen=True)
class GoalLine:
    goal: IndividualGoal
    achievement: Decimal | None
    status: Status


@dataclass(frozen=True)
class RatingLine:
    behaviour: Behaviour
    rating: Decimal | None
    note: str
    percent: Decimal | None  # the rating as a percent of the scale, when it is on it


@dataclass(frozen=True)
class IndividualResult:
    """An assignment's evaluation as the engine computes it now, with its lines.

    The engine's keys are ("scheda", objective id), ("goal", goal id), ("behaviour", id).

    ``total`` is None while a finding is an error; ``band`` is the 1-based pay band of the
    total (None without a total or without valid bands). ``given`` are the final totals the
    person gave (the differentiation's input), ``given_open`` those not final yet.
    ``results_as_of`` is the date and closure of the plan results the schede carry.
    """

    assignment: Assignment
    engine: EngineEvaluation
    schede: tuple[SchedaLine, ...]
    goals: tuple[GoalLine, ...]
    ratings: tuple[RatingLine, ...]
    given: tuple[Decimal, ...]
    given_open: int
    plan: Plan | None
    results_as_of: AsOf | None
    band: int | None
    band_share: Decimal | None
    findings: tuple[Finding, ...]

    @property
    def total(self) -> Decimal | None:
        return self.engine.total

    @property
    def state(self) -> str:
        evaluation = _evaluation(self.assignment)
        return evaluation.state if evaluation else Evaluation.State.DRAFT

    @property
    def drifted(self) -> bool:
        """A final evaluation whose total, computed now, is not the one it was made final
        with: what it depends on changed afterwards (docs/individual.md)."""
        evaluation = _evaluation(self.assignment)
        return evaluation is not None and _moved(evaluation, self.total)

    @property
    def final(self) -> bool:
        """A total that counts for pay and for the evaluations a dirigente gave: final, and
        still the total it was made final with."""
        return self.state == Evaluation.State.FINAL and self.total is not None and not self.drifted

    def component(self, kind: ComponentKind) -> ComponentScore | None:
        for score in self.engine.components:
            if score.kind == kind:
                return score
        return None


def rating_scale(scheme: Scheme) -> RatingScale:
    """The behaviours' scale of the scheme (ValueError if its settings do not make one)."""
    anchors = tuple((level.rating, level.description) for level in scheme.rating_levels.all())
    return RatingScale(
        scheme.rating_min,
        scheme.rating_max,
        RatingRule(scheme.rating_rule),
        scheme.rating_step,
        anchors,
    )


def pay_bands(scheme: Scheme) -> PayBands:
    """The pay bands of the scheme (ValueError if they do not start from 0 or go down)."""
    bands = tuple(PayBand(band.lower, band.share) for band in scheme.pay_bands.all())
    return PayBands(bands, scheme.bands_lower_inclusive)


def differentiation_settings(scheme: Scheme) -> DifferentiationSettings:
    return DifferentiationSettings(
        DifferentiationRule(scheme.differentiation_rule),
        scheme.differentiation_target,
        scheme.top_band,
        scheme.minimum_count,
    )


def _evaluation(assignment: Assignment) -> Evaluation | None:
    try:
        return assignment.evaluation
    except Evaluation.DoesNotExist:
        return None


def _moved(evaluation: Evaluation, total: Decimal | None) -> bool:
    """A final evaluation whose engine total is not the one it was made final with."""
    return (
        evaluation.state == Evaluation.State.FINAL
        and evaluation.final_total is not None
        and evaluation.final_total != total
    )


def _assignments(scheme: Scheme):
    return (
        Assignment.objects.filter(scheme=scheme)
        .select_related("scheme", "family", "person", "evaluator", "evaluation")
        .prefetch_related(
            "family__components",
            "family__behaviours",
            "schede__objective",
            "goals__grading_scale",
            Prefetch("evaluation__ratings", queryset=BehaviourRating.objects.all()),
        )
    )


class Results:
    """The evaluations of one scheme, each computed once, the plan scored once.

    ``Results(scheme)`` loads every assignment of the scheme with its rows (a fixed number of
    queries); ``result(assignment_pk)`` computes on demand, the totals a person gave first when
    their family weighs the capacity to differentiate. ``today`` fixes the date the live plan
    results and the individual goals are read at (default: the authority's today).
    """

    def __init__(self, scheme: Scheme, *, today: date | None = None) -> None:
        self.scheme = scheme
        self.today = today or timezone.localdate()
        self.assignments = {a.pk: a for a in _assignments(scheme)}
        self._results: dict[int, IndividualResult] = {}
        self._computing: set[int] = set()
        # The scheme's own authority, also where no scope filters (a job, a command, a test).
        self._plan: Plan | None = Plan.objects.filter(
            authority_id=scheme.authority_id, year=scheme.year
        ).first()
        self._kept: KeptPlan | None = None
        self._scheme_findings: list[Finding] = []
        try:
            self.scale: RatingScale | None = rating_scale(scheme)
        except ValueError:
            self.scale = None
        try:
            self.bands: PayBands | None = pay_bands(scheme)
        except ValueError:
            self.bands = None
        self.differentiation = differentiation_settings(scheme)

    def __iter__(self):
        return (self.result(pk) for pk in self.assignments)

    def all(self) -> list[IndividualResult]:
        return list(self)

    def result(self, pk: int) -> IndividualResult:
        if pk not in self._results:
            self._results[pk] = self._compute(self.assignments[pk])
        return self._results[pk]

    # --- the components ---------------------------------------------------------------

    def _kept_plan(self) -> KeptPlan | None:
        if self._kept is None and self._plan is not None:
            self._kept = kept_plan(self._plan, today=self.today)
        return self._kept

    def _schede(self, assignment: Assignment) -> tuple[list[SchedaLine], list[SchedaScore]]:
        kept = self._kept_plan()
        lines, scores = [], []
        for assigned in assignment.schede.all():
            row = kept.row(assigned.objective_id) if kept else None
            result = row.result if row else None
            achievement = result.achievement if result else None
            status = result.status if result else None
            punteggio = row.weight_score if row else None
            lines.append(
                SchedaLine(
                    pk=assigned.objective_id,
                    # A scheda the year's plan does not score (another year's) keeps its name.
                    code=row.objective.code if row else assigned.objective.code,
                    title=row.objective.title if row else assigned.objective.title,
                    punteggio=punteggio,
                    weight=assigned.weight,
                    achievement=achievement,
                    status=status,
                )
            )
            scores.append(
                SchedaScore(
                    ("scheda", assigned.objective_id),
                    achievement,
                    punteggio,
                    assigned.weight,
                    status or Status.MISSING,
                )
            )
        return lines, scores

    def _goal_context(self) -> Context:
        year_end = date(self.scheme.year, 12, 31)
        return Context(as_of=min(self.today, year_end), closed=self.today > year_end)

    def _goal_spec(self, goal: IndividualGoal) -> ObjectiveSpec:
        observation = None if goal.actual is None else Observation(value=goal.actual)
        indicator = IndicatorSpec(
            key=goal.pk,
            weight=Decimal(100),
            measure=Measure.NUMBER,
            scale=goal.grading_scale.scale if goal.grading_scale else Proportional(),
            target=goal.target,
            due_on=None,
            direction=Direction(goal.direction),
            observation=observation,
            due_year=self.scheme.year,
        )
        return ObjectiveSpec(key=("goal", goal.pk), indicators=(indicator,))

    def _goals(self, assignment: Assignment) -> tuple[list[GoalLine], ComponentScore]:
        goals = list(assignment.goals.all())
        rule = ObjectivesRule(assignment.family.objectives_rule)
        specs = [self._goal_spec(goal) for goal in goals]
        context = self._goal_context()
        policy = Policy()
        lines = []
        for goal, spec in zip(goals, specs, strict=True):
            result = score_objective(spec, policy, context)
            lines.append(GoalLine(goal, result.achievement, result.status))
        if not goals:
            return lines, not_applicable(ComponentKind.INDIVIDUAL_OBJECTIVES, "no_goals")
        weights: dict[Hashable, Decimal] = {
            ("goal", goal.pk): goal.weight for goal in goals if goal.weight is not None
        }
        score = individual_objectives_score(
            specs, policy=policy, context=context, rule=rule, weights=weights
        )
        return lines, score

    def _ratings(self, assignment: Assignment) -> tuple[list[RatingLine], ComponentScore]:
        evaluation = _evaluation(assignment)
        given = {r.behaviour_id: r for r in evaluation.ratings.all()} if evaluation else {}
        lines, rated = [], []
        for behaviour in assignment.family.behaviours.all():
            stored = given.get(behaviour.pk)
            rating = stored.rating if stored else None
            percent = None
            if rating is not None and self.scale is not None and self.scale.allows(rating):
                percent = self.scale.percent(rating).quantize(Decimal("0.01"))
            lines.append(RatingLine(behaviour, rating, stored.note if stored else "", percent))
            rated.append(RatedBehaviour(("behaviour", behaviour.pk), rating, behaviour.weight))
        if self.scale is None:
            issue = Issue("rating_scale_invalid", "error", str(ComponentKind.BEHAVIOURS))
            return lines, ComponentScore(ComponentKind.BEHAVIOURS, None, issues=(issue,))
        return lines, behaviours_score(rated, self.scale)

    def _given(self, assignment: Assignment) -> tuple[list[Decimal], int]:
        totals, still_open = [], 0
        for other in self.assignments.values():
            if other.evaluator_id != assignment.person_id or other.pk in self._computing:
                continue
            result = self.result(other.pk)
            if result.final and result.total is not None:
                totals.append(result.total)
            else:
                still_open += 1
        return totals, still_open

    # --- the whole -------------------------------------------------------------------

    def _compute(self, assignment: Assignment) -> IndividualResult:
        self._computing.add(assignment.pk)
        try:
            return self._evaluate(assignment)
        finally:
            self._computing.discard(assignment.pk)

    def _evaluate(self, assignment: Assignment) -> IndividualResult:
        evaluation = _evaluation(assignment)
        declared = (evaluation.not_applicable if evaluation else None) or {}
        family = Family(
            assignment.family_id,
            tuple(
                Component(ComponentKind(c.kind), c.weight)
                for c in assignment.family.components.all()
            ),
        )
        kinds = [component.kind for component in family.components]
        scores: list[ComponentScore] = []
        schede: list[SchedaLine] = []
        goals: list[GoalLine] = []
        ratings: list[RatingLine] = []
        given: list[Decimal] = []
        given_open = 0
        for kind in kinds:
            if kind in declared:
                scores.append(not_applicable(kind, str(declared[kind])))
                continue
            if kind == ComponentKind.UNIT_OBJECTIVES:
                schede, specs = self._schede(assignment)
                rule = ObjectivesRule(assignment.family.objectives_rule)
                scores.append(objectives_score(kind, specs, rule))
            elif kind == ComponentKind.INDIVIDUAL_OBJECTIVES:
                goals, score = self._goals(assignment)
                scores.append(score)
            elif kind == ComponentKind.BEHAVIOURS:
                ratings, score = self._ratings(assignment)
                scores.append(score)
            else:
                given, given_open = self._given(assignment)
                scores.append(differentiation_score(given, self.differentiation))
        engine = evaluate(family, scores)
        band = share = None
        if engine.total is not None and self.bands is not None:
            band, pay_band = self.bands.band_of(engine.total)
            share = pay_band.share
        kept = self._kept_plan() if schede else None
        names = self._names(schede, goals, ratings)
        findings = [Finding(i.severity, message(i, names)) for i in engine.issues]
        if evaluation is not None and _moved(evaluation, engine.total):
            params = {
                "final": evaluation.final_total,
                "now": engine.total,
                "on": evaluation.final_on,
            }
            moved = Issue("final_total_moved", "error", "total", params=params)
            findings.append(Finding("error", message(moved)))
        if self.bands is None:
            findings.append(
                Finding("warning", message(Issue("pay_bands_invalid", "warning", "bands")))
            )
        return IndividualResult(
            assignment=assignment,
            engine=engine,
            schede=tuple(schede),
            goals=tuple(goals),
            ratings=tuple(ratings),
            given=tuple(given),
            given_open=given_open,
            plan=self._plan,
            results_as_of=kept.as_of if kept else None,
            band=band,
            band_share=share,
            findings=tuple(findings),
        )

    @staticmethod
    def _names(
        schede: Iterable[SchedaLine], goals: Iterable[GoalLine], ratings: Iterable[RatingLine]
    ) -> dict[Hashable, str]:
        names: dict[Hashable, str] = {}
        for line in schede:
            names[("scheda", line.pk)] = " ".join(part for part in (line.code, line.title) if part)
        for goal in goals:
            names[("goal", goal.goal.pk)] = goal.goal.title
        for rating in ratings:
            names[("behaviour", rating.behaviour.pk)] = rating.behaviour.name
        return names


def assignment_result(assignment: Assignment, *, today: date | None = None) -> IndividualResult:
    """One assignment's evaluation (its scheme read once: the totals it gave are needed when
    its family weighs the capacity to differentiate)."""
    return Results(assignment.scheme, today=today).result(assignment.pk)
