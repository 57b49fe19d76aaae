"""The Italian words for what a result is, as of a date, and what a roll-up counts.

The engine decides (``scoring.indicator_state``, ``scoring.activity_state``, ``Aggregate``);
this module only words it, once, for every page, document, export and e-mail:
"non ancora dovuta", "completata con 3 giorni di ritardo", "9 schede su 11 misurate ·
provvisorio al 30 giugno 2019".
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from traguardo.core.formats import date_it, percent
from traguardo.planning.asof import AsOf
from traguardo.scoring import (
    ActivityResult,
    Aggregate,
    IndicatorResult,
    ItemState,
    Why,
    activity_state,
    indicator_state,
)


def _days(days: int | None) -> str:
    n = days or 0
    return ngettext("%(n)s giorno", "%(n)s giorni", n) % {"n": n}


def why_label(why: Why | str | None) -> str:
    """What a result without a score lacks, said so that a person knows what to record."""
    if not why:
        return ""
    return {
        Why.NO_VALUE: _("manca il valore rilevato"),
        Why.NO_REACHED_DATE: _("manca la data di raggiungimento"),
        Why.NOT_REACHED: _("livello atteso non ancora raggiunto"),
        Why.NO_TARGET: _("manca il livello atteso"),
        Why.NO_DUE_DATE: _("manca la data del livello atteso"),
        Why.SCALE_MISMATCH: _("la graduazione non si applica a questa misura"),
        Why.ZERO_DENOMINATOR: _("il denominatore è zero"),
        Why.INCOMPLETE_RATIO: _("servono sia il numeratore sia il denominatore"),
        Why.NEGATIVE_TARGET: _("livello atteso negativo: serve una graduazione raggiunto/non"),
        Why.NO_BASELINE: _("manca il valore di riferimento"),
    }[Why(why)]


@dataclass(frozen=True)
class RowState:
    """A row's state with its words: ``label`` ("in ritardo di 12 giorni"), ``why`` (what is
    missing, if anything), ``delay`` ("10 giorni di ritardo → 80,00%") when graded by delay."""

    state: ItemState
    label: str
    why: str
    delay: str
    achievement: Decimal | None

    @property
    def counts(self) -> bool:
        """The row has a score in this period's roll-up."""
        return self.achievement is not None

    @property
    def not_due(self) -> bool:
        return self.state is ItemState.NOT_DUE


def _delay(days: int | None, achievement: Decimal | None) -> str:
    if days is None or achievement is None:
        return ""
    if days == 0:
        return _("nessun ritardo → %(score)s") % {"score": percent(achievement)}
    return _("%(days)s di ritardo → %(score)s") % {
        "days": _days(days),
        "score": percent(achievement),
    }


def indicator_row_state(result: IndicatorResult | None) -> RowState:
    """An indicator's state as of the result's date (None: nothing scored, not measured)."""
    if result is None:
        return RowState(ItemState.NOT_MEASURED, _("non misurato"), "", "", None)
    state = indicator_state(result)
    days = _days(result.days_late)
    label = {
        ItemState.NOT_DUE: _("non ancora dovuto"),
        ItemState.EXCLUDED: _("non valutabile"),
        ItemState.FORCED: _("risultato forzato"),
        ItemState.NOT_MEASURED: _("non misurato"),
        ItemState.NOT_MEASURABLE: _("non calcolabile"),
        ItemState.ON_TIME: _("raggiunto in tempo"),
        ItemState.COMPLETED_LATE: _("raggiunto con %(days)s di ritardo") % {"days": days},
        ItemState.LATE: _("in ritardo di %(days)s") % {"days": days},
        ItemState.MEASURED: _("misurato"),
    }[state]
    if state is ItemState.NOT_MEASURED and result.why is Why.NOT_REACHED:
        label = _("non ancora raggiunto")
    why = why_label(result.why) if state in _UNSCORED else ""
    delay = _delay(result.days_late, result.achievement) if state in _DELAYED else ""
    return RowState(state, label, why, delay, result.achievement)


