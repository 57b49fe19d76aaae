"""Two people save the same scheda at the same moment, through a real server.

Each request runs in its own server thread with its own database connection; the version
checked in the UPDATE lets exactly one of them win, and the other gets the conflict page.
Runs on SQLite and on PostgreSQL (CI's second pass).
"""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django_scopes import scopes_disabled

from tests.web.test_editor import form_data
from traguardo.accounts.demo import DEMO_PASSWORD, create_demo_accounts
from traguardo.imports.seed import load_seed
from traguardo.planning.models import Objective


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A person with a session: cookies, CSRF token, no redirect following."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect
        )

    def request(self, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 (the live server's http:// URL)
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()
        return response.status, response.read().decode()

    def login(self, username: str) -> None:
        _status, page = self.request("/accesso/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _page = self.request(
            "/accesso/",
            {"csrfmiddlewaretoken": token, "username": username, "password": DEMO_PASSWORD},
        )
        assert status == 302


class Page:
    """Adapts a (status, html) pair to what ``form_data`` reads."""

    def __init__(self, html: str) -> None:
        self.content = html.encode()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_one_wins_the_other_sees_the_conflict(live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    report = load_seed()
    create_demo_accounts(report.plan.authority)
    with scopes_disabled():
        objective = Objective.objects.get(position=2)
    path = f"/enti/comune-esempio/schede/{objective.pk}/modifica/"

    people = {"admin": Browser(live_server.url), "serrao": Browser(live_server.url)}
    forms = {}
    for name, person in people.items():
        person.login(name)
        status, html = person.request(path)
        assert status == 200
        forms[name] = form_data(Page(html))
    forms["admin"]["title"] = ["SINTEL: titolo dell'amministratore"]
    forms["serrao"]["title"] = ["SINTEL: titolo del dirigente"]

    barrier = threading.Barrier(2)
    results: dict[str, tuple[int, str]] = {}

    def save(name: str) -> None:
        barrier.wait()
        results[name] = people[name].request(path, {**forms[name], "action": "save"})

    threads = [threading.Thread(target=save, args=(name,)) for name in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _html in results.values())
    assert statuses == [302, 409]
    winner = next(name for name, (status, _html) in results.items() if status == 302)
    loser_page = next(html for status, html in results.values() if status == 409)
    with scopes_disabled():
        saved = Objective.objects.get(pk=objective.pk)
    assert saved.title == forms[winner]["title"][0]
    assert saved.version == 2
    assert forms[winner]["title"][0].replace("'", "&#x27;") in loser_page
