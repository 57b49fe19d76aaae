"""The audit log's maintenance switch, keyed to the installation.

The database refuses DELETE on the audit log unless ``audit_maintenance`` holds a row whose
``token`` hashes (SHA-256) to the digest written into the trigger when migration 0003 ran. The
token is an HMAC of a constant under ``settings.AUDIT_KEY``: only code holding the audit key —
our ``flush`` (the test database's teardown, an operator's deliberate wipe of a demo) — can
turn the switch on; a row inserted by someone with only database access does nothing.
"""

import hashlib
import hmac

from django.conf import settings

# The SQLite function the delete trigger calls (registered on every connection of the app; a
# client without it cannot delete from the log at all).
SQLITE_FUNCTION = "traguardo_sha256"


def token() -> str:
    return hmac.new(
        settings.AUDIT_KEY.encode(), b"traguardo audit maintenance switch", hashlib.sha256
    ).hexdigest()


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def register_sqlite_function(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_FUNCTION, 1, _sqlite_sha256, deterministic=True
        )


def _sqlite_sha256(value):
    return digest(str(value)) if value is not None else None
