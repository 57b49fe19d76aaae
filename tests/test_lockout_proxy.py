"""The login lockout behind the TLS proxy, through the production middleware stack: the client's
address is read at the position of the trusted proxies, and a username is locked after
``LOCKOUT_USERNAME_LIMIT`` failures from any addresses, so rotating X-Forwarded-For does not buy
more guesses, nor does a spoofed address lock its owner out."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import PASSWORD
from traguardo.audit.models import AuditEntry
from traguardo.core.middleware import client_ip

pytestmark = pytest.mark.django_db

WRONG = "password-sbagliata-123"
NGINX = "127.0.0.1"


@pytest.fixture
def production(settings):
    """What TRAGUARDO_PRODUCTION=1 sets for the request path, behind one proxy (nginx)."""
    settings.AXES_ENABLED = True
    settings.PROXY_COUNT = 1
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


def attempt(password: str, forwarded_for: str, username: str = "admin"):
    client = Client(REMOTE_ADDR=NGINX)
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        HTTP_X_FORWARDED_FOR=forwarded_for,
        HTTP_X_FORWARDED_PROTO="https",
    )


def test_rotating_forwarded_addresses_do_not_buy_more_guesses(production, admin):
    statuses = [attempt(WRONG, f"203.0.113.{i}").status_code for i in range(1, 13)]
    # Each address fails once only: the username's own count locks it at the tenth.
    assert statuses == [200] * 9 + [429] * 3
    response = attempt(PASSWORD, "203.0.113.13")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Accesso temporaneamente bloccato" in page
    assert "Riprovare tra 15 minuti, dalle" in page


def test_one_address_is_stopped_after_five(production, admin):
    statuses = [attempt(WRONG, "203.0.113.9").status_code for _ in range(6)]
    assert statuses == [200] * 4 + [429] * 2
    # The owner, from another address, still logs in: five failures do not lock the username.
    assert attempt(PASSWORD, "198.51.100.7").status_code == 302


def test_a_spoofed_address_does_not_lock_out_its_owner(production, admin):
    victim = "198.51.100.7"
    # The attacker writes the victim's address first; the proxy appends the attacker's own.
    for _ in range(6):
        attempt(WRONG, f"{victim}, 203.0.113.66")
    assert attempt(PASSWORD, victim).status_code == 302


def test_the_failed_login_is_audited_with_the_clients_address(production, admin):
    attempt(WRONG, "10.9.8.7, 203.0.113.5")
    entry = AuditEntry.objects.filter(action="auth.login_failed").latest("id")
    assert entry.after == {"username": "admin", "ip": "203.0.113.5"}


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "192.0.2.1"),  # no proxy: the header is the client's own words
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.1, 203.0.113.5", "203.0.113.5"),
        (2, "10.0.0.1, 203.0.113.5, 192.0.2.200", "203.0.113.5"),
        (2, "203.0.113.5", "192.0.2.1"),  # fewer entries than proxies: the direct peer
        (1, "not-an-address", "192.0.2.1"),
        (1, "", "192.0.2.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_read_at_the_trusted_proxies_position(
    settings, count, forwarded, expected
):
    settings.PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
