"""Two members of the Nucleo validate the same plan at the same moment, through a real server:
the conditional UPDATE lets exactly one of them through; the other is told it is done."""

import re
import threading
from datetime import date

import pytest
from django_scopes import scopes_disabled

from tests.web.test_concurrency import Browser, Page
from tests.web.test_editor import form_data
from traguardo.accounts.demo import create_demo_accounts
from traguardo.accounts.models import Membership, Role, User
from traguardo.audit.models import AuditEntry
from traguardo.imports.seed import load_seed
from traguardo.planning.models import Objective, ObjectiveVersion, Plan

# The audit entries that write a scheda or move the plan.
WRITES = ("objective.update", "objective.create", "plan.submit")
ROUNDS = 20


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


@pytest.mark.django_db(transaction=True)
def test_scenario_7_save_racing_submit_never_lands_on_a_submitted_plan(live_server, settings):
    """The manager saves a scheda while the admin proposes the plan, 20 times over: each save
    either lands before the proposal or is refused; none is written on the proposed plan."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    plan = load_seed().plan
    create_demo_accounts(plan.authority)
    with scopes_disabled():
        objective = Objective.objects.get(plan=plan, position=2)
    edit = f"/enti/comune-esempio/schede/{objective.pk}/modifica/"
    submit = f"/enti/comune-esempio/piani/{plan.year}/stato/proponi/"
    manager, admin = Browser(live_server.url), Browser(live_server.url)
    manager.login("serrao")
    admin.login("admin")
    _status, html = admin.request(f"/enti/comune-esempio/piani/{plan.year}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    outcomes = {"saved before": 0, "refused": 0}
    # 20 rounds, not 50: the race this test is about (the save past its permission check, the
    # proposal committed before the save's conditional write: 400) happened in 21 rounds of 50,
    # then in 10 of 20, on the 2-core machine under load (the others 403: the proposal first),
    # so 20 rounds meet it about 8 times a run and all miss it with a probability near
    # 0.58**20, 2e-5.
    for round_ in range(ROUNDS):
        with scopes_disabled():
            Plan.objects.filter(pk=plan.pk).update(state=Plan.State.DRAFT)
            since = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
            version = Objective.objects.get(pk=objective.pk).version
        status, html = manager.request(edit)
        assert status == 200
        form = form_data(Page(html))
        form["title"] = [f"SINTEL: salvataggio n. {round_}"]
        barrier = threading.Barrier(2)
        results: dict = {}

        def save(data=form, barrier=barrier, results=results) -> None:
            barrier.wait()
            results["save"], results["page"] = manager.request(edit, {**data, "action": "save"})

        def propose(barrier=barrier, results=results) -> None:
            barrier.wait()
            results["submit"] = admin.request(submit, {"csrfmiddlewaretoken": token})[0]

        threads = [threading.Thread(target=save), threading.Thread(target=propose)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        with scopes_disabled():
            entries = list(
                AuditEntry.objects.filter(id__gt=since, action__in=WRITES).order_by("id")
            )
            saved = Objective.objects.get(pk=objective.pk)
            assert Plan.objects.get(pk=plan.pk).state == Plan.State.SUBMITTED
            versions = ObjectiveVersion.objects.filter(objective=objective, version__gt=version)
            kept = list(versions.values_list("version", flat=True))
        actions = [entry.action for entry in entries]
        assert results["submit"] == 302
        if results["save"] == 302:
            # Ordered before: the save, then the proposal; one new version.
            assert actions == ["objective.update", "plan.submit"], round_
            assert (saved.version, saved.title) == (version + 1, form["title"][0])
            assert kept == [version + 1]
            outcomes["saved before"] += 1
        else:
            # Refused (403 before the transaction, 400 inside it): nothing written.
            assert results["save"] in (400, 403), round_
            if results["save"] == 400:  # the editor comes back with what was typed, and why
                assert "non è più consentita e non è stata eseguita" in results["page"]
            assert actions == ["plan.submit"], round_
            assert saved.version == version and kept == []
            outcomes["refused"] += 1
    assert sum(outcomes.values()) == ROUNDS
