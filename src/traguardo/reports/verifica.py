"""The Verifica intermedia: the schede at risk at a monitoring period, with their deadlines.

The scores are the engine's, against the measurements of that period (and, for a verifica
intermedia, the intermediate targets); the deadlines are ``plan_deadlines`` met or not by the
same measurements. A scheda is at risk when, as of the period's date (``planning.asof``), one
of its due rows is below its target, late, not measured or not computable — the rows' states
of ``planning.states``, the words every other page uses. Nothing not yet due is at risk.

Two entry points, one module: ``verifica_data`` examines every card for the PDF;
``verifica_summary`` and ``verifica_items`` serve the page from the kept results
(``planning.kept``): the counts from the rows' results, and the reasons and deadlines of the
shown page of schede at risk only (their rows' names read in one query). Both decide "at risk"
with the same ``_at_risk``, so screen and document agree.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import CharField, F, Value
from django.utils.translation import gettext as _

from traguardo.core.formats import date_it
from traguardo.monitoring.deadlines import Deadline, plan_deadlines
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.domain.lifecycle import act_text
from traguardo.planning.kept import KeptPlan, KeptRow, OnKeptRow
from traguardo.planning.models import Activity, Indicator, Plan
from traguardo.planning.states import (
    Coverage,
    RowState,
    kept_row_state,
)
from traguardo.reports.pdf import render_pdf
from traguardo.reports.relazione import Silent, derived
from traguardo.reports.scheda import PlanView, SchedaView, plan_pages
from traguardo.scoring import (
    ItemState,
    Status,
    activity_state,
    format_percent,
    indicator_state,
)

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class DeadlineLine:
    deadline: Deadline
    state: str
    overdue: bool


@dataclass(frozen=True)
class VerificaScheda:
    card: SchedaView
    reasons: list[str]
    deadlines: list[DeadlineLine]

    @property
    def at_risk(self) -> bool:
        return bool(self.reasons)

    @property
    def not_due(self) -> bool:
        """Nothing of the scheda that decides its result is due as of the date, and no due
        row of it is at risk: neither at risk nor in line."""
        result = self.card.result
        return not self.at_risk and result is not None and result.status == Status.NOT_DUE


@dataclass(frozen=True)
class Verifica:
    plan: Plan
    period: MonitoringPeriod
    page: PlanView
    act: str
    cards: list[VerificaScheda]

    @property
    def title(self) -> str:
        return verifica_title(self.period)

    @property
    def at_risk(self) -> list[VerificaScheda]:
        return [c for c in self.cards if c.at_risk]

    @property
    def coverage(self) -> Coverage:
        return self.page.coverage()


def verifica_title(period: MonitoringPeriod) -> str:
    """«Verifica intermedia al 30 giugno 2019»."""
    return _("%(kind)s al %(date)s") % {
        "kind": period.get_kind_display(),
        "date": date_it(period.reference_date),
    }


def verifica_data(plan: Plan, period: MonitoringPeriod, progress=None) -> Verifica:
    """One progress step for the scores and deadlines, then one per scheda."""
    progress = progress or Silent()
    progress.set_total(plan.objectives.count() + 2, _("Calcolo dei risultati…"))
    page = plan_pages(plan, period=period)
    deadlines = plan_deadlines(plan, [row.objective for row in page.rows], scores=page.scores)
    by_objective: dict[int, list[Deadline]] = {}
    for d in deadlines:
        by_objective.setdefault(d.objective.pk, []).append(d)
    progress.advance(message=_("Esame delle schede…"))
    schede = []
    for number, scheda in enumerate(page.rows, start=1):
        schede.append(_examine(scheda, by_objective.get(scheda.objective.pk, []), page.as_of.on))
        progress.advance(
            message=_("Scheda %(n)s di %(total)s esaminata.")
            % {"n": number, "total": len(page.rows)}
        )
    verifica = Verifica(plan=plan, period=period, page=page, act=act_text(plan), cards=schede)
    progress.advance(message=_("Impaginazione del documento…"))
    return verifica


def verifica_context(plan: Plan, period: MonitoringPeriod, progress=None) -> dict:
    return {
        "plan": plan,
        "authority": plan.authority,
        "ver": verifica_data(plan, period, progress),
    }


def render_verifica_pdf(plan: Plan, period: MonitoringPeriod, progress=None) -> bytes:
    return render_pdf("reports/verifica.html", verifica_context(plan, period, progress))


def verifica_filename(period: MonitoringPeriod) -> str:
    return _("verifica-intermedia-%(date)s.pdf") % {"date": period.reference_date.isoformat()}


def _examine(scheda: SchedaView, deadlines: list[Deadline], on: date) -> VerificaScheda:
    """Why a scheda is at risk as of ``on`` (the period's as-of date), from its rows' states
    (``planning.states``): a due row measured below its target, late, not measured or not
    computable. A row not yet due is never a reason."""
    reasons = []
    states: dict[tuple[str, int], RowState] = {}
    rows: list[tuple[str, Indicator | Activity, str, RowState]] = [
        ("indicator", r.indicator, r.indicator.name, r.state) for r in scheda.indicators
    ]
    rows += [("activity", r.activity, r.activity.title, r.state) for r in scheda.activities]
    for kind, item, name, state in rows:
        states[(kind, item.pk)] = state
        reason = _reason(kind, item.position, name, state)
        if reason:
            reasons.append(reason)
    return VerificaScheda(card=scheda, reasons=reasons, deadlines=_lines(deadlines, on, states))


def _lines(deadlines: list[Deadline], on: date, states: dict) -> list[DeadlineLine]:
    lines = []
    for d in deadlines:
        state = states.get((d.kind, d.key))
        lines.append(DeadlineLine(d, _state(d, on, state), _overdue(d, on, state)))
    return lines


def _at_risk(kind: str, state: ItemState, achievement: Decimal | None) -> bool:
    """Whether a row is a reason for the risk (``_reason`` words it)."""
    if state in (ItemState.NOT_MEASURED, ItemState.NOT_MEASURABLE, ItemState.LATE):
        return True
    return achievement is not None and achievement < HUNDRED and state in _SCORED


def _reason(kind: str, position: int, name: str, state: RowState) -> str:
    if not _at_risk(kind, state.state, state.achievement):
        return ""
    if kind == "indicator":
        label = _("Indicatore %(n)s «%(name)s»") % {"n": position, "name": name}
    else:
        label = _("Attività %(n)s «%(name)s»") % {"n": position, "name": name}
    words = {"label": label, "state": state.label, "why": state.why}
    if state.state is ItemState.NOT_MEASURED:
        if kind == "activity":
            return _("%(label)s: %(state)s, la fine prevista era già passata.") % words
        if state.why:
            return _("%(label)s: %(state)s (%(why)s), il livello atteso era già dovuto.") % words
        return _("%(label)s: %(state)s, il livello atteso era già dovuto.") % words
    if state.state is ItemState.NOT_MEASURABLE:
        return _("%(label)s: %(state)s (%(why)s).") % words
    below = state.achievement is not None and state.achievement < HUNDRED
    if state.state is ItemState.LATE or (below and state.state in _SCORED):
        if state.achievement is None:
            return _("%(label)s: %(state)s.") % words
        value = format_percent(state.achievement)
        if state.state is ItemState.MEASURED:
            return _("%(label)s: raggiungimento %(value)s, sotto il livello atteso.") % {
                **words,
                "value": value,
            }
        return _("%(label)s: %(state)s, raggiungimento %(value)s, sotto il livello atteso.") % {
            **words,
            "value": value,
        }
    return ""


# Rows with a score (a row a person excluded is no risk).
_SCORED = (
    ItemState.MEASURED,
    ItemState.FORCED,
    ItemState.ON_TIME,
    ItemState.COMPLETED_LATE,
    ItemState.LATE,
    ItemState.IN_PROGRESS,
)
# Rows settled without a completion date: a value, a person's decision.
_SETTLED = (ItemState.MEASURED, ItemState.FORCED, ItemState.EXCLUDED)


def _overdue(d: Deadline, on: date, state: RowState | None) -> bool:
    settled = state is not None and state.state in _SETTLED
    return d.is_overdue(on) and not settled


def _state(d: Deadline, on: date, state: RowState | None) -> str:
    if d.due_on > on:
        return _("non ancora dovuta")
    if d.done_on is not None:
        late = d.days_late(on)
        if late:
            return _("completata il %(date)s, con %(days)s giorni di ritardo") % {
                "date": date_it(d.done_on),
                "days": late,
            }
        return _("completata il %(date)s") % {"date": date_it(d.done_on)}
    if state is not None and state.state in _SETTLED:
        return state.label
    if d.is_overdue(on):
        return _("scaduta da %(days)s giorni, non completata") % {"days": d.days_late(on)}
    return _("da completare")


# --- The screen: the counts from the kept results, the schede at risk in pages -------------


def row_at_risk(result) -> bool:
    """Whether a kept row's scheda is at risk, from its result alone (as ``_examine``)."""
    if result is None:
        return True  # nothing scored: every due row of it reads «non misurato»
    return any(
        _at_risk("indicator", indicator_state(r), r.achievement) for r in result.indicators
    ) or any(_at_risk("activity", activity_state(r), r.achievement) for r in result.activities)


@dataclass(frozen=True)
class RiskCounts:
    at_risk: tuple  # the kept rows at risk, in the documents' order
    not_due: int
    by_objective: dict  # objective id → its deadlines


def _risk_counts(kept) -> RiskCounts:
    at_risk = tuple(row for row in kept.rows if row_at_risk(row.result))
    risky = {row.pk for row in at_risk}
    not_due = sum(1 for row in kept.rows if row.pk not in risky and row.not_due)
    by_objective: dict[int, list[Deadline]] = {}
    for d in kept.deadlines:
        if d.objective.pk in risky:
            by_objective.setdefault(d.objective.pk, []).append(d)
    return RiskCounts(at_risk=at_risk, not_due=not_due, by_objective=by_objective)


@dataclass(frozen=True)
class VerificaSummary:
    """What the Verifica page shows before its paged list of schede at risk."""

    plan: Plan
    period: MonitoringPeriod
    kept: KeptPlan
    act: str
    risk: RiskCounts

    @property
    def title(self) -> str:
        return verifica_title(self.period)

    @property
    def total(self) -> int:
        return len(self.kept.rows)

    @property
    def at_risk_count(self) -> int:
        return len(self.risk.at_risk)

    @property
    def not_due_count(self) -> int:
        return self.risk.not_due

    @property
    def in_line_count(self) -> int:
        return self.total - self.at_risk_count - self.not_due_count

    @property
    def coverage(self) -> Coverage:
        return self.kept.coverage()

    @property
    def unit_choices(self) -> dict[int, str]:
        """The units with a scheda at risk, for the filter."""
        return {
            row.objective.unit_id: row.objective.unit_name
            for row in self.risk.at_risk
            if row.objective.unit_id is not None
        }

    def at_risk_rows(self, unit: int | None = None) -> list:
        if unit is None:
            return list(self.risk.at_risk)
        return [row for row in self.risk.at_risk if row.objective.unit_id == unit]


def verifica_summary(plan: Plan, period: MonitoringPeriod, kept) -> VerificaSummary:
    return VerificaSummary(
        plan=plan,
        period=period,
        kept=kept,
        act=act_text(plan),
        risk=derived(kept, "verifica-risk", _risk_counts),
    )


@dataclass(frozen=True)
class VerificaItem(OnKeptRow):
    """A scheda at risk on the shown page: why, and its deadlines."""

    row: KeptRow
    reasons: list[str]
    deadlines: list[DeadlineLine]


def verifica_items(kept, rows) -> list[VerificaItem]:
    """The reasons and deadlines of the shown schede: one query for their rows' names."""
    rows = list(rows)
    if not rows:
        return []
    ids = [row.pk for row in rows]
    lines = (
        Indicator.objects.filter(objective_id__in=ids)
        .order_by()
        .annotate(kind=Value("indicator", output_field=CharField()), label=F("name"))
        .values_list("objective_id", "kind", "pk", "position", "label")
        .union(
            Activity.objects.filter(objective_id__in=ids)
            .order_by()
            .annotate(kind=Value("activity", output_field=CharField()), label=F("title"))
            .values_list("objective_id", "kind", "pk", "position", "label"),
            all=True,
        )
    )
    names: dict[int, list[tuple]] = {}
    for objective_id, kind, pk, position, label in lines:
        names.setdefault(objective_id, []).append((kind != "indicator", position, kind, pk, label))
    risk = derived(kept, "verifica-risk", _risk_counts)
    on = kept.as_of.on
    items = []
    for row in rows:
        result = row.result
        indicators = {r.key: r for r in result.indicators} if result else {}
        activities = {r.key: r for r in result.activities} if result else {}
        reasons, states = [], {}
        for _order, position, kind, pk, label in sorted(names.get(row.pk, [])):
            state = kept_row_state(
                kept, kind, (indicators if kind == "indicator" else activities).get(pk)
            )
            states[(kind, pk)] = state
            reason = _reason(kind, position, label, state)
            if reason:
                reasons.append(reason)
        deadlines = _lines(risk.by_objective.get(row.pk, []), on, states)
        items.append(VerificaItem(row=row, reasons=reasons, deadlines=deadlines))
    return items
