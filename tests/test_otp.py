"""The TOTP second factor: enrolment, the code after the password, the policy by role."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from traguardo.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

REFUSED = "Codice non valido"
THROTTLED = "Troppi codici sbagliati"


@pytest.fixture
def no_throttle(settings):
    """django-otp waits 1 s after a wrong code before it accepts another one."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def policy_on(settings):
    settings.OTP_REQUIRED_ROLES = ["admin", "evaluator"]


def code(device: TOTPDevice, drift: int = 0) -> str:
    device.refresh_from_db()
    return str(totp(device.bin_key, step=device.step, digits=device.digits, drift=drift)).zfill(
        device.digits
    )


def wrong(device: TOTPDevice) -> str:
    right = {code(device, drift) for drift in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def plans_url(authority) -> str:
    return reverse("plan_list", kwargs={"authority": authority.slug})


def password_login(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def actions(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(actor=user, action__startswith="auth.otp")
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- settings -----------------------------------------------------------------------------


def test_the_otp_settings(settings):
    assert "django_otp.plugins.otp_totp" in settings.INSTALLED_APPS
    middleware = settings.MIDDLEWARE
    assert middleware.index("django_otp.middleware.OTPMiddleware") == (
        middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    )
    assert middleware.index(
        "traguardo.accounts.middleware.OTPRequiredMiddleware"
    ) > middleware.index("django_otp.middleware.OTPMiddleware")
    # Outside production (the demo, the tests) nobody is required to have a device.
    assert not settings.PRODUCTION
    assert settings.OTP_REQUIRED_ROLES == []


# --- enrolment ----------------------------------------------------------------------------


def test_enrolment_shows_a_key_and_a_valid_code_confirms_the_device(client, manager_a):
    client.force_login(manager_a)
    page = client.get(reverse("otp_setup")).content.decode()
    device = TOTPDevice.objects.get(user=manager_a)
    assert not device.confirmed
    secret = re.search(r'id="chiave-otp"[^>]*value="([A-Z2-7 ]+)"', page)
    assert secret is not None
    groups = secret.group(1).split()
    assert all(len(group) == 4 for group in groups[:-1])
    assert "otpauth://totp/Traguardo%3Amanager_a?secret=" in page
    assert "manualmente" in page
    # A reload keeps the same key.
    assert secret.group(1) in client.get(reverse("otp_setup")).content.decode()

    response = client.post(reverse("otp_setup"), {"action": "confirm", "code": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # The session that confirmed is verified: pages open at once.
    assert client.get(plans_url(manager_a.memberships.get().authority)).status_code == 200
    page = client.get(reverse("otp_setup")).content.decode()
    assert "La verifica in due passaggi è attiva." in page
    assert "chiave-otp" not in page  # the key is not shown again
    assert actions(manager_a) == ["auth.otp_enabled"]


def test_a_wrong_code_does_not_confirm_the_device(client, manager_a):
    client.force_login(manager_a)
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=manager_a)
    response = client.post(reverse("otp_setup"), {"action": "confirm", "code": wrong(device)})
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    response = client.post(reverse("otp_setup"), {"action": "confirm", "code": "12ab"})
    assert "Troppi codici sbagliati" in response.content.decode()  # still throttled


# --- the code after the password ----------------------------------------------------------


@pytest.fixture
def device(manager_a):
    return TOTPDevice.objects.create(user=manager_a, name="Traguardo", confirmed=True)


def test_with_a_device_pages_wait_for_the_code(no_throttle, device, manager_a, authority):
    client = password_login(manager_a)
    response = client.get(plans_url(authority))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_verify") + "?next=")
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))
    assert client.get(reverse("otp_setup"))["Location"].startswith(reverse("otp_verify"))
    assert "Verifica in due passaggi" in client.get(reverse("otp_verify")).content.decode()

    response = client.post(
        reverse("otp_verify"), {"code": wrong(device), "next": plans_url(authority)}
    )
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert client.get(plans_url(authority)).status_code == 302

    response = client.post(
        reverse("otp_verify"), {"code": code(device), "next": plans_url(authority)}
    )
    assert response.status_code == 302
    assert response["Location"] == plans_url(authority)
    assert client.get(plans_url(authority)).status_code == 200
    assert actions(manager_a) == ["auth.otp_failed", "auth.otp_ok"]

    # A new login asks for the code again.
    client.post(reverse("logout"))
    client = password_login(manager_a)
    assert client.get(plans_url(authority)).status_code == 302


def test_public_pages_need_no_code(no_throttle, device, manager_a, authority):
    """The transparency pages answer a logged-in user who has not given the code yet."""
    client = password_login(manager_a)
    public = reverse("public_home", kwargs={"authority": authority.slug})
    assert client.get(public).status_code == 200
    assert client.get(plans_url(authority)).status_code == 302


def test_wrong_codes_are_throttled(device, manager_a, authority):
    client = password_login(manager_a)
    client.post(reverse("otp_verify"), {"code": wrong(device)})
    response = client.post(reverse("otp_verify"), {"code": code(device)})
    assert THROTTLED in response.content.decode()
    assert client.get(plans_url(authority)).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # a refused attempt while waiting is not tried


def test_the_next_page_must_be_on_this_site(no_throttle, device, manager_a):
    client = password_login(manager_a)
    response = client.post(
        reverse("otp_verify"), {"code": code(device), "next": "https://esempio.example/"}
    )
    assert response["Location"] == reverse("home")


def test_an_htmx_request_is_sent_to_the_code_page_as_a_whole(device, manager_a, authority):
    client = password_login(manager_a)
    response = client.get(plans_url(authority), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("otp_verify"))


def test_disabling_needs_a_current_code(no_throttle, device, manager_a, authority):
    client = password_login(manager_a)
    client.post(reverse("otp_verify"), {"code": code(device)})
    response = client.post(reverse("otp_setup"), {"action": "disable", "code": wrong(device)})
    assert REFUSED in response.content.decode()
    assert TOTPDevice.objects.filter(user=manager_a).exists()
    response = client.post(reverse("otp_setup"), {"action": "disable", "code": code(device, 1)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=manager_a).exists()
    assert client.get(plans_url(authority)).status_code == 200
    assert "auth.otp_disabled" in actions(manager_a)


def test_without_a_device_the_code_page_says_so(client, manager_a):
    client.force_login(manager_a)
    response = client.get(reverse("otp_verify"))
    assert response.status_code == 200
    assert "non è attiva" in response.content.decode()


# --- the policy ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "evaluator"])
def test_policy_on_sends_admins_and_evaluators_to_enrolment(
    policy_on, personas, authority, persona
):
    client = Client()
    client.force_login(personas[persona])
    for url in (reverse("home"), plans_url(authority), reverse("otp_verify")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("otp_setup")
    page = client.get(reverse("otp_setup"))
    assert page.status_code == 200
    assert "Il Suo ruolo" in page.content.decode()
    assert client.post(reverse("logout")).status_code == 302


def test_policy_on_lets_an_enrolled_admin_in_after_the_code(policy_on, admin, authority):
    client = Client()
    client.force_login(admin)
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=admin)
    client.post(reverse("otp_setup"), {"action": "confirm", "code": code(device)})
    assert client.get(plans_url(authority)).status_code == 200
    # The next login: the code page, not enrolment.
    client = password_login(admin)
    assert client.get(plans_url(authority))["Location"].startswith(reverse("otp_verify"))


def test_policy_on_does_not_force_a_manager(policy_on, manager_a, viewer, authority):
    for user in (manager_a, viewer):
        client = Client()
        client.force_login(user)
        assert client.get(plans_url(authority)).status_code == 200


def test_policy_off_forces_nobody(admin, evaluator, authority):
    for user in (admin, evaluator):
        client = Client()
        client.force_login(user)
        assert client.get(plans_url(authority)).status_code == 200
