"""The card text (the seed, a Word file saved as text) as an ``ImportDraft``.

``cardtext.parse_cards`` cuts the text into cards, verbatim; this module reads what the
cards mean without looking at any authority: the years and the year of the targets, target
values and dates, activity dates, and the notes a person must see (what the text reader had
to interpret, ambiti that cannot be read, multi-year cards coded inconsistently, a code equal
to another card's number). Names (units, people, scales) are resolved later by the pipeline,
against the authority the file is imported into. No Django model is touched here.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from traguardo.imports.cardtext import (
    ActivityRow,
    Card,
    CardTextError,
    IndicatorRow,
    parse_cards,
    parse_italian_date,
)
from traguardo.imports.draft import (
    ActivityDraft,
    ImportDraft,
    IndicatorDraft,
    Problem,
    SchedaDraft,
    TargetDraft,
    Where,
)
from traguardo.imports.interpret import read_number


def read_card_text(name: str, text: str) -> ImportDraft:
    """Every card of ``text``; a text that cannot be read is one blocking problem."""
    try:
        cards = parse_cards(text)
    except CardTextError as error:
        return ImportDraft(
            source_name=name,
            source_kind="text",
            problems=[Problem(Where(line=error.line), error.message, blocking=True)],
        )
    return draft_from_cards(name, cards)


def draft_from_cards(name: str, cards: list[Card]) -> ImportDraft:
    schede = [_scheda(card) for card in cards]
    _series_notes(schede)
    _ordinal_notes(schede)
    return ImportDraft(source_name=name, source_kind="text", schede=schede)


def _scheda(card: Card) -> SchedaDraft:
    year = card_year(card)
    scheda = SchedaDraft(
        ordinal=card.ordinal,
        year=year,
        first_year=min(card.years),
        last_year=max(card.years),
        code=card.code,
        title=card.title,
        dup_text=card.dup_reference,
        unit_text=card.unit,
        responsible_text=card.responsible,
        involved_text=card.involved_units,
        expected_result=card.expected_result,
        notes=card.notes,
        strategic_text=card.strategic,
        complexity_text=card.complexity,
        kind_text=card.kind,
        indicators=[_indicator(row, year) for row in card.indicators],
        activities=[_activity(row) for row in card.activities],
        where=Where(line=card.line),
    )
    for note in card.source_notes:
        _note(scheda, note.field, note.message, note.line)
    if card.areas_listed:
        _note(
            scheda,
            "areas",
            _(
                "Il documento elenca gli ambiti ma non si legge quali fossero "
                "selezionati: nessun ambito è stato assegnato."
            ),
            card.line,
        )
    return scheda


def _indicator(row: IndicatorRow, year: int) -> IndicatorDraft:
    targets = [
        TargetDraft(
            kind=kind,
            # A target belongs to the card's year, even when its date falls later
            # (card 3 of 2019: "entro il 31 dicembre 2020").
            year=year,
            value=read_number(value),
            value_text=value,
            due_date=parse_italian_date(due),
            due_text=due,
        )
        for kind, value, due in (
            ("intermediate", row.intermediate_value, row.intermediate_date),
            ("final", row.final_value, row.final_date),
        )
        if value or due
    ]
    return IndicatorDraft(
        position=row.number,
        name=row.name,
        weight=row.weight,
        weight_text=row.weight_text,
        formula_text=row.formula,
        grading_text=row.grading,
        targets=targets,
        where=Where(line=row.line),
    )


def _activity(row: ActivityRow) -> ActivityDraft:
    return ActivityDraft(
        position=row.number,
        title=row.title,
        weight=row.weight,
        weight_text=row.weight_text,
        end_date=parse_italian_date(row.timing),
        timing_text=row.timing,
        indicator_text=row.indicator,
        expected_text=row.expected,
        grading_text=row.grading,
        achieved_text=row.achieved,
        where=Where(line=row.line),
    )


def card_year(card: Card) -> int:
    """The year the card's targets are for: the year of its final dates, else the first year."""
    years = set()
    for row in card.indicators:
        due = parse_italian_date(row.final_date)
        if due:
            years.add(due.year)
    if len(card.years) > 1 and len(years) == 1 and years <= set(card.years):
        return years.pop()
    return min(card.years)


def _series_notes(schede: list[SchedaDraft]) -> None:
    """The yearly cards of one multi-year objective (same title) coded differently."""
    groups: dict[str, list[SchedaDraft]] = {}
    for scheda in schede:
        if scheda.title and scheda.last_year != scheda.first_year:
            groups.setdefault(scheda.title.casefold(), []).append(scheda)
    for group in groups.values():
        codes = [s.code or "—" for s in sorted(group, key=lambda s: s.year or 0)]
        if len(group) < 2 or len(set(codes)) < 2:
            continue
        message = _(
            "Le schede annuali dello stesso obiettivo pluriennale hanno codici diversi: %(codes)s."
        ) % {"codes": ", ".join(codes)}
        for scheda in group:
            _note(scheda, "code", message, scheda.where.line)


def _ordinal_notes(schede: list[SchedaDraft]) -> None:
    ordinals = {str(s.ordinal) for s in schede if not s.code}
    for scheda in schede:
        if scheda.code in ordinals:
            message = _(
                "Il codice «%(code)s» coincide con il numero d'ordine della scheda %(code)s, "
                "che non ha codice."
            ) % {"code": scheda.code}
            _note(scheda, "code", message, scheda.where.line)


def _note(scheda: SchedaDraft, field_name: str, message: str, line: int | None) -> None:
    """Kept on the scheda ("note di importazione") and shown in the dry run."""
    scheda.import_notes.append({"field": field_name, "message": message})
    scheda.problems.append(Problem(Where(line=line), message))
