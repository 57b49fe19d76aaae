"""What every setup action shares: the permission, the checks of a field, the audited write."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.audit.log import field_values, log_action
from traguardo.core.domain import DomainError
from traguardo.core.models import AuthorityScoped
from traguardo.scoring import format_decimal

PERMISSION = "organization.manage_setup"
HUNDRED = Decimal(100)


def required(value: str, field_name: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise DomainError(message, field=field_name)
    return value


def own(authority_id: int, obj: AuthorityScoped | None, field_name: str) -> None:
    """Refuse a choice that belongs to another authority (never say what it is)."""
    if obj is not None and obj.authority_id != authority_id:
        raise DomainError(_("Scelta non valida: non appartiene a questo ente."), field=field_name)


def percent_in_range(value: Decimal, field_name: str, label: str) -> None:
    if not Decimal(0) <= value <= HUNDRED:
        raise DomainError(
            _("%(label)s deve essere tra 0 e 100.") % {"label": label}, field=field_name
        )


def number(value: Decimal) -> str:
    places = 0 if value == value.to_integral_value() else 2
    return format_decimal(value, places)


def logged_write(action: str, obj, *, actor: User, fields, write, data):
    """``write(obj, data)`` and its audit entry (before: the row as it was, if it existed)."""
    before = field_values(obj, fields) if obj.pk is not None else None
    obj = write(obj, data)
    log_action(actor=actor, action=action, obj=obj, before=before, after=field_values(obj, fields))
    return obj


def logged_delete(action: str, obj, *, actor: User, fields) -> None:
    log_action(actor=actor, action=action, obj=obj, before=field_values(obj, fields))
    obj.delete()
