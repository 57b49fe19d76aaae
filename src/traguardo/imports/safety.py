"""Is an import file what its name says, and safe to give to a parser? Decided before any
parser (openpyxl, python-docx, the card text reader) sees a byte of it.

In order, each refusal an Italian ``DomainError`` naming the file and what is wrong:
size; extension (macro-enabled formats refused by name); content against the extension (ZIP
signature, ``[Content_Types].xml`` and the main part of a workbook or a document; text in
UTF-8 or Windows-1252 without NUL bytes); for ZIP files the central directory alone (entry
count, declared size once decompressed, compression ratio) before anything is decompressed;
macros by content; then every XML part streamed through expat with DTDs and entities
forbidden as defusedxml forbids them (no entity expansion, no external references).
Decompression is bounded by the sizes the central directory declared, checked first.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePath
from typing import NoReturn
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from traguardo.core.domain import DomainError
from traguardo.monitoring.uploads import (
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    has_macros,
    macro_error,
    mismatch_error,
    zip_entries,
)

KINDS = {
    ".xlsx": "xlsx",
    ".docx": "docx",
    ".txt": "text",
    ".odt": "odt",
    ".ods": "ods",
    ".doc": "doc",
    ".xls": "xls",
}
# OpenDocument: the ``mimetype`` entry each file starts with, and its main part.
ODF_TYPES = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
}
# The old binary formats, read only once LibreOffice has converted them (``imports.convert``).
LEGACY = {"doc": "docx", "xls": "xlsx"}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = frozenset({".xlsm", ".docm", ".xltm", ".dotm"})
# The part every workbook / document has, and where its other parts live.
MAIN_PART = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}

XML_SUFFIXES = (".xml", ".rels", ".vml")
BINARY_SIGNATURES = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")  # ZIP, PDF, old Office


def max_import_bytes() -> int:
    return getattr(settings, "TRAGUARDO_IMPORT_MAX_MB", 10) * 1024 * 1024


def check_import_file(name: str, data: bytes, *, max_bytes: int) -> str:
    """The kind of an import file ("xlsx" | "docx" | "text" | "odt" | "ods" | "doc" | "xls"),
    or DomainError saying why not. A .doc/.xls is only accepted where LibreOffice can convert
    it; the converted file then goes through these same checks (``imports.convert``)."""
    extension = PurePath(name).suffix.lower()
    check_size(name, len(data), max_bytes=max_bytes)
    if extension in MACRO_EXTENSIONS:
        raise macro_error(name)
    if extension not in KINDS:
        raise DomainError(
            _(
                "Il tipo di «%(name)s» non è ammesso per l'importazione: usare un file .xlsx "
                "(modello Excel) o .ods (LibreOffice Calc), .docx (Word) o .odt (LibreOffice "
                "Writer), o .txt (testo delle schede)."
            )
            % {"name": name},
            field="file",
        )
    kind = KINDS[extension]
    if kind == "text":
        decode_text(name, data)
        return kind
    if kind in LEGACY:
        from traguardo.imports.convert import require_converter

        if not data.startswith(OLE_SIGNATURE):
            raise mismatch_error(name)
        require_converter(name, LEGACY[kind])
        return kind
    if not data.startswith(b"PK\x03\x04"):
        raise mismatch_error(name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = zip_entries(
                archive,
                name,
                max_entries=MAX_ENTRIES,
                max_uncompressed=MAX_UNCOMPRESSED,
                max_ratio=MAX_RATIO,
            )
            if has_macros(archive, entries):
                raise macro_error(name)
            if kind in ODF_TYPES:
                _check_odf(archive, entries, name, kind)
            elif "[Content_Types].xml" not in entries or MAIN_PART[kind] not in entries:
                raise mismatch_error(name)
            for entry in entries.values():
                if entry.filename.lower().endswith(XML_SUFFIXES):
                    _check_xml(archive, entry, name)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression.
        raise DomainError(
            _("Il file «%(name)s» è danneggiato: l'archivio non si legge.") % {"name": name},
            field="file",
        ) from None
    return kind


def _check_odf(archive: zipfile.ZipFile, entries: dict, name: str, kind: str) -> None:
    """An OpenDocument file: its ``mimetype`` says the kind, it has a body, no macros."""
    mimetype = entries.get("mimetype")
    if mimetype is None or "content.xml" not in entries or mimetype.file_size > 200:
        raise mismatch_error(name)
    if archive.read(mimetype).strip() != ODF_TYPES[kind]:
        raise mismatch_error(name)
    if any(n.lower().startswith(("basic/", "scripts/")) for n in entries):
        raise macro_error(name)


def check_size(name: str, size: int, *, max_bytes: int) -> None:
    """The size alone, so that a view refuses a huge upload before reading it."""
    if size > max_bytes:
        raise DomainError(
            _("Il file «%(name)s» supera il limite di %(mb)s MB per le importazioni.")
            % {"name": name, "mb": max_bytes // (1024 * 1024)},
            field="file",
        )


def decode_text(name: str, data: bytes) -> str:
    """The text of a .txt import: UTF-8 (with or without BOM), else Windows-1252."""
    if data.startswith(BINARY_SIGNATURES):
        raise mismatch_error(name)
    if b"\x00" in data:
        raise DomainError(
            _("Il file «%(name)s» non è un testo: contiene caratteri nulli (NUL).")
            % {"name": name},
            field="file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise DomainError(
            _("Il file «%(name)s» non è un testo leggibile (né UTF-8 né Windows-1252).")
            % {"name": name},
            field="file",
        ) from None


class _Forbidden(Exception):
    """A DTD or an entity declaration in an XML part."""


def _forbid(*args: object) -> NoReturn:
    raise _Forbidden


def _check_xml(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str) -> None:
    """Stream one XML part through expat with DTDs, entity declarations and external
    references forbidden, as defusedxml forbids them (no tree is built, memory stays flat).
    Only those handlers are set, so the elements are parsed in C, without a Python call each:
    a large sheet is checked in a fraction of the time its reader takes."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(1 << 16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Forbidden:
        raise DomainError(
            _(
                "Il file «%(name)s» contiene XML non ammesso (dichiarazioni DTD o entità) "
                "nella parte «%(part)s»: non viene letto."
            )
            % {"name": name, "part": entry.filename},
            field="file",
        ) from None
    except expat.ExpatError:
        raise DomainError(
            _("Il file «%(name)s» è danneggiato: la parte «%(part)s» non è XML valido.")
            % {"name": name, "part": entry.filename},
            field="file",
        ) from None
