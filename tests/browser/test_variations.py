"""axe-core on the variazioni and on the side-by-side versions of a scheda."""

from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import (
    SLUG,
    axe_violations,
    date_keys,
    describe_violations,
    login,
    url,
)
from traguardo.planning.models import Objective, ObjectiveVersion
from traguardo.planning.versions import objective_state


def test_variations_and_versions_pass_axe(page, live_server, demo):
    with scopes_disabled():
        plan = demo
        plan.state = "approved"
        plan.save(update_fields=["state"])
        card = Objective.objects.get(position=2)
        state = objective_state(card)
        for number, title in ((1, card.title), (2, "SINTEL: nuovo titolo")):
            ObjectiveVersion.objects.create(
                authority=plan.authority, objective=card, version=number,
                state={**state, "Denominazione": title}, saved_at=timezone.now(),
            )  # fmt: skip
    login(page, live_server, "admin")
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2019/variazioni/"))
    page.get_by_label("Motivazione").fill("Nuovo obbligo di legge")
    page.get_by_label("Numero dell'atto").fill("42")
    page.get_by_label("Data dell'atto").press_sequentially(date_keys(page, "2019-07-15"))
    page.get_by_role("button", name="Apri la variazione").click()
    expect(page.get_by_role("cell", name="Nuovo obbligo di legge")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    page.goto(url(live_server, f"/enti/{SLUG}/schede/{card.pk}/versioni/"))
    expect(page.get_by_role("cell", name="SINTEL: nuovo titolo")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
