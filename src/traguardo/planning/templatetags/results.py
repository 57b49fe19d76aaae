"""Template filters for results: a row's state and a roll-up's coverage, in Italian."""

from django import template

from traguardo.planning.states import activity_row_state, coverage, indicator_row_state

register = template.Library()


@register.filter
def indicator_state(result):
    """``{% with s=row.result|indicator_state %}{{ s.label }}{% endwith %}``"""
    return indicator_row_state(result)


@register.filter
def activity_state(result):
    return activity_row_state(result)


@register.filter
def coverage_of(aggregate, as_of):
    """``{{ aggregate|coverage_of:scores.as_of }}``: "9 schede su 11 misurate · provvisorio…"."""
    return coverage(aggregate, as_of)
