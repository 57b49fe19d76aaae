"""Deadlines of a plan: the target dates of indicators and the end dates of activities.

One list serves the dashboard (overdue, upcoming), "Le mie scadenze", the reminders and the
calendar feed. Every deadline is seen as of one date, the one ``planning.asof.as_of`` gives
for the plan (DESIGN.md §4.7): a closed period's reference date, else today but never past the
period's date. Whether a deadline is met comes from the engine's result for the row in that
period (completed, measured, or settled by a person: non valutabile, forced); days late are
counted in calendar days to the completion, or to the as-of date, as the engine does.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from traguardo.core.formats import date_it
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.planning.asof import AsOf, as_of
from traguardo.planning.checks import final_target, intermediate_target
from traguardo.planning.models import Objective, Plan
from traguardo.planning.queries import load_for_scoring
from traguardo.planning.scores import PlanScores, score_objectives
from traguardo.scoring import ItemState, activity_state, indicator_state

if TYPE_CHECKING:
    from traguardo.planning.kept import ObjectiveRef

# A row in these states needs nothing more for its deadline: it was reached or completed, it
# has a score on its value, or a person decided (non valutabile, forced result).
SETTLED = frozenset(
    {
        ItemState.ON_TIME,
        ItemState.COMPLETED_LATE,
        ItemState.MEASURED,
        ItemState.EXCLUDED,
        ItemState.FORCED,
    }
)


@dataclass(frozen=True)
class Deadline:
    """One date by which something is due, as of the date of ``as_of``."""

    kind: str  # "indicator" | "activity"
    key: int  # the indicator's or the activity's id
    objective: "Objective | ObjectiveRef"  # the model, or the kept plan's row of it
    label: str
    due_on: date
    done_on: date | None
    intermediate: bool = False
    settled: bool = False  # met without a completion date: measured, non valutabile, forced
    as_of: AsOf | None = None

    @property
    def on(self) -> date | None:
        """The date this deadline is seen at (the plan's as-of date)."""
        return self.as_of.on if self.as_of is not None else None

    def days_late(self, on: date | None = None) -> int:
        """Days past the due date: at completion if done, else as of ``on`` (default: the
        deadline's as-of date)."""
        end = self.done_on or self._day(on)
        return max(0, (end - self.due_on).days)

    def is_overdue(self, on: date | None = None) -> bool:
        """Past due as of ``on`` (default: the as-of date), neither completed nor settled."""
        day = self._day(on)
        return self.done_on is None and not self.settled and day > self.due_on

    def is_upcoming(self, on: date | None, days: int) -> bool:
        """Due within ``days`` days after ``on`` (default: the as-of date), not yet met."""
        day = self._day(on)
        return self.done_on is None and not self.settled and 0 <= (self.due_on - day).days <= days

    def days_left(self, on: date | None = None) -> int:
        return (self.due_on - self._day(on)).days

    def _day(self, on: date | None) -> date:
        """``on``, else the deadline's as-of date; one of the two is needed."""
        day = on or self.on
        if day is None:
            raise ValueError("a deadline without its as-of date needs the day to be seen at")
        return day

    @property
    def uid(self) -> str:
        """Stable across runs: the reminders and the calendar feed name events by it."""
        part = "i" if self.intermediate else "f"
        return f"{self.kind}-{self.key}-{part}-{self.due_on.isoformat()}"


def plan_deadlines(
    plan: Plan,
    objectives: list[Objective] | None = None,
    period: MonitoringPeriod | None = None,
    *,
    today: date | None = None,
    scores: PlanScores | None = None,
) -> list[Deadline]:
    """Every deadline of the plan, by date (objectives prefetched for scoring, or loaded),
    met or not by the measurements of ``period`` (default: the current period), as of the
    date ``as_of(plan, period, today=today)`` gives.

    ``scores``: the engine's results for these objectives (same period and date). With them,
    a row the engine counts as met (measured, reached, completed) or a person decided is no
    longer due; without them, only a completion date or a decision (non valutabile, forced)
    meets a deadline. ``deadlines_as_of`` scores and asks for them.
    """
    if objectives is None:
        objectives = load_for_scoring(plan.objectives.all())
    when = scores.as_of if scores is not None else as_of(plan, period, today=today)
    results = scores.result.objectives if scores is not None else {}
    done: dict[tuple[str, int | None], Measurement] = {}
    if when.period is not None:
        for measurement in Measurement.objects.filter(period=when.period).only(
            "indicator_id", "activity_id", "completed_on", "not_assessable", "forced_achievement"
        ):
            if measurement.indicator_id:
                done[("indicator", measurement.indicator_id)] = measurement
            else:
                done[("activity", measurement.activity_id)] = measurement
    found: list[Deadline] = []
    for objective in objectives:
        result = results.get(objective.pk)
        indicator_results = {r.key: r for r in result.indicators} if result else {}
        activity_results = {r.key: r for r in result.activities} if result else {}
        for indicator in objective.indicators.all():
            m = done.get(("indicator", indicator.pk))
            decided = bool(m and (m.not_assessable or m.forced_achievement is not None))
            row = indicator_results.get(indicator.pk)
            reached_on = m.completed_on if m else None
            if row is not None and indicator_state(row) is ItemState.LATE:
                reached_on = None  # a day recorded while the level is not reached is no reaching
            for target, intermediate in (
                (intermediate_target(indicator, objective.year), True),
                (final_target(indicator, objective.year), False),
            ):
                if target is None or target.due_date is None:
                    continue
                # The period's result answers for its own target (the intermediate one in a
                # verifica intermedia, else the final one, which settles the intermediate one
                # too); otherwise a target is met by its completion date or a person's decision.
                own = not _intermediate_period(when) or intermediate
                settled = decided or bool(own and row and indicator_state(row) in SETTLED)
                found.append(
                    Deadline(
                        kind="indicator",
                        key=indicator.pk,
                        objective=objective,
                        label=indicator.name,
                        due_on=target.due_date,
                        done_on=reached_on,
                        intermediate=intermediate,
                        settled=settled,
                        as_of=when,
                    )
                )
        for activity in objective.activities.all():
            if activity.end_date is None:
                continue
            m = done.get(("activity", activity.pk))
            activity_row = activity_results.get(activity.pk)
            found.append(
                Deadline(
                    kind="activity",
                    key=activity.pk,
                    objective=objective,
                    label=activity.title,
                    due_on=activity.end_date,
                    done_on=m.completed_on if m else None,
                    settled=bool(m and m.not_assessable)
                    or bool(activity_row and activity_state(activity_row) in SETTLED),
                    as_of=when,
                )
            )
    return sorted(found, key=lambda d: (d.due_on, d.objective.position, d.kind, d.key))


def deadlines_as_of(
    plan: Plan,
    objectives: list[Objective] | None = None,
    *,
    period: MonitoringPeriod | None = None,
    today: date | None = None,
) -> list[Deadline]:
    """``plan_deadlines`` met or not as the engine sees each row as of the plan's date: the
    one list of the cruscotto, "Le mie scadenze", the reminders and the calendar feed."""
    if objectives is None:
        objectives = load_for_scoring(plan.objectives.all())
    scores = score_objectives(plan, objectives, period=period, today=today)
    return plan_deadlines(plan, objectives, scores=scores)


def _intermediate_period(when: AsOf) -> bool:
    return when.period is not None and when.period.kind == MonitoringPeriod.Kind.INTERMEDIATE


def situation_text(when: AsOf) -> str:
    """The date a page's states and delays are seen at, said once on the page:
    «Situazione al 31 dicembre 2019 (Consuntivo 2019, chiuso)»,
    «Situazione al 6 dicembre 2026 (Verifica al 31/12, aperto) · provvisorio»."""
    day = date_it(when.on)
    if when.period is None:
        return _("Situazione al %(date)s · provvisorio (nessun periodo di monitoraggio)") % {
            "date": day
        }
    text = _("Situazione al %(date)s (%(period)s, %(state)s)") % {
        "date": day,
        "period": when.period.name,
        "state": when.period.get_state_display().lower(),
    }
    return text if when.final else text + " · " + _("provvisorio")
