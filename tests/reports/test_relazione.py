"""The Relazione sulla performance of the demo plan: assembled data, screen page and PDF.

The PDF is read back as a person would read it (pdftotext): titles, Italian numbers, page
numbers, every scheda, and no person's name beside a score (the Relazione is published). A test
that only reads the document's words reads them from the HTML the PDF is laid out from
(``document_words``): the layout costs seconds and adds no word of its own to check there.
"""

import io
import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from tests.factories import MeasurementFactory, MonitoringPeriodFactory, UserFactory
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.accounts.models import Membership, Role
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.organization.models import OrgUnit, PerformanceArea, Person
from traguardo.planning.models import Objective, ObjectiveVersion, Variation
from traguardo.reports import relazione
from traguardo.reports.relazione import (
    Redactor,
    relazione_data,
    relazione_html,
    render_relazione_pdf,
)
from traguardo.scoring import Aggregate

pytestmark = pytest.mark.django_db
D = Decimal


def pdf_text(data: bytes) -> list[str]:
    """The text of each page, in the document's order (table cells stay whole)."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def text_of(html: str) -> str:
    """What a person reads on the page (tags and charts left out)."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return flat(unescape(re.sub(r"<br>", " ", re.sub(r"<(?!br>)[^>]+>", " ", html))))


def document_words(plan) -> str:
    """The words of the Relazione's PDF, read from the HTML ``render_relazione_pdf`` lays out
    (``relazione_html``, nothing laid out): WeasyPrint adds to them only the page numbers and
    the charts' axis ticks, read in the real PDF by the tests of its pages."""
    with scope(authority=plan.authority):
        return text_of(relazione_html(plan))


def card(plan, position) -> Objective:
    return Objective.objects.get(plan=plan, position=position)


def measure(period, indicator, **fields) -> Measurement:
    return MeasurementFactory(period=period, indicator=indicator, **fields)


@pytest.fixture
def year(demo, unscoped):
    """Piano 2019 with a year of monitoring: results, a forced one, a justification, a
    "non valutabile", ambiti, a variazione. The seed comes from the ``demo`` fixture (the
    rows of ``load_seed`` and the demo accounts, written from the session's copy)."""
    plan = demo
    period = MonitoringPeriodFactory(
        plan=plan, name="Consuntivo al 31/12/2019", reference_date=date(2019, 12, 31)
    )
    # Card 5: 40/40/20 done on time, 3 and 30 days late → 100, 90, 0 → 76,00%.
    elections = list(card(plan, 5).indicators.order_by("position"))
    measure(period, elections[0], completed_on=date(2019, 4, 30))
    measure(
        period,
        elections[1],
        completed_on=date(2019, 5, 3),
        comment="Ritardo nella consegna delle liste dalla Commissione elettorale.",
    )
    measure(period, elections[2], completed_on=date(2019, 6, 30))
    # Card 2, indicator 2 forced to 80 (indicator 1 still missing: the scheda is partial).
    sintel = card(plan, 2).indicators.get(position=2)
    measure(
        period,
        sintel,
        completed_on=date(2019, 10, 20),
        forced_achievement=D(80),
        forced_reason="Piattaforma regionale SINTEL non disponibile per dieci giorni.",
    )
    # Card 7: 18 of 24 PTPC measures → 75,00%.
    measure(
        period,
        card(plan, 7).indicators.get(),
        numerator=D(18),
        denominator=D(24),
        comment="Sei misure rinviate per carenza di personale.",
    )
    # Card 8: not assessable.
    measure(
        period,
        card(plan, 8).indicators.get(),
        not_assessable=True,
        not_assessable_reason="Obbligo di pubblicazione sospeso dall'ANAC.",
    )
    areas = {a.number: a for a in PerformanceArea.objects.filter(authority=plan.authority)}
    for position, numbers in ((2, [2]), (5, [2, 7]), (7, [9]), (8, [9])):
        card(plan, position).areas.set([areas[n] for n in numbers])
    variation = Variation.objects.create(
        authority=plan.authority,
        plan=plan,
        number=1,
        reason="Nuovo termine per l'elenco dei legali.",
        act_type="Delibera di Giunta",
        act_number="88",
        act_date=date(2019, 7, 15),
        opened_by=_user(),
        opened_at=timezone.now(),
    )
    ObjectiveVersion.objects.create(
        authority=plan.authority,
        objective=card(plan, 3),
        version=2,
        state={},
        variation=variation,
        saved_at=timezone.now(),
    )
    plan.state = "monitoring"
    plan.act_type, plan.act_number, plan.act_date = "Delibera di Giunta", "17", date(2019, 2, 5)
    plan.save()
    return plan


