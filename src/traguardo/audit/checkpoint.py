"""Checkpoints: the audit chain's head (entry id, its hash, the time) kept outside the database.

The chain proves that no entry in the middle was changed or removed; only something outside
the database can prove where it ended. A checkpoint is one JSON line appended to
``settings.AUDIT_CHECKPOINT_FILE`` (back it up apart from the database) and logged to the
``traguardo.audit`` logger (syslog with ``TRAGUARDO_AUDIT_SYSLOG``), authenticated with the
audit key like the entries. One is written after every lifecycle step commits, after the first
write of a day, and by ``audit_checkpoint`` (cron); ``verify_audit`` checks the chain against
them, so a cut end, an emptied table or a rewritten tail is named.
"""

import fcntl
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from traguardo.audit.log import canonical, keyed_hash
from traguardo.audit.models import GENESIS, AuditEntry

logger = logging.getLogger("traguardo.audit")

# The steps after which the head is written out at once.
CHECKPOINT_ACTIONS = frozenset(
    {
        "plan.submit",
        "plan.approve",
        "plan.start_monitoring",
        "plan.close",
        "plan.validate",
        "period.close",
        "period.reopen",
        "variation.open",
        "variation.close",
        "import.apply",
    }
)
# The reason of the checkpoint that adopts the entries written before the audit key.
LEGACY = "legacy-sha256"
# At least one checkpoint this often while the log is written to.
INTERVAL = timedelta(hours=24)

# The time of the newest checkpoint of each file, as this process knows it.
_newest: dict[str, datetime] = {}


@dataclass(frozen=True)
class Checkpoint:
    entry_id: int
    hash: str
    at: datetime | None
    reason: str
    line: int
    authentic: bool  # its MAC verifies under the audit key


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def _mac(fields: dict) -> str:
    # "checkpoint" separates these MACs from the entries' own.
    return keyed_hash(canonical({"checkpoint": fields}))


def write_checkpoint(reason: str, head: tuple[int, str] | None = None) -> Checkpoint:
    """Append the committed head of the chain (or ``head``) to the checkpoint file and the
    audit log stream."""
    if head is None:
        head = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    entry_id, entry_hash = head if head is not None else (0, GENESIS)
    now = timezone.now()
    fields = {"id": entry_id, "hash": entry_hash, "at": now.isoformat(), "reason": reason}
    line = canonical({**fields, "mac": _mac(fields)}) + "\n"
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    _newest[str(path)] = now
    logger.info(
        "audit checkpoint id=%s hash=%s at=%s reason=%s", entry_id, entry_hash, fields["at"], reason
    )
    return Checkpoint(entry_id, entry_hash, now, reason, 0, True)


def after_commit(action: str) -> None:
    """After a write commits: a checkpoint for a lifecycle step, or if none for a day.

    Never raises: the write is already committed; a checkpoint that cannot be written is
    logged as an error (and ``verify_audit`` will find the end unproven).
    """
    try:
        if action in CHECKPOINT_ACTIONS:
            write_checkpoint(action)
        elif _due():
            write_checkpoint("daily")
    except Exception:
        logger.exception("audit checkpoint could not be written to %s", checkpoint_path())


def _due() -> bool:
    key = str(checkpoint_path())
    if key not in _newest:
        newest = last_checkpoint()
        if newest is None or newest.at is None:
            return True
        _newest[key] = newest.at
    return timezone.now() - _newest[key] >= INTERVAL


def read_checkpoints(path: Path | None = None) -> list[Checkpoint] | None:
    """Every checkpoint of the file, in order; None when there is no file."""
    path = path or checkpoint_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            found.append(_parse(line, number))
    return found


def _parse(line: str, number: int) -> Checkpoint:
    try:
        record = json.loads(line)
        fields = {key: record[key] for key in ("id", "hash", "at", "reason")}
        at = datetime.fromisoformat(fields["at"])
        entry_id = int(fields["id"])
    except (ValueError, KeyError, TypeError):
        return Checkpoint(0, "", None, "", number, False)
    authentic = isinstance(record.get("mac"), str) and record["mac"] == _mac(fields)
    return Checkpoint(entry_id, str(fields["hash"]), at, str(fields["reason"]), number, authentic)


def last_checkpoint(path: Path | None = None) -> Checkpoint | None:
    """The newest authentic checkpoint, or None. Every Relazione names it: the file is read
    again only when it changed (size or modification time) or the audit key did."""
    path = path or checkpoint_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    seen = (stat.st_size, stat.st_mtime_ns, _mac({}))  # and the key that authenticates
    memo = _last.get(str(path))
    if memo is not None and memo[0] == seen:
        return memo[1]
    authentic = [c for c in read_checkpoints(path) or [] if c.authentic]
    newest = authentic[-1] if authentic else None
    _last[str(path)] = (seen, newest)
    return newest


# The newest checkpoint of each file read, with the file's size and modification time then.
_last: dict[str, tuple[tuple, Checkpoint | None]] = {}


def adopt_legacy_entries() -> Checkpoint | None:
    """Pin the entries written before the audit key (unkeyed SHA-256) with a keyed checkpoint
    of the last of them, once, after the upgrade; None when there are none. Refuses (raises
    ValueError naming the entry) if the old chain does not verify: it is never adopted broken.
    """
    from traguardo.audit.log import legacy_hash

    last = None
    previous = GENESIS
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if legacy_hash(entry) != entry.hash:
            break
        if entry.previous_hash != previous or entry.id != (last[0] + 1 if last else 1):
            raise ValueError(entry.id)
        last, previous = (entry.id, entry.hash), entry.hash
    if last is None:
        return None
    return write_checkpoint(LEGACY, head=last)
