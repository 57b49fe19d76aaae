"""The server-drawn SVG charts: valid XML, named, every bar with its words, tables = data."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest

from traguardo.reports.charts import (
    Band,
    achievement_distribution,
    activity_state,
    band,
    gantt,
    unit_bars,
)

SVG = "{http://www.w3.org/2000/svg}"
THRESHOLDS = {"green_from": Decimal(90), "amber_from": Decimal(60)}


def parse(chart):
    root = ET.fromstring(chart.svg)  # noqa: S314 (our own markup, not untrusted input)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == chart.title
    assert desc.text == chart.description
    return root


def texts(root) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_an_svg_needs_nothing_from_the_page():
    chart = unit_bars([("Settore II", Decimal(76))])
    assert "<script" not in chart.svg
    assert "class=" not in chart.svg
    assert "href" not in chart.svg
    assert "style=" not in chart.svg
    assert 'font-family="Titillium Web, DejaVu Sans, sans-serif"' in chart.svg


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, Band.UNMEASURED),
        (Decimal("0"), Band.RED),
        (Decimal("59.99"), Band.RED),
        (Decimal("60"), Band.AMBER),
        (Decimal("89.99"), Band.AMBER),
        (Decimal("90"), Band.GREEN),
        (Decimal("100"), Band.GREEN),
    ],
)
def test_the_bands_follow_the_thresholds_of_the_policy(value, expected):
    assert band(value, **THRESHOLDS) == expected


def test_the_distribution_counts_the_schede_of_each_band():
    values = [Decimal("76.00"), None, Decimal(95), Decimal(10), None, Decimal(60)]
    chart = achievement_distribution(values, **THRESHOLDS)
    root = parse(chart)
    assert chart.title == "Schede per fascia di raggiungimento"
    assert chart.columns == ("Fascia", "Raggiungimento", "Schede")
    assert chart.table == [
        ("rosso", "< 60%", "1"),
        ("giallo", "≥ 60% e < 90%", "2"),
        ("verde", "≥ 90%", "1"),
        ("non misurato", "nessun risultato", "2"),
    ]
    words = texts(root)
    for label, limits, count in chart.table:
        assert label in words
        assert limits in words
        assert count in words
    assert len(root.findall(f"{SVG}g/{SVG}rect")) == 4  # one bar per band, each in its group
    assert chart.description == (
        "Istogramma di 6 schede per fascia di raggiungimento: rosso (< 60%): 1; "
        "giallo (≥ 60% e < 90%): 2; verde (≥ 90%): 1; non misurato: 2."
    )


def test_the_distribution_uses_the_thresholds_it_is_given():
    chart = achievement_distribution(
        [Decimal(80)], green_from=Decimal("80"), amber_from=Decimal("62.5")
    )
    assert chart.table[1:3] == [("giallo", "≥ 62,50% e < 80%", "0"), ("verde", "≥ 80%", "1")]


def test_an_empty_plan_draws_an_empty_distribution():
    chart = achievement_distribution([], **THRESHOLDS)
    parse(chart)
    assert [row[2] for row in chart.table] == ["0", "0", "0", "0"]


def test_the_unit_bars_write_each_percentage_and_draw_the_line_at_100():
    rows = [
        ("Settore II", Decimal("76.00")),
        ("Ufficio Contratti e Appalti", Decimal(100)),
        ("Ufficio Sport", None),
    ]
    chart = unit_bars(rows, levels=[0, 1, 1], **THRESHOLDS)
    root = parse(chart)
    assert chart.table == [
        ("Settore II", "76,00%"),
        ("Ufficio Contratti e Appalti", "100,00%"),
        ("Ufficio Sport", "non misurato"),
    ]
    words = texts(root)
    for name, value in chart.table:
        assert name in words
        assert value in words
    assert "100%" in words
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 1
    assert dashed[0].get("x1") == dashed[0].get("x2") == "576.0"
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "18.0"]
    assert [b.get("width") for b in bars] == ["425.6", "560.0"]


def test_a_unit_name_is_escaped_in_the_svg_and_kept_whole_in_the_table():
    name = 'Ufficio <Gare> & "Contratti"'
    chart = unit_bars([(name, Decimal(50))])
    root = parse(chart)
    assert "<Gare>" not in chart.svg
    assert "&lt;Gare&gt; &amp; &quot;Contratti&quot;" in chart.svg
    assert name in texts(root)
    assert chart.table == [(name, "50,00%")]
    assert name in chart.description


def test_the_chart_id_names_title_and_description():
    root = parse(unit_bars([], chart_id="unita-2019"))
    assert root.get("aria-labelledby") == "unita-2019-titolo unita-2019-descrizione"


@pytest.mark.parametrize(
    ("end", "done_on", "state"),
    [
        (date(2019, 9, 30), date(2019, 10, 2), "completata"),
        (date(2019, 9, 30), None, "in ritardo"),
        (date(2019, 12, 31), None, "da fare"),
        (date(2019, 11, 15), None, "da fare"),  # due today: not late yet
        (None, None, "da fare"),
    ],
)
def test_an_activity_is_done_late_or_to_do(end, done_on, state):
    assert activity_state(end, done_on, date(2019, 11, 15)).label == state


def test_the_gantt_marks_done_late_open_and_undated_activities():
    activities = [
        ("1. Studio della normativa", date(2019, 2, 1), date(2019, 5, 31), date(2019, 5, 20)),
        ("2. Abilitazione su Sintel", None, date(2019, 9, 30), None),
        ("3. Configurazione dei modelli", date(2019, 10, 1), date(2020, 12, 31), None),
        ("4. Delibera di giunta", None, None, None),
        ("5. Deposito in segreteria", None, None, date(2019, 3, 1)),
    ]
    chart = gantt(activities, date(2019, 11, 15), first_day=date(2019, 1, 1))
    root = parse(chart)
    assert chart.columns == ("Attività", "Inizio", "Fine", "Completata il", "Stato")
    assert chart.table == [
        (
            "1. Studio della normativa",
            "1° febbraio 2019",
            "31 maggio 2019",
            "20 maggio 2019",
            "completata",
        ),
        ("2. Abilitazione su Sintel", "non indicato", "30 settembre 2019", "—", "in ritardo"),
        ("3. Configurazione dei modelli", "1° ottobre 2019", "31 dicembre 2020", "—", "da fare"),
        ("4. Delibera di giunta", "non indicato", "non indicata", "—", "senza date — da fare"),
        (
            "5. Deposito in segreteria",
            "non indicato",
            "non indicata",
            "1° marzo 2019",
            "senza date — completata",
        ),
    ]
    assert chart.description == (
        "5 attività dal 1° gennaio 2019 al 31 dicembre 2020: 1 completate, 1 in ritardo, "
        "1 da fare, 2 senza date. Oggi è il 15 novembre 2019."
    )
    words = texts(root)
    for label, *_dates, _state in chart.table:
        assert label in words
    assert words.count("completata") == 2
    assert words.count("in ritardo") == 1
    assert words.count("da fare") == 2
    assert "Senza date" in words
    assert "oggi" in words
    groups = {g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")}
    assert "4. Delibera di giunta: senza date — da fare" in groups
    # Month ticks from January 2019 to December 2020, the years written once each.
    assert words.count("2019") == words.count("2020") == 1
    # The late bar is hatched (a pattern inside the SVG itself), the open one outlined.
    assert 'fill="url(#gantt-ritardo)"' in chart.svg
    assert '<pattern id="gantt-ritardo"' in chart.svg
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "14.0"]
    assert [b.get("fill") for b in bars] == ["#00663d", "url(#gantt-ritardo)", "#ffffff"]


def test_a_bar_without_start_begins_on_the_first_day_of_the_plan():
    chart = gantt([("Unica", None, date(2019, 12, 31), None)], date(2019, 6, 1))
    root = parse(chart)
    (bar,) = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "14.0"]
    assert (bar.get("x"), bar.get("width")) == ("8.0", "570.0")


def test_today_outside_the_plan_draws_no_today_line():
    chart = gantt(
        [("Unica", None, date(2019, 12, 31), None)], date(2025, 3, 1), first_day=date(2019, 1, 1)
    )
    root = parse(chart)
    assert "oggi" not in texts(root)
    assert chart.table[0][4] == "in ritardo"
    assert chart.description.endswith("Oggi è il 1° marzo 2025.")


def test_the_gantt_spans_at_least_the_plan_year_so_today_shows():
    chart = gantt(
        [("Unica", None, date(2019, 3, 31), date(2019, 3, 20))],
        date(2019, 11, 15),
        first_day=date(2019, 1, 1),
    )
    root = parse(chart)
    assert "oggi" in texts(root)
    assert chart.description.startswith("1 attività dal 1° gennaio 2019 al 31 dicembre 2019")
