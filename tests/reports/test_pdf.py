"""The printed scheda and plan: real PDFs, read back with pypdf."""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from pypdf import PdfReader

from tests.factories import PASSWORD, ObjectiveFactory, PlanFactory
from tests.jobfiles import job_file
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.planning.models import Objective

pytestmark = pytest.mark.django_db
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


@pytest.fixture
def demo(demo, client):
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    return demo


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_the_scheda_pdf_reads_like_the_card(client, demo):
    with scopes_disabled():
        sintel = Objective.objects.get(title="Piattaforma e-procurement SINTEL")
    response = client.get(reverse("objective_pdf", args=["comune-esempio", sintel.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="scheda-2.pdf"'
    pages = pdf_pages(response)
    text = " ".join(pages)
    assert "Piattaforma e-procurement SINTEL" in text
    assert text.count("100,00% OK") == 2
    assert "30 settembre 2019" in text
    assert "50,00%" in text and "25,00%" in text
    for number, page in enumerate(pages, start=1):
        assert f"Pagina {number} di {len(pages)}" in page
    # The authority once, on the first page; the running header names the plan and unit.
    assert [page.count("Comune di Esempio") for page in pages] == [1] + [0] * (len(pages) - 1)
    assert "Piano 2019 · Settore II" in pages[-1]
    assert "Raggiungimento dell'obiettivo: non misurato" in text
    fonts = {
        font["/BaseFont"]
        for page in PdfReader(io.BytesIO(response.content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("TitilliumWeb" in name for name in fonts), fonts
    order = ["RISULTATO ATTESO", "AMBITI DELLA PERFORMANCE", "INDICATORI", "PIANO OPERATIVO"]
    assert [text.upper().find(s) for s in order] == sorted(text.upper().find(s) for s in order)


def test_the_plan_pdf_has_a_cover_an_index_and_every_scheda(client, demo):
    response = job_file(client, reverse("plan_pdf", args=["comune-esempio", 2019]))
    assert response["Content-Disposition"] == 'attachment; filename="piano-2019.pdf"'
    pages = pdf_pages(response)
    assert "Comune di Esempio" in pages[0] and "Piano 2019" in pages[0]
    assert "Triennio 2019–2021" in pages[0] and "11 schede obiettivo" in pages[0]
    assert "Indice" in pages[1]
    with scopes_disabled():
        titles = {o.pk: str(o) for o in Objective.objects.all()}
    # Every scheda starts on the page the index gives for it.
    index = pages[1]
    for title in set(titles.values()):
        listed = [int(n) for n in re.findall(re.escape(title) + r" .*?(\d+)(?= |$)", index)]
        assert listed, title
        for page_number in listed:
            assert title in pages[page_number - 1], (title, page_number)
    assert sum(page.count("Scheda obiettivo") for page in pages[2:]) == 11
    assert all(f"Pagina {n} di {len(pages)}" in p for n, p in enumerate(pages, start=1))


def pdftotext_pages(data: bytes) -> list[str]:
    """The pages as pdftotext -layout lays them out (one line of the page per line)."""
    done = subprocess.run(  # noqa: S603 (poppler on the PDF we just rendered)
        [PDFTOTEXT, "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8").split("\f")[:-1]


def test_the_plan_pdf_puts_each_scheda_under_its_unit_heading(
    client, admin, authority, unit_a, unit_b
):
    """A plan approved by the Giunta, with schede of two units and one without a unit."""
    with scopes_disabled():
        unit_a.position, unit_b.position = 2, 1  # the units' order: B, then A
        unit_a.save()
        unit_b.save()
        plan = PlanFactory(
            authority=authority,
            state="approved",
            act_type="Delibera di Giunta",
            act_number="17",
            act_date=date(2019, 2, 5),
        )
        for position, unit, title in (
            (1, unit_a, "Sportello unico digitale"),
            (2, unit_b, "Riordino dell'archivio"),
            (3, None, "Trasparenza amministrativa"),
            (4, unit_a, "Pagamenti elettronici"),
            (5, unit_b, "Conservazione digitale"),
        ):
            ObjectiveFactory(
                plan=plan, unit=unit, position=position, code=str(position), title=title
            )
    assert client.login(username="admin", password=PASSWORD)
    response = job_file(client, reverse("plan_pdf", args=[authority.slug, 2019]))
    pages = pdftotext_pages(response.content)
    assert "Piano approvato con Delibera di Giunta n. 17 del 5 febbraio 2019" in pages[0]

    headings = ["Settore B", "Settore A", "Schede senza unità responsabile"]
    schede = {
        "Settore B": ["Riordino dell'archivio", "Conservazione digitale"],
        "Settore A": ["Sportello unico digitale", "Pagamenti elettronici"],
        "Schede senza unità responsabile": ["Trasparenza amministrativa"],
    }
    # The index: each unit as a heading with its page, its schede listed under it.
    index = [line.strip() for line in pages[1].splitlines() if line.strip()]
    heading_rows = [
        (m.group(1), int(m.group(2)))
        for line in index
        if (m := re.fullmatch(r"(" + "|".join(map(re.escape, headings)) + r")\s+(\d+)", line))
    ]
    assert [name for name, _page in heading_rows] == headings
    every = [title for titles in schede.values() for title in titles]
    listed = [title for line in index for title in every if title in line]
    assert listed == [title for name in headings for title in schede[name]]

    # The body: a heading per unit on the page the index gives, each scheda after its unit's
    # heading and before the next one's.
    body = []  # (page, line) of every unit heading and scheda title, in reading order
    for number, page in enumerate(pages, start=1):
        if number <= 2:
            continue
        for line in page.splitlines():
            line = line.strip()
            if line in headings:
                body.append((number, line))
            elif m := re.match(r"Scheda obiettivo \d+ — (.+)$", line):
                body.append((number, m.group(1)))
    assert [line for _p, line in body] == [
        item for name in headings for item in (name, *schede[name])
    ]
    assert [next(p for p, line in body if line == name) for name in headings] == [
        page for _name, page in heading_rows
    ]