_UNSCORED = (ItemState.NOT_MEASURED, ItemState.NOT_MEASURABLE)
_DELAYED = (ItemState.ON_TIME, ItemState.COMPLETED_LATE, ItemState.LATE)


def activity_row_state(result: ActivityResult | None) -> RowState:
    """An activity's state: non ancora dovuta, completata in tempo, completata con N giorni
    di ritardo, in ritardo di N giorni, in corso, non misurata, non valutabile."""
    if result is None:
        return RowState(ItemState.NOT_MEASURED, _("non misurata"), "", "", None)
    state = activity_state(result)
    days = _days(result.days_late)
    label = {
        ItemState.NOT_DUE: _("non ancora dovuta"),
        ItemState.EXCLUDED: _("non valutabile"),
        ItemState.FORCED: _("risultato forzato"),
        ItemState.NOT_MEASURED: _("non misurata"),
        ItemState.NOT_MEASURABLE: _("non calcolabile"),
        ItemState.ON_TIME: _("completata in tempo"),
        ItemState.COMPLETED_LATE: _("completata con %(days)s di ritardo") % {"days": days},
        ItemState.LATE: _("in ritardo di %(days)s") % {"days": days},
        ItemState.IN_PROGRESS: _("in corso"),
    }[state]
    delay = _delay(result.days_late, result.achievement) if state in _DELAYED else ""
    return RowState(state, label, "", delay, result.achievement)


@dataclass(frozen=True)
class Coverage:
    """What a roll-up counts and as of when: "9 schede su 11 misurate · provvisorio al …".

    ``final`` only when the period is closed and every due scheda has its whole result: a
    page never shows a partial or provisional figure as final.
    """

    aggregate: Aggregate
    as_of: AsOf

    @property
    def final(self) -> bool:
        return self.as_of.final and self.aggregate.complete

    @property
    def counted(self) -> str:
        a = self.aggregate
        whole = a.measured - a.partial
        text = ngettext(
            "%(measured)s scheda su %(due)s misurata",
            "%(measured)s schede su %(due)s misurate",
            whole,
        ) % {"measured": whole, "due": a.due}
        if a.partial:
            text += " · " + ngettext("%(n)s parziale", "%(n)s parziali", a.partial) % {
                "n": a.partial
            }
        if a.excluded:
            text += " · " + ngettext("%(n)s non valutabile", "%(n)s non valutabili", a.excluded) % {
                "n": a.excluded
            }
        if a.not_due:
            text += " · " + ngettext(
                "%(n)s non ancora dovuta", "%(n)s non ancora dovute", a.not_due
            ) % {"n": a.not_due}
        return text

    @property
    def status(self) -> str:
        return _("definitivo") if self.final else _("provvisorio")

    @property
    def when(self) -> str:
        return _("al %(date)s") % {"date": date_it(self.as_of.on)}

    def __str__(self) -> str:
        return f"{self.counted} · {self.status} {self.when}"


def coverage(aggregate: Aggregate, as_of: AsOf) -> Coverage:
    return Coverage(aggregate, as_of)


def kept_row_state(kept, kind: str, result: IndicatorResult | ActivityResult | None) -> RowState:
    """``indicator_row_state`` or ``activity_row_state`` of a kept plan's row result, worded
    once per kept plan and language (``KeptPlan.derived``) rather than on every request: the
    words depend on nothing but the result, which the kept plan holds."""
    memo = kept.derived(f"row-states:{get_language()}", dict)
    key = (kind, id(result))
    state = memo.get(key)
    if state is None or state[0] is not result:
        if isinstance(result, IndicatorResult) or (result is None and kind == "indicator"):
            said = indicator_row_state(result)
        else:
            said = activity_row_state(result)
        state = memo[key] = (result, said)
    return state[1]
