"""The monitoring pages' reads: a plan's periods, a scheda's measurements of a period, an
evidence file with the scheda it belongs to. Scoped by the authority (the models' managers)."""

from django.db.models import Q, QuerySet

from traguardo.monitoring.domain import OPEN_STATES
from traguardo.monitoring.models import Evidence, Measurement, MonitoringPeriod
from traguardo.planning.models import Objective, Plan

# A measurement's subject on the page: ("ind", indicator id) or ("att", activity id).
SubjectKey = tuple[str, int | None]


def plan_periods(plan: Plan) -> tuple[list[MonitoringPeriod], MonitoringPeriod | None]:
    """The plan's periods by reference date, and the open one (at most one is open)."""
    periods = list(plan.periods.order_by("reference_date"))
    return periods, next((p for p in periods if p.state in OPEN_STATES), None)


def scheda_measurements(
    objective: Objective, period: MonitoringPeriod | None
) -> dict[SubjectKey, Measurement]:
    """The scheda's measurements of ``period`` with their evidence, by subject; none without
    a period. Two queries whatever the number of rows."""
    if period is None:
        return {}
    of_this_scheda = Q(indicator__objective=objective) | Q(activity__objective=objective)
    found = Measurement.objects.filter(of_this_scheda, period=period).prefetch_related("evidence")
    return {
        (("ind", m.indicator_id) if m.indicator_id else ("att", m.activity_id)): m for m in found
    }


def evidence_with_subjects() -> QuerySet[Evidence]:
    """Evidence files with their measurement's indicator or activity and its scheda (what the
    download checks the permission on), in one query."""
    return Evidence.objects.select_related(
        "measurement__indicator__objective", "measurement__activity__objective"
    )
