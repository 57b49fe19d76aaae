"""Walking the chain: the first entry that was changed, removed or inserted out of order, then
the chain against its checkpoints (its head as written outside the database)."""

from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from traguardo.audit.checkpoint import LEGACY, Checkpoint, checkpoint_path, read_checkpoints
from traguardo.audit.log import entry_hash, legacy_hash
from traguardo.audit.models import GENESIS, AuditEntry


@dataclass(frozen=True)
class Verdict:
    checked: int
    problem: str = ""  # Italian, names the entry; empty when the chain is whole
    entry_id: int | None = None
    checkpoint: Checkpoint | None = None  # the newest checkpoint the chain was checked against

    @property
    def ok(self) -> bool:
        return not self.problem


def verify_chain(batch: int = 2000, checkpoints: Path | None = None) -> Verdict:
    """Recompute every hash in id order and stop at the first break; then check the chain
    against every authentic checkpoint of the file (``checkpoints``, default the
    installation's), so that removed last entries, an emptied log or a rewritten tail show."""
    path = checkpoints or checkpoint_path()
    marks = read_checkpoints(path)
    forged = next((c for c in marks or [] if not c.authentic), None)
    if forged is not None:
        return Verdict(
            0,
            _(
                "Punto di controllo alla riga %(line)d di %(file)s: la firma non corrisponde (il "
                "file è stato alterato, o la chiave del registro non è quella con cui è stato "
                "scritto)."
            )
            % {"line": forged.line, "file": path},
        )
    marks = [c for c in marks or [] if c.entry_id > 0]
    by_id = {c.entry_id: c for c in marks}
    # Entries written before the audit key carry an unkeyed hash, pinned by a keyed checkpoint.
    legacy_until = max((c.entry_id for c in marks if c.reason == LEGACY), default=0)
    expected_id, previous_hash, checked = 1, GENESIS, 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=batch):
        if entry.id != expected_id:
            missing = (
                str(expected_id) if entry.id == expected_id + 1 else f"{expected_id}–{entry.id - 1}"
            )
            return Verdict(
                checked,
                _("Voce %(id)s: mancano le voci precedenti n. %(missing)s (rimosse).")
                % {"id": entry.id, "missing": missing},
                entry.id,
            )
        if entry.previous_hash != previous_hash:
            return Verdict(
                checked,
                _(
                    "Voce %(id)s: non è collegata alla voce precedente (la voce %(prev)s è "
                    "stata modificata o la voce %(id)s è stata inserita fuori ordine)."
                )
                % {"id": entry.id, "prev": entry.id - 1},
                entry.id,
            )
        legacy = entry.id <= legacy_until and legacy_hash(entry) == entry.hash
        if not legacy and entry_hash(entry) != entry.hash:
            if checked == 0 and legacy_hash(entry) == entry.hash:
                return Verdict(
                    checked,
                    _(
                        "Voce %(id)s: impronta senza chiave, scritta da una versione precedente "
                        "di Traguardo. Dopo l'aggiornamento esegui una volta "
                        "«python -m traguardo audit_checkpoint --voci-precedenti»."
                    )
                    % {"id": entry.id},
                    entry.id,
                )
            return Verdict(
                checked,
                _("Voce %(id)s: il contenuto è stato modificato (l'impronta non corrisponde).")
                % {"id": entry.id},
                entry.id,
            )
        mark = by_id.get(entry.id)
        if mark is not None and mark.hash != entry.hash:
            return Verdict(
                checked,
                _(
                    "Voce %(id)s: l'impronta non è quella registrata dal punto di controllo del "
                    "%(when)s (%(hash)s…): questa voce o una precedente è stata riscritta."
                )
                % {"id": entry.id, "when": _when(mark), "hash": mark.hash[:16]},
                entry.id,
            )
        expected_id, previous_hash, checked = entry.id + 1, entry.hash, checked + 1
    newest = max(marks, key=lambda c: c.entry_id, default=None)
    if newest is None:
        if checked:
            return Verdict(
                checked,
                _(
                    "Nessun punto di controllo in %(file)s: non si può provare che il registro "
                    "finisca dove finisce (ultime voci rimosse). Ripristina il file dal backup o "
                    "indicarne una copia con --punti-di-controllo."
                )
                % {"file": path},
            )
        return Verdict(checked)
    last_id = expected_id - 1
    if newest.entry_id > last_id:
        missing = (
            str(newest.entry_id)
            if newest.entry_id == last_id + 1
            else f"{last_id + 1}–{newest.entry_id}"
        )
        head = (
            _("Il registro è vuoto")
            if last_id == 0
            else _("Il registro finisce alla voce n. %(id)d") % {"id": last_id}
        )
        return Verdict(
            checked,
            _(
                "%(head)s, ma il punto di controllo del %(when)s registra la voce n. %(mark)d "
                "(%(hash)s…): mancano le voci n. %(missing)s (rimosse)."
            )
            % {
                "head": head,
                "when": _when(newest),
                "mark": newest.entry_id,
                "hash": newest.hash[:16],
                "missing": missing,
            },
            last_id + 1,
            newest,
        )
    return Verdict(checked, checkpoint=newest)


def _when(mark: Checkpoint) -> str:
    if mark.at is None:
        return "?"
    return date_format(timezone.localtime(mark.at), "d/m/Y H:i")
