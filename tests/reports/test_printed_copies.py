"""The official printed scheda and plan, and the internal copy "con segnalazioni":
real PDFs read with pdftotext, real DOCX files read with python-docx, through the
real views and jobs. The demo plan's draft schede have anomalies and import notes."""

import io
import shutil
import subprocess

import pytest
from django.http import HttpResponse
from django.urls import reverse
from django_scopes import scopes_disabled
from docx import Document
from docx.oxml.ns import qn

from tests.jobfiles import job_of
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.planning.models import Objective, Plan
from traguardo.reports.scheda import scheda_page

pytestmark = pytest.mark.django_db

SLUG = "comune-esempio"
AUTHORITY = "Comune di Esempio"
MARK = "Copia interna con segnalazioni — non per la pubblicazione"
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


@pytest.fixture
def demo(demo, client):
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    return demo


def pdf_pages(response) -> list[str]:
    """The PDF's pages as pdftotext reads them (a form feed ends each page)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    done = subprocess.run(  # noqa: S603 (poppler on the PDF we just rendered)
        [PDFTOTEXT, "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    )
    text = done.stdout.decode("utf-8")
    return text.split("\f")[:-1]


def job_download(client, job) -> HttpResponse:
    """The file of a job that ran (inline, when it was started), as its page offers it."""
    assert job.state == "done", job.error
    download = client.get(reverse("job_download", args=[SLUG, job.pk]))
    assert download.status_code == 200
    answer = HttpResponse(b"".join(download.streaming_content))
    for header in ("Content-Type", "Content-Disposition"):
        answer[header] = download[header]
    return answer


def worked_scheda() -> Objective:
    """A scheda of the demo whose card has both anomalies and import notes."""
    with scopes_disabled():
        for objective in Objective.objects.order_by("position"):
            card = scheda_page(objective)
            if card.anomalies and card.import_notes:
                return objective
    raise AssertionError("the demo plan has no scheda with anomalies and import notes")


def assert_official(pages: list[str]) -> None:
    text = "\n".join(pages).lower()
    assert "segnalazioni" not in text
    assert "note di importazione" not in text
    assert "copia interna" not in text


def assert_internal(pages: list[str]) -> None:
    text = "\n".join(pages).lower()
    assert "segnalazioni\n" in text  # the section's title, on a line of its own
    assert "note di importazione" in text
    for number, page in enumerate(pages, start=1):
        assert MARK in page, number


def assert_authority_once_on_page_one(pages: list[str]) -> None:
    assert [page.count(AUTHORITY) for page in pages] == [1] + [0] * (len(pages) - 1)


def test_the_screen_card_keeps_its_segnalazioni_and_import_notes(client, demo):
    objective = worked_scheda()
    page = client.get(reverse("objective_detail", args=[SLUG, objective.pk])).content.decode()
    assert "Segnalazioni" in page and "Note di importazione" in page


def test_the_scheda_pdf_is_official_unless_the_internal_copy_is_asked(client, demo):
    objective = worked_scheda()
    url = reverse("objective_pdf", args=[SLUG, objective.pk])
    name = f"scheda-{objective.code or objective.position}"

    official = client.get(url)
    assert official["Content-Disposition"] == f'attachment; filename="{name}.pdf"'
    pages = pdf_pages(official)
    assert_official(pages)
    assert_authority_once_on_page_one(pages)

    internal = client.get(url + "?segnalazioni=1")
    assert internal["Content-Disposition"] == f'attachment; filename="{name}-con-segnalazioni.pdf"'
    pages = pdf_pages(internal)
    assert_internal(pages)
    assert_authority_once_on_page_one(pages)


def test_the_plan_pdf_job_carries_the_option_and_gives_a_distinct_file(client, demo):
    start = reverse("plan_pdf_start", args=[SLUG, 2019])
    official_job = job_of(client.post(start))
    internal_job = job_of(client.post(start, {"segnalazioni": "1"}))
    assert official_job.params == {"plan": demo.pk}
    assert internal_job.params == {"plan": demo.pk, "internal": True}
    assert (official_job.output_name, internal_job.output_name) == (
        "piano-2019.pdf",
        "piano-2019-con-segnalazioni.pdf",
    )
    assert "copia interna con segnalazioni" in internal_job.title
    assert "copia interna" not in official_job.title

    # The files of these two jobs, as their pages offer them (the download address composes
    # the same job: test_pdf reads its official file, test_url_matrix's internal copy test
    # checks that its ?segnalazioni=1 starts the internal one).
    response = job_download(client, official_job)
    assert response["Content-Disposition"] == 'attachment; filename="piano-2019.pdf"'
    pages = pdf_pages(response)
    assert "Piano 2019" in pages[0] and "Indice" in pages[1]
    assert_official(pages)
    assert_authority_once_on_page_one(pages)

    response = job_download(client, internal_job)
    assert (
        response["Content-Disposition"] == 'attachment; filename="piano-2019-con-segnalazioni.pdf"'
    )
    pages = pdf_pages(response)
    assert_internal(pages)
    assert_authority_once_on_page_one(pages)
    # Every scheda with anomalies has its Segnalazioni printed.
    with scopes_disabled():
        worked = sum(1 for o in demo.objectives.all() if scheda_page(o).anomalies)
    assert "\n".join(pages).count("SEGNALAZIONI\n") == worked > 0


def test_the_documents_page_offers_the_internal_copy_apart_from_the_official_file(client, demo):
    start = reverse("plan_pdf_start", args=[SLUG, 2019])
    client.post(start, {"segnalazioni": "1"})
    page = client.get(reverse("plan_documents", args=[SLUG, 2019])).content.decode()
    # The official document's latest file is not the internal copy.
    assert "Nessun PDF ancora preparato." in page
    assert "Scarica piano-2019-con-segnalazioni.pdf" in page
    assert 'name="segnalazioni" value="1"' in page
    assert "?segnalazioni=1" in page  # the Word copy's link


def docx_rows(document) -> list:
    return list(document.element.body.iter(qn("w:tr")))


def has(row, tag: str) -> bool:
    return row.find(f"{qn('w:trPr')}/{qn(tag)}") is not None


def headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def test_the_scheda_docx_is_official_unless_the_internal_copy_is_asked(client, demo):
    objective = worked_scheda()
    url = reverse("objective_docx", args=[SLUG, objective.pk])
    name = f"scheda-{objective.code or objective.position}"

    official = client.get(url)
    assert official["Content-Disposition"] == f'attachment; filename="{name}.docx"'
    document = Document(io.BytesIO(official.content))
    assert "Segnalazioni" not in headings(document)
    assert "Note di importazione" not in headings(document)
    assert document.sections[0].header.paragraphs[0].text == "Piano 2019"
    body = "\n".join(p.text for p in document.paragraphs)
    assert body.count(AUTHORITY) == 1 and document.paragraphs[0].text == AUTHORITY

    internal = client.get(url + "?segnalazioni=1")
    assert internal["Content-Disposition"] == f'attachment; filename="{name}-con-segnalazioni.docx"'
    document = Document(io.BytesIO(internal.content))
    assert {"Segnalazioni", "Note di importazione"} <= set(headings(document))
    assert document.sections[0].header.paragraphs[0].text == f"Piano 2019 · {MARK}"


def test_the_plan_docx_rows_never_split_and_the_internal_copy_is_its_own_job(client, demo):
    start = reverse("plan_docx_start", args=[SLUG, 2019])
    official_job = job_of(client.post(start))
    internal_job = job_of(client.post(start, {"segnalazioni": "1"}))
    assert internal_job.params == {"plan": demo.pk, "internal": True}
    assert (official_job.output_name, internal_job.output_name) == (
        "piano-2019.docx",
        "piano-2019-con-segnalazioni.docx",
    )

    # The files of these two jobs (the download address composes the same job: see
    # test_the_plan_pdf_job_carries_the_option_and_gives_a_distinct_file).
    official = Document(io.BytesIO(job_download(client, official_job).content))
    internal = Document(io.BytesIO(job_download(client, internal_job).content))
    for document in (official, internal):
        rows = docx_rows(document)
        assert rows and all(has(row, "w:cantSplit") for row in rows)
        # The header rows of the index, the indicators and the activities repeat on each page.
        for table in document.tables[1:]:
            if table.rows[0].cells[0].text in ("Codice", "N°"):
                assert has(table.rows[0]._tr, "w:tblHeader")
        body = "\n".join(p.text for p in document.paragraphs)
        assert body.count(AUTHORITY) == 1 and document.paragraphs[0].text == AUTHORITY
    assert "Segnalazioni" not in headings(official)
    assert "Note di importazione" not in headings(official)
    assert {"Segnalazioni", "Note di importazione"} <= set(headings(internal))
    assert MARK in internal.sections[0].header.paragraphs[0].text
    assert MARK not in official.sections[0].header.paragraphs[0].text


def test_public_pages_never_offer_the_internal_copy(client, demo):
    with scopes_disabled():
        Plan.objects.filter(pk=demo.pk).update(state=Plan.State.APPROVED)
        objective = demo.objectives.first()
    client.logout()
    for url in (
        reverse("public_plan", args=[SLUG, 2019]),
        reverse("public_objective", args=[SLUG, 2019, objective.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "segnalazioni=1" not in html and 'name="segnalazioni"' not in html
        assert "copia interna" not in html.lower()
