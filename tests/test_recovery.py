"""Account recovery: an admin sends a one-time password link (24 hours),
resets a second factor, lifts a lockout and ends a person's sessions; anyone ends all their
own sessions. Each is audited; none reaches a person who also works for another authority."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, MembershipFactory
from traguardo.accounts.models import Role
from traguardo.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "una-nuova-password-lunga-42"


def act(client: Client, authority, user, action: str):
    membership = user.memberships.get(authority=authority)
    url = reverse("setup_access_action", args=[authority.slug, membership.pk, action])
    return client.post(url, follow=True)


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def still_in(client: Client, authority) -> bool:
    return client.get(reverse("plan_list", args=[authority.slug])).status_code == 200


def actions_on(user) -> list[str]:
    """The recovery entries about ``user`` (logins left out)."""
    return list(
        AuditEntry.objects.filter(object_id=str(user.pk), object_type="accounts.user")
        .exclude(action="auth.login")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_the_admin_sends_a_one_time_link_and_the_person_chooses_a_password(
    client, admin, manager_a, authority
):
    manager_a.email = "a.alberti@comune.example.it"
    manager_a.save()
    client.force_login(admin)
    page = act(client, authority, manager_a, "password")
    assert "Collegamento per scegliere una nuova password inviato a" in page.content.decode()
    [message] = mail.outbox
    assert message.to == ["a.alberti@comune.example.it"]
    assert "scegli una nuova password" in message.subject
    assert "Il collegamento vale 24 ore e una sola volta." in message.body
    assert PASSWORD not in message.body
    link = re.search(r"http://testserver(/accesso/reimposta/\S+/)", message.body).group(1)

    person = Client()
    form_page = person.get(link, follow=True)
    assert "Scegliere una nuova password" in form_page.content.decode()
    done = person.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    assert Client().login(username="manager_a", password=NEW_PASSWORD)
    assert not Client().login(username="manager_a", password=PASSWORD)
    # Spent: the same link now says so.
    again = Client().get(link, follow=True).content.decode()
    assert "Il collegamento non è valido" in again
    assert actions_on(manager_a) == ["auth.password_reset_sent", "auth.password_reset_done"]
    sent = AuditEntry.objects.get(action="auth.password_reset_sent")
    assert sent.actor == admin and sent.authority == authority


def test_a_link_older_than_24_hours_is_refused(manager_a):
    issued = datetime.now() - timedelta(hours=24, minutes=1)  # naive, as Django's token clock
    token = default_token_generator._make_token_with_timestamp(
        manager_a,
        default_token_generator._num_seconds(issued),
        default_token_generator.secret,
    )
    uid = urlsafe_base64_encode(force_bytes(manager_a.pk))
    page = Client().get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    assert "Il collegamento non è valido: è scaduto (vale 24 ore)" in page.content.decode()


def test_a_person_without_e_mail_gets_no_link(client, admin, viewer, authority):
    client.force_login(admin)
    page = act(client, authority, viewer, "password").content.decode()
    assert "non ha un indirizzo e-mail" in page
    assert mail.outbox == []
    assert actions_on(viewer) == []


def test_the_admin_resets_a_second_factor_and_ends_its_sessions(
    client, admin, evaluator, authority
):
    TOTPDevice.objects.create(user=evaluator, name="telefono", confirmed=True)
    session = Client()
    session.force_login(evaluator)  # a session of the evaluator (as if verified)
    client.force_login(admin)
    page = act(client, authority, evaluator, "secondo-fattore").content.decode()
    assert "Verifica in due passaggi di" in page and "azzerata" in page
    assert not TOTPDevice.objects.filter(user=evaluator).exists()
    assert not still_in(session, authority)
    assert actions_on(evaluator) == ["auth.otp_reset"]


def test_the_admin_lifts_a_lockout(settings, client, admin, viewer, authority):
    settings.AXES_ENABLED = True
    attacker = Client()
    for _ in range(5):
        attacker.post(reverse("login"), {"username": "viewer", "password": "sbagliata-123456"})
    refused = Client().post(reverse("login"), {"username": "viewer", "password": PASSWORD})
    assert refused.status_code == 429
    client.force_login(admin)
    listing = client.get(reverse("setup_access", args=[authority.slug])).content.decode()
    assert "bloccato per troppi tentativi" in listing
    page = act(client, authority, viewer, "sblocca").content.decode()
    assert "sbloccato" in page
    welcome = Client().post(reverse("login"), {"username": "viewer", "password": PASSWORD})
    assert welcome.status_code == 302
    assert "auth.unlock" in actions_on(viewer)


def test_the_admin_ends_every_session_of_a_person(client, admin, viewer, authority):
    office, home = logged_in(viewer), logged_in(viewer)
    client.force_login(admin)
    act(client, authority, viewer, "sessioni")
    assert not still_in(office, authority) and not still_in(home, authority)
    assert still_in(logged_in(viewer), authority)  # a new login works
    assert still_in(client, authority)  # the admin's own session goes on


def test_anyone_leaves_every_device(viewer, admin, authority):
    office, phone, other = logged_in(viewer), logged_in(viewer), logged_in(admin)
    response = office.post(reverse("logout_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not still_in(office, authority) and not still_in(phone, authority)
    assert still_in(other, authority)
    entry = AuditEntry.objects.get(action="auth.sessions_ended")
    assert entry.actor == viewer and entry.authority == authority


def test_no_admin_reaches_a_person_of_another_authority(
    client, admin, viewer, authority, other_authority
):
    MembershipFactory(user=viewer, authority=other_authority, role=Role.ADMIN)
    office = logged_in(viewer)
    client.force_login(admin)
    for action in ("password", "secondo-fattore", "sblocca", "sessioni"):
        page = act(client, authority, viewer, action).content.decode()
        assert "lavora anche per un altro ente" in page, action
    assert still_in(office, authority)
    assert actions_on(viewer) == []


def test_the_admin_page_lists_the_people_and_not_for_others(client, admin, manager_a, authority):
    client.force_login(admin)
    page = client.get(reverse("setup_access", args=[authority.slug])).content.decode()
    assert "manager_a" in page and "Invia collegamento per la password" in page
    client.force_login(manager_a)
    assert client.get(reverse("setup_access", args=[authority.slug])).status_code == 403
    assert act(client, authority, admin, "sessioni").status_code == 403
