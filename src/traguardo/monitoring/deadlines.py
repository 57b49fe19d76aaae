"""Deadlines of a plan: the target dates of indicators and the end dates of activities.

One list serves the dashboard (overdue, upcoming), "Le mie scadenze", the reminders and the
calendar feed. Whether a deadline was met comes from the measurement of the current period
(its completion date); days late are counted in calendar days, as the scoring engine does.
"""

from dataclasses import dataclass
from datetime import date

from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.planning.asof import current_period
from traguardo.planning.checks import final_target, intermediate_target
from traguardo.planning.models import Objective, Plan
from traguardo.planning.queries import objectives_for_scoring


@dataclass(frozen=True)
class Deadline:
    """One date by which something is due."""

    kind: str  # "indicator" | "activity"
    key: int  # the indicator's or the activity's id
    objective: Objective
    label: str
    due_on: date
    done_on: date | None
    intermediate: bool = False

    def days_late(self, today: date) -> int:
        """Days past the due date: at completion if done, else as of ``today``."""
        end = self.done_on or today
        return max(0, (end - self.due_on).days)

    def is_overdue(self, today: date) -> bool:
        return self.done_on is None and today > self.due_on

    def is_upcoming(self, today: date, days: int) -> bool:
        return self.done_on is None and 0 <= (self.due_on - today).days <= days

    @property
    def uid(self) -> str:
        """Stable across runs: the reminders and the calendar feed name events by it."""
        part = "i" if self.intermediate else "f"
        return f"{self.kind}-{self.key}-{part}-{self.due_on.isoformat()}"


def plan_deadlines(
    plan: Plan, objectives: list[Objective] | None = None, period: MonitoringPeriod | None = None
) -> list[Deadline]:
    """Every deadline of the plan, by date (objectives prefetched for scoring, or loaded),
    met or not by the measurements of ``period`` (default: the current period)."""
    if objectives is None:
        objectives = list(objectives_for_scoring(plan.objectives.all()))
    period = period or current_period(plan)
    done: dict[tuple[str, int], date | None] = {}
    if period is not None:
        for m in Measurement.objects.filter(period=period).only(
            "indicator_id", "activity_id", "completed_on"
        ):
            if m.indicator_id:
                done[("indicator", m.indicator_id)] = m.completed_on
            else:
                done[("activity", m.activity_id)] = m.completed_on
    found: list[Deadline] = []
    for objective in objectives:
        for indicator in objective.indicators.all():
            for target, intermediate in (
                (intermediate_target(indicator, objective.year), True),
                (final_target(indicator, objective.year), False),
            ):
                if target is not None and target.due_date is not None:
                    found.append(
                        Deadline(
                            kind="indicator",
                            key=indicator.pk,
                            objective=objective,
                            label=indicator.name,
                            due_on=target.due_date,
                            done_on=done.get(("indicator", indicator.pk)),
                            intermediate=intermediate,
                        )
                    )
        for activity in objective.activities.all():
            if activity.end_date is not None:
                found.append(
                    Deadline(
                        kind="activity",
                        key=activity.pk,
                        objective=objective,
                        label=activity.title,
                        due_on=activity.end_date,
                        done_on=done.get(("activity", activity.pk)),
                    )
                )
    return sorted(found, key=lambda d: (d.due_on, d.objective.position, d.kind, d.key))
