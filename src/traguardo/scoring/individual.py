"""Individual evaluation (art. 9 D.Lgs. 150/2009): a family's components, their scores, the total.

A family (dirigenti, EQ, dipendenti of a category) weighs components: the results of the unit's
objectives, individual objectives, behaviours and, for dirigenti, the capacity to differentiate
the evaluations given. Each component is scored here into [0, 100]; what cannot be scored is an
`Issue` for a person to settle, never a zero. Every component score and the total are rounded
half-up to 2 places, and the total is the weighted mean of the component scores as printed.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from .checks import Issue, WeightCheck, check_weights
from .engine import score_areas, score_objective
from .italian import round_half_up
from .specs import Context, ObjectiveSpec, Policy
from .types import Status
from .values import (
    HUNDRED,
    ZERO,
    as_decimal,
    as_nonnegative,
    as_optional_decimal,
    as_percent,
    exact_sum,
    weighted_mean,
)

__all__ = [
    "Behaviour",
    "Component",
    "ComponentKind",
    "ComponentScore",
    "DifferentiationRule",
    "DifferentiationSettings",
    "Evaluation",
    "Family",
    "ObjectivesRule",
    "RatingRule",
    "RatingScale",
    "SchedaScore",
    "behaviours_score",
    "check_family",
    "differentiation_score",
    "evaluate",
    "individual_objectives_score",
    "not_applicable",
    "objectives_score",
]

_OUT_OF_COUNT = frozenset({Status.NOT_DUE, Status.EXCLUDED})
_NOT_FINAL = frozenset({Status.PARTIAL, Status.PROVISIONAL})


def _params(**values: Hashable) -> tuple[tuple[str, Hashable], ...]:
    """An Issue's parameters, as the hashable pairs it keeps."""
    return tuple(sorted(values.items()))


def _set(instance: object, name: str, value: object) -> None:
    object.__setattr__(instance, name, value)


class ComponentKind(StrEnum):
    """What a component measures, with its place in art. 9 D.Lgs. 150/2009."""

    UNIT_OBJECTIVES = "unit_objectives"  # c.1 a (dirigenti, prevailing weight); c.2 a (group)
    INDIVIDUAL_OBJECTIVES = "individual_objectives"  # c.1 b; c.2 a (individual objectives)
    BEHAVIOURS = "behaviours"  # c.1 c (competences and behaviours); c.2 b
    DIFFERENTIATION = "differentiation"  # c.1 d: the capacity to differentiate evaluations


@dataclass(frozen=True)
class Component:
    """One component of a family and its weight, in percent of the total."""

    kind: ComponentKind
    weight: Decimal

    def __post_init__(self) -> None:
        _set(self, "kind", ComponentKind(self.kind))
        _set(self, "weight", as_nonnegative(self.weight, "weight"))


@dataclass(frozen=True)
class Family:
    """An evaluation family: who is evaluated alike (e.g. "dirigenti", "EQ", "cat. C")."""

    key: Hashable
    components: tuple[Component, ...]

    def __post_init__(self) -> None:
        kinds = [component.kind for component in self.components]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"family {self.key!r} names a component twice")

    def weight_check(self) -> WeightCheck:
        """Do the components' weights add up to exactly 100?"""
        return check_weights([component.weight for component in self.components])


def check_family(family: Family) -> list[Issue]:
    """The model's questions: weights not adding to 100 (error); for a family with the
    unit's objectives, those not weighing more than any other component (warning: art. 9 c.1
    a asks a prevailing weight of dirigenti; a relative majority is what is checked)."""
    found: list[Issue] = []
    check = family.weight_check()
    if check.state != "ok":
        params = _params(state=check.state, total=check.total, difference=check.difference)
        found.append(Issue("component_weights", "error", "components", params=params))
    weights = {component.kind: component.weight for component in family.components}
    unit = weights.get(ComponentKind.UNIT_OBJECTIVES)
    if unit is not None and any(
        weight >= unit for kind, weight in weights.items() if kind != ComponentKind.UNIT_OBJECTIVES
    ):
        found.append(Issue("unit_objectives_not_prevailing", "warning", "components"))
    return found


@dataclass(frozen=True)
class ComponentScore:
    """A component's score in [0, 100] (2 places), or None: it does not apply (`applies` is
    False, its weight goes to the others) or it cannot be computed (see `issues`)."""

    kind: ComponentKind
    score: Decimal | None
    applies: bool = True
    issues: tuple[Issue, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "kind", ComponentKind(self.kind))
        score = as_optional_decimal(self.score, "score")
        if score is not None:
            score = round_half_up(as_percent(score, "score"))
        _set(self, "score", score)
        if not self.applies and score is not None:
            raise ValueError("a component that does not apply has no score")


