"""The TOTP second factor (django-otp): who must have it, the device of a user, the code.

A user has at most one confirmed TOTP device. Enrolment creates an unconfirmed device (the same
one until it is confirmed, so reloading the page does not change the key); the first valid code
confirms it. A session is "verified" (``request.user.is_verified()``) once ``django_otp.login``
has recorded the device that accepted a code in it.

The pages call the actions at the end (``verify_login``, ``confirm_device``,
``disable_device``): each checks the code, then writes the device and its audit entry in one
transaction, so a device is never confirmed or removed without its entry.
"""

from base64 import b32encode

import django_otp
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from traguardo.accounts.models import Membership, User
from traguardo.audit.log import log_action
from traguardo.core.middleware import client_ip

DEVICE_NAME = "Traguardo"


def otp_required(user) -> bool:
    """Whether the policy requires this user to have a device: a membership in one of the
    roles of ``OTP_REQUIRED_ROLES``, in any authority."""
    roles = list(getattr(settings, "OTP_REQUIRED_ROLES", []) or [])
    if not roles or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=user, role__in=roles).exists()


def session_verified(user: User) -> bool:
    """Whether this session gave a valid code (``mark_verified``)."""
    # django-otp's middleware adds is_verified() to the request's user; the model does not
    # declare it.
    return bool(user.is_verified())  # type: ignore[attr-defined]


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled; a new one (a new key) if there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as base32, in groups of four: what one types into an authenticator app."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def throttled_message(device: TOTPDevice) -> str | None:
    """The Italian message for a device locked after wrong codes, or None if a code may be
    tried now."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    locked_until = (data or {}).get("locked_until")
    if locked_until is not None:
        seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
        return _("Troppi codici sbagliati: attenda %(seconds)s secondi prima di riprovare.") % {
            "seconds": seconds
        }
    return _("Troppi codici sbagliati: attenda qualche secondo prima di riprovare.")


def check_code(device: TOTPDevice, token: str) -> tuple[bool, str]:
    """Verify a code on a device, counting a wrong one in django-otp's throttling.

    Returns (accepted, Italian message when refused). The device row is locked while it is
    checked, so two requests cannot use the same code or race past the throttle.
    """
    token = "".join((token or "").split())
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        message = throttled_message(device)
        if message:
            return False, message
        if not (token.isdigit() and len(token) == device.digits):
            device.throttle_increment(commit=True)
            return False, _("Il codice è di %(digits)s cifre.") % {"digits": device.digits}
        if device.verify_token(token):
            return True, ""
    return False, _("Codice non valido: controlli l'app e inserisca il codice mostrato adesso.")


def mark_verified(request, device: TOTPDevice) -> None:
    """Record in the session that this user gave a valid code (``user.is_verified()``)."""
    django_otp.login(request, device)


def verify_login(request: HttpRequest, device: TOTPDevice, code: str, *, actor: User) -> str:
    """The code asked after the password: when accepted the session is verified; either way
    an audit entry (``auth.otp_ok`` / ``auth.otp_failed``) with the address. Returns the
    Italian message of a refusal, "" when accepted."""
    accepted, message = check_code(device, code)
    ip = client_ip(request) or ""  # the client behind the trusted proxies, as every entry
    if not accepted:
        log_otp_event(actor, "auth.otp_failed", ip=ip)
        return message
    log_otp_event(actor, "auth.otp_ok", ip=ip)
    mark_verified(request, device)
    return ""


def confirm_device(request: HttpRequest, pending: TOTPDevice, code: str, *, actor: User) -> str:
    """Enrolment's end: a valid code confirms the pending device; any other unconfirmed one
    goes and ``auth.otp_enabled`` is recorded, in one transaction; then the session is
    verified with it. Returns the message of a refusal (nothing written), "" when confirmed."""
    accepted, message = check_code(pending, code)
    if not accepted:
        return message
    with transaction.atomic():
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        log_otp_event(actor, "auth.otp_enabled")
    mark_verified(request, pending)
    return ""


def disable_device(device: TOTPDevice, code: str, *, actor: User) -> str:
    """Turning the second factor off takes a current code: then every device of the user
    goes and ``auth.otp_disabled`` is recorded, in one transaction; a wrong code is recorded
    (``auth.otp_failed``). Returns the message of a refusal, "" when turned off."""
    accepted, message = check_code(device, code)
    if not accepted:
        log_otp_event(actor, "auth.otp_failed")
        return message
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).delete()
        log_otp_event(actor, "auth.otp_disabled")
    return ""


def log_otp_event(user: User, action: str, **after: str) -> None:
    """An audit entry for a second-factor event: in the caller's transaction (with the
    change it records), else in one of its own."""
    authority_id = (
        Membership.objects.filter(user=user)
        .order_by("pk")
        .values_list("authority_id", flat=True)
        .first()
    )
    with transaction.atomic():
        log_action(actor=user, action=action, obj=user, authority=authority_id, after=after)
