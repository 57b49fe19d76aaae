"""Evidence files judged by their content: a damaged office document is refused, not a 500."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from traguardo.core.domain import DomainError
from traguardo.monitoring.uploads import check_upload


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types>" + "<Default/>" * 200 + "</Types>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _damaged(data: bytes, part: str) -> bytes:
    """The same archive with the compressed bytes of ``part`` scrambled (directory intact)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entry = archive.getinfo(part)
    out = bytearray(data)
    start = entry.header_offset + 30 + len(entry.filename) + len(entry.extra)
    for offset in range(start, start + entry.compress_size):
        out[offset] ^= 0x5A
    return bytes(out)


def test_a_sound_document_is_accepted():
    checked = check_upload(SimpleUploadedFile("relazione.docx", _docx()), max_bytes=10**6)
    assert checked.extension == ".docx"


def test_a_document_with_a_damaged_part_is_refused_with_a_message():
    upload = SimpleUploadedFile("relazione.docx", _damaged(_docx(), "[Content_Types].xml"))
    with pytest.raises(DomainError) as error:
        check_upload(upload, max_bytes=10**6)
    assert error.value.message == (
        "Il contenuto di «relazione.docx» non corrisponde alla sua estensione."
    )
