"""The plan's "Documenti" page, the Relazione and Verifica pages, and the PDF jobs."""

import io
import re
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from pypdf import PdfReader

from tests.conftest import shared_people
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
    UserFactory,
)
from tests.jobfiles import job_file
from traguardo.jobs.models import Job
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import ObjectiveVersion, Variation

pytestmark = pytest.mark.django_db
SLUG = "comune-prova"
# The queries of the Relazione and Verifica pages, whatever the number of schede (the schede
# are loaded one table a query: planning.queries.load_for_scoring).
RELAZIONE_QUERIES = 30
# A past year: its targets and deadlines are due as of its periods' dates (a plan of a future
# year has nothing due yet, so nothing to deviate from or to be at risk for).
PAST_YEAR = 2018
VERIFICA_QUERIES = 24


def text(html: str) -> str:
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# The tests read the personas and the plan, and write (jobs, periods, other plans) in their
# own savepoint, rolled back after them: both are made once for the module (``module_db``).


authority, other_authority, unit_a, unit_b, personas, logged_in = shared_people()


@pytest.fixture(scope="module")
def admin(module_people):
    return module_people.personas["admin"]


@pytest.fixture(scope="module")
def manager_b(module_people):
    return module_people.personas["manager_b"]


@pytest.fixture(scope="module")
def viewer(module_people):
    return module_people.personas["viewer"]


@pytest.fixture(scope="module")
def plan(authority, unit_a, unit_b):
    """Piano 2019: two schede (units A and B), a verifica intermedia with A's result."""
    return make_plan(authority, unit_a, unit_b)


def make_plan(authority, unit_a, unit_b):
    """The rows of ``plan`` (tests/web/test_page_fragments.py makes them for each test)."""
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2019, state="monitoring")
        period = MonitoringPeriodFactory(
            plan=plan,
            name="Verifica al 30/06/2019",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(2019, 6, 30),
        )
        for unit, title, due in (
            (unit_a, "Sportello unico digitale", date(2019, 5, 31)),
            (unit_b, "Riordino dell'archivio", date(2019, 12, 31)),
        ):
            objective = ObjectiveFactory(plan=plan, unit=unit, responsible=unit.head, title=title)
            indicator = IndicatorFactory(objective=objective, name=f"Avvio: {title}")
            TargetFactory(indicator=indicator, due_date=due)
        MeasurementFactory(
            period=period,
            indicator=plan.objectives.get(unit=unit_a).indicators.get(),
            completed_on=date(2019, 6, 7),
            comment="Ritardo del fornitore del software.",
        )
    plan.period = period
    return plan


def login(client, username):
    assert client.login(username=username, password=PASSWORD)


