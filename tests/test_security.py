"""Login lockout, session limits, session key rotation at login, CSRF on the forms."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD
from traguardo.core.middleware import LOGIN_AT, SEEN_AT
from traguardo.planning.models import Plan

pytestmark = pytest.mark.django_db

WRONG = "password-sbagliata-123"
LOCKED = "Accesso temporaneamente bloccato"


def plans_url(authority) -> str:
    return reverse("plan_list", kwargs={"authority": authority.slug})


def attempt(client: Client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


# --- login lockout ------------------------------------------------------------------------


@pytest.fixture
def lockout(settings):
    """The suite runs without django-axes (the test client's login() passes no request)."""
    settings.AXES_ENABLED = True


def test_the_lockout_settings():
    assert django_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert django_settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert django_settings.AXES_FAILURE_LIMIT == 5
    cool_off = django_settings.AXES_COOLOFF_TIME
    assert cool_off == timedelta(minutes=15)
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "username"]
    assert django_settings.LOCKOUT_USERNAME_LIMIT == 10
    assert django_settings.AXES_RESET_ON_SUCCESS is True


def lock_out(client: Client, username: str) -> None:
    for _ in range(4):
        response = attempt(client, username, WRONG)
        assert response.status_code == 200
        assert "Nome utente o password non corretti." in response.content.decode()
    attempt(client, username, WRONG)  # the fifth failure locks


