"""The evaluated person accepts the evaluation in one tab and asks its review in another at
the same moment, through a real server: the conditional UPDATE lets exactly one step through;
the other is refused with what the evaluation is now, and one audit entry is written."""

import re
import threading

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.evaluation.conftest import rate
from tests.factories import PASSWORD
from tests.web.test_concurrency import Browser
from traguardo.audit.models import AuditEntry
from traguardo.evaluation.models import Evaluation

State = Evaluation.State


def login(browser: Browser, username: str) -> None:
    _status, page = browser.request("/accesso/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
    assert browser.request("/accesso/", data)[0] == 302


@pytest.mark.django_db(transaction=True)
def test_accepting_and_asking_a_review_at_once_moves_the_evaluation_once(
    live_server, year, employee
):
    own = year["own"]
    rate(own, 4, 4, state=State.DELIVERED, review_until=timezone.localdate())
    page = f"/enti/comune-prova/valutazioni/scheda/{own.pk}/"
    tabs = {"accetta": Browser(live_server.url), "revisione": Browser(live_server.url)}
    tokens = {}
    for action, tab in tabs.items():
        login(tab, employee.username)
        status, html = tab.request(page)
        assert status == 200
        assert f"{page}passo/{action}/" in html
        tokens[action] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    barrier = threading.Barrier(2)
    results: dict[str, tuple[int, str]] = {}

    def take(action: str) -> None:
        data = {"csrfmiddlewaretoken": tokens[action], "reasons": "Non concordo"}
        barrier.wait()
        results[action] = tabs[action].request(f"{page}passo/{action}/", data)

    threads = [threading.Thread(target=take, args=(action,)) for action in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _html in results.values()) == [302, 400]
    winner = next(action for action, (status, _html) in results.items() if status == 302)
    loser_page = next(html for status, html in results.values() if status == 400)
    with scopes_disabled():
        evaluation = Evaluation.objects.get(assignment=own)
    expected = State.FINAL if winner == "accetta" else State.REVIEW
    assert evaluation.state == expected
    assert f"La valutazione è «{State(expected).label}»" in loser_page
    steps = AuditEntry.objects.filter(action__in=("evaluation.accetta", "evaluation.revisione"))
    assert list(steps.values_list("action", flat=True)) == [f"evaluation.{winner}"]
