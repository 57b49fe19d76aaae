"""The scoring engine: measures, grading scales, roll-up and checks, in pure Python.

Nothing here imports Django: plain frozen dataclasses go in, Decimals come out (DESIGN.md §4).
"""

from .checks import (
    ActivityFacts,
    IndicatorFacts,
    Issue,
    ObjectiveFacts,
    WeightCheck,
    check_plan,
    check_weights,
    weight_check_label,
)
from .engine import score_areas, score_objective, score_plan
from .italian import format_decimal, format_percent, parse_decimal, round_half_up
from .measures import is_due, score_activity, score_indicator
from .punteggio import DEFAULT_COMPLEXITY, DEFAULT_KIND, DEFAULT_STRATEGIC, weight_score
from .scales import (
    Band,
    Bands,
    Binary,
    DelayStep,
    DelaySteps,
    GradingScale,
    Proportional,
    grade_delay,
    grade_ratio,
    scale_from_dict,
    scale_to_dict,
)
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
    due_by,
)
from .states import activity_state, counts_for_closing, indicator_state
from .textscale import ScaleParseError, describe_scale, parse_scale, scale_rows
from .types import Direction, ItemState, Measure, Status, Why

__all__ = [
    "DEFAULT_COMPLEXITY",
    "DEFAULT_KIND",
    "DEFAULT_STRATEGIC",
    "ActivityFacts",
    "ActivityResult",
    "ActivitySpec",
    "Aggregate",
    "Band",
    "Bands",
    "Binary",
    "Context",
    "DelayStep",
    "DelaySteps",
    "Direction",
    "GradingScale",
    "IndicatorFacts",
    "IndicatorResult",
    "IndicatorSpec",
    "Issue",
    "ItemState",
    "Measure",
    "ObjectiveFacts",
    "ObjectiveResult",
    "ObjectiveSpec",
    "Observation",
    "PlanResult",
    "Policy",
    "Proportional",
    "ScaleParseError",
    "Status",
    "WeightCheck",
    "Why",
    "activity_state",
    "check_plan",
    "check_weights",
    "counts_for_closing",
    "describe_scale",
    "due_by",
    "format_decimal",
    "format_percent",
    "grade_delay",
    "grade_ratio",
    "indicator_state",
    "is_due",
    "parse_decimal",
    "parse_scale",
    "round_half_up",
    "scale_from_dict",
    "scale_rows",
    "scale_to_dict",
    "score_activity",
    "score_areas",
    "score_indicator",
    "score_objective",
    "score_plan",
    "weight_check_label",
    "weight_score",
]
