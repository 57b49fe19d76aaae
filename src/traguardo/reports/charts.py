"""Charts drawn on the server as SVG, so that the same markup serves the page and the PDF.

Pure functions of plain data (Decimals, dates, strings) returning a ``Chart``: the SVG, its
title and description, and the rows of a table that says the same in words. The SVG carries
its meaning in presentation attributes and text (no class, no script, no external reference:
WeasyPrint draws it as the browser does), every text in it is escaped, and colour is never the
only signal: each bar has its value or its state written beside it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from html import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from traguardo.core.formats import date_it
from traguardo.scoring import format_decimal, format_percent

FONT = "Titillium Web, DejaVu Sans, sans-serif"
WIDTH = 720
INK = "#1a1a1a"
MUTED = "#455a64"
GRID = "#c5c7c9"
RED = "#a61919"
AMBER = "#a66300"
GREEN = "#00663d"
GREY = "#5c6f82"
BLUE = "#0066cc"
HUNDRED = Decimal(100)
MONTHS_SHORT = ("gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic")


@dataclass(frozen=True)
class Chart:
    """An SVG (markup, every text escaped) and the same data as a table."""

    svg: str
    title: str
    description: str
    columns: tuple[str, ...]
    table: Sequence[tuple[str, ...]]


class Band(StrEnum):
    """Traffic-light band of an achievement (ScoringPolicy.green_from / amber_from)."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    UNMEASURED = "unmeasured"

    @property
    def label(self) -> str:
        return str(BAND_LABELS[self])


BAND_LABELS = {
    Band.RED: gettext_lazy("rosso"),
    Band.AMBER: gettext_lazy("giallo"),
    Band.GREEN: gettext_lazy("verde"),
    Band.UNMEASURED: gettext_lazy("non misurato"),
}
BAND_COLOURS = {Band.RED: RED, Band.AMBER: AMBER, Band.GREEN: GREEN, Band.UNMEASURED: GREY}


def band(value: Decimal | None, *, green_from: Decimal, amber_from: Decimal) -> Band:
    if value is None:
        return Band.UNMEASURED
    if value >= green_from:
        return Band.GREEN
    if value >= amber_from:
        return Band.AMBER
    return Band.RED


def band_range(kind: Band, *, green_from: Decimal, amber_from: Decimal) -> str:
    """The band's limits in words: "< 60%", "≥ 60% e < 90%", "≥ 90%"."""
    green, amber = _number(green_from), _number(amber_from)
    return {
        Band.RED: _("< %(amber)s%%") % {"amber": amber},
        Band.AMBER: _("≥ %(amber)s%% e < %(green)s%%") % {"amber": amber, "green": green},
        Band.GREEN: _("≥ %(green)s%%") % {"green": green},
        Band.UNMEASURED: _("nessun risultato"),
    }[kind]


# (a) Histogram of the schede by band


