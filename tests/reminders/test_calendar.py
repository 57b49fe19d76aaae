"""The calendar page (issue, show once, revoke) and the private feed it links to."""

import hashlib
import re
from datetime import date
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.factories import (
    PASSWORD,
    ActivityFactory,
    IndicatorFactory,
    MeasurementFactory,
    MembershipFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from tests.reminders.ical_reader import read_calendar
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.accounts.models import CalendarToken, User
from traguardo.monitoring.reminders import deadlines_for_user, issue_calendar_token
from traguardo.planning.models import Indicator

pytestmark = pytest.mark.django_db

MEMBERS = ("admin", "manager_a", "manager_b", "contributor", "evaluator", "viewer")
FEED_URL = re.compile(r'value="(http://testserver/calendario/[\w-]+\.ics)"')


def page_url(authority) -> str:
    return reverse("calendar", kwargs={"authority": authority.slug})


def revoke_url(authority) -> str:
    return reverse("calendar_revoke", kwargs={"authority": authority.slug})


def feed_path(token: str) -> str:
    return reverse("calendar_feed", kwargs={"token": token})


def create_link(client, authority) -> str:
    """Ask the page for a link and read it off the answer, as the user copies it."""
    response = client.post(page_url(authority))
    assert response.status_code == 200
    return unescape(FEED_URL.search(response.content.decode()).group(1))


def login(client, user):
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)


# -- the demo plan: Giancarlo Serrao's feed -------------------------------------------------


@pytest.fixture
def serrao_feed(demo, client):
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    return create_link(client, demo)


def test_the_feed_has_one_all_day_event_per_deadline(demo, serrao_feed):
    response = Client().get(serrao_feed)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=900"
    feed = read_calendar(response.content.decode())
    serrao = User.objects.get(username="serrao")
    expected = deadlines_for_user(serrao, demo, timezone.localdate())
    assert len(expected) == 24  # every deadline of the Settore II's schede in the seed
    assert [e["UID"] for e in feed.events] == [f"{d.uid}@traguardo" for d in expected]
    assert [e["DTSTART;VALUE=DATE"] for e in feed.events] == [
        d.due_on.strftime("%Y%m%d") for d in expected
    ]
    assert feed.properties["X-WR-CALNAME"] == "Scadenze – Comune di Esempio"
    assert all(re.fullmatch(r"\d{8}T\d{6}Z", e["DTSTAMP"]) for e in feed.events)


def test_the_sintel_event(demo, serrao_feed):
    with scopes_disabled():
        sintel = Indicator.objects.get(name="Prima procedura di gara SINTEL")
    feed = read_calendar(Client().get(serrao_feed).content.decode())
    [event] = [
        e for e in feed.events if e["UID"] == f"indicator-{sintel.pk}-f-2019-09-30@traguardo"
    ]
    # Seen as of min(today, 31/12/2019): the plan of 2019 has no period yet.
    days_late = (min(timezone.localdate(), date(2019, 12, 31)) - date(2019, 9, 30)).days
    when = "" if timezone.localdate() <= date(2019, 12, 31) else " al 31 dicembre 2019"
    path = reverse("objective_detail", kwargs={"authority": demo.slug, "pk": sintel.objective_id})
    assert event == {
        "UID": f"indicator-{sintel.pk}-f-2019-09-30@traguardo",
        "DTSTAMP": event["DTSTAMP"],
        "DTSTART;VALUE=DATE": "20190930",
        "DTEND;VALUE=DATE": "20191001",
        "SUMMARY": "Scadenza: Prima procedura di gara SINTEL",
        "DESCRIPTION": "Scheda: 2 – Piattaforma e-procurement SINTEL\n"
        "Indicatore: Prima procedura di gara SINTEL\n"
        f"Stato: in ritardo di {days_late} giorni{when}",
        "URL": f"http://testserver{path}",
        "TRANSP": "TRANSPARENT",
    }


@pytest.mark.parametrize(
    ("completed_on", "state"),
    [
        (date(2019, 9, 20), "completata il 20 settembre 2019"),
        (date(2019, 10, 2), "completata il 2 ottobre 2019, con 2 giorni di ritardo"),
    ],
)
def test_a_completed_deadline_says_when(demo, serrao_feed, completed_on, state):
    with scopes_disabled():
        sintel = Indicator.objects.get(name="Prima procedura di gara SINTEL")
        period = MonitoringPeriodFactory(
            plan=sintel.objective.plan, reference_date=date(2019, 12, 31)
        )
        MeasurementFactory(period=period, indicator=sintel, completed_on=completed_on)
    feed = read_calendar(Client().get(serrao_feed).content.decode())
    [event] = [
        e for e in feed.events if e["UID"] == f"indicator-{sintel.pk}-f-2019-09-30@traguardo"
    ]
    assert event["DESCRIPTION"].splitlines()[-1] == f"Stato: {state}"


def test_long_lines_are_folded_at_75_octets(demo, serrao_feed):
    """The seed's long titles (with accents) need folding; the reader checks every line."""
    feed = read_calendar(Client().get(serrao_feed).content.decode())
    assert any(line.startswith(" ") for line in feed.lines)
    titles = [e["SUMMARY"] for e in feed.events]
    assert max(len(t.encode()) for t in titles) > 75


def test_the_feed_needs_no_session_and_sets_no_cookie(demo, serrao_feed):
    response = Client().get(serrao_feed)
    assert response.status_code == 200
    assert response.cookies == {}
    assert "Cookie" not in response.get("Vary", "")