def test_five_failures_lock_the_user_out_even_with_the_right_password(lockout, admin):
    client = Client()
    lock_out(client, "admin")
    response = attempt(client, "admin", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "dopo 5 tentativi sbagliati" in page
    retry_at = timezone.localtime(timezone.now() + timedelta(minutes=15))
    assert "Riprovare tra 15 minuti, dalle" in page
    assert retry_at.strftime("%H:") in page
    assert not logged_in(client)
    assert client.get(reverse("home")).status_code == 302  # still anonymous


def test_the_lockout_is_per_username_and_address(lockout, admin, viewer):
    lock_out(Client(), "admin")
    # Another user from the same address logs in.
    other = Client()
    assert attempt(other, "viewer", PASSWORD).status_code == 302
    assert logged_in(other)
    # The same user from another address logs in.
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert attempt(elsewhere, "admin", PASSWORD).status_code == 302
    assert logged_in(elsewhere)
    # From the locked address, the locked user is still refused.
    assert attempt(Client(), "admin", PASSWORD).status_code == 429


def test_fewer_failures_do_not_lock_and_a_success_clears_them(lockout, admin):
    client = Client()
    for _ in range(4):
        attempt(client, "admin", WRONG)
    assert attempt(client, "admin", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="admin").exists()
    client.logout()
    for _ in range(4):  # four more do not lock: the count started again
        attempt(client, "admin", WRONG)
    assert attempt(client, "admin", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(lockout, admin):
    client = Client()
    lock_out(client, "admin")
    assert attempt(client, "admin", PASSWORD).status_code == 429
    # Fourteen minutes later: still locked (the refused attempt above restarted the clock).
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert attempt(client, "admin", PASSWORD).status_code == 429
    # Sixteen minutes after the last attempt: the lock is over.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    assert attempt(client, "admin", PASSWORD).status_code == 302
    assert logged_in(client)


def test_an_admin_can_lift_the_lock(lockout, admin):
    client = Client()
    lock_out(client, "admin")
    assert attempt(client, "admin", PASSWORD).status_code == 429
    reset(username="admin")  # what `python -m traguardo axes_reset_username admin` does
    assert attempt(client, "admin", PASSWORD).status_code == 302


# --- session limits -----------------------------------------------------------------------


def test_the_session_settings():
    assert django_settings.SESSION_COOKIE_AGE == 30 * 60
    # A page view writes nothing: the idle clock is refreshed (and the session saved) at most
    # once a minute, by SessionLimitsMiddleware.
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is False
    assert django_settings.SESSION_IDLE_SECONDS == 30 * 60
    assert django_settings.SESSION_MAX_SECONDS == 12 * 3600


@pytest.fixture
def session_client(admin, authority):
    client = Client()
    client.force_login(admin)
    assert client.get(plans_url(authority)).status_code == 200
    return client


def shift(client: Client, **seconds: float) -> None:
    """Move the session's stored times into the past."""
    session = client.session
    for key, value in seconds.items():
        stored = {"login_at": LOGIN_AT, "seen_at": SEEN_AT}[key]
        session[stored] -= value
    session.save()


def test_the_login_time_is_stored_at_login(session_client):
    session = session_client.session
    now = timezone.now().timestamp()
    assert now - 60 < session[LOGIN_AT] <= now
    assert now - 60 < session[SEEN_AT] <= now


def session_writes(client: Client, url: str) -> list[str]:
    """The statements a GET of ``url`` sends that write the session table."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [
        query["sql"]
        for query in captured.captured_queries
        if "django_session" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_page_views_within_a_minute_write_no_session(session_client, authority):
    key = session_client.cookies[django_settings.SESSION_COOKIE_NAME].value
    seen_at = session_client.session[SEEN_AT]
    for _ in range(2):
        assert session_writes(session_client, plans_url(authority)) == []
    assert session_client.session[SEEN_AT] == seen_at
    assert session_client.cookies[django_settings.SESSION_COOKIE_NAME].value == key


def test_a_page_view_after_a_minute_renews_the_idle_clock_and_expiry(session_client, authority):
    key = session_client.cookies[django_settings.SESSION_COOKIE_NAME].value
    shift(session_client, seen_at=61)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=1))
    writes = session_writes(session_client, plans_url(authority))
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE")
    now = timezone.now().timestamp()
    assert now - 60 < session_client.session[SEEN_AT] <= now
    expires = Session.objects.get(pk=key).expire_date
    assert expires > timezone.now() + timedelta(minutes=29)
    # The cookie is sent again with the new expiry.
    assert session_client.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    # And the next minute writes nothing again.
    assert session_writes(session_client, plans_url(authority)) == []


def test_a_session_idle_for_more_than_30_minutes_ends(session_client, authority):
    shift(session_client, seen_at=29 * 60, login_at=29 * 60)
    assert session_client.get(plans_url(authority)).status_code == 200  # 29 minutes: alive
    shift(session_client, seen_at=31 * 60, login_at=31 * 60)
    response = session_client.get(plans_url(authority))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not logged_in(session_client)
    page = session_client.get(response["Location"]).content.decode()
    assert "La sessione è scaduta per inattività." in page


def test_the_stored_session_expires_too(session_client, authority):
    """Django's own expiry, independent of the middleware's times."""
    key = session_client.cookies[django_settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = session_client.get(plans_url(authority))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_ends_12_hours_after_the_login_however_active(session_client, authority):
    shift(session_client, login_at=11 * 3600 + 59 * 60)  # active all along: alive
    assert session_client.get(plans_url(authority)).status_code == 200
    shift(session_client, login_at=2 * 60)
    response = session_client.get(plans_url(authority))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not logged_in(session_client)
    page = session_client.get(response["Location"]).content.decode()
    assert "La sessione è scaduta: dura al massimo 12 ore." in page


def test_the_limits_follow_the_settings(settings, session_client, admin, authority):
    settings.SESSION_MAX_SECONDS = 600
    shift(session_client, login_at=601)
    assert session_client.get(plans_url(authority)).status_code == 302
    session_client.force_login(admin)
    settings.SESSION_IDLE_SECONDS = 60
    shift(session_client, seen_at=61)
    assert session_client.get(plans_url(authority)).status_code == 302


def test_a_new_login_starts_a_new_12_hours(session_client, admin, authority):
    shift(session_client, login_at=12 * 3600 - 60)
    session_client.post(reverse("logout"))
    assert attempt(session_client, "admin", PASSWORD).status_code == 302
    shift(session_client, seen_at=0)
    assert session_client.get(plans_url(authority)).status_code == 200


def test_a_public_answer_does_not_touch_a_missing_session(authority):
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert django_settings.SESSION_COOKIE_NAME not in response.cookies


# --- session key rotation, CSRF -----------------------------------------------------------


@pytest.mark.parametrize("axes_on", [False, True])
def test_the_session_key_changes_at_login(settings, admin, axes_on):
    settings.AXES_ENABLED = axes_on
    client = Client()
    session = client.session  # an anonymous session, e.g. planted by an attacker
    session["traguardo.prova"] = "anonima"
    session.save()
    before = session.session_key
    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value == before
    assert attempt(client, "admin", PASSWORD).status_code == 302
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert logged_in(client)
    assert not Session.objects.filter(pk=before).exists()


def test_logging_out_ends_the_session(session_client):
    key = session_client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert session_client.post(reverse("logout")).status_code == 302
    assert not Session.objects.filter(pk=key).exists()
    assert not logged_in(session_client)


def test_a_post_without_the_csrf_token_is_refused(admin, authority):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    url = reverse("plan_create", kwargs={"authority": authority.slug})
    data = {"year": 2031, "last_year": 2033, "title": "Piano 2031"}
    response = client.post(url, data)
    assert response.status_code == 403
    assert not Plan.objects.with_scopes_disabled().filter(year=2031).exists()
    # With the token from the form the same POST goes through.
    page = client.get(url)
    token = page.cookies[django_settings.CSRF_COOKIE_NAME].value
    response = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    assert response.status_code != 403


def test_the_login_form_needs_the_csrf_token(admin):
    client = Client(enforce_csrf_checks=True)
    assert attempt(client, "admin", PASSWORD).status_code == 403
    assert not logged_in(client)