def documents_page(client):
    response = client.get(reverse("plan_documents", args=[SLUG, 2019]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_has_a_card_per_document(client, viewer, plan):
    with scopes_disabled():
        MonitoringPeriodFactory(
            plan=plan, name="Consuntivo al 31/12/2019", reference_date=date(2019, 12, 31)
        )
    login(client, "viewer")
    page = text(documents_page(client))
    assert "Documenti del Piano 2019" in page
    titles = re.findall(r'<h3 class="h5 card-title"[^>]*>([^<]+)</h3>', documents_page(client))
    assert titles == [
        "Piano degli obiettivi (PDF)",
        "Relazione sulla performance",
        "Verifica intermedia: Verifica al 30/06/2019",  # the consuntivo is not a verifica
    ]
    assert page.count("Nessun PDF ancora preparato.") == 3
    assert page.count("Visualizza") == 3 and page.count("Genera PDF") == 3
    assert "Esportazioni" in page


def test_generating_the_relazione_ends_with_its_file(client, viewer, plan):
    login(client, "viewer")
    response = client.post(reverse("relazione_pdf_start", args=[SLUG, 2019]))
    with scopes_disabled():
        job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[SLUG, job.pk])
    assert job.state == Job.State.DONE, job.error
    assert job.title == "Relazione sulla performance 2019 (PDF)"
    assert (job.done, job.total) == (4, 4)  # the scores, two schede, the layout
    assert job.output_name == "relazione-performance-2019.pdf"
    download = client.get(reverse("job_download", args=[SLUG, job.pk]))
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF")
    body = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Relazione sulla performance 2019" in body
    assert "Ritardo del fornitore del software." in body
    assert "Alberti" not in body and "Bassi" not in body  # the heads of units A and B
    # Back on the Documenti page, the Relazione offers its latest file.
    html = documents_page(client)
    card = text(re.search(r'id="documento-relazione".*?</article>', html, re.S).group(0))
    assert "Scarica relazione-performance-2019.pdf" in card
    link = reverse("job_download", args=[SLUG, job.pk])
    assert f'href="{link}"' in html
    assert text(html).count("Nessun PDF ancora preparato.") == 2


def test_a_file_is_offered_to_its_starter_and_the_admins_only(
    client, viewer, manager_b, admin, plan
):
    login(client, "viewer")
    client.post(reverse("plan_pdf_start", args=[SLUG, 2019]))
    login(client, "manager_b")
    assert "Scarica piano-2019.pdf" not in text(documents_page(client))
    login(client, "admin")
    assert "Scarica piano-2019.pdf" in text(documents_page(client))


def test_the_plan_and_verifica_jobs_name_their_files(client, viewer, plan):
    login(client, "viewer")
    client.post(reverse("plan_pdf_start", args=[SLUG, 2019]))
    client.post(reverse("verifica_pdf_start", args=[SLUG, 2019, plan.period.pk]))
    with scopes_disabled():
        jobs = {job.kind: job for job in Job.objects.all()}
    plan_job, verifica_job = jobs["reports.plan_pdf"], jobs["reports.verifica_pdf"]
    assert (plan_job.state, plan_job.output_name) == ("done", "piano-2019.pdf")
    assert (verifica_job.state, verifica_job.output_name) == (
        "done",
        "verifica-intermedia-2019-06-30.pdf",
    )
    assert verifica_job.title == "Verifica intermedia al 30 giugno 2019 — Piano 2019 (PDF)"
    assert verifica_job.params == {"plan": plan.pk, "period": plan.period.pk}
    data = verifica_job.output.open("rb").read()
    body = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Sportello unico digitale" in body and "Riordino dell'archivio" in body


def test_a_get_of_a_generate_url_goes_to_the_documents_page(client, viewer, plan):
    login(client, "viewer")
    response = client.get(reverse("relazione_pdf_start", args=[SLUG, 2019]))
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_documents", args=[SLUG, 2019])
    with scopes_disabled():
        assert not Job.objects.exists()


def test_the_relazione_page_shows_units_schede_and_justifications(client, viewer, plan):
    login(client, "viewer")
    response = client.get(reverse("relazione", args=[SLUG, 2019]))
    assert response.status_code == 200
    page = text(response.content.decode())
    assert "Relazione sulla performance 2019" in page
    assert "Raggiungimento complessivo dell'ente: 0,00% (provvisorio al 30 giugno 2019)" in page
    # B's scheda is due on 31/12/2019: at the verifica of 30/06 it is not due yet.
    assert "Schede contate: 1 scheda su 1 misurata · 1 non ancora dovuta" in page
    assert "Settore A 0,00% (provvisorio) 1 scheda su 1 misurata" in page
    assert re.search(r"Scheda \d+ — Sportello unico digitale", page)
    assert "Motivazione del responsabile" in page
    assert "Ritardo del fornitore del software." in page
    assert "Relazione non ancora validata." in page
    assert "Alberti" not in page


def test_the_verifica_page_names_the_scheda_at_risk(client, viewer, plan):
    login(client, "viewer")
    response = client.get(reverse("verifica", args=[SLUG, 2019, plan.period.pk]))
    assert response.status_code == 200
    page = text(response.content.decode())
    assert "Verifica intermedia al 30 giugno 2019" in page
    assert "1 scheda a rischio su 2." in page
    assert "completata il 7 giugno 2019, con 7 giorni di ritardo" in page


def test_a_period_of_another_year_is_not_found(client, viewer, plan, authority):
    with scopes_disabled():
        other = PlanFactory(authority=authority, year=2020)
        period = MonitoringPeriodFactory(
            plan=other,
            name="Verifica 2020",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(2020, 6, 30),
        )
    login(client, "viewer")
    assert client.get(reverse("verifica", args=[SLUG, 2019, period.pk])).status_code == 404
    response = client.post(reverse("verifica_pdf_start", args=[SLUG, 2019, period.pk]))
    assert response.status_code == 404
    with scopes_disabled():
        assert not Job.objects.exists()


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_documents_page_costs_the_same_with_1_and_many_periods_and_jobs(
    client, admin, viewer, plan, django_assert_max_num_queries
):
    url = reverse("plan_documents", args=[SLUG, 2019])
    login(client, "viewer")
    client.post(reverse("relazione_pdf_start", args=[SLUG, 2019]))
    login(client, "admin")
    one = queries(client, url)
    with scopes_disabled():
        for month in range(1, 6):
            MonitoringPeriodFactory(
                plan=plan,
                name=f"Verifica al mese {month}",
                kind=MonitoringPeriod.Kind.INTERMEDIATE,
                reference_date=date(2019, month, 28),
            )
    for _ in range(3):
        client.post(reverse("plan_pdf_start", args=[SLUG, 2019]))
        client.post(reverse("relazione_pdf_start", args=[SLUG, 2019]))
        client.post(reverse("verifica_pdf_start", args=[SLUG, 2019, plan.period.pk]))
    page = text(documents_page(client))
    assert page.count("Scarica ") == 3  # piano, relazione, the verifica that was printed
    with django_assert_max_num_queries(one):
        assert client.get(url).status_code == 200


def test_every_export_offered_on_the_documents_page_downloads(client, viewer, plan):
    """The Esportazioni section links each file; each link answers with that very file — at
    once for the files that do not grow with the plan, through a job for the others."""
    login(client, "viewer")
    page = documents_page(client)
    section = page[page.index('id="esportazioni-titolo"') :]
    links = re.findall(r'href="([^"]+)"', section)
    expected = {
        "/esporta/xlsx/": ("spreadsheetml.sheet", True),
        "/esporta/ods/": ("opendocument.spreadsheet", True),
        "/esporta/csv/indicatori/": ("text/csv", True),
        "/piani/esporta.csv": ("text/csv", False),
        "/piano.docx": ("wordprocessingml.document", True),
        "/modello-importazione.xlsx": ("spreadsheetml.sheet", False),
    }
    for marker, (content_type, as_job) in expected.items():
        link = next((link for link in links if link.endswith(marker)), None)
        assert link is not None, f"nessun collegamento a {marker}"
        response = job_file(client, link) if as_job else client.get(link)
        assert response.status_code == 200, link
        assert content_type in response["Content-Type"], link
    assert len([link for link in links if "/esporta/csv/" in link]) == 6


# --- review of the documents -------------------------------------------------------


def _plan_of(authority, units, count, year):
    """A plan of ``count`` schede under two units, each with two indicators (one measured late,
    with a justification: a deviation), an activity with a deadline, and a variazione."""
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=year, last_year=year + 2, state="monitoring")
        period = MonitoringPeriodFactory(
            plan=plan,
            name=f"Verifica al 30/06/{year}",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(year, 6, 30),
        )
        variation = Variation.objects.create(
            authority=authority,
            plan=plan,
            number=1,
            reason="Nuove scadenze.",
            act_type="Delibera di Giunta",
            act_number="88",
            act_date=date(year, 7, 15),
            opened_by=UserFactory(username=f"segretario-{year}"),
            opened_at=timezone.now(),
        )
        for n in range(count):
            unit = units[n % 2]
            objective = ObjectiveFactory(
                plan=plan, unit=unit, responsible=unit.head, year=year, first_year=year
            )
            first, second = (
                IndicatorFactory(objective=objective, weight=weight) for weight in (60, 40)
            )
            for indicator in (first, second):
                TargetFactory(indicator=indicator, year=year, due_date=date(year, 5, 31))
            ActivityFactory(objective=objective, weight=100, end_date=date(year, 4, 30))
            MeasurementFactory(
                period=period,
                indicator=first,
                completed_on=date(year, 6, 7),
                comment=f"Ritardo {n} del fornitore.",
            )
            ObjectiveVersion.objects.create(
                authority=authority,
                objective=objective,
                version=2,
                state={},
                variation=variation,
                saved_at=timezone.now(),
            )
    return plan, period


