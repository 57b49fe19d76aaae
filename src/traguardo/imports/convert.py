"""Old binary Word and Excel files (.doc, .xls), converted by LibreOffice when it is installed.

``soffice --headless --convert-to docx|xlsx`` runs in a temporary folder of its own (its own
user profile too, so that two conversions never share one), with a time limit, and what it
writes is then checked by ``safety.check_import_file`` like any uploaded .docx/.xlsx before
a reader sees it. Without LibreOffice the file is refused with how to save it in the new
format. LibreOffice does not run a document's macros when converting headless.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path, PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from traguardo.core.domain import DomainError

TIMEOUT_SECONDS = 60
HOW_TO_SAVE = {
    "docx": (
        "In Word: File › Salva con nome › «Documento di Word (*.docx)»; in LibreOffice "
        "Writer: File › Salva con nome › «Word 2007-365 (.docx)». Poi importa il nuovo file."
    ),
    "xlsx": (
        "In Excel: File › Salva con nome › «Cartella di lavoro di Excel (*.xlsx)»; in "
        "LibreOffice Calc: File › Salva con nome › «Excel 2007-365 (.xlsx)». Poi importa il "
        "nuovo file."
    ),
}


def converter() -> str | None:
    """The LibreOffice program, if this installation has one."""
    configured = getattr(settings, "TRAGUARDO_SOFFICE", "")
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_converter(name: str, target: str) -> str:
    """The LibreOffice program; refused, saying how to save the file, where there is none."""
    program = converter()
    if program is None:
        raise DomainError(
            _(
                "Il file «%(name)s» è nel vecchio formato di Office, che qui non si può "
                "leggere. Salvarlo come .%(target)s e riprovare. %(how)s"
            )
            % {"name": name, "target": target, "how": _(HOW_TO_SAVE[target])},
            field="file",
        )
    return program


def convert(name: str, data: bytes, target: str) -> tuple[str, bytes]:
    """The file converted to ``target`` ("docx" | "xlsx"): its new name and bytes."""
    program = require_converter(name, target)
    stem = PurePath(name).stem or "file"
    with tempfile.TemporaryDirectory(prefix="traguardo-convert-") as folder:
        base = Path(folder)
        source = base / f"input{PurePath(name).suffix.lower()}"
        source.write_bytes(data)
        profile = (base / "profile").as_uri()
        try:
            subprocess.run(  # noqa: S603 (a fixed program and arguments, no shell)
                [
                    program,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--norestore",
                    "--nolockcheck",
                    "--convert-to",
                    target,
                    "--outdir",
                    str(base / "out"),
                    str(source),
                ],
                cwd=folder,
                env={"HOME": folder, "PATH": "/usr/bin:/bin"},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise DomainError(
                _(
                    "La conversione di «%(name)s» non è finita entro %(s)s secondi. Salvarlo "
                    "come .%(target)s e riprovare."
                )
                % {"name": name, "s": TIMEOUT_SECONDS, "target": target},
                field="file",
            ) from None
        produced = base / "out" / f"input.{target}"
        if not produced.is_file():
            raise DomainError(
                _("LibreOffice non è riuscito a convertire «%(name)s». %(how)s")
                % {"name": name, "how": _(HOW_TO_SAVE[target])},
                field="file",
            )
        return f"{stem}.{target}", produced.read_bytes()


__all__ = ["convert", "converter", "require_converter"]