def not_applicable(kind: ComponentKind, reason: str = "") -> ComponentScore:
    """A person's decision that a component does not apply (e.g. no individual objectives were
    assigned); the result says so and renormalises the other weights."""
    params = _params(reason=reason) if reason else ()
    issue = Issue("component_not_applicable", "warning", str(ComponentKind(kind)), params=params)
    return ComponentScore(kind, None, applies=False, issues=(issue,))


# --- Objectives ------------------------------------------------------------------------------


class ObjectivesRule(StrEnum):
    """How the schede of an objectives component are averaged (the SMVP's choice)."""

    BY_PUNTEGGIO = "by_punteggio"  # weighted by each scheda's Punteggio (DESIGN.md §4.4)
    BY_WEIGHT = "by_weight"  # weighted by the weights declared in the assignment


@dataclass(frozen=True)
class SchedaScore:
    """One scheda counted in an objectives component: its score as reported (the validated
    result), its Punteggio and, for `BY_WEIGHT`, its declared weight."""

    key: Hashable
    achievement: Decimal | None
    punteggio: Decimal | None = None
    weight: Decimal | None = None
    status: Status = Status.MEASURED

    def __post_init__(self) -> None:
        for name, check in (
            ("achievement", as_percent),
            ("punteggio", as_nonnegative),
            ("weight", as_nonnegative),
        ):
            value = getattr(self, name)
            _set(self, name, None if value is None else check(value, name))
        _set(self, "status", Status(self.status))


def objectives_score(
    kind: ComponentKind, schede: Sequence[SchedaScore], rule: ObjectivesRule
) -> ComponentScore:
    """The weighted mean of the schede's scores.

    Schede not due or excluded whole stay out of the mean (a warning names them). A scheda
    without a score, or (`BY_WEIGHT`) without a declared weight, is an error and the component
    has no score; a provisional or partial one is a warning. `BY_PUNTEGGIO` is the engine's
    own roll-up (`score_areas`): a blank Punteggio gives every scheda the same weight, which
    is said with a warning. No scheda at all: the component does not apply.
    """
    kind = ComponentKind(kind)
    rule = ObjectivesRule(rule)
    field = str(kind)
    if not schede:
        return not_applicable(kind, "no_schede")
    issues: list[Issue] = []
    counted = [s for s in schede if s.status not in _OUT_OF_COUNT]
    left_out = tuple(s.key for s in schede if s.status in _OUT_OF_COUNT)
    if left_out:
        issues.append(Issue("schede_left_out", "warning", field, params=_params(keys=left_out)))
    for position, scheda in enumerate(schede, start=1):
        if scheda.status in _OUT_OF_COUNT:
            continue
        params = _params(key=scheda.key)
        if scheda.achievement is None:
            issues.append(Issue("scheda_without_score", "error", field, position, params))
        elif scheda.status in _NOT_FINAL:
            issues.append(Issue("scheda_not_final", "warning", field, position, params))
        if rule is ObjectivesRule.BY_WEIGHT and scheda.weight is None:
            issues.append(Issue("scheda_without_weight", "error", field, position, params))
    if not counted:  # every scheda was excluded whole or is not due: a person's decision
        left = not_applicable(kind, "all_schede_left_out")
        return ComponentScore(kind, None, applies=False, issues=(*issues, *left.issues))
    if any(issue.severity == "error" for issue in issues):
        return ComponentScore(kind, None, issues=tuple(issues))
    if rule is ObjectivesRule.BY_PUNTEGGIO:
        aggregate = score_areas((s.punteggio, s.achievement, (kind,)) for s in counted)[kind]
        if aggregate.equal_weights:
            issues.append(Issue("equal_weights", "warning", field))
        score = aggregate.achievement
    else:
        pairs = [(s.weight or ZERO, s.achievement or ZERO) for s in counted]
        if exact_sum(w for w, _ in pairs) == 0:
            issues.append(Issue("equal_weights", "warning", field))
        score = weighted_mean(pairs)
    return ComponentScore(kind, score, issues=tuple(issues))


def individual_objectives_score(
    objectives: Sequence[ObjectiveSpec],
    *,
    policy: Policy,
    context: Context,
    rule: ObjectivesRule = ObjectivesRule.BY_PUNTEGGIO,
    weights: Mapping[Hashable, Decimal] | None = None,
) -> ComponentScore:
    """Individual objectives, each scored by the engine's `score_objective` (indicators,
    activities, scales), then averaged as `objectives_score` does (Punteggio: the spec's
    `weight_score`; declared weights: `weights` by the spec's key)."""
    declared = weights or {}
    schede = []
    for spec in objectives:
        result = score_objective(spec, policy, context)
        weight = declared.get(spec.key)
        schede.append(
            SchedaScore(spec.key, result.achievement, spec.weight_score, weight, result.status)
        )
    return objectives_score(ComponentKind.INDIVIDUAL_OBJECTIVES, schede, rule)


