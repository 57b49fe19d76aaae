"""What an evidence file really is, judged by parsing it, before anything is stored.

The extension a person gives a file is a claim; the content is the evidence. A file is
accepted only when it is within the size limit, its first bytes (and, for office documents,
the ZIP's table of contents) agree with its extension, and it parses as that type:

- a PDF opens with pypdf (decompression bounded) and holds no JavaScript, launch, import or
  embedded-file action, no embedded file and no file attachment; an encrypted PDF cannot be
  inspected and is refused;
- an image decodes with Pillow, within ``EVIDENCE_MAX_PIXELS``;
- an office document (OOXML, ODF) has its ZIP directory bounded as the imports' (entries,
  declared size, compression ratio: no zip bombs), no macros, and no external relationship
  or remote template (a linked workbook, a remote template, a remote image: anything the
  office application would fetch on opening); hyperlinks, followed only if a reader clicks
  them, are allowed;
- a file that is valid as two types (a PDF that is also a ZIP, HTML behind a PDF header, a
  document carrying a PDF in its first bytes) is refused.

Each refusal is an Italian ``DomainError`` on the ``file`` field. The work is bounded by the
upload's size and the limits above, never by the file's own declarations.
"""

import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _

from traguardo.core.domain import DomainError

OOXML = {
    ".docx": ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
ODF = {
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
}
SIGNATURES = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    ".jpg": (b"\xff\xd8\xff", "image/jpeg"),
    ".jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}
ACCEPTED = sorted({*SIGNATURES, *OOXML, *ODF})

# The ZIP bounds of every office file read, evidence and imports alike (imports.safety): a
# plan's workbook or document is a few dozen parts of XML; these bounds leave ample room.
MAX_ENTRIES = 1_000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100  # for entries over 1 MB: XML compresses 5–20 times, a bomb thousands


@dataclass(frozen=True)
class Checked:
    extension: str
    content_type: str


def check_upload(upload, *, max_bytes: int) -> Checked:
    """Accept ``upload`` (a Django UploadedFile) or raise DomainError saying why, in Italian."""
    name = upload.name or ""
    extension = PurePath(name).suffix.lower()
    if upload.size > max_bytes:
        raise DomainError(
            _("Il file «%(name)s» supera il limite di %(mb)s MB.")
            % {"name": name, "mb": max_bytes // (1024 * 1024)},
            field="file",
        )
    if extension not in ACCEPTED:
        raise DomainError(
            _("Il tipo di «%(name)s» non è ammesso. Tipi ammessi: %(types)s.")
            % {"name": name, "types": ", ".join(ACCEPTED)},
            field="file",
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)  # bounded whatever the upload claims its size is
    upload.seek(0)
    if len(data) > max_bytes:
        raise DomainError(
            _("Il file «%(name)s» supera il limite di %(mb)s MB.")
            % {"name": name, "mb": max_bytes // (1024 * 1024)},
            field="file",
        )
    if extension in SIGNATURES:
        signature, content_type = SIGNATURES[extension]
        if not data.startswith(signature):
            raise mismatch_error(name)
        _check_single_type(name, extension, data)
        if extension == ".pdf":
            _check_pdf(name, data)
        else:
            _check_image(name, extension, data)
        return Checked(extension, content_type)
    if not data.startswith(b"PK\x03\x04"):
        raise mismatch_error(name)
    _check_single_type(name, extension, data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = zip_entries(
                archive,
                name,
                max_entries=MAX_ENTRIES,
                max_uncompressed=MAX_UNCOMPRESSED,
                max_ratio=MAX_RATIO,
            )
            if has_macros(archive, entries) or any(
                n.startswith(ODF_SCRIPT_FOLDERS) for n in entries
            ):
                raise macro_error(name)
            if extension in OOXML:
                folder, content_type = OOXML[extension]
                if "[Content_Types].xml" not in entries or not any(
                    n.startswith(folder) for n in entries
                ):
                    raise mismatch_error(name)
                _check_ooxml_links(archive, entries, name)
                return Checked(extension, content_type)
            content_type = ODF[extension]
            if archive.read("mimetype").decode("ascii", "replace").strip() != content_type:
                raise mismatch_error(name)
            _check_odf_links(archive, entries, name)
            return Checked(extension, content_type)
    except (zipfile.BadZipFile, KeyError, zlib.error, EOFError, NotImplementedError, RuntimeError):
        # A damaged, encrypted or oddly compressed archive: not a file we accept.
        raise mismatch_error(name) from None
    finally:
        upload.seek(0)


# -- one file, one type ----------------------------------------------------------------------

# What a browser or a PDF reader looks for in a file's first bytes.
HEAD_BYTES = 1024
HTML_MARKERS = re.compile(rb"<(?:!doctype\s+html|html|head|body|script|svg|iframe)\b", re.I)


def _check_single_type(name: str, extension: str, data: bytes) -> None:
    """Refuse a file valid as two types: a PDF reader finds "%PDF-" anywhere in the first
    KB, a ZIP reader reads the directory at the end, a browser sniffs HTML in the head."""
    head = data[:HEAD_BYTES]
    pdf_inside = extension != ".pdf" and b"%PDF-" in head
    html_inside = HTML_MARKERS.search(head) is not None
    zip_inside = extension not in {*OOXML, *ODF} and _is_zip(data)
    if pdf_inside or html_inside or zip_inside:
        raise DomainError(
            _(
                "Il file «%(name)s» è valido come più tipi di file insieme (ad esempio PDF e "
                "ZIP, o una pagina web): non viene accettato."
            )
            % {"name": name},
            field="file",
        )


def _is_zip(data: bytes) -> bool:
    stream = io.BytesIO(data)
    if not zipfile.is_zipfile(stream):
        return False
    try:
        with zipfile.ZipFile(stream) as archive:
            return bool(archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
        return False


# -- PDF ----------------------------------------------------------------------------------

# Decompression while reading a PDF's structure (object and cross-reference streams).
PDF_MAX_DECOMPRESSED = 20 * 1024 * 1024
# Objects and values looked at in one PDF; a legitimate scan or report has far fewer.
PDF_MAX_NODES = 500_000
# Actions that run code, start programs, import data or open embedded files.
PDF_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/GoToE", "/RichMediaExecute", "/Rendition"}
)
PDF_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/RichMediaContent"})
PDF_SUBTYPES = frozenset({"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen"})


def _check_pdf(name: str, data: bytes) -> None:
    import pypdf
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

    limits = {
        "zlib_maximum_output_length": PDF_MAX_DECOMPRESSED,
        "lzw_maximum_output_length": PDF_MAX_DECOMPRESSED,
        "run_length_maximum_output_length": PDF_MAX_DECOMPRESSED,
        "array_based_stream_maximum_output_length": PDF_MAX_DECOMPRESSED,
        "maximum_declared_stream_length": PDF_MAX_DECOMPRESSED,
        "stream_decoding_work_maximum_length": PDF_MAX_DECOMPRESSED * 2,
    }
    try:
        with pypdf.apply_configuration(None, **limits), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about every repaired detail
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise DomainError(
                    _(
                        "Il file «%(name)s» è un PDF protetto da password e non si può "
                        "controllare: caricalo senza protezione."
                    )
                    % {"name": name},
                    field="file",
                )
            if len(reader.pages) < 1:
                raise _unreadable_pdf(name)
            ids = [(n, g) for g, numbers in reader.xref.items() for n in numbers]
            ids += [(n, 0) for n in reader.xref_objStm]
            stack: list[PdfObject] = [reader.trailer]
            for number, generation in ids:
                stack.append(IndirectObject(number, generation, reader))
            seen = 0
            while stack:
                seen += 1
                if seen > PDF_MAX_NODES:
                    raise _unreadable_pdf(name)
                node = stack.pop()
                if isinstance(node, IndirectObject):
                    resolved = node.get_object()  # each object is listed once, above
                    if resolved is None or isinstance(resolved, IndirectObject):
                        continue
                    node = resolved
                if isinstance(node, DictionaryObject):  # streams too
                    if (
                        PDF_KEYS.intersection(node)
                        or node.get("/S") in PDF_ACTIONS
                        or node.get("/Type") == "/EmbeddedFile"
                        or node.get("/Subtype") in PDF_SUBTYPES
                    ):
                        raise DomainError(
                            _(
                                "Il file «%(name)s» contiene contenuti attivi (JavaScript, "
                                "azioni di avvio o file incorporati): salvarlo come PDF "
                                "semplice (ad esempio con «Stampa in PDF») e riprovare."
                            )
                            % {"name": name},
                            field="file",
                        )
                    stack.extend(v for v in node.values() if not isinstance(v, IndirectObject))
                elif isinstance(node, ArrayObject):
                    stack.extend(v for v in node if not isinstance(v, IndirectObject))
    except DomainError:
        raise
    except Exception:  # pypdf's many errors, a recursion, a limit reached: not a PDF we accept
        raise _unreadable_pdf(name) from None


def _unreadable_pdf(name: str) -> DomainError:
    return DomainError(
        _("Il file «%(name)s» non è un PDF leggibile: non viene accettato.") % {"name": name},
        field="file",
    )


# -- images -------------------------------------------------------------------------------

IMAGE_FORMATS = {".png": {"PNG"}, ".jpg": {"JPEG", "MPO"}, ".jpeg": {"JPEG", "MPO"}}


def _check_image(name: str, extension: str, data: bytes) -> None:
    from PIL import Image

    max_pixels = getattr(settings, "EVIDENCE_MAX_PIXELS", 16_000_000)
    too_large = DomainError(
        _(
            "L'immagine «%(name)s» è troppo grande (oltre %(mp)s milioni di pixel): riducila e "
            "riprovare."
        )
        % {"name": name, "mp": max_pixels // 1_000_000},
        field="file",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in IMAGE_FORMATS[extension]:
                    raise mismatch_error(name)
                width, height = image.size
                if width * height > max_pixels:
                    raise too_large
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decodes every pixel of the first frame
    except DomainError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except Exception:
        raise DomainError(
            _("L'immagine «%(name)s» è danneggiata: non si apre.") % {"name": name},
            field="file",
        ) from None


# -- office documents: what they would fetch on opening -----------------------------------

# ODF keeps macros (Basic, scripts) in these folders.
ODF_SCRIPT_FOLDERS = ("Basic/", "Scripts/")
# A relationships part or an ODF content part larger than this is not inspected: refused.
MAX_INSPECTED_PART = 20 * 1024 * 1024
EXTERNAL_URL = re.compile(
    r"^\s*(?:(?:https?|ftps?|file|smb|nfs|webdavs?|davs?|mhtml|ms-[a-z-]+):|//|\\\\)", re.I
)
# OOXML relationship types that are only followed when a reader clicks them.
CLICKED_ONLY = ("/hyperlink",)
# ODF elements whose links are only followed when a reader clicks them.
ODF_CLICKED = frozenset({"a"})
ODF_ALWAYS_EXTERNAL = frozenset({"dde-source", "dde-connection-decl", "dde-link"})


class _Links(ContentHandler):
    """Collects the external links of one XML part (OOXML relationships or ODF content)."""

    def __init__(self, odf: bool) -> None:
        super().__init__()
        self.odf = odf
        self.found: list[str] = []

    def startElement(self, name, attrs):
        local = name.rsplit(":", 1)[-1]
        if not self.odf:
            if local == "Relationship" and attrs.get("TargetMode", "").lower() == "external":
                kind = attrs.get("Type", "")
                if not kind.endswith(CLICKED_ONLY):
                    self.found.append(kind.rsplit("/", 1)[-1] or "?")
            return
        if local in ODF_ALWAYS_EXTERNAL:
            self.found.append(local)
            return
        if local in ODF_CLICKED:
            return
        for key in attrs.getNames():
            if key.rsplit(":", 1)[-1] == "href" and EXTERNAL_URL.match(attrs.getValue(key)):
                self.found.append(local)
                return


def _check_ooxml_links(archive, entries, name: str) -> None:
    parts = [e for n, e in entries.items() if n.lower().endswith(".rels")]
    found = [n for n in entries if n.lower().startswith("xl/externallinks/")]
    for entry in parts:
        found += _links_of(archive, entry, name, odf=False)
    _refuse_links(name, found)


def _check_odf_links(archive, entries, name: str) -> None:
    found = []
    for part in ("content.xml", "styles.xml", "settings.xml"):
        if part in entries:
            found += _links_of(archive, entries[part], name, odf=True)
    _refuse_links(name, found)


def _links_of(archive, entry, name: str, *, odf: bool) -> list[str]:
    if entry.file_size > MAX_INSPECTED_PART:
        raise DomainError(
            _("Il file «%(name)s» contiene una parte troppo grande per essere controllata.")
            % {"name": name},
            field="file",
        )
    handler = _Links(odf)
    try:
        with archive.open(entry) as stream:
            defusedxml.sax.parse(
                stream, handler, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
    except (DefusedXmlException, SAXException):
        raise DomainError(
            _("Il file «%(name)s» è danneggiato: la parte «%(part)s» non è XML valido.")
            % {"name": name, "part": entry.filename},
            field="file",
        ) from None
    return handler.found


def _refuse_links(name: str, found: list[str]) -> None:
    if found:
        raise DomainError(
            _(
                "Il file «%(name)s» contiene collegamenti a contenuti esterni che verrebbero "
                "scaricati all'apertura (%(what)s): salvarlo senza collegamenti esterni e "
                "riprovare."
            )
            % {"name": name, "what": ", ".join(sorted(set(found)))},
            field="file",
        )


# -- ZIP-based files (office documents): shared with the imports (imports.safety) ----------

# [Content_Types].xml is a short list; a larger one is not an office document.
MAX_CONTENT_TYPES = 1024 * 1024


def zip_entries(
    archive: zipfile.ZipFile,
    name: str,
    *,
    max_entries: int,
    max_uncompressed: int,
    max_ratio: int | None = None,
    ratio_from: int = 1024 * 1024,
) -> dict[str, zipfile.ZipInfo]:
    """The archive's entries by name, read from its central directory only (nothing is
    decompressed): refused when it declares too many entries, too many bytes once
    decompressed, or (``max_ratio``) an entry over ``ratio_from`` bytes compressed more than
    ``max_ratio`` times — the shapes of a zip bomb."""
    entries = archive.infolist()
    if len(entries) > max_entries:
        raise DomainError(
            _("Il file «%(name)s» contiene troppi elementi (%(n)s; al massimo %(max)s).")
            % {"name": name, "n": len(entries), "max": max_entries},
            field="file",
        )
    if sum(entry.file_size for entry in entries) > max_uncompressed:
        raise DomainError(
            _("Il file «%(name)s» dichiara un contenuto troppo grande per essere letto.")
            % {"name": name},
            field="file",
        )
    if max_ratio is not None:
        for entry in entries:
            if entry.file_size > ratio_from and (
                entry.file_size > max_ratio * max(entry.compress_size, 1)
            ):
                raise DomainError(
                    _(
                        "Il file «%(name)s» è compresso in modo anomalo (l'elemento "
                        "«%(entry)s»): non viene letto."
                    )
                    % {"name": name, "entry": entry.filename},
                    field="file",
                )
    return {entry.filename: entry for entry in entries}


def has_macros(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> bool:
    """A VBA project inside, or a content type that declares a macro-enabled document."""
    if any(n.lower().endswith("vbaproject.bin") for n in entries):
        return True
    types = entries.get("[Content_Types].xml")
    if types is None or types.file_size > MAX_CONTENT_TYPES:
        return False
    return b"macroenabled" in archive.read(types).lower()


def macro_error(name: str) -> DomainError:
    return DomainError(
        _("Il file «%(name)s» contiene macro: salvarlo senza macro e riprovare.") % {"name": name},
        field="file",
    )


def mismatch_error(name: str) -> DomainError:
    return DomainError(
        _("Il contenuto di «%(name)s» non corrisponde alla sua estensione.") % {"name": name},
        field="file",
    )