# Three schede (both units, one of them twice) show any query made per scheda or unit.
@pytest.mark.parametrize("count", [1, 3])
def test_the_relazione_page_reads_a_fixed_number_of_rows(
    client, viewer, authority, unit_a, unit_b, count, django_assert_max_num_queries
):
    plan, _period = _plan_of(authority, [unit_a, unit_b], count, PAST_YEAR)
    login(client, "viewer")
    with django_assert_max_num_queries(RELAZIONE_QUERIES):
        response = client.get(reverse("relazione", args=[SLUG, plan.year]))
    page = text(response.content.decode())
    assert page.count("Motivazione del responsabile") == 1
    assert page.count(f"Delibera di Giunta n. 88 del 15 luglio {PAST_YEAR}") == 1
    assert sum(f"Ritardo {n} del fornitore." in page for n in range(count)) == count


# Three schede (both units, one of them twice) show any query made per scheda or unit.
@pytest.mark.parametrize("count", [1, 3])
def test_the_verifica_page_reads_a_fixed_number_of_rows(
    client, viewer, authority, unit_a, unit_b, count, django_assert_max_num_queries
):
    plan, period = _plan_of(authority, [unit_a, unit_b], count, PAST_YEAR)
    login(client, "viewer")
    with django_assert_max_num_queries(VERIFICA_QUERIES):
        response = client.get(reverse("verifica", args=[SLUG, plan.year, period.pk]))
    page = text(response.content.decode())
    assert f"{count} {'scheda' if count == 1 else 'schede'} a rischio su {count}." in page