def test_the_feed_answers_get_only(demo, serrao_feed):
    assert Client().post(serrao_feed).status_code == 405


# -- tokens --------------------------------------------------------------------------------


def test_only_the_hash_of_the_token_is_stored_and_the_link_is_shown_once(demo, client, serrao_feed):
    token = serrao_feed.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes
    [stored] = CalendarToken.objects.all()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    again = client.get(page_url(demo)).content.decode()
    assert token not in again
    assert "Ha un collegamento attivo" in again


@pytest.mark.parametrize("token", ["sbagliato", "A" * 43])
def test_an_unknown_token_is_not_found(demo, serrao_feed, token):
    assert Client().get(feed_path(token)).status_code == 404


def test_a_revoked_token_is_not_found(demo, client, serrao_feed):
    response = client.post(revoke_url(demo))

    assert response.status_code == 302
    assert response["Location"] == page_url(demo)
    assert Client().get(serrao_feed).status_code == 404
    page = client.get(page_url(demo)).content.decode()
    assert "Collegamento revocato" in page
    assert "Non ha un collegamento attivo." in page


def test_a_new_link_replaces_the_old_one(demo, client, serrao_feed):
    new = create_link(client, demo)

    assert new != serrao_feed
    assert Client().get(serrao_feed).status_code == 404
    assert Client().get(new).status_code == 200
    assert CalendarToken.objects.active().count() == 1


def test_the_link_stops_when_the_user_is_no_longer_a_member(demo, serrao_feed):
    User.objects.get(username="serrao").memberships.all().delete()
    assert Client().get(serrao_feed).status_code == 404


def test_the_link_stops_when_the_user_is_deactivated(demo, serrao_feed):
    User.objects.filter(username="serrao").update(is_active=False)
    assert Client().get(serrao_feed).status_code == 404


# -- each member sees their own -------------------------------------------------------------


@pytest.fixture
def schede(authority, unit_a, unit_b):
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2019)
        own = {}
        for unit in (unit_a, unit_b):
            objective = ObjectiveFactory(plan=plan, unit=unit, title=f"Obiettivo di {unit}")
            indicator = IndicatorFactory(objective=objective)
            TargetFactory(indicator=indicator, due_date=date(2019, 6, 30))
            activity = ActivityFactory(objective=objective, end_date=date(2019, 11, 15))
            own[unit.name] = {
                f"indicator-{indicator.pk}-f-2019-06-30@traguardo",
                f"activity-{activity.pk}-f-2019-11-15@traguardo",
            }
    return own


def _uids(authority, user) -> set[str]:
    token = issue_calendar_token(user, authority)
    feed = read_calendar(Client().get(feed_path(token)).content.decode())
    return {event["UID"] for event in feed.events}


def test_a_token_shows_only_its_user_s_deadlines(authority, schede, manager_a, manager_b, viewer):
    assert _uids(authority, manager_a) == schede["Settore A"]
    assert _uids(authority, manager_b) == schede["Settore B"]
    assert _uids(authority, viewer) == set()


def test_a_token_is_for_one_authority(authority, other_authority, schede, manager_a):
    """A member of two authorities gets one link per authority, each with its own deadlines."""
    with scopes_disabled():
        MembershipFactory(user=manager_a, authority=other_authority)
    assert _uids(other_authority, manager_a) == set()
    assert _uids(authority, manager_a) == schede["Settore A"]


# -- the page -------------------------------------------------------------------------------


EXPECTED = {**dict.fromkeys(MEMBERS, 200), "outsider": 404, "anonymous": 302}


@pytest.mark.parametrize("persona", [*MEMBERS, "outsider", "anonymous"])
def test_the_page_s_role_matrix(client, personas, authority, persona):
    login(client, personas[persona])
    response = client.get(page_url(authority))
    assert response.status_code == EXPECTED[persona]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", [*MEMBERS, "outsider", "anonymous"])
def test_creating_a_link_role_matrix(client, personas, authority, persona):
    login(client, personas[persona])
    response = client.post(page_url(authority))
    assert response.status_code == EXPECTED[persona]
    assert CalendarToken.objects.count() == (1 if persona in MEMBERS else 0)


def test_the_answer_with_the_link_is_not_cached(client, viewer, authority):
    login(client, viewer)
    response = client.post(page_url(authority))
    assert "no-store" in response["Cache-Control"]


def test_revoking_is_post_only(client, viewer, authority):
    login(client, viewer)
    issue_calendar_token(viewer, authority)
    assert client.get(revoke_url(authority)).status_code == 405
    assert CalendarToken.objects.active().count() == 1


@pytest.mark.parametrize("url", [page_url, revoke_url])
def test_creating_and_revoking_need_the_csrf_token(viewer, authority, url):
    client = Client(enforce_csrf_checks=True)
    login(client, viewer)
    token = issue_calendar_token(viewer, authority)

    assert client.post(url(authority)).status_code == 403

    assert Client().get(feed_path(token)).status_code == 200
    page = client.get(page_url(authority)).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(url(authority), {"csrfmiddlewaretoken": csrf}).status_code in (200, 302)
    assert Client().get(feed_path(token)).status_code == 404


def test_revoking_without_a_link_changes_nothing(client, viewer, authority):
    login(client, viewer)
    response = client.post(revoke_url(authority), follow=True)
    assert "Collegamento revocato" not in response.content.decode()
