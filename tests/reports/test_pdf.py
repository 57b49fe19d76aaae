"""The printed scheda and plan: real PDFs, read back with pypdf."""

import io
import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from pypdf import PdfReader

from traguardo.accounts.demo import DEMO_PASSWORD, create_demo_accounts
from traguardo.imports.seed import load_seed
from traguardo.planning.models import Objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(client):
    report = load_seed()
    create_demo_accounts(report.plan.authority)
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    return report.plan


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
        assert "Comune di Esempio" in page  # running header
    assert "Piano 2019 · Settore II" in pages[-1]
    assert "Raggiungimento dell'obiettivo: non misurato" in text
    fonts = {
        font["/BaseFont"]
        for page in PdfReader(io.BytesIO(response.content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Titillium-Web" in name for name in fonts), fonts
    order = ["RISULTATO ATTESO", "AMBITI DELLA PERFORMANCE", "INDICATORI", "PIANO OPERATIVO"]
    assert [text.upper().find(s) for s in order] == sorted(text.upper().find(s) for s in order)


def test_the_plan_pdf_has_a_cover_an_index_and_every_scheda(client, demo):
    response = client.get(reverse("plan_pdf", args=["comune-esempio", 2019]))
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