def _user():
    from tests.factories import UserFactory

    return UserFactory(username="segretario", first_name="Sara", last_name="Segreti")


def test_the_data_follow_the_engine(year):
    with scope(authority=year.authority):
        rel = relazione_data(year)
    # (76 + 80 + 75) / 3; the 2020 and 2021 schede are not due at 31/12/2019; card 2 is
    # partial (its indicator 1 is still missing).
    assert rel.authority_result == Aggregate(
        D("77.00"), 11, 3, True, not_due=2, partial=1, excluded=1
    )
    assert str(rel.coverage) == (
        "2 schede su 8 misurate · 1 parziale · 1 non valutabile · 2 non ancora dovute · "
        "provvisorio al 31 dicembre 2019"
    )
    assert [(s.unit.name, s.result.achievement) for s in rel.units] == [("Settore II", D("77.00"))]
    assert [(a.area.number, a.result.achievement, a.result.measured) for a in rel.areas] == [
        (2, D("78.00"), 2),  # cards 2 (80) and 5 (76)
        (7, D("76.00"), 1),
        (9, D("75.00"), 1),  # card 8 is not assessable: it has no result
    ]
    assert [(f.card.objective.position, f.achievement) for f in rel.forced] == [(2, D(80))]
    deviations = {(d.card.objective.position, d.kind, d.position): d for d in rel.deviations}
    assert deviations[(5, "indicator", 2)].achievement == D("90.00")
    assert deviations[(5, "indicator", 2)].justification.startswith("Ritardo nella consegna")
    assert deviations[(7, "indicator", 1)].achievement == D("75.00")
    assert deviations[(8, "indicator", 1)].not_assessable_reason.startswith("Obbligo")
    assert (5, "indicator", 1) not in deviations  # reached: not a deviation
    assert [(v.act, [o.position for o in v.schede]) for v in rel.variations] == [
        ("Delibera di Giunta n. 88 del 15 luglio 2019", [3])
    ]