def achievement_distribution(
    values: Sequence[Decimal | None],
    *,
    green_from: Decimal,
    amber_from: Decimal,
    chart_id: str = "distribuzione",
) -> Chart:
    """How many schede fall in each band: rosso, giallo, verde, non misurato."""
    bands = (Band.RED, Band.AMBER, Band.GREEN, Band.UNMEASURED)
    counts = dict.fromkeys(bands, 0)
    for value in values:
        counts[band(value, green_from=green_from, amber_from=amber_from)] += 1
    limits = {b: band_range(b, green_from=green_from, amber_from=amber_from) for b in bands}
    title = _("Schede per fascia di raggiungimento")
    parts = [
        f"{b.label} ({limits[b]}): {counts[b]}"
        if b != Band.UNMEASURED
        else f"{b.label}: {counts[b]}"
        for b in bands
    ]
    description = ngettext(
        "Istogramma di %(n)s scheda per fascia di raggiungimento: %(parts)s.",
        "Istogramma di %(n)s schede per fascia di raggiungimento: %(parts)s.",
        len(values),
    ) % {"n": len(values), "parts": "; ".join(parts)}

    height, left, right, top, bottom = 300, 48, 16, 28, 64
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    step = max(1, -(-max(counts.values(), default=0) // 5))
    ceiling = max(step * 5, 1)
    body = []
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - Decimal(plot_h) * tick / ceiling
        body.append(_line(left, y, WIDTH - right, y, stroke=GRID))
        body.append(_text(left - 8, y + 4, str(tick), anchor="end", fill=MUTED, size=12))
    slot = Decimal(plot_w) / len(bands)
    bar_w = slot * Decimal("0.6")
    for i, b in enumerate(bands):
        x = left + slot * i + (slot - bar_w) / 2
        bar_h = Decimal(plot_h) * counts[b] / ceiling
        y = top + plot_h - bar_h
        centre = x + bar_w / 2
        body.append(f"<g>{_title(f'{b.label}: {counts[b]}')}")
        if counts[b]:
            body.append(_rect(x, y, bar_w, bar_h, fill=BAND_COLOURS[b]))
        if bar_h >= 24:  # inside the bar, white on the band's dark colour (≥ 4.5:1)
            body.append(
                _text(centre, y + 18, str(counts[b]), anchor="middle", fill="#ffffff", weight="700")
            )
        else:
            body.append(_text(centre, y - 6, str(counts[b]), anchor="middle", weight="700"))
        body.append("</g>")
        label_y = top + plot_h + 20
        body.append(_text(centre, label_y, b.label, anchor="middle", weight="700"))
        body.append(_text(centre, label_y + 18, limits[b], anchor="middle", fill=MUTED, size=12))
    body.append(_line(left, top + plot_h, WIDTH - right, top + plot_h, stroke=INK))
    table = [(b.label, limits[b], str(counts[b])) for b in bands]
    return Chart(
        svg=_svg(chart_id, height, title, description, body),
        title=title,
        description=description,
        columns=(_("Fascia"), _("Raggiungimento"), _("Schede")),
        table=table,
    )


# (b) One horizontal bar per unit


def unit_bars(
    rows: Sequence[tuple[str, Decimal | None]],
    *,
    green_from: Decimal = Decimal(90),
    amber_from: Decimal = Decimal(60),
    levels: Sequence[int] | None = None,
    chart_id: str = "unita",
) -> Chart:
    """A bar per unit from 0 to its achievement, the percentage beside it, a line at 100%.

    ``levels`` indents the names of units nested in others (0 = top level).
    """
    levels = list(levels) if levels is not None else [0] * len(rows)
    title = _("Raggiungimento per unità organizzativa")
    values = [_percent_or_unmeasured(value) for _name, value in rows]
    description = (
        _("Barre orizzontali da 0 a 100%%, una per unità: %(parts)s.")
        % {
            "parts": "; ".join(
                f"{name} {text}" for (name, _v), text in zip(rows, values, strict=True)
            )
        }
        if rows
        else _("Nessuna unità con schede.")
    )
    left, top, row_h, bar_h = 16, 36, 46, 18
    scale_w = 560
    target_x = left + scale_w
    height = top + row_h * max(len(rows), 1) + 8
    body = []
    for tick in (0, 25, 50, 75, 100):
        x = left + Decimal(scale_w) * tick / 100
        if tick == 100:
            body.append(_line(x, top - 10, x, height - 8, stroke=INK, dash="6 4", width=2))
            body.append(_text(x, top - 16, "100%", anchor="middle", weight="700", size=12))
        else:
            body.append(_line(x, top - 6, x, height - 8, stroke=GRID))
            body.append(_text(x, top - 16, f"{tick}%", anchor="middle", fill=MUTED, size=12))
    for i, ((name, value), level, text) in enumerate(zip(rows, levels, values, strict=True)):
        y = top + row_h * i
        body.append(f"<g>{_title(f'{name}: {text}')}")
        body.append(_text(left + 16 * level, y + 14, _truncate(name, 90 - 3 * level)))
        bar_y = y + 20
        if value is not None:
            bar_w = Decimal(scale_w) * min(value, HUNDRED) / HUNDRED
            colour = BAND_COLOURS[band(value, green_from=green_from, amber_from=amber_from)]
            body.append(_rect(left, bar_y, max(bar_w, Decimal(1)), bar_h, fill=colour))
        body.append(
            _text(target_x + 10, bar_y + 14, text, weight="700" if value is not None else None)
        )
        body.append("</g>")
    return Chart(
        svg=_svg(chart_id, height, title, description, body),
        title=title,
        description=description,
        columns=(_("Unità organizzativa"), _("Raggiungimento")),
        table=[(name, text) for (name, _v), text in zip(rows, values, strict=True)],
    )


# (c) Gantt of a scheda's piano operativo


class ActivityState(StrEnum):
    DONE = "done"
    LATE = "late"
    OPEN = "open"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    ActivityState.DONE: gettext_lazy("completata"),
    ActivityState.LATE: gettext_lazy("in ritardo"),
    ActivityState.OPEN: gettext_lazy("da fare"),
}


def activity_state(end: date | None, done_on: date | None, today: date) -> ActivityState:
    """Done once a completion date is recorded; late when its end has passed without one."""
    if done_on is not None:
        return ActivityState.DONE
    if end is not None and today > end:
        return ActivityState.LATE
    return ActivityState.OPEN


def gantt(
    activities: Sequence[tuple[str, date | None, date | None, date | None]],
    today: date,
    *,
    first_day: date | None = None,
    chart_id: str = "gantt",
    words: Sequence[str] | None = None,
    live: bool = True,
) -> Chart:
    """A bar per activity from its start (or ``first_day``, the plan's first day, when the card
    gives none) to its end; hatched red when late, solid green when done, outlined when still
    to do; the state written beside each bar and a line at the date. Activities without an end
    date are listed below as "senza date".

    ``today`` is the date the chart is drawn as of; ``live`` says it is today (else the chart
    says "situazione al …"). ``words``, one per activity, are the states as every other page
    says them (``planning.states``); without them the bars say completata / in ritardo / da fare.
    """
    dates = [d for _label, start, end, done in activities for d in (start, end, done) if d]
    if first_day is None:
        first_day = date(min(dates, default=today).year, 1, 1)
    dated = [a for a in activities if a[2] is not None]
    undated = [a for a in activities if a[2] is None]
    states = [activity_state(end, done, today) for _label, _start, end, done in activities]
    start = min([first_day, *dates]).replace(day=1)
    last = max([date(first_day.year, 12, 31), *dates])  # at least the whole first year
    end = _month_after(last) - timedelta(days=1)
    total = Decimal((end - start).days + 1)

    title = _("Piano operativo: diagramma di Gantt")
    counts = {
        s: sum(1 for a, state in zip(activities, states, strict=True) if a[2] and state == s)
        for s in ActivityState
    }
    summary = ngettext("%(n)s attività", "%(n)s attività", len(activities)) % {"n": len(activities)}
    when = (_("Oggi è il %(today)s.") if live else _("Situazione al %(today)s.")) % {
        "today": date_it(today)
    }
    description = _(
        "%(summary)s dal %(start)s al %(end)s: %(done)s completate, %(late)s in ritardo, "
        "%(open)s da fare, %(undated)s senza date. %(when)s"
    ) % {
        "summary": summary,
        "start": date_it(start),
        "end": date_it(end),
        "done": counts[ActivityState.DONE],
        "late": counts[ActivityState.LATE],
        "open": counts[ActivityState.OPEN],
        "undated": len(undated),
        "when": when,
    }
    said = list(words) if words is not None else [state.label for state in states]
    dated_said = [(a, word) for a, word in zip(activities, said, strict=True) if a[2] is not None]
    undated_said = [(a, word) for a, word in zip(activities, said, strict=True) if a[2] is None]

    left, scale_w, top, row_h, bar_h = 8, 570, 44, 42, 14
    state_x = left + scale_w + 16
    height = top + row_h * len(dated) + (40 + 24 * len(undated) if undated else 0) + 24

    def x_of(day: date) -> Decimal:
        return left + Decimal(scale_w) * Decimal((day - start).days) / total

    hatch = f"{chart_id}-ritardo"
    body = [
        "<defs>"
        f'<pattern id="{_esc(hatch)}" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{RED}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/>'
        "</pattern></defs>"
    ]
    months = _months(start, end)
    every = 1 if len(months) <= 12 else 3 if len(months) <= 48 else 12
    grid_bottom = top + row_h * len(dated) - 4
    for i, month in enumerate(months):
        x = x_of(month)
        body.append(_line(x, top - 14, x, grid_bottom, stroke=GRID))
        if i % every == 0:
            body.append(_text(x + 2, top - 18, MONTHS_SHORT[month.month - 1], fill=MUTED, size=11))
        if month.month == 1 or i == 0:
            body.append(_text(x + 2, top - 32, str(month.year), weight="700", size=12))
    body.append(_line(x_of(end) + 1, top - 14, x_of(end) + 1, grid_bottom, stroke=GRID))
    for i, ((label, begin, finish, done), word) in enumerate(dated_said):
        if finish is None:  # not so: dated_said holds the dated activities only
            continue
        state = activity_state(finish, done, today)
        y = top + row_h * i
        body.append(f"<g>{_title(f'{label}: {word}')}")
        body.append(_text(left, y + 12, _truncate(label, 100)))
        bar_start = min(begin or first_day, finish)
        x0, x1 = x_of(bar_start), x_of(finish + timedelta(days=1))
        bar_y, bar_w = y + 18, max(x1 - x0, Decimal(3))
        if state == ActivityState.DONE:
            body.append(_rect(x0, bar_y, bar_w, bar_h, fill=GREEN))
        elif state == ActivityState.LATE:
            body.append(_rect(x0, bar_y, bar_w, bar_h, fill=f"url(#{hatch})", stroke=RED))
        else:
            body.append(_rect(x0, bar_y, bar_w, bar_h, fill="#ffffff", stroke=BLUE, width=2))
        body.append(_text(state_x, bar_y + 12, word, weight="700"))
        body.append("</g>")
    if start <= today <= end:
        x = x_of(today)
        mark = _("oggi") if live else today.strftime("%d/%m/%Y")
        body.append(_line(x, top - 14, x, grid_bottom + 4, stroke=BLUE, width=2, dash="3 3"))
        body.append(_text(x, grid_bottom + 16, mark, anchor="middle", fill=BLUE, size=11))
    if undated:
        y = top + row_h * len(dated) + 36
        body.append(_text(left, y, _("Senza date"), weight="700"))
        for i, ((label, *_dates), word) in enumerate(undated_said):
            row_y = y + 24 * (i + 1)
            body.append(f"<g>{_title(f'{label}: {_undated(word)}')}")
            body.append(_text(left + 12, row_y, _truncate(label, 90)))
            body.append(_text(state_x, row_y, word, weight="700"))
            body.append("</g>")
    rows = [
        (
            label,
            date_it(begin) or _("non indicato"),
            date_it(finish) or _("non indicata"),
            date_it(done) or "—",
            word if finish else _undated(word),
        )
        for (label, begin, finish, done), word in zip(activities, said, strict=True)
    ]
    return Chart(
        svg=_svg(chart_id, height, title, description, body),
        title=title,
        description=description,
        columns=(_("Attività"), _("Inizio"), _("Fine"), _("Completata il"), _("Stato")),
        table=rows,
    )


# SVG primitives: coordinates become text here, and only here.


def _svg(chart_id: str, height: int, title: str, description: str, body: list[str]) -> str:
    ident = _esc(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}"'
        f' viewBox="0 0 {WIDTH} {height}" role="img"'
        f' aria-labelledby="{ident}-titolo {ident}-descrizione"'
        f' font-family="{FONT}" font-size="13">'
        f'<title id="{ident}-titolo">{_esc(title)}</title>'
        f'<desc id="{ident}-descrizione">{_esc(description)}</desc>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        + "".join(body)
        + "</svg>"
    )


