"""Walking the chain: the first entry that was changed, removed or inserted out of order."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from traguardo.audit.log import entry_hash
from traguardo.audit.models import GENESIS, AuditEntry


@dataclass(frozen=True)
class Verdict:
    checked: int
    problem: str = ""  # Italian, names the entry; empty when the chain is whole
    entry_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problem


def verify_chain(batch: int = 2000) -> Verdict:
    """Recompute every hash in id order; stop at the first break."""
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
        if entry_hash(entry) != entry.hash:
            return Verdict(
                checked,
                _("Voce %(id)s: il contenuto è stato modificato (l'impronta non corrisponde).")
                % {"id": entry.id},
                entry.id,
            )
        expected_id, previous_hash, checked = entry.id + 1, entry.hash, checked + 1
    return Verdict(checked)
