"""What an evidence file really is, judged by its content, before anything is stored.

The extension a person gives a file is a claim; the first bytes (and, for office documents,
the ZIP's table of contents) are the evidence. A file is accepted only when both agree, it
is within the size limit, and — for ZIP-based formats — its declared contents are bounded
(no zip bombs) and hold no macros. The ZIP checks are shared with the imports
(``imports.safety``), which are stricter still.
"""

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

from traguardo.core.domain import DomainError

MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_UNCOMPRESSED = 200 * 1024 * 1024

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
    head = upload.read(8)
    upload.seek(0)
    if extension in SIGNATURES:
        signature, content_type = SIGNATURES[extension]
        if not head.startswith(signature):
            raise mismatch_error(name)
        return Checked(extension, content_type)
    if not head.startswith(b"PK\x03\x04"):
        raise mismatch_error(name)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = zip_entries(
                archive,
                name,
                max_entries=MAX_ZIP_ENTRIES,
                max_uncompressed=MAX_ZIP_UNCOMPRESSED,
            )
            if has_macros(archive, entries):
                raise macro_error(name)
            if extension in OOXML:
                folder, content_type = OOXML[extension]
                if "[Content_Types].xml" not in entries or not any(
                    n.startswith(folder) for n in entries
                ):
                    raise mismatch_error(name)
                return Checked(extension, content_type)
            content_type = ODF[extension]
            if archive.read("mimetype").decode("ascii", "replace").strip() != content_type:
                raise mismatch_error(name)
            return Checked(extension, content_type)
    except (zipfile.BadZipFile, KeyError, zlib.error, EOFError, NotImplementedError, RuntimeError):
        # A damaged, encrypted or oddly compressed archive: not a file we accept.
        raise mismatch_error(name) from None
    finally:
        upload.seek(0)


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
        _("Il file «%(name)s» contiene macro: salvalo senza macro e riprova.") % {"name": name},
        field="file",
    )


def mismatch_error(name: str) -> DomainError:
    return DomainError(
        _("Il contenuto di «%(name)s» non corrisponde alla sua estensione.") % {"name": name},
        field="file",
    )
