"""What the plan and scheda pages show, and that they cost the same queries for 1 or 3 schede
(three show any query made per scheda: two more than with one)."""

import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from pypdf import PdfWriter

from tests.factories import (
    PASSWORD,
    ActivityFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.jobs import runner
from traguardo.planning.models import Objective
from traguardo.reports import paper

pytestmark = pytest.mark.django_db


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


BLANK_PDF = _blank_pdf()


def text(response) -> str:
    """The visible text of a page, tags stripped and blanks collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def demo(demo, client):
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    return demo


def test_the_plan_page_groups_the_eleven_schede_by_responsible_unit(client, demo):
    response = client.get(reverse("plan_detail", args=["comune-esempio", 2019]))
    page = text(response)
    assert response.status_code == 200
    assert "Settore II — Giancarlo Serrao" in page
    assert "Unità responsabile non indicata" in page
    # Settore II first (9 schede), then the two cards with a blank unit.
    assert page.index("Piattaforma e-procurement SINTEL") < page.index(
        "Implementazione software gestionale"
    )
    assert page.index("Unità responsabile non indicata") < page.index(
        "Implementazione software gestionale"
    )
    assert page.count("100,00% OK") == 11 + 11  # every indicator table and operational plan
    assert "Scheda senza denominazione" in page
    assert "Il codice «10» è usato anche dalla scheda 10 «PROTEZIONE DEI DATI PERSONALI»." in page
    assert "Raggiungimento dell'ente: non misurato" in page


def test_the_scheda_page_reads_like_the_card(client, demo):
    with scopes_disabled():
        sintel = Objective.objects.get(title="Piattaforma e-procurement SINTEL")
    page = text(client.get(reverse("objective_detail", args=["comune-esempio", sintel.pk])))
    sections = [
        "Codice obiettivo 2",
        "Riferimento DUP",
        "Denominazione Piattaforma e-procurement SINTEL",
        "Unità organizzativa responsabile Settore II",
        "Responsabile Giancarlo Serrao",
        "Unità organizzative coinvolte Ufficio Contratti e Appalti",
        "Obiettivo ☒ ANNUALE ☐ PLURIENNALE",
        "Risultato atteso A seguito dell'intervenuto obbligo",
        "Ambiti della performance organizzativa",
        "Strategicità",
        "Punteggio",
        "Indicatori della scheda N° PESO DENOMINAZIONE FORMULA DI CALCOLO LIVELLO INTERMEDIO "
        "LIVELLO FINALE GRADUAZIONE CONSEGUIMENTO ATTESO ALLA DATA ATTESO ALLA DATA",
        "2 50,00% Prima procedura di gara SINTEL Giorni di ritardo rispetto al 30/09/2019 0 "
        "30 settembre 2019 gg ritardo 5= 90% / gg10=80% / gg15=60%",
        "100,00% OK Note:",
        "Piano operativo: sub-obiettivi e attività N° PESO SUB-OBIETTIVO / ATTIVITÀ TEMPI (I/F) "
        "INDICATORI LIVELLO ATTESO GRADUAZIONE CONSEGUIMENTO RAGGIUNTO",
        "4 25,00% Configurazione dei modelli di procedure più utilizzati dai vari settori "
        "31 dicembre 2020 termine rispettato 0%",
        "100,00% OK Raggiungimento dell'obiettivo",
    ]
    positions = [page.find(s) for s in sections]
    assert -1 not in positions, [s for s, p in zip(sections, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    assert "letta come: 0 gg → 100%; 1–5 gg → 90%; 6–10 gg → 80%" in page


def test_a_multi_year_card_links_its_yearly_cards(client, demo):
    with scopes_disabled():
        card_2020 = Objective.objects.get(position=10)
    page = text(client.get(reverse("objective_detail", args=["comune-esempio", card_2020.pk])))
    assert "ANNI 2019-2021 (scheda dell'anno 2020)" in page
    assert "Obiettivo pluriennale: schede annuali collegate: 2019 · 2020 · 2021" in page
    assert "Obiettivo ☐ ANNUALE ☒ PLURIENNALE" in page


def _plan_with(authority, unit, count):
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2030, last_year=2032)
        for _ in range(count):
            objective = ObjectiveFactory(plan=plan, unit=unit, responsible=unit.head)
            for weight in (60, 40):
                TargetFactory(indicator=IndicatorFactory(objective=objective, weight=weight))
                ActivityFactory(objective=objective, weight=50)
    return plan


def _queries(client, url) -> int:
    """The queries of a page, or of a document's job (its address redirects to the job, run
    inline in the tests)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code in (200, 302)
    return len(queries)


@pytest.mark.parametrize("view", ["plan_detail", "plan_pdf"])
def test_the_plan_costs_the_same_queries_with_1_and_3_schede(
    client, admin, authority, unit_a, view, monkeypatch
):
    # Progress is written by time (at most every PROGRESS_EVERY): only its first write, then.
    monkeypatch.setattr(runner, "PROGRESS_EVERY", float("inf"))
    # The PDF's queries are those of reading the plan into the cards' data; Typst's layout of
    # them (seconds for a big plan, no query: tests/reports/test_pdf.py prints the real one)
    # is replaced by an empty PDF, once the data of every scheda reached it.
    laid_out = []

    def lay_out(template, data):
        laid_out.append(sum(len(group["cards"]) for group in data["groups"]))
        return BLANK_PDF

    monkeypatch.setattr(paper, "compile_pdf", lay_out)
    assert client.login(username="admin", password=PASSWORD)
    one = _plan_with(authority, unit_a, 1)
    one_count = _queries(client, reverse(view, args=[authority.slug, one.year]))
    with scopes_disabled():
        one.delete()
    three = _plan_with(authority, unit_a, 3)
    assert _queries(client, reverse(view, args=[authority.slug, three.year])) == one_count
    assert laid_out == ([1, 3] if view == "plan_pdf" else [])


def test_the_plan_list_costs_the_same_queries_with_1_and_many_plans(client, admin, authority):
    assert client.login(username="admin", password=PASSWORD)
    url = reverse("plan_list", args=[authority.slug])
    with scopes_disabled():
        PlanFactory(authority=authority, year=2019)
    one_count = _queries(client, url)
    with scopes_disabled():
        for year in range(2020, 2030):
            PlanFactory(authority=authority, year=year)
    assert _queries(client, url) == one_count
