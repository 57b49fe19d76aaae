"""Piano, scheda, Relazione and Verifica as archivable, accessible PDFs: the PDF/A part and
conformance in the XMP metadata, the language, the title and every font embedded, read back
from the real files with pypdf and pdffonts."""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from django_scopes import scope
from pypdf import PdfReader

from tests.factories import MonitoringPeriodFactory
from tests.reports.test_individual_pdf import dirigente
from traguardo.evaluation.scores import assignment_result
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.reports import paper
from traguardo.reports.individual import evaluation_pdf
from traguardo.reports.relazione import render_relazione_pdf
from traguardo.reports.scheda import plan_pages, scheda_page
from traguardo.reports.verifica import render_verifica_pdf

pytestmark = pytest.mark.django_db
PDFFONTS = shutil.which("pdffonts") or "/usr/bin/pdffonts"


def _document(name: str, plan):
    """The one document a test reads, rendered from the demo plan (each kind costs a PDF
    layout: the test of one kind does not pay for the other three)."""
    with scope(authority=plan.authority):
        if name == "piano":
            return paper.plan_pdf(plan_pages(plan)), "2", "A", "Piano 2019"
        if name == "scheda":
            first = plan.objectives.order_by("position").first()
            return paper.scheda_pdf(scheda_page(first)), "2", "A", "Scheda obiettivo"
        if name == "relazione":
            return render_relazione_pdf(plan), "3", "B", "Relazione"
        if name == "valutazione":
            evaluation = dirigente(plan.authority)
            data = evaluation_pdf(assignment_result(evaluation.assignment))
            return data, "2", "A", "Scheda di valutazione individuale"
        period = MonitoringPeriodFactory(
            plan=plan,
            name="Verifica intermedia al 30/06/2019",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(2019, 6, 30),
        )
        return render_verifica_pdf(plan, period), "3", "B", "Verifica"


@pytest.mark.parametrize("name", ["piano", "scheda", "relazione", "verifica", "valutazione"])
def test_the_document_is_pdf_a_in_italian_with_its_fonts_embedded(demo, name):
    data, part, conformance, title = _document(name, demo)
    reader = PdfReader(io.BytesIO(data))
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode("utf-8")
    assert re.search(rf"pdfaid:part(>|=\"){part}", raw), raw[:2000]
    assert re.search(rf"pdfaid:conformance(>|=\"){conformance}", raw), raw[:2000]
    assert reader.trailer["/Root"]["/Lang"].lower().startswith("it")
    assert title in reader.metadata.title
    fonts = subprocess.run(  # noqa: S603 (poppler on the PDF we just rendered)
        [PDFFONTS, "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    rows = fonts.splitlines()[2:]
    assert rows
    assert all(row.split()[-5] == "yes" for row in rows), fonts  # the "emb" column
