"""What a printed or displayed scheda shows, assembled once for the page and the PDF.

The card layout (DESIGN.md §3) is a template; this module gathers its data: the rows of
both tables with their targets and scales read back in Italian, the weight checks, the
anomalies, and the scores the engine computed. Views and PDFs call these two functions only.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from traguardo.core.formats import percent, status_label
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.organization.models import PerformanceArea
from traguardo.planning.asof import AsOf
from traguardo.planning.checks import (
    Anomaly,
    Check,
    final_target,
    intermediate_target,
    objective_anomalies,
    plan_anomalies,
    weights_check,
)
from traguardo.planning.kept import keep, schede
from traguardo.planning.models import Activity, Indicator, Objective, Plan, Target
from traguardo.planning.notes import field_label, open_notes
from traguardo.planning.queries import load_for_scoring
from traguardo.planning.scores import (
    PlanScores,
    objective_weight_score,
    score_objective_alone,
    score_objectives,
)
from traguardo.planning.states import (
    Coverage,
    RowState,
    activity_row_state,
    indicator_row_state,
)
from traguardo.scoring import (
    ActivityResult,
    Aggregate,
    IndicatorResult,
    ObjectiveResult,
    Status,
    describe_scale,
)


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    intermediate: Target | None
    final: Target | None
    scale_text: str
    result: IndicatorResult | None

    @property
    def state(self) -> RowState:
        """The row's state in words (``planning.states``): the same on every surface."""
        return indicator_row_state(self.result)

    @property
    def result_text(self) -> str:
        return row_result_text(self.state)


@dataclass(frozen=True)
class ActivityRow:
    activity: Activity
    scale_text: str
    result: ActivityResult | None

    @property
    def state(self) -> RowState:
        return activity_row_state(self.result)

    @property
    def result_text(self) -> str:
        return row_result_text(self.state)


def activity_heads() -> list[str]:
    """The printed card's activity table columns, the same on paper (PDF) and in Word."""
    return [
        _("N°"),
        _("PESO"),
        _("SUB-OBIETTIVO / ATTIVITÀ"),
        _("TEMPI (I/F)"),
        _("INDICATORI"),
        _("LIVELLO ATTESO"),
        _("GRADUAZIONE CONSEGUIMENTO"),
        _("RAGGIUNTO"),
    ]


@dataclass(frozen=True)
class ImportNote:
    """A note of the import as the outputs print it: the field's label («Ambiti») and what
    was noticed."""

    field: str
    message: str


@dataclass(frozen=True)
class SchedaView:
    objective: Objective
    area_rows: list[tuple[tuple[PerformanceArea, bool], tuple[PerformanceArea, bool] | None]]
    indicators: list[IndicatorRow]
    activities: list[ActivityRow]
    indicator_check: Check
    activity_check: Check | None
    anomalies: list[Anomaly]
    weight_score: Decimal | None
    result: ObjectiveResult | None
    as_of: AsOf
    # The key it is kept under (``scheda_page``: the authority's data version and the day),
    # for the fragments rendered from it; blank for a card of a plan document.
    key: str = field(default="", compare=False)

    @property
    def state(self) -> str:
        """The scheda's state in words: «non ancora dovuta», «parziale», «misurato»…"""
        return scheda_state(self.result)

    @property
    def result_text(self) -> str:
        """The scheda's result as every document prints it: «76,00%», «95,00% (parziale)»,
        «non ancora dovuta», «non misurata» — never a figure without its state."""
        return scheda_result_text(self.result)

    @property
    def forced(self) -> bool:
        """Some indicator's result was forced: every place showing the result says so."""
        return self.result is not None and any(r.status == "forced" for r in self.result.indicators)

    @property
    def import_notes(self) -> list[ImportNote]:
        """The notes of the import that still hold: one about a field fixed since is gone."""
        return [
            ImportNote(field_label(note.get("field", "")), str(note.get("message", "")))
            for note in open_notes(self.objective.import_notes)
        ]

    @property
    def errors(self) -> list[Anomaly]:
        return [a for a in self.anomalies if a.is_error]

    @property
    def warnings(self) -> list[Anomaly]:
        return [a for a in self.anomalies if not a.is_error]


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    rows: list[SchedaView]
    scores: PlanScores

    @property
    def as_of(self) -> AsOf:
        return self.scores.as_of

    def coverage(self, aggregate: Aggregate | None = None) -> Coverage:
        """What a roll-up (default: the authority's) counts, and as of when."""
        return Coverage(aggregate or self.scores.result.authority, self.scores.as_of)


