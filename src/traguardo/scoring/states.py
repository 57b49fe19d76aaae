"""What a row of a scheda *is* as of a date, from its result: one vocabulary for every page,
document, export and check (the Italian words live with the pages)."""

from .specs import ActivityResult, IndicatorResult
from .types import ItemState, Status, Why

_DECIDED = {
    Status.EXCLUDED: ItemState.EXCLUDED,
    Status.FORCED: ItemState.FORCED,
    Status.NOT_DUE: ItemState.NOT_DUE,
    Status.MISSING: ItemState.NOT_MEASURED,
    Status.NOT_MEASURABLE: ItemState.NOT_MEASURABLE,
}


def indicator_state(result: IndicatorResult) -> ItemState:
    """Graded by delay, a measured indicator is on time, reached late, or late (not reached
    as of the date); graded on its value, it is measured."""
    if result.status in _DECIDED:
        return _DECIDED[result.status]
    if result.days_late is None:
        return ItemState.MEASURED
    if result.why is Why.NOT_REACHED:
        return ItemState.LATE
    return ItemState.ON_TIME if result.days_late == 0 else ItemState.COMPLETED_LATE


def activity_state(result: ActivityResult) -> ItemState:
    """Non ancora dovuta, completata in tempo, completata con N giorni di ritardo, in ritardo
    di N giorni, in corso, non misurata, non valutabile."""
    if result.status in _DECIDED:
        return _DECIDED[result.status]
    if result.completed:
        return ItemState.ON_TIME if not result.days_late else ItemState.COMPLETED_LATE
    return ItemState.LATE if result.days_late else ItemState.IN_PROGRESS


def counts_for_closing(state: ItemState) -> bool:
    """Whether a due row is settled for closing its period: it has a score, or a person
    decided (non valutabile, forced). Not measured and not computable rows are not."""
    return state not in (ItemState.NOT_MEASURED, ItemState.NOT_MEASURABLE)