def test_the_deadlines_of_the_verifica_head_their_rows_with_the_date(client, viewer, plan):
    login(client, "viewer")
    html = client.get(reverse("verifica", args=[SLUG, 2019, plan.period.pk])).content.decode()
    tables = re.findall(r"<table\b.*?</table>", html, re.S)
    deadlines = [t for t in tables if "Scadenze della scheda" in t]
    assert deadlines
    for table in deadlines:
        rows = re.findall(r"<tr>\s*(<t[hd][^>]*>)([^<]*)", table.split("<tbody>")[1])
        assert rows and all(cell == '<th scope="row">' for cell, _date in rows), rows
        assert all(re.fullmatch(r"\d+ \w+ \d{4}", day) for _cell, day in rows), rows


def test_the_plan_page_prints_the_plan_as_a_job(client, viewer, plan):
    login(client, "viewer")
    html = client.get(reverse("plan_detail", args=[SLUG, 2019])).content.decode()
    start = reverse("plan_pdf_start", args=[SLUG, 2019])
    form = re.search(
        rf'<form method="post" action="{re.escape(start)}"[^>]*>(.*?)</form>', html, re.S
    )
    assert form, "nessun modulo per stampare il piano"
    assert 'name="csrfmiddlewaretoken"' in form.group(1)
    assert text(form.group(1)) == "Stampa piano (PDF) con segnalazioni (copia interna)"
    assert '<input class="form-check-input" type="checkbox"' in form.group(1)
    assert '<button type="submit"' in form.group(1)
    # No link builds the PDF inside the request any more.
    assert reverse("plan_pdf", args=[SLUG, 2019]) not in html
    response = client.post(start)
    with scopes_disabled():
        job = Job.objects.get()
    assert response["Location"] == reverse("job_detail", args=[SLUG, job.pk])
    assert (job.kind, job.state, job.output_name) == ("reports.plan_pdf", "done", "piano-2019.pdf")


