"""What every business action shares: the error it raises and the permission check.

A business action is a function ``do_something(obj, *, actor, …)`` that checks the actor's
permission, validates, writes in one transaction and raises ``DomainError`` with an Italian
message when a rule refuses. Views turn the error into a message next to the field.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from traguardo.audit.log import log_refusal

if TYPE_CHECKING:
    # Annotations only: at run time core imports no app (docs/architecture.md).
    from traguardo.accounts.models import User


class DomainError(Exception):
    """A rule refused the action. ``message`` is for the user (Italian); ``field`` says where."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidData(DomainError):
    """Several rules refused the data; ``errors`` pairs a field key with an Italian message."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _field, message in errors))
        self.errors = errors


class ConflictError(DomainError):
    """Someone else saved the same object since the actor loaded it (optimistic locking)."""


def require(actor: "User", permission: str, obj) -> None:
    """Refuse (403) an actor without ``permission`` on ``obj``; the refusal is logged."""
    if not actor.has_perm(permission, obj):
        log_refusal(actor, permission, obj)
        raise PermissionDenied
