"""Amministrazione trasparente in a real browser: axe on every public page, no login, and the
schede reached with the keyboard alone."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import (
    SLUG,
    STRUCTURE_RULES,
    axe_violations,
    describe_violations,
    login,
    url,
)
from tests.evaluation.test_pay import employees
from tests.transparency.conftest import measure_and_close
from traguardo.planning.models import Objective, Plan


@pytest.fixture
def closed(demo):
    """The demo Piano 2019 measured (card 5: 76,00%) and closed: its results are public."""
    with scopes_disabled():
        plan = Plan.objects.get(pk=demo.pk)
        measure_and_close(plan, state=Plan.State.CLOSED)
        elections = Objective.objects.get(plan=plan, position=5)
    return {"plan": plan, "elections": elections}


def assert_axe_clean(page):
    violations = axe_violations(page, also=STRUCTURE_RULES)
    assert violations == [], describe_violations(violations)


def test_every_public_page_passes_axe(page, live_server, closed):
    pages = {
        reverse("public_home", args=[SLUG]): "Performance",
        reverse("public_plan", args=[SLUG, 2019]): "Piano 2019",
        reverse(
            "public_objective", args=[SLUG, 2019, closed["elections"].pk]
        ): "Scheda obiettivo 5: Elezioni Europee 2019",
        reverse("public_results", args=[SLUG, 2019]): "Risultati del Piano 2019",
        reverse("public_opendata_info", args=[SLUG]): "Dati aperti della performance",
    }
    for path, heading in pages.items():
        page.goto(url(live_server, path))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_axe_clean(page)
    # The results page with the charts' data tables open.
    page.goto(url(live_server, reverse("public_results", args=[SLUG, 2019])))
    expect(page.get_by_role("img", name="Raggiungimento per unità organizzativa")).to_be_visible()
    for summary in page.get_by_text("Dati del grafico").all():
        summary.click()
    expect(page.get_by_role("table", name="Schede per fascia di raggiungimento")).to_be_visible()
    assert_axe_clean(page)


def test_a_plan_in_monitoring_passes_axe_and_shows_no_result(page, live_server, demo):
    with scopes_disabled():
        plan = Plan.objects.get(pk=demo.pk)
        measure_and_close(plan, state=Plan.State.MONITORING)
    page.goto(url(live_server, reverse("public_plan", args=[SLUG, 2019])))
    expect(page.get_by_role("note")).to_contain_text("non sono ancora pubblicati")
    expect(page.get_by_text("76,00%")).to_have_count(0)
    assert_axe_clean(page)


def test_the_keyboard_reaches_a_scheda_from_the_performance_page(page, live_server, closed):
    page.goto(url(live_server, reverse("public_home", args=[SLUG])))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Vai al contenuto principale")).to_be_focused()
    page.keyboard.press("Enter")
    tab_to(page, "Piano 2019")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/trasparenza/{SLUG}/2019/")
    tab_to(page, "Elezioni Europee 2019")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/trasparenza/{SLUG}/2019/schede/{closed['elections'].pk}/")
    expect(page.get_by_text("Raggiungimento dell'obiettivo: 76,00%")).to_be_visible()


def tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused element is the link called ``name`` (no mouse)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.tagName + '|' + document.activeElement.textContent"
        )
        if focused.startswith("A|") and focused.split("|", 1)[1].strip() == name:
            return
    pytest.fail(f"{name!r} non si raggiunge con Tab in {limit} passi")


def test_the_premiums_pages_pass_axe_public_and_back_office(page, live_server, closed):
    """The demo year with twelve employees evaluated: the public aggregates, then the admins'
    «Premi» page with its allocation table and the fund's form."""
    with scopes_disabled():
        scheme = employees("floor", authority=closed["plan"].authority, year=2019)
        family = scheme.families.get()
    page.goto(url(live_server, reverse("public_pay", args=[SLUG, 2019])))
    expect(page.get_by_role("heading", level=1)).to_have_text("Premi legati alla performance 2019")
    expect(
        page.get_by_role("table", name="Persone per fascia di premio — Categoria C")
    ).to_be_visible()
    assert_axe_clean(page)
    login(page, live_server, "admin")
    page.goto(url(live_server, reverse("pay_overview", args=[SLUG, 2019])))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Premi legati alla performance individuale 2019"
    )
    expect(
        page.get_by_role("table", name="Ripartizione del fondo della famiglia Categoria C")
    ).to_be_visible()
    assert_axe_clean(page)
    page.goto(url(live_server, reverse("pay_fund_edit", args=[SLUG, 2019, family.pk])))
    expect(page.get_by_label("Importo del fondo (€)")).to_have_value("24.000,00")
    assert_axe_clean(page)
