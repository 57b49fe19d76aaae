"""As of which date, counting what: the one place that decides the date of every result.

DESIGN.md §4.7. A period's results, documents and deadlines are computed as of its reference
date once it is closed (a 2019 consuntivo reads the same in 2019 and in 2030); the open
period's live views are computed as of today, but never past the period's date. A plan with no
period yet is seen as of today, within its first year. Nothing else reads today's date to
decide whether something is due, late, or by how many days.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from traguardo.core.memo import remembered
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import Plan
from traguardo.scoring import Context

OPEN_STATES = (MonitoringPeriod.State.OPEN, MonitoringPeriod.State.REOPENED)


@dataclass(frozen=True)
class AsOf:
    """The date results are computed at, the period they belong to, and whether they are final.

    ``live``: the date follows today (an open period, or no period yet), so the results are
    provisional and "N giorni di ritardo" means as of today. ``final``: the period is closed.
    """

    on: date
    period: MonitoringPeriod | None
    final: bool

    @property
    def live(self) -> bool:
        return not self.final

    @property
    def context(self) -> Context:
        """The engine's reference date and closure."""
        return Context(as_of=self.on, closed=self.final)


def current_period(plan: Plan) -> MonitoringPeriod | None:
    """The period whose measurements the pages show: the latest open one, else the latest
    closed one. Read once per page view (``core.memo``: the view and the scoring both ask)."""
    return remembered(("current_period", plan.pk), lambda: _current_period(plan))


def _current_period(plan: Plan) -> MonitoringPeriod | None:
    periods = list(plan.periods.all())
    open_periods = [p for p in periods if p.state in OPEN_STATES]
    candidates = open_periods or [p for p in periods if p.state == p.State.CLOSED]
    return max(candidates, key=lambda p: p.reference_date, default=None)


def as_of(plan: Plan, period: MonitoringPeriod | None = None, *, today: date | None = None) -> AsOf:
    """The as-of date of ``period`` (default: the plan's current period).

    closed period → its reference date, final; any other period → min(today, its reference
    date), provisional; no period → min(today, 31 December of the plan's year), provisional.
    """
    period = period or current_period(plan)
    today = today or timezone.localdate()
    if period is None:
        return AsOf(on=min(today, date(plan.year, 12, 31)), period=None, final=False)
    if period.state == MonitoringPeriod.State.CLOSED:
        return AsOf(on=period.reference_date, period=period, final=True)
    return AsOf(on=min(today, period.reference_date), period=period, final=False)
