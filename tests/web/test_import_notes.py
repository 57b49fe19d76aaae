"""Import notes follow the scheda: a note about a field goes once the field is fixed, on the
page, the PDF, the Word file and the spreadsheet alike. The PDF and the Word
file print them on the internal copy (``segnalazioni=1``) only."""

import io

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from docx import Document
from pypdf import PdfReader

from tests.exchange.helpers import as_dicts, xlsx_sheets
from tests.jobfiles import job_file
from tests.web.test_editor import card, demo, form_data  # noqa: F401 (the fixture)
from traguardo.organization.models import PerformanceArea

pytestmark = pytest.mark.django_db

SLUG = "comune-esempio"
NO_AREAS = "nessun ambito è stato assegnato"
UNIT_A = "Unità coinvolta «A» non riconosciuta."


def _outputs(client, objective) -> dict[str, str]:
    """The scheda as a person gets it: page, PDF, Word, and its row of the workbook."""
    page = client.get(reverse("objective_detail", args=[SLUG, objective.pk])).content.decode()
    pdf = client.get(reverse("objective_pdf", args=[SLUG, objective.pk]) + "?segnalazioni=1")
    pdf_data = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_data)).pages)
    docx = client.get(reverse("objective_docx", args=[SLUG, objective.pk]) + "?segnalazioni=1")
    docx_data = b"".join(docx.streaming_content) if docx.streaming else docx.content
    word = "\n".join(p.text for p in Document(io.BytesIO(docx_data)).paragraphs)
    export = {"authority": SLUG, "year": 2019, "fmt": "xlsx"}
    xlsx_data = job_file(client, reverse("plan_export", kwargs=export)).content
    [row] = [
        r
        for r in as_dicts(xlsx_sheets(xlsx_data)["Schede"])
        if r["N. scheda"] == objective.position
    ]
    return {
        "page": page,
        "pdf": " ".join(pdf_text.split()),
        "docx": word,
        "xlsx": row["Note di importazione"] or "",
    }


def test_ticking_the_ambiti_removes_the_note_that_none_was_assigned(client, demo):  # noqa: F811
    objective = card(7)  # imported with no ambiti and an unknown involved unit «A»
    before = _outputs(client, objective)
    for name in ("page", "pdf", "docx"):
        assert NO_AREAS in before[name], name
    assert before["xlsx"].splitlines() == [
        "Ambiti: Il documento elenca gli ambiti ma non si legge quali fossero selezionati: "
        "nessun ambito è stato assegnato.",
        f"Unità organizzative coinvolte: {UNIT_A}",
    ]

    url = reverse("objective_edit", args=[SLUG, objective.pk])
    data = form_data(client.get(url))
    with scopes_disabled():
        data["areas"] = [str(PerformanceArea.objects.get(number=2).pk)]
    assert client.post(url, {**data, "action": "save"}).status_code == 302

    after = _outputs(client, card(7))
    for name, text in after.items():
        assert NO_AREAS not in text, name
        assert UNIT_A in text, name  # the note about a field left as it was stays
    assert "areas:" not in after["xlsx"]
    assert after["xlsx"] == f"Unità organizzative coinvolte: {UNIT_A}"
    # Kept, marked resolved on the day: the record of what the import noticed is not lost.
    with scopes_disabled():
        notes = card(7).import_notes
    assert [n["field"] for n in notes if n.get("resolved")] == ["areas"]