def _coord(value: Decimal | int) -> str:
    return str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


def _title(text: str) -> str:
    return f"<title>{_esc(text)}</title>"


def _text(x, y, content: str, *, anchor="start", fill=INK, size=None, weight=None) -> str:
    extra = f' font-size="{size}"' if size else ""
    extra += f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_coord(x)}" y="{_coord(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{_esc(content)}</text>"
    )


def _rect(x, y, w, h, *, fill: str, stroke: str | None = None, width: int = 1) -> str:
    outline = f' stroke="{stroke}" stroke-width="{width}"' if stroke else ""
    return (
        f'<rect x="{_coord(x)}" y="{_coord(y)}" width="{_coord(w)}" height="{_coord(h)}"'
        f' fill="{_esc(fill)}"{outline}/>'
    )


def _line(x1, y1, x2, y2, *, stroke: str, width: int = 1, dash: str | None = None) -> str:
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_coord(x1)}" y1="{_coord(y1)}" x2="{_coord(x2)}" y2="{_coord(y2)}"'
        f' stroke="{stroke}" stroke-width="{width}"{dashes}/>'
    )


def _truncate(text: str, limit: int) -> str:
    """SVG text does not wrap: long names are cut here; the table keeps them whole."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _number(value: Decimal) -> str:
    """90 → "90"; 62.5 → "62,50"."""
    places = 0 if value == value.to_integral_value() else 2
    return format_decimal(value, places)


def _percent_or_unmeasured(value: Decimal | None) -> str:
    return format_percent(value) if value is not None else str(BAND_LABELS[Band.UNMEASURED])


def _undated(word: str) -> str:
    return _("senza date — %(state)s") % {"state": word}


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _months(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = _month_after(current)
    return months
