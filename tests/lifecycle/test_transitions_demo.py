"""The plan's lifecycle on the demo plan (the seed, its demo accounts: ``demo``): the schede
that fail their checks block the approval, in the domain and on the plan page. Apart from
tests/lifecycle/test_transitions.py, whose module-wide personas share the demo accounts'
usernames."""

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests.lifecycle.conftest import entries_since, in_state, last_id
from tests.lifecycle.test_transitions import ACT, url
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.accounts.models import User
from traguardo.core.domain import InvalidData
from traguardo.planning.domain import lifecycle
from traguardo.planning.models import Objective, Plan

pytestmark = pytest.mark.django_db


def test_the_demo_plan_is_not_approved_while_four_schede_fail_their_checks(demo):
    plan = demo
    with scope(authority=plan.authority):
        admin = User.objects.get(username="admin")
        in_state(plan, Plan.State.SUBMITTED)
        since = last_id()
        with pytest.raises(InvalidData) as error:
            lifecycle.approve_plan(plan, actor=admin, **ACT)
        assert Plan.objects.get(pk=plan.pk).state == Plan.State.SUBMITTED
        assert entries_since(since) == []
        failing = list(Objective.objects.filter(position__in=(6, 9, 10, 11)).order_by("position"))
        lines = [message for field, message in error.value.errors if field == "schede"]
        assert len(lines) == 4
        for line, objective in zip(lines, failing, strict=True):
            if objective.code == "10":  # two schede share it: their places tell them apart
                assert line.startswith(
                    f"Scheda 10 «{objective.title}» (scheda n. {objective.position}): "
                )
            elif objective.code:
                assert line.startswith(f"Scheda {objective.code} «{objective.title}»: ")
            else:  # card 6 has neither code nor title
                assert line.startswith(f"Scheda n. {objective.position} (senza codice): ")
            assert ".;" not in line and ".." not in line and line.endswith(".")
    assert any("Il codice «10» è usato anche" in line for line in lines)
    assert not any("Scheda senza denominazione" in line for line in lines)


def test_the_demo_plan_page_lists_the_schede_that_block_the_approval(client, demo):
    plan = demo
    with scopes_disabled():
        in_state(plan, Plan.State.SUBMITTED)
    assert client.login(username="admin", password=DEMO_PASSWORD)
    page = client.get(reverse("plan_detail", args=[plan.authority.slug, plan.year]))
    html = page.content.decode()
    assert "Approva il piano: non ancora possibile." in html
    assert "4 schede non superano i controlli" in html
    # Each scheda by its code (or its place), each error linked to its field in the editor.
    assert "Scheda n. 6 (senza codice):" in html
    assert "Scheda 6 «" not in html and ".;" not in html
    with scopes_disabled():
        card = Objective.objects.get(plan=plan, position=6)
        edit = reverse("objective_edit", args=[plan.authority.slug, card.pk])
    assert f'<a href="{edit}#campo-' in html
    assert url(plan, "approva") not in html
    # Posting anyway is refused, with the schede listed next to the form.
    response = client.post(
        url(plan, "approva"),
        {"act_type": "Delibera di Giunta", "act_number": "17", "act_date": "2019-02-05"},
    )
    assert response.status_code == 400
    refused = response.content.decode()
    assert "Il codice «10» è usato anche" in refused
    assert "Scheda n. 6 (senza codice):" in refused  # the same linked list as the panel
    assert f'<a href="{edit}#campo-' in refused and ".;" not in refused