def _poll(client, job, shown=None):
    url = reverse("job_detail", args=[SLUG, job.pk])
    if shown:
        url += f"?stato={shown}"
    return client.get(url, headers={"HX-Request": "true"}).content.decode()


def test_the_job_page_announces_each_state_once_outside_the_polled_part(client, viewer, plan):
    login(client, "viewer")
    client.post(reverse("relazione_pdf_start", args=[SLUG, 2019]))
    with scopes_disabled():
        job = Job.objects.get()
        Job.objects.filter(pk=job.pk).update(state="running", done=1, total=4)
    page = client.get(reverse("job_detail", args=[SLUG, job.pk])).content.decode()
    polled = page[page.find('<div id="stato-elaborazione"') : page.find("</main>")]
    live = re.findall(
        r'<strong id="stato-annuncio" role="status" aria-live="polite">([^<]*)<', page
    )
    assert live == ["In corso"]
    assert page.find('id="stato-annuncio"') < page.find('id="stato-elaborazione"')
    assert "progressbar" in polled and "1 di 4" in polled
    assert 'role="status"' not in polled and "aria-live" not in polled
    # Each poll says which state the page shows: while it stays the same, the live region is
    # left alone; the bar and the figures move.
    assert '?stato=running" hx-trigger="every 1s"' in page
    running = _poll(client, job, "running")
    assert "stato-annuncio" not in running and 'aria-valuenow="25"' in running
    assert "1 di 4" in running and "aria-live" not in running
    # When the state changes, the answer updates the live region out of band, once.
    with scopes_disabled():
        Job.objects.filter(pk=job.pk).update(state="done")
    done = _poll(client, job, "running")
    assert re.search(
        r'<span id="stato-annuncio" hx-swap-oob="innerHTML">\s*Completata\s*</span>', done
    )
    assert "hx-trigger" not in done and "Scarica relazione-performance-2019.pdf" in text(done)
    assert "stato-annuncio" not in _poll(client, job, "done")


def test_a_failed_job_is_announced_as_such(client, viewer, plan):
    login(client, "viewer")
    client.post(reverse("relazione_pdf_start", args=[SLUG, 2019]))
    with scopes_disabled():
        job = Job.objects.get()
        Job.objects.filter(pk=job.pk).update(state="failed", error="Il piano non ha schede.")
    failed = _poll(client, job, "running")
    assert re.search(
        r'<span id="stato-annuncio" hx-swap-oob="innerHTML">\s*Non riuscita\s*</span>', failed
    )
    assert "Elaborazione non riuscita: Il piano non ha schede." in text(failed)


def test_visualizza_on_the_piano_card_opens_the_plan_as_a_document(client, viewer, plan):
    """It opened the plan page (search, summaries), not the document."""
    from django.utils.html import escape

    login(client, "viewer")
    card = re.search(r'id="documento-piano".*?</article>', documents_page(client), re.S)
    view = re.search(r'href="([^"]+)"[^>]*>Visualizza', card.group(0)).group(1)
    assert view == reverse("plan_document", args=[SLUG, 2019])
    page = client.get(view).content.decode()
    words = text(page)
    assert "Piano esecutivo di gestione — Piano degli obiettivi" in words
    assert "Cerca schede" not in words  # not the plan page
    with scopes_disabled():
        objectives = list(plan.objectives.order_by("position"))
    assert objectives
    for objective in objectives:  # the index links every scheda to its card
        link = reverse("objective_detail", args=[SLUG, objective.pk])
        assert f'<a href="{link}">{escape(str(objective))}</a>' in page
    assert 'action="' + reverse("plan_pdf_start", args=[SLUG, 2019]) + '"' in page
