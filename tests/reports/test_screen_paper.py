"""The screen card (``_scheda.html``) and the paper card (``typst/card.typ``) show the same.

Two layouts of the scheda exist (docs/architecture.md, "The paper card"): this test keeps
them equal. For every scheda of the demo plan and of the demo year (which has measurements,
so results), the labels and values of the card — code, title, unit, indicator names, weights,
targets and their dates, gradings, activities, the result — are taken from the view-model
both layouts read, and each must be found in the text of the rendered screen card and in the
text pdftotext reads from the scheda's PDF. A value missing from one side fails the test.
"""

import html
import re
import shutil
import subprocess

import pytest
from django.template.loader import render_to_string
from django_scopes import scope

from traguardo.imports.demo_year import load_demo_year
from traguardo.reports.paper import _labels, scheda_data, scheda_pdf
from traguardo.reports.scheda import plan_pages

pytestmark = pytest.mark.django_db
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PUNCTUATION = ".,;:()«»\"'"


def words(text: str) -> str:
    """Whitespace collapsed, case folded: the paper card sets its section titles in capitals
    (the screen's stylesheet does it with CSS)."""
    return " ".join(text.split()).casefold()


def pdf_text(data: bytes) -> str:
    done = subprocess.run(  # noqa: S603 (poppler on the PDF we just rendered)
        [PDFTOTEXT, "-", "-"], input=data, capture_output=True, check=True
    )
    return words(done.stdout.decode("utf-8"))


def screen_text(card) -> str:
    markup = render_to_string("reports/_scheda.html", {"card": card, "section_tag": "h2"})
    return words(html.unescape(re.sub(r"<[^>]*>", " ", markup)))


def expected(card, plan) -> list[str]:
    """What a reader must find on both cards, as the paper card words it."""
    data = scheda_data(card, plan)
    labels = _labels()
    values = [
        labels[data["year_label"]],
        *(labels[k] for k in ("code", "dup", "title", "unit", "responsible", "involved")),
        *(labels[k] for k in ("expected", "areas", "indicators", "activities")),
        *labels["indicator_head"],
        *labels["activity_head"],
        *data["head"],
        data["expected"],
        *(s for row in data["indicators"] for s in row),
        data["indicator_check"]["label"],
        *(s for row in data["activities"] for s in row),
        *(s for _strong, s in data["result"]),
        *(s for _strong, s in data["punteggio"]),
    ]
    if data["results"]:
        values += [data["results"]["title"], *(s for row in data["results"]["rows"] for s in row)]
    return [words(v).strip(" ·—():") for v in values if words(v).strip(" ·—():")]


def missing(values: list[str], text: str, *, exact: bool) -> list[str]:
    """The values not in ``text``: on screen each as written; on paper word by word, since
    pdftotext reads a table row's wrapped cells line by line across the columns (a cell's
    "31 dicembre / 2019" comes out with its neighbours' lines in between)."""
    if exact:
        return [v for v in values if v not in text]
    found = set(tokens(text))
    return [v for v in values if not set(tokens(v)) <= found]


def tokens(text: str) -> list[str]:
    """The words of ``text``; a slash splits too (Typst may break a line after one)."""
    return [t for t in (w.strip(PUNCTUATION) for w in re.split(r"[\s/]+", text)) if t]


@pytest.mark.parametrize("load", ["piano", "anno"])
def test_every_value_of_the_screen_card_is_on_the_paper_card(request, load):
    # The seed plan as the ``demo`` fixture writes it (load_seed's rows, from the session's
    # copy); the demo year loaded as ``make run`` loads it.
    plan = request.getfixturevalue("demo") if load == "piano" else load_demo_year().plan
    with scope(authority=plan.authority):
        page = plan_pages(plan)
        assert page.rows
        checked = 0
        for card in page.rows:
            values = expected(card, plan)
            screen, paper = screen_text(card), pdf_text(scheda_pdf(card))
            assert missing(values, screen, exact=True) == [], card.objective
            assert missing(values, paper, exact=False) == [], card.objective
            checked += len(values)
    assert checked > 50 * len(page.rows)
