"""Writing the audit trail: ``log_action`` appends one entry inside the caller's transaction,
``log_actions`` several at once (an import: one entry per scheda, one INSERT).

The chain is global (one sequence for every authority): each entry stores the hash of the one
before it, and its own hash — an HMAC-SHA256 under ``settings.AUDIT_KEY``, a key kept outside
the database — covers every field plus that link, so a row changed, removed or slipped in
shows when ``verify_audit`` walks the chain, and a rewrite cannot recompute the hashes without
the key. Once the transaction commits, a lifecycle step (and the first write of a day) appends
a checkpoint of the chain's head outside the database (``audit.checkpoint``).

Appends are serialised: on PostgreSQL by a transaction-level advisory lock, on SQLite by the
IMMEDIATE transactions every write already takes (settings.py), so two writers never read the
same last entry.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from traguardo.accounts.models import User
from traguardo.audit.models import GENESIS, AuditEntry

# Any constant: the key of the PostgreSQL advisory lock that serialises appends.
LOCK_KEY = 0x7472_6167  # "trag"


def log_action(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    authority=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry; call it inside the transaction of the change it records.

    ``actor`` is the acting user (None for the system); ``authority`` defaults to the
    object's. ``before``/``after`` are small dicts of the changed values (Decimals, dates and
    other values are stored as strings).
    """
    record = Record(action, obj, authority, before, after, reason)
    return log_actions([record], actor=actor)[0]


@dataclass(frozen=True)
class Record:
    """One entry of ``log_actions``: the arguments of ``log_action`` but the actor."""

    action: str
    obj: models.Model | None = None
    authority: object = None
    before: dict | None = None
    after: dict | None = None
    reason: str = ""


def log_actions(records: Iterable[Record], *, actor: User | None) -> list[AuditEntry]:
    """Append several entries of one actor, in order, in one INSERT: for a write of many rows
    (an import), whose every scheda keeps its own entry. Same lock, chain and hashes as
    ``log_action`` — each entry's hash is computed in order over the one before — so the
    result is the chain that one ``log_action`` per record would have written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("log_action must run inside the transaction of the change it records")
    records = list(records)
    if not records:
        return []
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    actor_name = _name(actor) if authenticated else ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    last = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    last_id, last_hash = last if last is not None else (0, GENESIS)
    entries = []
    for record in records:
        obj, authority = record.obj, record.authority
        if authority is None and obj is not None:
            authority = _authority_of(obj)
        entry = AuditEntry(
            id=last_id + 1,
            authority_id=getattr(authority, "pk", authority),
            actor=actor if authenticated else None,
            actor_name=actor_name,
            at=timezone.now(),
            action=record.action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=str(obj)[:300] if obj is not None else "",
            before=json_safe(record.before),
            after=json_safe(record.after),
            reason=record.reason,
            previous_hash=last_hash,
        )
        entry.hash = entry_hash(entry)
        entries.append(entry)
        last_id, last_hash = entry.id, entry.hash
    AuditEntry.objects.bulk_create(entries)
    from traguardo.audit import checkpoint  # imports this module

    for action in dict.fromkeys(record.action for record in records):
        transaction.on_commit(partial(checkpoint.after_commit, action))
    return entries


def log_separately(**kwargs) -> AuditEntry:
    """Log in a short transaction of its own: for events whose action is not written (a
    login, a refusal). Outside a transaction it commits at once; inside one (nothing in the
    app refuses inside a transaction) it becomes part of it."""
    with transaction.atomic():
        return log_action(**kwargs)


def entry_hash(entry: AuditEntry) -> str:
    """The entry's HMAC-SHA256 (hex) under the installation's audit key."""
    return keyed_hash(canonical(entry.hashed_fields()))


def legacy_hash(entry: AuditEntry) -> str:
    """The unkeyed SHA-256 that Traguardo wrote before the audit key (accepted by
    ``verify_audit`` only up to the "legacy" checkpoint: ``audit_checkpoint --voci-precedenti``)."""
    return hashlib.sha256(canonical(entry.hashed_fields()).encode()).hexdigest()


def keyed_hash(text: str) -> str:
    return hmac.new(settings.AUDIT_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def canonical(value) -> str:
    """One spelling of a JSON value: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def json_safe(value):
    """Plain JSON: Decimals, dates and other objects as strings, tuples as lists."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_safe(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)  # Decimal, model instance, lazy string…


def _authority_of(obj):
    if obj._meta.label_lower == "organization.authority":
        return obj
    return getattr(obj, "authority_id", None)


def _name(user) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full} ({user.get_username()})" if full else user.get_username()


def field_values(obj: models.Model, names) -> dict:
    """The named fields of a row, readable (a foreign key as its row's label), for before/after."""
    return json_safe({name: getattr(obj, name) for name in names})


def log_refusal(user: User, permission: str, obj: object = None) -> None:
    """A permission refused to a user: who, which permission, on what.

    The refused action's transaction (if any) is rolled back, so the entry is written in a
    short transaction of its own; ``require`` and the views check before opening one.
    """
    is_row = isinstance(obj, models.Model)
    log_separately(
        actor=user,
        action="auth.permission_denied",
        obj=obj if is_row else None,
        after={"permission": permission},
    )