# --- Behaviours ------------------------------------------------------------------------------


class RatingRule(StrEnum):
    """How a rating on the scale becomes a percent."""

    OF_MAX = "of_max"  # r / max × 100: on 1–5, a 1 is worth 20
    MIN_MAX = "min_max"  # (r − min) / (max − min) × 100: on 1–5, a 1 is worth 0


@dataclass(frozen=True)
class RatingScale:
    """The behaviours' scale: ratings from `minimum` to `maximum` by `step`; `anchors` are the
    descriptions of the levels, (rating, text), kept for the pages."""

    minimum: Decimal
    maximum: Decimal
    rule: RatingRule = RatingRule.OF_MAX
    step: Decimal = Decimal(1)
    anchors: tuple[tuple[Decimal, str], ...] = ()

    def __post_init__(self) -> None:
        _set(self, "minimum", as_decimal(self.minimum, "minimum"))
        _set(self, "maximum", as_decimal(self.maximum, "maximum"))
        _set(self, "step", as_decimal(self.step, "step"))
        _set(self, "rule", RatingRule(self.rule))
        if self.step <= 0 or self.minimum >= self.maximum:
            raise ValueError("a rating scale needs minimum < maximum and a positive step")
        if self.rule is RatingRule.OF_MAX and self.minimum < 0:
            raise ValueError("r / max needs a scale of non-negative ratings")
        if (self.maximum - self.minimum) % self.step != 0:
            raise ValueError("the step must lead from minimum to maximum")
        for rating, _text in self.anchors:
            if not self.allows(rating):
                raise ValueError(f"anchor {rating} is not a rating of the scale")

    def allows(self, rating: Decimal) -> bool:
        """Whether `rating` is one of the scale's levels."""
        rating = as_decimal(rating, "rating")
        inside = self.minimum <= rating <= self.maximum
        return inside and (rating - self.minimum) % self.step == 0

    def percent(self, rating: Decimal) -> Decimal:
        """The rating as a percent, exactly (rounding is left to the component)."""
        if not self.allows(rating):
            raise ValueError(f"{rating} is not a rating of the scale")
        with localcontext() as ctx:
            ctx.prec = 50
            if self.rule is RatingRule.OF_MAX:
                return rating * HUNDRED / self.maximum
            return (rating - self.minimum) * HUNDRED / (self.maximum - self.minimum)


@dataclass(frozen=True)
class Behaviour:
    """One behaviour of the catalogue as rated for a person; `weight` within the component."""

    key: Hashable
    rating: Decimal | None
    weight: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        _set(self, "rating", as_optional_decimal(self.rating, "rating"))
        _set(self, "weight", as_nonnegative(self.weight, "weight"))


def behaviours_score(behaviours: Sequence[Behaviour], scale: RatingScale) -> ComponentScore:
    """The weighted mean of the ratings as percents of the scale (`scale.rule`).

    A behaviour not rated, or rated off the scale, is an error naming it: the component has
    no score until it is rated (a missing rating is never a zero).
    """
    kind = ComponentKind.BEHAVIOURS
    field = str(kind)
    if not behaviours:
        return not_applicable(kind, "no_behaviours")
    issues: list[Issue] = []
    pairs: list[tuple[Decimal, Decimal]] = []
    for position, behaviour in enumerate(behaviours, start=1):
        params = _params(key=behaviour.key)
        if behaviour.rating is None:
            issues.append(Issue("missing_rating", "error", field, position, params))
        elif not scale.allows(behaviour.rating):
            params = _params(key=behaviour.key, rating=behaviour.rating)
            issues.append(Issue("rating_off_scale", "error", field, position, params))
        else:
            pairs.append((behaviour.weight, scale.percent(behaviour.rating)))
    if issues:
        return ComponentScore(kind, None, issues=tuple(issues))
    return ComponentScore(kind, weighted_mean(pairs), issues=())


# --- Differentiation ---------------------------------------------------------------------------


class DifferentiationRule(StrEnum):
    """How the evaluations a dirigente gave become an index (art. 9 c.1 d)."""

    # σ/μ of the totals given (population σ), against a target: min(CV / target, 1) × 100.
    SPREAD = "spread"
    # The share of totals given below the top band's lower bound, against a target share:
    # min(share / target, 1) × 100.
    OUTSIDE_TOP = "outside_top"


