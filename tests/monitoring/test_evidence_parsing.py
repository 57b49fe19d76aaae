"""Evidence judged by parsing: a hostile corpus built in hostile.py, each
file refused with its Italian message, within 100 MB of Python memory; sound files accepted."""

import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.monitoring import hostile
from traguardo.core.domain import DomainError
from traguardo.monitoring.uploads import check_upload

MAX_BYTES = 10 * 1024 * 1024
MB = 1024 * 1024


def judge(name: str, data: bytes) -> str:
    """The refusal's message ("" if accepted); the work stays under 100 MB of memory."""
    upload = SimpleUploadedFile(name, data)
    tracemalloc.start()
    try:
        check_upload(upload, max_bytes=MAX_BYTES)
        message = ""
    except DomainError as error:
        assert error.field == "file"
        message = error.message
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 100 * MB, f"{name}: {peak / MB:.0f} MB"
    return message


ACTIVE = (
    "contiene contenuti attivi (JavaScript, azioni di avvio o file incorporati): salvarlo come "
    "PDF semplice (ad esempio con «Stampa in PDF») e riprovare."
)
TWO_TYPES = (
    "è valido come più tipi di file insieme (ad esempio PDF e ZIP, o una pagina web): non "
    "viene accettato."
)


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("verbale.pdf", lambda: hostile.PDF),
        ("verbale.pdf", lambda: hostile.pdf(pages=3)),
        ("relazione.docx", hostile.docx),
        ("relazione.docx", hostile.docx_with_a_hyperlink),
        ("tabella.xlsx", hostile.xlsx),
        ("verbale.odt", hostile.odt),
        ("verbale.odt", hostile.odt_with_a_hyperlink),
        ("foto.png", hostile.png),
        ("foto.jpg", hostile.jpeg),
    ],
)
def test_sound_files_are_accepted(name, build):
    assert judge(name, build()) == ""


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("verbale.pdf", hostile.pdf_with_javascript, ACTIVE),
        ("verbale.pdf", hostile.pdf_with_launch, ACTIVE),
        ("verbale.pdf", hostile.pdf_with_attachment, ACTIVE),
        ("verbale.pdf", hostile.pdf_with_hidden_javascript, ACTIVE),
        ("verbale.pdf", hostile.pdf_zip_polyglot, TWO_TYPES),
        ("verbale.pdf", hostile.html_behind_a_pdf_header, TWO_TYPES),
        (
            "verbale.pdf",
            lambda: hostile.html_behind_a_pdf_header(padding=4096),
            "non è un PDF leggibile: non viene accettato.",
        ),
        (
            "verbale.pdf",
            lambda: hostile.pdf(password="segreta"),
            "è un PDF protetto da password e non si può controllare: caricalo senza protezione.",
        ),
        (
            "tabella.xlsx",
            hostile.xlsx_with_external_link,
            "contiene collegamenti a contenuti esterni che verrebbero scaricati all'apertura "
            "(externalLinkPath, xl/externalLinks/_rels/externalLink1.xml.rels, "
            "xl/externalLinks/externalLink1.xml): salvarlo senza collegamenti esterni e riprovare.",
        ),
        (
            "relazione.docx",
            hostile.docx_with_remote_template,
            "contiene collegamenti a contenuti esterni che verrebbero scaricati all'apertura "
            "(attachedTemplate): salvarlo senza collegamenti esterni e riprovare.",
        ),
        (
            "tabella.xlsx",
            hostile.xlsx_zip_bomb,
            "è compresso in modo anomalo (l'elemento «xl/worksheets/sheet1.xml»): non viene letto.",
        ),
        (
            "relazione.docx",
            lambda: hostile.docx_with_many_entries(1_000),
            "contiene troppi elementi (1003; al massimo 1000).",
        ),
        (
            "verbale.odt",
            hostile.odt_with_remote_image,
            "contiene collegamenti a contenuti esterni che verrebbero scaricati all'apertura "
            "(image): salvarlo senza collegamenti esterni e riprovare.",
        ),
        (
            "verbale.odt",
            hostile.odt_with_basic_macro,
            "contiene macro: salvarlo senza macro e riprovare.",
        ),
        (
            "foto.png",
            lambda: hostile.png_declaring(100_000, 100_000),
            "è troppo grande (oltre 16 milioni di pixel): riducila e riprovare.",
        ),
        ("foto.png", lambda: hostile.png()[:60], "è danneggiata: non si apre."),
        ("foto.png", lambda: hostile.png() + hostile.zip_bytes({"a.txt": "x"}), TWO_TYPES),
        (
            "foto.jpg",
            lambda: hostile.jpeg()[:200] + b"<script>alert(1)</script>" + hostile.jpeg()[200:],
            TWO_TYPES,
        ),
        ("foto.jpg", hostile.png, "non corrisponde alla sua estensione."),
    ],
)
def test_hostile_files_are_refused_with_their_message(name, build, message):
    refusal = judge(name, build())
    assert refusal.endswith(message), refusal
    assert f"«{name}»" in refusal