def test_the_pdf_reads_as_the_relazione(year):
    with scope(authority=year.authority):
        data = render_relazione_pdf(year)
    assert data.startswith(b"%PDF")
    pages = pdf_text(data)
    assert len(pages) >= 10
    assert _page_of(flat(pages[1]), "8. Validazione del Nucleo di valutazione / OIV") == len(pages)
    cover = flat(pages[0])
    assert "Comune di Esempio" in cover
    assert "Relazione sulla performance 2019" in cover
    assert "Triennio 2019–2021" in cover
    assert "Piano approvato con Delibera di Giunta n. 17 del 5 febbraio 2019" in cover
    assert "Indice" in pages[1]
    for number, page in enumerate(pages, start=1):
        assert f"Pagina {number} di {len(pages)}" in flat(page)
    text = flat(" ".join(pages))
    # Every section, in order, each on the page the index gives.
    index = flat(pages[1])
    titles = [
        "1. Sintesi dei risultati",
        "2. Risultati per unità organizzativa",
        "3. Risultati per scheda",
        "4. Scostamenti e motivazioni",
        "5. Risultati forzati",
        "6. Variazioni del piano nell'anno",
        "7. Risultati per ambito della performance organizzativa",
        "8. Validazione del Nucleo di valutazione / OIV",
    ]
    for title in titles:
        page_number = int(re.search(re.escape(title) + r" (\d+)", index).group(1))
        assert title in flat(pages[page_number - 1]), title
    # Italian numbers.
    assert "Raggiungimento complessivo dell'ente: 77,00% (provvisorio al 31 dicembre 2019)" in text
    assert "2 schede su 8 misurate · 1 parziale · 1 non valutabile · 2 non ancora dovute" in text
    assert "Settore II 77,00%" in text
    assert "76,00%" in text and "75,00%" in text and "78,00%" in text
    assert "90,00%" in text
    # Every scheda of the plan is there.
    with scopes_disabled():
        schede = list(year.objectives.order_by("position"))
    results = flat(" ".join(pages[_page_of(index, titles[2]) - 1 : _page_of(index, titles[3])]))
    for objective in schede:
        assert f"Scheda{' ' + objective.code if objective.code else ''} — {objective}" in results
    # Forced results with their reasons, deviations with the unit's justification.
    assert "Piattaforma regionale SINTEL non disponibile per dieci giorni." in text
    assert "80,00%" in text
    assert "Motivazione del responsabile" in text
    assert "Ritardo nella consegna delle liste dalla Commissione elettorale." in text
    assert "Sei misure rinviate per carenza di personale." in text
    assert "Non valutabile: Obbligo di pubblicazione sospeso dall'ANAC." in text
    # Variazioni and ambiti.
    assert "Delibera di Giunta n. 88 del 15 luglio 2019" in text
    assert "Nuovo termine per l'elenco dei legali." in text
    assert "Implementazione o miglioramento delle politiche e delle pratiche anticorruzione" in text
    # The charts, as their data tables (test_the_charts_are_drawn_on_screen_and_in_the_pdf
    # checks the page; the PDF of the same plan is read here, laid out once).
    assert "Dati del grafico: Schede per fascia di raggiungimento" in text
    assert "Dati del grafico: Raggiungimento per unità organizzativa" in text
    # The validation page: not validated yet, lines to sign.
    validation = flat(pages[-1])
    assert "Relazione non ancora validata." in validation
    assert "Il Presidente del Nucleo di valutazione / OIV: ____" in validation
    # Public document: no person's name anywhere (the Dirigente, the admin who varied it).
    assert "Serrao" not in text and "Giancarlo" not in text
    assert "Segreti" not in text


def test_a_validated_relazione_prints_the_date_and_the_minutes(year):
    with scopes_disabled():
        year.state = "validated"
        year.validated_on = date(2020, 6, 10)
        year.validation_minutes = "Verbale n. 3/2020: il Nucleo valida la Relazione."
        year.save()
    with scope(authority=year.authority):
        validation = flat(pdf_text(render_relazione_pdf(year))[-1])
    assert "Data della validazione: 10 giugno 2020" in validation
    assert "Verbale: Verbale n. 3/2020: il Nucleo valida la Relazione." in validation
    assert "non ancora validata" not in validation


def test_a_plan_without_monitoring_says_so(demo, unscoped):
    text = document_words(demo)
    assert "Nessun periodo di monitoraggio aperto" in text
    assert "Raggiungimento complessivo dell'ente: non misurato" in text
    assert "Il piano non ha avuto variazioni." in text
    assert "Nessun risultato forzato." in text
    assert "Nessuna scheda indica un ambito della performance organizzativa." in text


def _page_of(index: str, title: str) -> int:
    return int(re.search(re.escape(title) + r" (\d+)", index).group(1))


def test_a_missing_figure_is_listed_as_not_measured_and_counts_0_once_closed(year):
    with scopes_disabled():
        period = year.periods.get()
        legal = card(year, 3).indicators.get(position=1)
    with scope(authority=year.authority):
        opened = relazione_data(year)
        period.state = MonitoringPeriod.State.CLOSED
        period.save()
        closed = relazione_data(year)
    key = (legal.objective_id, "indicator", 1)

    def keys(rows):
        return {(d.card.objective.pk, d.kind, d.position): d for d in rows}

    # Never a deviation (it was not measured below its target): listed as not measured.
    assert key not in keys(opened.deviations) and key not in keys(closed.deviations)
    assert keys(opened.unmeasured)[key].state.label == "non misurato"
    assert not keys(opened.unmeasured)[key].counts_as_zero  # the scheda is partial
    assert keys(closed.unmeasured)[key].status == "missing"
    assert keys(closed.unmeasured)[key].counts_as_zero  # closed: the engine counts it 0