@dataclass(frozen=True)
class DifferentiationSettings:
    """The SMVP's choice. `target`: the coefficient of variation (SPREAD, e.g. 0.10) or the
    percent of evaluations outside the top band (OUTSIDE_TOP, e.g. 50) that earns 100;
    `top_band` the score from which an evaluation is in the top band; `minimum_count` the
    evaluations below which the index is not computed."""

    rule: DifferentiationRule = DifferentiationRule.SPREAD
    target: Decimal = Decimal("0.10")
    top_band: Decimal = Decimal(90)
    minimum_count: int = 5

    def __post_init__(self) -> None:
        _set(self, "rule", DifferentiationRule(self.rule))
        _set(self, "target", as_decimal(self.target, "target"))
        _set(self, "top_band", as_percent(self.top_band, "top_band"))
        if self.target <= 0:
            raise ValueError("the differentiation target must be positive")
        if isinstance(self.minimum_count, bool) or not isinstance(self.minimum_count, int):
            raise TypeError("minimum_count must be an int")
        if self.minimum_count < 2:
            raise ValueError("a spread needs at least 2 evaluations")


def differentiation_score(
    given: Sequence[Decimal], settings: DifferentiationSettings
) -> ComponentScore:
    """The index of the totals a dirigente gave (their final evaluations of staff).

    Fewer than `minimum_count` evaluations: an error, no score (a person decides whether the
    component applies). All totals 0: the spread is 0 (nobody was told apart).
    """
    kind = ComponentKind.DIFFERENTIATION
    scores = [as_percent(value, "given") for value in given]
    if len(scores) < settings.minimum_count:
        params = _params(count=len(scores), minimum=settings.minimum_count)
        issue = Issue("too_few_evaluations", "error", str(kind), params=params)
        return ComponentScore(kind, None, issues=(issue,))
    with localcontext() as ctx:
        ctx.prec = 50
        if settings.rule is DifferentiationRule.SPREAD:
            mean = exact_sum(scores) / len(scores)
            variance = exact_sum((s - mean) ** 2 for s in scores) / len(scores)
            measure = ZERO if mean == 0 else variance.sqrt() / mean
        else:
            outside = sum(1 for s in scores if s < settings.top_band)
            measure = Decimal(outside) * HUNDRED / len(scores)
        index = min(measure / settings.target, Decimal(1)) * HUNDRED
    return ComponentScore(kind, index)


# --- Total ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """A person's total: `weights` are the weights used (renormalised over the components that
    apply, 2 places), `renormalised` says they differ from the model's; `total` is None while
    an error is open."""

    family: Hashable
    total: Decimal | None
    components: tuple[ComponentScore, ...]
    weights: Mapping[ComponentKind, Decimal]
    renormalised: bool
    issues: tuple[Issue, ...]

    @property
    def complete(self) -> bool:
        return self.total is not None


def evaluate(family: Family, scores: Sequence[ComponentScore]) -> Evaluation:
    """Σ w·s / Σ w over the family's components that apply.

    Every component of the family must be given, scored or declared not applicable
    (`not_applicable`); one missing, or one with no score, leaves the total open with an
    error. A component not in the family is refused. The model's weights must add up to 100.
    """
    by_kind: dict[ComponentKind, ComponentScore] = {}
    for score in scores:
        if score.kind in by_kind:
            raise ValueError(f"component {score.kind} given twice")
        by_kind[score.kind] = score
    model = {component.kind: component.weight for component in family.components}
    extra = set(by_kind) - set(model)
    if extra:
        raise ValueError(f"components not in family {family.key!r}: {sorted(extra)}")
    issues = [i for i in check_family(family) if i.severity == "error"]
    for kind in model:
        if kind not in by_kind:
            issues.append(Issue("component_missing", "error", str(kind)))
    ordered = tuple(by_kind[kind] for kind in model if kind in by_kind)
    for score in ordered:
        issues.extend(score.issues)
    applying = [s for s in ordered if s.applies]
    total_weight = exact_sum(model[s.kind] for s in applying)
    if len(applying) == len(model) or total_weight == 0:
        weights = {s.kind: model[s.kind] for s in applying}
    else:
        with localcontext() as ctx:
            ctx.prec = 50
            weights = {
                s.kind: round_half_up(model[s.kind] * HUNDRED / total_weight) for s in applying
            }
    renormalised = len(applying) < len(model)
    if not applying or total_weight == 0:
        issues.append(Issue("nothing_to_evaluate", "error", "components"))
    total = None
    if not any(issue.severity == "error" for issue in issues):
        mean = weighted_mean([(model[s.kind], s.score or ZERO) for s in applying])
        total = None if mean is None else round_half_up(mean)
    return Evaluation(family.key, total, ordered, weights, renormalised, tuple(issues))
