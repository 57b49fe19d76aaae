"""The Verifica intermedia: the schede at risk at a monitoring period, with their deadlines.

The scores are the engine's, against the measurements of that period (and, for a verifica
intermedia, the intermediate targets); the deadlines are ``plan_deadlines`` met or not by the
same measurements. A scheda is at risk when, at the period's reference date, an indicator is
below its target, has no measurement although its target was due, or a deadline has passed
without a completion.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from traguardo.core.templatetags.traguardo import date_it
from traguardo.monitoring.deadlines import Deadline, plan_deadlines
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.domain.lifecycle import act_text
from traguardo.planning.models import Plan
from traguardo.reports.pdf import render_pdf
from traguardo.reports.relazione import Silent
from traguardo.reports.scheda import CardView, PlanView, plan_pages
from traguardo.scoring import Status, format_percent

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class DeadlineLine:
    deadline: Deadline
    state: str
    overdue: bool


@dataclass(frozen=True)
class VerificaCard:
    card: CardView
    reasons: list[str]
    deadlines: list[DeadlineLine]

    @property
    def at_risk(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class Verifica:
    plan: Plan
    period: MonitoringPeriod
    page: PlanView
    act: str
    cards: list[VerificaCard]

    @property
    def title(self) -> str:
        return verifica_title(self.period)

    @property
    def at_risk(self) -> list[VerificaCard]:
        return [c for c in self.cards if c.at_risk]


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
    deadlines = plan_deadlines(plan, [row.objective for row in page.rows], period=period)
    by_objective: dict[int, list[Deadline]] = {}
    for d in deadlines:
        by_objective.setdefault(d.objective.pk, []).append(d)
    progress.advance(message=_("Esame delle schede…"))
    cards = []
    for number, card in enumerate(page.rows, start=1):
        cards.append(_examine(card, by_objective.get(card.objective.pk, []), period))
        progress.advance(
            message=_("Scheda %(n)s di %(total)s esaminata.")
            % {"n": number, "total": len(page.rows)}
        )
    verifica = Verifica(plan=plan, period=period, page=page, act=act_text(plan), cards=cards)
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


def _examine(card: CardView, deadlines: list[Deadline], period: MonitoringPeriod) -> VerificaCard:
    today = period.reference_date
    reasons = []
    due = {d.key for d in deadlines if d.kind == "indicator" and d.due_on <= today}
    for row in card.indicators:
        result, indicator = row.result, row.indicator
        if result is None:
            continue
        label = _("Indicatore %(n)s «%(name)s»") % {"n": indicator.position, "name": indicator.name}
        if result.achievement is not None and result.achievement < HUNDRED:
            reasons.append(
                _("%(label)s: raggiungimento %(value)s, sotto il livello atteso.")
                % {"label": label, "value": format_percent(result.achievement)}
            )
        elif result.status == Status.MISSING and indicator.pk in due:
            reasons.append(
                _("%(label)s: nessuna rilevazione, il livello atteso era già dovuto.")
                % {"label": label}
            )
        elif result.status == Status.NOT_MEASURABLE:
            reasons.append(_("%(label)s: non misurabile.") % {"label": label})
    lines = []
    for d in deadlines:
        overdue = d.is_overdue(today)
        if overdue:
            reasons.append(
                _("Scadenza del %(date)s superata senza completamento: «%(label)s».")
                % {"date": date_it(d.due_on), "label": d.label}
            )
        lines.append(DeadlineLine(d, _state(d, today), overdue))
    return VerificaCard(card=card, reasons=reasons, deadlines=lines)


def _state(d: Deadline, today) -> str:
    if d.done_on is not None:
        late = d.days_late(today)
        if late:
            return _("completata il %(date)s, con %(days)s giorni di ritardo") % {
                "date": date_it(d.done_on),
                "days": late,
            }
        return _("completata il %(date)s") % {"date": date_it(d.done_on)}
    if d.is_overdue(today):
        return _("scaduta da %(days)s giorni, non completata") % {"days": d.days_late(today)}
    return _("da completare")