# --- review of the documents: charts, hierarchy, row headers, cache, privacy -------


@pytest.fixture
def fresh_cache(settings):
    """A cache of this test only (the configured one is a directory shared by runs)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "relazione-tests",
        },
        "results": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "relazione-tests-results",
        },
        "fragments": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "relazione-tests-fragments",
        },
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reader(client, year):
    """The back office as the demo Dirigente sees it (the ``demo`` fixture made the demo
    accounts)."""
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    return client


def screen(client, plan) -> str:
    response = client.get(reverse("relazione", args=[plan.authority.slug, plan.year]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_charts_are_drawn_on_screen_and_in_the_pdf(year, reader):
    html = screen(reader, year)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2  # the charts, not icons
    assert 'id="relazione-distribuzione-titolo"' in html and 'id="relazione-unita-titolo"' in html
    # The dashboard's chart styles: the figures shrink to a small screen.
    assert re.search(r'<link rel="stylesheet" href="[^"]*/traguardo/css/dashboard\.css"', html)
    # The charts' data tables in the PDF of this same plan are read by
    # test_the_pdf_reads_as_the_relazione (one layout of the document for both).


def test_a_unit_says_in_words_which_unit_it_depends_on(year, reader):
    with scopes_disabled():
        settore = OrgUnit.objects.get(authority=year.authority, name="Settore II")
        ufficio = OrgUnit.objects.create(
            authority=year.authority, name="Ufficio elettorale", parent=settore
        )
        Objective.objects.filter(plan=year, position=5).update(unit=ufficio)
    with scope(authority=year.authority):
        rel = relazione_data(year)
    text = document_words(year)
    assert [(s.label, s.level) for s in rel.units] == [
        ("Settore II", 0),
        ("Ufficio elettorale (dipende da Settore II)", 1),
    ]
    assert "Ufficio elettorale (dipende da Settore II) 76,00%" in text  # the table
    page = reader.get(reverse("relazione", args=[year.authority.slug, year.year]))
    html = page.content.decode()
    assert re.search(
        r'<th scope="row" class="level-1">Ufficio elettorale \(dipende da Settore II\)</th>', html
    )
    # The chart's data table says it too.
    assert '<th scope="row">Ufficio elettorale (dipende da Settore II)</th>' in html


def row_headers(html: str, caption: str) -> list[str]:
    """The first cell of every body row of the tables whose caption contains ``caption``."""
    firsts = []
    for table in re.findall(r"<table\b.*?</table>", html, re.S):
        found = re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S)
        if not found or caption not in found.group(1):
            continue
        for body in re.findall(r"<tbody>(.*?)</tbody>", table, re.S):
            firsts += re.findall(r"<tr>\s*(<t[hd][^>]*>)", body)
    return firsts


CARD_CAPTIONS = ("Indicatori della scheda", "Piano operativo della scheda")


@pytest.mark.parametrize(
    "caption",
    [
        "Indicatori della scheda",
        "Piano operativo della scheda",
        "Scostamenti dal livello atteso",
        "Risultati forzati e loro motivazioni",
        "Variazioni del piano",
        "Raggiungimento per unità organizzativa",
    ],
)
def test_the_first_column_of_every_table_heads_its_row(year, reader, caption):
    html = screen(reader, year)
    if caption in CARD_CAPTIONS:  # the cards are in the document; the page lists the schede
        with scope(authority=year.authority):
            html = relazione_html(year)
    firsts = row_headers(html, caption)
    assert firsts, caption
    assert set(firsts) <= {'<th scope="row">', '<th scope="row" class="num">'} | {
        f'<th scope="row" class="level-{n}">' for n in range(4)
    }, firsts


def test_the_public_pdf_is_laid_out_once_for_many_visitors(year, client, fresh_cache, monkeypatch):
    with scopes_disabled():
        year.state = "closed"
        year.save()
    calls = []
    real = relazione.html_to_pdf

    def counted(html):
        calls.append(html)
        return real(html)

    monkeypatch.setattr(relazione, "html_to_pdf", counted)
    url = reverse("public_relazione_pdf", args=[year.authority.slug, year.year])
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.content.startswith(b"%PDF")
    assert len(calls) == 1
    # A change to what the document says is a new document.
    # Saved as the business actions save: the authority's data version moves with it.
    with scopes_disabled():
        for measurement in Measurement.objects.filter(comment__startswith="Sei misure"):
            measurement.comment = "Sei misure rinviate al 2020."
            measurement.save(update_fields=["comment"])
    third = client.get(url)
    assert len(calls) == 2 and third.content != first.content


def test_the_public_relazione_names_nobody_in_its_free_texts(year, reader, fresh_cache):
    with scopes_disabled():
        authority = year.authority
        Person.objects.create(authority=authority, first_name="Mario", last_name="Bianchi")
        Person.objects.create(authority=authority, first_name="Lia", last_name="Re")
        member = UserFactory(username="verdi", first_name="Carla", last_name="Verdi")
        Membership.objects.create(user=member, authority=authority, role=Role.VIEWER)
        Measurement.objects.filter(comment__startswith="Sei misure").update(
            comment="Sei misure rinviate: bianchi MARIO in malattia, sostituito da Carla Verdi."
        )
        Measurement.objects.filter(not_assessable=True).update(
            not_assessable_reason="Dati non trasmessi dal dott. Bianchi (sentita Lia Re)."
        )
        Measurement.objects.filter(forced_reason__startswith="Piattaforma").update(
            forced_reason="Piattaforma ferma, come attesta Verdi; il Re dei portali è SINTEL."
        )
        year.state = "validated"
        year.validated_on = date(2020, 6, 10)
        year.validation_minutes = "Presenti: Mario Bianchi (presidente), Verdi Carla."
        year.save()

    written = [
        "Sei misure rinviate: bianchi MARIO in malattia, sostituito da Carla Verdi.",
        "Non valutabile: Dati non trasmessi dal dott. Bianchi (sentita Lia Re).",
        "Piattaforma ferma, come attesta Verdi; il Re dei portali è SINTEL.",
        "Presenti: Mario Bianchi (presidente), Verdi Carla.",
    ]
    office = text_of(screen(reader, year))
    for sentence in written:
        assert sentence in office  # the back office keeps the texts as written

    reader.logout()
    response = reader.get(reverse("public_relazione_pdf", args=[authority.slug, year.year]))
    assert response.status_code == 200
    public = flat(" ".join(pdf_text(response.content)))
    assert "Sei misure rinviate: [omissis] in malattia, sostituito da [omissis]." in public
    assert "Non valutabile: Dati non trasmessi dal dott. [omissis] (sentita [omissis])." in public
    # "Re" alone is too short to be taken for a name.
    assert "Piattaforma ferma, come attesta [omissis]; il Re dei portali è SINTEL." in public
    assert "Verbale: Presenti: [omissis] (presidente), [omissis]." in public
    for name in ("Bianchi", "Verdi", "Carla", "Mario"):
        assert name.lower() not in public.lower(), name


def test_a_name_is_replaced_only_as_a_whole_word():
    redact = Redactor([("Mario", "Rossi"), ("Ada", "Po"), ("", "Esposito")])
    assert redact("Rossini e Rossi, poi ROSSI   MARIO e Mario Rossi.") == (
        "Rossini e [omissis], poi [omissis] e [omissis]."
    )
    assert redact("Il Po in piena; Ada Po e Po Ada.") == "Il Po in piena; [omissis] e [omissis]."
    assert redact("Relazione di esposito.") == "Relazione di [omissis]."
    assert Redactor([])("Mario Rossi") == "Mario Rossi"
