"""Reusable queries of the planning app: one place that knows what a page of schede needs."""

from django.db.models import Prefetch, QuerySet

from traguardo.planning.models import Activity, Indicator, Objective, Target


def objectives_for_scoring(objectives: QuerySet[Objective]) -> QuerySet[Objective]:
    """Everything the scheda layout and the scoring engine read, in a fixed number of queries."""
    return objectives.select_related(
        "unit__head",
        "responsible",
        "dup_goal",
        "series",
        "strategic_level",
        "complexity_level",
        "kind_level",
    ).prefetch_related(
        Prefetch(
            "indicators",
            queryset=Indicator.objects.select_related("grading_scale").prefetch_related(
                Prefetch("targets", queryset=Target.objects.order_by("year", "kind"))
            ),
        ),
        Prefetch("activities", queryset=Activity.objects.select_related("grading_scale")),
        "areas",
        "involved_units",
        "series_cards",
    )
