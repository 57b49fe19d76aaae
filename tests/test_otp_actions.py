"""The second factor's actions (accounts.otp): each writes the device and its audit entry in
one transaction — an entry per action, and nothing written when the entry cannot be."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.test_otp import actions, code, wrong
from traguardo.accounts import otp
from traguardo.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def verified(request) -> bool:
    """Whether the session records a device that accepted a code (``user.is_verified()``)."""
    return DEVICE_ID_SESSION_KEY in request.session


def request_of(user):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.7")
    request.session = SessionStore()
    request.user = user
    return request


@pytest.fixture
def audit_fails(monkeypatch):
    """The audit write refuses (a full disk, a lost connection…)."""

    def refuse(**_kwargs):
        raise RuntimeError("audit write refused")

    monkeypatch.setattr(otp, "log_action", refuse)


def test_confirming_enrolment_confirms_the_device_and_records_it(no_throttle, manager_a):
    pending = otp.pending_device(manager_a)
    request = request_of(manager_a)
    assert otp.confirm_device(request, pending, code(pending), actor=manager_a) == ""
    assert list(TOTPDevice.objects.filter(user=manager_a).values_list("pk", "confirmed")) == [
        (pending.pk, True)
    ]
    assert actions(manager_a) == ["auth.otp_enabled"]
    assert verified(request)


def test_a_wrong_code_confirms_nothing_and_records_nothing(no_throttle, manager_a):
    pending = otp.pending_device(manager_a)
    refused = otp.confirm_device(request_of(manager_a), pending, wrong(pending), actor=manager_a)
    assert refused.startswith("Codice non valido")
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed is False
    assert actions(manager_a) == []


def test_enrolment_is_not_confirmed_when_its_entry_cannot_be_written(
    no_throttle, manager_a, audit_fails
):
    pending = otp.pending_device(manager_a)
    request = request_of(manager_a)
    with pytest.raises(RuntimeError):
        otp.confirm_device(request, pending, code(pending), actor=manager_a)
    assert TOTPDevice.objects.get(pk=pending.pk).confirmed is False
    assert not AuditEntry.objects.filter(action__startswith="auth.otp").exists()
    assert not verified(request)


@pytest.fixture
def device(manager_a):
    return TOTPDevice.objects.create(user=manager_a, name="Traguardo", confirmed=True)


def test_turning_off_removes_the_devices_and_records_it(no_throttle, manager_a, device):
    assert otp.disable_device(device, code(device), actor=manager_a) == ""
    assert not TOTPDevice.objects.filter(user=manager_a).exists()
    assert actions(manager_a) == ["auth.otp_disabled"]


def test_turning_off_with_a_wrong_code_keeps_the_device_and_records_the_failure(
    no_throttle, manager_a, device
):
    assert otp.disable_device(device, wrong(device), actor=manager_a)
    assert TOTPDevice.objects.filter(user=manager_a, confirmed=True).count() == 1
    assert actions(manager_a) == ["auth.otp_failed"]


def test_the_device_stays_when_turning_off_cannot_be_recorded(
    no_throttle, manager_a, device, audit_fails
):
    with pytest.raises(RuntimeError):
        otp.disable_device(device, code(device), actor=manager_a)
    assert TOTPDevice.objects.filter(user=manager_a, confirmed=True).count() == 1


def test_the_code_after_the_password_verifies_the_session_and_records_the_address(
    no_throttle, manager_a, device
):
    request = request_of(manager_a)
    assert otp.verify_login(request, device, wrong(device), actor=manager_a)
    assert not verified(request)
    assert otp.verify_login(request, device, code(device), actor=manager_a) == ""
    assert verified(request)
    entries = AuditEntry.objects.filter(actor=manager_a, action__startswith="auth.otp")
    assert [(e.action, e.after) for e in entries.order_by("id")] == [
        ("auth.otp_failed", {"ip": "192.0.2.7"}),
        ("auth.otp_ok", {"ip": "192.0.2.7"}),
    ]


def test_behind_the_proxy_the_entry_records_the_client_not_the_proxy(
    settings, no_throttle, manager_a, device
):
    settings.PROXY_COUNT = 1
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.23"
    )
    request.session = SessionStore()
    request.user = manager_a
    assert otp.verify_login(request, device, wrong(device), actor=manager_a)
    entry = AuditEntry.objects.get(actor=manager_a, action="auth.otp_failed")
    assert entry.after == {"ip": "198.51.100.23"}
