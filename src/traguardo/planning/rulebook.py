"""The SMVP rules a plan is scored with: activity share, traffic lights, scales, Punteggio levels.

Every score of a plan reads its rules through ``plan_rules`` and nothing else, so that a plan
keeps the rules it was scored with while the authority's settings move on (DESIGN.md §4.7):
closing a plan stores a snapshot of the authority's SMVP on it (``take_snapshot``), and from
then on ``plan_rules`` answers from the snapshot. An open plan reads the current settings.

The snapshot is plain JSON::

    {"activity_share": "0.00", "green_from": "90.00", "amber_from": "60.00",
     "levels": {"<PolicyLevel pk>": "50.00", …},
     "scales": {"<GradingScale pk>": {<the scale's definition>}, …}}
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict

from traguardo.core.memo import remembered
from traguardo.organization.models import GradingScale, PolicyLevel, ScoringPolicy
from traguardo.planning.models import Activity, Indicator, Plan
from traguardo.scoring import Policy, scale_from_dict
from traguardo.scoring.scales import GradingScale as Scale


@dataclass
class PlanRules:
    """What the engine and the pages need of the SMVP, read once per plan.

    ``scale`` and ``level_value`` take the rows as the pages prefetch them (an indicator or an
    activity with its ``grading_scale``; a ``PolicyLevel``); each stored scale is parsed once
    however many rows use it. With a snapshot (a closed plan) the values come from it; a row
    the snapshot does not know (a scale created inside a later variazione) is read live.
    """

    policy: Policy
    green_from: Decimal
    amber_from: Decimal
    _scales: dict[int, Scale] = field(default_factory=dict)
    snapshot: dict | None = None

    def scale(self, row) -> Scale | None:
        """The grading scale of an indicator or activity."""
        scale_id = row.grading_scale_id
        if scale_id is None:
            return None
        if scale_id not in self._scales:
            kept = (self.snapshot or {}).get("scales", {}).get(str(scale_id))
            self._scales[scale_id] = (
                scale_from_dict(kept) if kept is not None else row.grading_scale.scale
            )
        return self._scales[scale_id]

    def level_value(self, level) -> Decimal | None:
        """The points or factor of a Punteggio level (``objective.strategic_level``…)."""
        if level is None:
            return None
        kept = (self.snapshot or {}).get("levels", {}).get(str(level.pk))
        return Decimal(kept) if kept is not None else level.value

    @property
    def thresholds(self) -> "Thresholds":
        """The traffic-light bands, as ``reports.charts.band`` takes them."""
        return {"green_from": self.green_from, "amber_from": self.amber_from}


class Thresholds(TypedDict):
    """The traffic-light bands as keyword arguments of ``band`` and the charts."""

    green_from: Decimal
    amber_from: Decimal


def plan_rules(plan) -> PlanRules:
    """The rules the plan is scored with: its snapshot once closed, else the current SMVP."""
    snapshot = getattr(plan, "rules_snapshot", None)
    if snapshot:
        return PlanRules(
            policy=Policy(activity_share=Decimal(snapshot["activity_share"])),
            green_from=Decimal(snapshot["green_from"]),
            amber_from=Decimal(snapshot["amber_from"]),
            snapshot=snapshot,
        )
    row = remembered(("scoring_policy", plan.authority_id), lambda: _policy(plan.authority_id))
    return PlanRules(
        policy=Policy(activity_share=row.activity_share),
        green_from=row.green_from,
        amber_from=row.amber_from,
    )


def _policy(authority_id: int) -> ScoringPolicy:
    """The authority's SMVP row (its defaults if none); read once per page view (``core.memo``:
    the scoring and the page's traffic lights both ask)."""
    return ScoringPolicy.objects.filter(authority_id=authority_id).first() or ScoringPolicy()


def take_snapshot(authority_id: int) -> dict:
    """The authority's SMVP as it is now, for a plan to keep (see the module's docstring)."""
    return snapshot_of(
        ScoringPolicy.objects.with_scopes_disabled().filter(authority_id=authority_id).first()
        or ScoringPolicy(),
        PolicyLevel.objects.with_scopes_disabled().filter(authority_id=authority_id),
        GradingScale.objects.with_scopes_disabled().filter(authority_id=authority_id),
    )


def snapshot_of(policy, levels, scales) -> dict:
    """The snapshot of these rows (also used by the migration that froze the closed plans)."""
    return {
        "activity_share": str(policy.activity_share),
        "green_from": str(policy.green_from),
        "amber_from": str(policy.amber_from),
        "levels": {str(level.pk): str(level.value) for level in levels},
        "scales": {str(scale.pk): scale.definition for scale in scales},
    }


@dataclass(frozen=True)
class Usage:
    """A plan that uses a setting, and whether a change of the setting reaches it."""

    plan: Plan
    follows_settings: bool


def policy_usage() -> list[Usage]:
    """Every plan of the authority in scope uses its SMVP (newest first); one query."""
    return [_usage(plan) for plan in Plan.objects.order_by("-year")]


def scale_usage() -> dict[int, list[Usage]]:
    """The plans whose indicators or activities use each scale, by scale id; three queries
    whatever the number of scales (the settings page lists them all)."""
    pairs = set(
        Indicator.objects.filter(grading_scale__isnull=False).values_list(
            "grading_scale_id", "objective__plan_id"
        )
    ) | set(
        Activity.objects.filter(grading_scale__isnull=False).values_list(
            "grading_scale_id", "objective__plan_id"
        )
    )
    plans = Plan.objects.filter(pk__in={plan_id for _scale, plan_id in pairs}).order_by("-year")
    by_scale: dict[int, list[Usage]] = {}
    for plan in plans:
        for scale_id, plan_id in sorted(pairs):
            if plan_id == plan.pk:
                by_scale.setdefault(scale_id, []).append(_usage(plan))
    return by_scale


def _usage(plan: Plan) -> Usage:
    """A plan with a snapshot (closed) keeps its rules; the others follow the settings."""
    return Usage(plan=plan, follows_settings=not plan.rules_snapshot)
