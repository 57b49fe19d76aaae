"""Hostile and broken import files: refused before any parser, with the reason in Italian.

Every file is made here. Each refusal is bounded in the bytes it decompresses (1 MB: it
reads the ZIP's central directory, not its contents) and in Python heap (100 MB, measured
with tracemalloc): work, never the wall clock, which a busy machine stretches.
Files that pass these checks but would make the Word reader build millions of
cells (``w:gridSpan="300000"``) are refused by the reader's caps, within the same bounds.
"""

import io
import struct
import tracemalloc
import zipfile

import pytest
from docx import Document
from openpyxl import Workbook

from traguardo.core.domain import DomainError
from traguardo.imports import word
from traguardo.imports.safety import check_import_file
from traguardo.imports.word import read_docx

MB = 1024 * 1024
LIMIT = 10 * MB
MAX_HEAP = 100 * MB
MAX_INFLATED = 1 * MB  # the hostile files hold up to 50 MB once decompressed

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<workbook>&lol9;</workbook>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE doc [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&secret;</w:document>
"""


def xlsx() -> bytes:
    book = Workbook()
    book.active["A1"] = "Codice obiettivo"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx() -> bytes:
    document = Document()
    document.add_paragraph("ANNO 2019")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rebuilt(data: bytes, replace: dict[str, bytes] | None = None, add: dict | None = None) -> bytes:
    """The same ZIP with some parts replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry.filename, replace.get(entry.filename, source.read(entry)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def declared_size(data: bytes, size: int) -> bytes:
    """Rewrite every central directory record to declare ``size`` bytes once decompressed:
    the file stays small, a parser trusting the directory would allocate ``size``."""
    out = bytearray(data)
    start = 0
    while (at := out.find(b"PK\x01\x02", start)) != -1:
        struct.pack_into("<I", out, at + 24, size)
        start = at + 4
    return bytes(out)


def unzipped_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(entry.file_size for entry in archive.infolist())


def bounded(call, max_inflated: int = MAX_INFLATED):
    """``call()``'s result; it decompressed under ``max_inflated`` bytes of the ZIP's entries and
    its Python heap peak stayed under MAX_HEAP (tracemalloc). How long a refusal takes is
    measured by ``make bench`` (bench/imports.py), never asserted here: a wall-clock bound
    fails on a busy machine without anything being wrong."""
    inflated = 0
    read = zipfile.ZipExtFile.read

    def counted(self, n=-1):
        nonlocal inflated
        data = read(self, n)
        inflated += len(data)
        return data

    tracemalloc.start()
    zipfile.ZipExtFile.read = counted
    try:
        result = call()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        zipfile.ZipExtFile.read = read
        tracemalloc.stop()
    assert inflated < max_inflated, f"{inflated / MB:.1f} MB decompressed"
    assert peak < MAX_HEAP, f"{peak / MB:.0f} MB"
    return result


def refused(name: str, data: bytes, max_bytes: int = LIMIT) -> str:
    def check():
        with pytest.raises(DomainError) as error:
            check_import_file(name, data, max_bytes=max_bytes)
        return error.value.message

    return bounded(check)


def test_good_files_are_accepted_with_their_kind():
    assert check_import_file("piano.xlsx", xlsx(), max_bytes=LIMIT) == "xlsx"
    assert check_import_file("piano.docx", docx(), max_bytes=LIMIT) == "docx"
    assert check_import_file("schede.txt", b"ANNO 2019\n", max_bytes=LIMIT) == "text"
    # Windows-1252 text (an old export) is read too.
    assert check_import_file("schede.txt", "Unità: è".encode("cp1252"), max_bytes=LIMIT) == "text"


def test_a_file_whose_content_does_not_match_its_extension():
    expected = "Il contenuto di «piano.xlsx» non corrisponde alla sua estensione."
    assert refused("piano.xlsx", b"%PDF-1.4\n%%EOF\n") == expected
    assert refused("piano.xlsx", docx()) == expected  # a Word document renamed
    assert refused("piano.docx", xlsx()) == (
        "Il contenuto di «piano.docx» non corrisponde alla sua estensione."
    )
    assert refused("schede.txt", xlsx()) == (
        "Il contenuto di «schede.txt» non corrisponde alla sua estensione."
    )


def test_other_extensions_are_refused_naming_the_allowed_ones():
    assert refused("piano.pdf", b"%PDF-1.4") == (
        "Il tipo di «piano.pdf» non è ammesso per l'importazione: usare un file .xlsx "
        "(modello Excel) o .ods (LibreOffice Calc), .docx (Word) o .odt (LibreOffice "
        "Writer), o .txt (testo delle schede)."
    )


@pytest.mark.parametrize("name", ["piano.xlsm", "schede.docm", "modello.xltm", "modello.dotm"])
def test_macro_enabled_files_are_refused_by_extension(name):
    assert refused(name, xlsx()) == (
        f"Il file «{name}» contiene macro: salvarlo senza macro e riprovare."
    )


def test_macros_are_refused_by_content_too():
    with_vba = rebuilt(xlsx(), add={"xl/vbaProject.bin": b"\x00\x01"})
    assert refused("piano.xlsx", with_vba) == (
        "Il file «piano.xlsx» contiene macro: salvarlo senza macro e riprovare."
    )
    data = docx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    docm_types = types.replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    assert docm_types != types
    assert refused("schede.docx", rebuilt(data, {"[Content_Types].xml": docm_types})) == (
        "Il file «schede.docx» contiene macro: salvarlo senza macro e riprovare."
    )


def test_a_zip_bomb_is_refused_from_its_directory_before_parsing():
    bomb = declared_size(xlsx(), 3_000_000_000)  # ~3 GB declared per part
    assert len(bomb) < 20_000
    assert refused("piano.xlsx", bomb) == (
        "Il file «piano.xlsx» dichiara un contenuto troppo grande per essere letto."
    )


def test_an_entry_compressed_beyond_reason_is_refused():
    data = rebuilt(xlsx(), add={"xl/media/zeri.bin": b"\x00" * (2 * MB)})
    assert len(data) < 100_000
    assert refused("piano.xlsx", data) == (
        "Il file «piano.xlsx» è compresso in modo anomalo (l'elemento «xl/media/zeri.bin»): "
        "non viene letto."
    )


def test_too_many_entries_are_refused():
    data = rebuilt(xlsx(), add={f"xl/vuoto{n}.txt": b"" for n in range(1_000)})
    assert refused("piano.xlsx", data).startswith("Il file «piano.xlsx» contiene troppi elementi (")


def test_entity_expansion_is_refused_in_a_workbook_and_in_a_document():
    workbook = rebuilt(xlsx(), {"xl/workbook.xml": BILLION_LAUGHS})
    assert refused("piano.xlsx", workbook) == (
        "Il file «piano.xlsx» contiene XML non ammesso (dichiarazioni DTD o entità) nella "
        "parte «xl/workbook.xml»: non viene letto."
    )
    document = rebuilt(docx(), {"word/document.xml": EXTERNAL_ENTITY})
    assert refused("schede.docx", document) == (
        "Il file «schede.docx» contiene XML non ammesso (dichiarazioni DTD o entità) nella "
        "parte «word/document.xml»: non viene letto."
    )
    bomb_part = rebuilt(docx(), add={"word/bomba.xml": BILLION_LAUGHS})
    assert "nella parte «word/bomba.xml»" in refused("schede.docx", bomb_part)


def test_broken_xml_is_a_damaged_file():
    data = rebuilt(xlsx(), {"xl/workbook.xml": b"<workbook><sheets>"})
    assert refused("piano.xlsx", data) == (
        "Il file «piano.xlsx» è danneggiato: la parte «xl/workbook.xml» non è XML valido."
    )


def test_an_oversized_file_is_refused_before_anything_else():
    assert refused("piano.xlsx", b"x" * (MB + 1), max_bytes=MB) == (
        "Il file «piano.xlsx» supera il limite di 1 MB per le importazioni."
    )


def test_a_corrupt_zip_is_refused():
    data = xlsx()
    expected = "Il file «piano.xlsx» è danneggiato: l'archivio non si legge."
    assert refused("piano.xlsx", data[: len(data) // 2]) == expected  # no central directory
    # The directory is intact but a part's compressed bytes are not.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entry = archive.getinfo("xl/workbook.xml")
    damaged = bytearray(data)
    start = entry.header_offset + 30 + len(entry.filename) + len(entry.extra)
    for offset in range(start, start + entry.compress_size):
        damaged[offset] ^= 0x5A
    assert refused("piano.xlsx", bytes(damaged)) == expected


def test_text_with_nul_bytes_is_refused():
    assert refused("schede.txt", b"ANNO 2019\x00\x00\n") == (
        "Il file «schede.txt» non è un testo: contiene caratteri nulli (NUL)."
    )


def test_text_that_is_neither_utf8_nor_windows_1252_is_refused():
    assert refused("schede.txt", b"ANNO 2019 \x81\x8d") == (
        "Il file «schede.txt» non è un testo leggibile (né UTF-8 né Windows-1252)."
    )


# -- documents that pass the checks but would make the Word reader build millions of cells --

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def cell(text: str = "", span: int | None = None) -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span else ""
    return f"<w:tc>{props}{paragraph(text)}</w:tc>"


def table(rows: list[str]) -> str:
    return "<w:tbl>" + "".join(rows) + "</w:tbl>"


def card_document(*tables: str) -> bytes:
    """A Word document: a scheda's header, "Indicatori", then ``tables``."""
    head = (
        paragraph("ANNO 2019")
        + paragraph("Codice obiettivo: 1")
        + paragraph("Denominazione Gare telematiche")
        + paragraph("Indicatori")
    )
    body = f"<w:document {W}><w:body>{head}{''.join(tables)}</w:body></w:document>"
    data = rebuilt(docx(), {"word/document.xml": body.encode()})
    assert check_import_file("schede.docx", data, max_bytes=LIMIT) == "docx"  # it passes
    return data


def blocking(draft) -> list[str]:
    return [f"{p.where}: {p.message}" for s in draft.schede for p in s.problems if p.blocking]


HEAD = "<w:tr>" + "".join(cell(h) for h in ("N°", "PESO", "DENOMINAZIONE", "FORMULA")) + "</w:tr>"


def test_a_huge_grid_span_is_refused_by_the_word_reader():
    bomb = "<w:tr>" + cell("1") + cell("x", span=300_000) + "</w:tr>"
    data = card_document(table([HEAD] + [bomb] * 200))
    assert len(data) < 40_000
    draft = bounded(lambda: read_docx("schede.docx", data), unzipped_size(data) + 1)
    assert blocking(draft) == [
        "scheda 1, tabella «Indicatori»: La tabella ha righe di più di 63 colonne (il massimo "
        "di Word): non è letta e la scheda non può essere importata."
    ]


def test_a_huge_grid_before_is_refused_by_the_word_reader():
    bomb = '<w:tr><w:trPr><w:gridBefore w:val="300000"/></w:trPr>' + cell("1") + "</w:tr>"
    data = card_document(table([HEAD] + [bomb] * 200))
    draft = bounded(lambda: read_docx("schede.docx", data), unzipped_size(data) + 1)
    assert blocking(draft) == [
        "scheda 1, tabella «Indicatori»: La tabella ha righe di più di 63 colonne (il massimo "
        "di Word): non è letta e la scheda non può essere importata."
    ]


def test_a_table_with_too_many_cells_is_refused_by_the_word_reader():
    row = "<w:tr>" + "".join(cell(str(n)) for n in range(40)) + "</w:tr>"
    data = card_document(table([HEAD] + [row] * 300))  # 12,000 cells
    draft = bounded(lambda: read_docx("schede.docx", data), unzipped_size(data) + 1)
    assert blocking(draft) == [
        "scheda 1, tabella «Indicatori»: La tabella è troppo grande (più di 10.000 celle): "
        "non è letta e la scheda non può essere importata."
    ]


def test_a_document_with_too_many_table_rows_is_refused_whole(monkeypatch):
    monkeypatch.setattr(word, "MAX_DOCUMENT_ROWS", 500)
    row = "<w:tr>" + cell("1") + cell("2") + "</w:tr>"
    data = card_document(*[table([row] * 100)] * 6)  # 600 rows, the tables themselves small
    draft = bounded(lambda: read_docx("schede.docx", data), unzipped_size(data) + 1)
    assert [(str(p.where), p.message, p.blocking) for p in draft.problems] == [
        (
            "scheda 1, tabella «tabella 6»",
            "Il documento ha troppe tabelle o tabelle troppo grandi (al massimo 500 righe e "
            "500.000 celle in tutto): la lettura si è fermata qui e nulla può essere "
            "importato. Dividi il documento in più file.",
            True,
        )
    ]
