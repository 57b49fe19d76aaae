"""An irreversible step is confirmed with the keyboard, after its consequence is read."""

from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import SLUG, axe_violations, describe_violations, login, url
from traguardo.planning.models import Plan


def test_starting_the_monitoring_asks_to_confirm_its_consequence(page, live_server, demo):
    with scopes_disabled():
        plan = demo
        plan.state = Plan.State.APPROVED
        plan.save(update_fields=["state"])
    login(page, live_server, "admin")
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2019/"))
    confirm = page.get_by_role("button", name="Conferma: Avvia il monitoraggio")
    expect(confirm).to_be_hidden()  # nothing happens on the first press
    opener = page.locator("summary", has_text="Avvia il monitoraggio…")
    opener.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("non torna più «Approvato»")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Monitoraggio del piano avviato.")).to_be_visible()
    with scopes_disabled():
        assert Plan.objects.get(pk=plan.pk).state == Plan.State.MONITORING
