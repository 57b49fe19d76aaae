"""What an evidence file really is, judged by its content, before anything is stored.

The extension a person gives a file is a claim; the first bytes (and, for office documents,
the ZIP's table of contents) are the evidence. A file is accepted only when both agree, it
is within the size limit, and — for ZIP-based formats — its declared contents are bounded
(no zip bombs) and hold no macros.
"""

import zipfile
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
            raise _mismatch(name)
        return Checked(extension, content_type)
    if not head.startswith(b"PK\x03\x04"):
        raise _mismatch(name)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if len(entries) > MAX_ZIP_ENTRIES or (
                sum(entry.file_size for entry in entries) > MAX_ZIP_UNCOMPRESSED
            ):
                raise DomainError(
                    _("Il file «%(name)s» dichiara un contenuto troppo grande per essere letto.")
                    % {"name": name},
                    field="file",
                )
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise DomainError(
                    _("Il file «%(name)s» contiene macro: salvalo senza macro e riprova.")
                    % {"name": name},
                    field="file",
                )
            if extension in OOXML:
                folder, content_type = OOXML[extension]
                if "[Content_Types].xml" not in names or not any(
                    n.startswith(folder) for n in names
                ):
                    raise _mismatch(name)
                return Checked(extension, content_type)
            content_type = ODF[extension]
            if archive.read("mimetype").decode("ascii", "replace").strip() != content_type:
                raise _mismatch(name)
            return Checked(extension, content_type)
    except (zipfile.BadZipFile, KeyError):
        raise _mismatch(name) from None
    finally:
        upload.seek(0)


def _mismatch(name: str) -> DomainError:
    return DomainError(
        _("Il contenuto di «%(name)s» non corrisponde alla sua estensione.") % {"name": name},
        field="file",
    )
