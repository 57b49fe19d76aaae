"""Two members of the Nucleo validate the same plan at the same moment, through a real server:
the conditional UPDATE lets exactly one of them through; the other is told it is done."""

import re
import threading
from datetime import date

import pytest
from django_scopes import scopes_disabled

from tests.web.test_concurrency import Browser
from traguardo.accounts.demo import create_demo_accounts
from traguardo.accounts.models import Membership, Role, User
from traguardo.audit.models import AuditEntry
from traguardo.imports.seed import load_seed
from traguardo.planning.models import Plan


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_validations_validate_once(live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    plan = load_seed().plan
    create_demo_accounts(plan.authority)
    with scopes_disabled():
        Plan.objects.filter(pk=plan.pk).update(state=Plan.State.CLOSED)
        second = User.objects.create_user(username="nucleo2", password="x")
        nucleo = User.objects.get(username="nucleo")
        second.password = nucleo.password  # the demo password
        second.save()
        Membership.objects.create(user=second, authority=plan.authority, role=Role.EVALUATOR)
    review = f"/enti/comune-esempio/piani/{plan.year}/nucleo/"
    action = f"/enti/comune-esempio/piani/{plan.year}/stato/valida/"

    people = {"nucleo": Browser(live_server.url), "nucleo2": Browser(live_server.url)}
    tokens = {}
    for name, person in people.items():
        person.login(name)
        status, html = person.request(review)
        assert status == 200
        assert action in html
        tokens[name] = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    barrier = threading.Barrier(2)
    results: dict[str, tuple[int, str]] = {}

    def validate(name: str) -> None:
        data = {
            "csrfmiddlewaretoken": tokens[name],
            "validated_on": "2020-05-20",
            "minutes": f"Verbale di {name}",
        }
        barrier.wait()
        results[name] = people[name].request(action, data)

    threads = [threading.Thread(target=validate, args=(name,)) for name in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _html in results.values()) == [302, 400]
    winner = next(name for name, (status, _html) in results.items() if status == 302)
    loser_page = next(html for status, html in results.values() if status == 400)
    assert "Il piano è già validato." in loser_page
    with scopes_disabled():
        saved = Plan.objects.get(pk=plan.pk)
        assert (saved.state, saved.validated_on, saved.validation_minutes) == (
            Plan.State.VALIDATED,
            date(2020, 5, 20),
            f"Verbale di {winner}",
        )
        assert saved.validated_by.username == winner
        entries = list(AuditEntry.objects.filter(action="plan.validate"))
    assert [(e.actor.username, e.object_id) for e in entries] == [(winner, str(plan.pk))]