def row_result_text(state: RowState) -> str:
    """A row's result in one cell: «90,00% (raggiunto con 3 giorni di ritardo: 3 giorni di
    ritardo → 90,00%)», «84,50% (misurato)», «non misurata», «non misurato (manca la data di
    raggiungimento)» — never a figure without its state."""
    if state.achievement is not None:
        detail = f"{state.label}: {state.delay}" if state.delay else state.label
        return f"{percent(state.achievement)} ({detail})"
    return f"{state.label} ({state.why})" if state.why else state.label


def scheda_state(result: ObjectiveResult | None) -> str:
    """A scheda's state: «non ancora dovuta» when nothing of it is due as of the date,
    «non misurata» when it has no figure yet, else the status of its result."""
    if result is None:
        return _("non misurata")
    if result.status == Status.NOT_DUE:
        return _("non ancora dovuta")
    if result.achievement is None and result.status in (Status.PARTIAL, Status.MISSING):
        return _("non misurata")
    return status_label(result.status)


def scheda_result_text(result: ObjectiveResult | None) -> str:
    """After «Raggiungimento»: the figure and its state, or why there is none («non
    misurato», «non valutabile»; «non ancora dovuta» for a scheda not yet due)."""
    if result is not None and result.status == Status.NOT_DUE:
        return scheda_state(result)
    if result is None or result.achievement is None:
        if result is not None and result.status in (Status.EXCLUDED, Status.NOT_MEASURABLE):
            return status_label(result.status)
        return _("non misurato")
    if result.status == Status.MEASURED:
        return percent(result.achievement)
    return f"{percent(result.achievement)} ({scheda_state(result)})"


def plan_pages(plan: Plan, period: MonitoringPeriod | None = None) -> PlanView:
    """Every scheda of a plan, ordered by responsible unit then position, scored against
    ``period`` (default: the current period)."""
    objectives = load_for_scoring(plan.objectives.all())
    objectives.sort(
        key=lambda o: (o.unit is None, o.unit.position if o.unit else 0, o.unit_id or 0, o.position)
    )
    return _build(plan, objectives, period)


def scheda_page(objective: Objective) -> SchedaView:
    """One scheda, at the cost of one: its rows, its own measurements, and the plan's codes
    alone for the duplicate-code check. The card is the one ``plan_pages`` gives it, kept
    under the authority's data version (``planning.kept.keep``) as of today: shown again, it
    costs one query."""
    name = f"scheda:{objective.pk}:{timezone.localdate()}"
    return keep(objective.authority_id, name, lambda key: _scheda(objective, key), local=schede)


def _scheda(objective: Objective, key: str) -> SchedaView:
    plan = objective.plan
    [loaded] = load_for_scoring(plan.objectives.filter(pk=objective.pk))
    scores = score_objective_alone(plan, loaded)
    areas = list(PerformanceArea.objects.order_by("number"))
    return replace(_card(loaded, scores, objective_anomalies(loaded), areas), key=key)


def _build(plan: Plan, objectives: list[Objective], period=None) -> PlanView:
    scores = score_objectives(plan, objectives, period=period)
    anomalies = plan_anomalies(plan, objectives)
    areas = list(PerformanceArea.objects.order_by("number"))
    rows = [_card(o, scores, anomalies.get(o.pk, []), areas) for o in objectives]
    return PlanView(plan=plan, rows=rows, scores=scores)


def _card(objective: Objective, scores: PlanScores, anomalies, areas) -> SchedaView:
    result = scores.result.objectives.get(objective.pk)
    indicator_results = {r.key: r for r in result.indicators} if result else {}
    activity_results = {r.key: r for r in result.activities} if result else {}
    indicators = list(objective.indicators.all())
    activities = list(objective.activities.all())
    selected = {a.pk for a in objective.areas.all()}
    marked = [(area, area.pk in selected) for area in areas]
    half = (len(marked) + 1) // 2
    left, right = marked[:half], marked[half:]
    area_rows = [(left[i], right[i] if i < len(right) else None) for i in range(half)]
    return SchedaView(
        objective=objective,
        area_rows=area_rows,
        indicators=[
            IndicatorRow(
                indicator=i,
                intermediate=intermediate_target(i, objective.year),
                final=final_target(i, objective.year),
                scale_text=_scale_text(scores.rules.scale(i)),
                result=indicator_results.get(i.pk),
            )
            for i in indicators
        ],
        activities=[
            ActivityRow(
                activity=a,
                scale_text=_scale_text(scores.rules.scale(a)),
                result=activity_results.get(a.pk),
            )
            for a in activities
        ],
        indicator_check=weights_check([i.weight for i in indicators]),
        activity_check=weights_check([a.weight for a in activities]) if activities else None,
        anomalies=anomalies,
        weight_score=objective_weight_score(objective, scores.rules),
        result=result,
        as_of=scores.as_of,
    )


def _scale_text(scale) -> str:
    return describe_scale(scale) if scale is not None else ""
