"""The SMVP rules a plan is scored with: activity share, traffic lights, scales, Punteggio levels.

Every score of a plan reads its rules through ``plan_rules`` and nothing else, so that a plan
can keep the rules it was scored with while the authority's settings move on.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from traguardo.organization.models import ScoringPolicy
from traguardo.scoring import Policy
from traguardo.scoring.scales import GradingScale as Scale


@dataclass
class PlanRules:
    """What the engine and the pages need of the SMVP, read once per plan.

    ``scale`` and ``level_value`` take the rows as the pages prefetch them (an indicator or an
    activity with its ``grading_scale``; a ``PolicyLevel``); each stored scale is parsed once
    however many rows use it.
    """

    policy: Policy
    green_from: Decimal
    amber_from: Decimal
    _scales: dict[int, Scale] = field(default_factory=dict)

    def scale(self, row) -> Scale | None:
        """The grading scale of an indicator or activity."""
        scale_id = row.grading_scale_id
        if scale_id is None:
            return None
        if scale_id not in self._scales:
            self._scales[scale_id] = row.grading_scale.scale
        return self._scales[scale_id]

    def level_value(self, level) -> Decimal | None:
        """The points or factor of a Punteggio level (``objective.strategic_level``…)."""
        return None if level is None else level.value

    @property
    def thresholds(self) -> dict[str, Decimal]:
        """The traffic-light bands, as ``reports.charts.band`` takes them."""
        return {"green_from": self.green_from, "amber_from": self.amber_from}


def plan_rules(plan) -> PlanRules:
    """The rules the plan is scored with: today, the authority's current SMVP."""
    row = ScoringPolicy.objects.filter(authority_id=plan.authority_id).first() or ScoringPolicy()
    return PlanRules(
        policy=Policy(activity_share=row.activity_share),
        green_from=row.green_from,
        amber_from=row.amber_from,
    )
