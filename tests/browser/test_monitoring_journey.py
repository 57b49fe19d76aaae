"""A Referente records a measurement with its evidence; the dashboard's light changes."""

import re
from datetime import date

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
from tests.factories import MonitoringPeriodFactory
from tests.monitoring.hostile import PDF  # a real PDF: evidence is parsed
from traguardo.accounts.models import Membership, Role, User
from traguardo.monitoring.models import Evidence
from traguardo.organization.models import OrgUnit
from traguardo.planning.models import Objective


def test_a_contributor_records_a_measurement_and_the_light_changes(
    page, live_server, demo, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    with scopes_disabled():
        plan = demo
        MonitoringPeriodFactory(
            plan=plan, name="Consuntivo al 31/12/2019", reference_date=date(2019, 12, 31)
        )
        user = User.objects.create_user("referente-prova", password="una-password-lunga-123")
        membership = Membership.objects.create(
            user=user, authority=plan.authority, role=Role.CONTRIBUTOR
        )
        membership.units.set([OrgUnit.objects.get(name="Settore II")])
        seven = Objective.objects.get(position=7)
    login(page, live_server, "referente-prova")

    dashboard = url(live_server, f"/enti/{SLUG}/piani/2019/cruscotto/")
    page.goto(dashboard)
    row = page.locator(f"#scheda-{seven.pk}")
    expect(row).to_contain_text("non misurato")

    page.goto(url(live_server, f"/enti/{SLUG}/schede/{seven.pk}/rilevazioni/"))
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    section = page.locator("section.measurement").first
    section.get_by_label("Numeratore").fill("18")
    section.get_by_label("Denominatore").fill("24")
    evidence = tmp_path / "attuazione-ptpc.pdf"
    evidence.write_bytes(PDF)
    section.get_by_label("Allegato (facoltativo)").set_input_files(str(evidence))
    section.get_by_role("button", name=re.compile("Salva la rilevazione")).click()
    expect(page.get_by_role("alert").first).to_contain_text("Rilevazione salvata")
    expect(page.get_by_role("link", name="attuazione-ptpc.pdf")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)

    page.goto(dashboard)
    expect(row).to_contain_text("giallo")  # 75,00%: between 60 and 90
    expect(row).to_contain_text("75,00%")
    with scopes_disabled():
        assert Evidence.objects.get().original_name == "attuazione-ptpc.pdf"


def test_the_periods_page_passes_axe(page, live_server, demo):
    login(page, live_server, "admin")
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2019/periodi/"))
    page.get_by_label("Nome").fill("Verifica intermedia al 30/06/2019")
    page.get_by_label("Data di riferimento").press_sequentially(date_keys(page, "2019-06-30"))
    page.get_by_role("button", name="Programma il periodo").click()
    expect(page.get_by_role("cell", name="Verifica intermedia al 30/06/2019")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


def test_the_measurements_page_is_short_and_shows_the_computed_delay_beside_the_entry(
    page, live_server, demo
):
    """SINTEL's page (2 indicators, 4 activities) was 4,268 px tall at
    1,366 px, with the publication notice three times in every form."""
    with scopes_disabled():
        plan = demo
        MonitoringPeriodFactory(
            plan=plan, name="Consuntivo al 31/12/2019", reference_date=date(2019, 12, 31)
        )
        sintel = Objective.objects.get(position=2)
        second = sintel.indicators.get(position=2)  # due 30/09/2019, graded by days late
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "admin")
    page.goto(url(live_server, f"/enti/{SLUG}/schede/{sintel.pk}/rilevazioni/"))

    assert page.get_by_text("compaiono nella Relazione sulla performance").count() == 1
    section = page.locator(f"#rilevazione-ind-{second.pk}")
    reason = section.get_by_label("Motivo della forzatura")
    expect(reason).to_be_hidden()
    section.get_by_text("Non valutabile o risultato forzato").click()
    expect(reason).to_be_visible()
    assert reason.get_attribute("aria-describedby") == "avviso-testi-pubblicati"

    section.get_by_label("Data di completamento").press_sequentially(date_keys(page, "2019-10-04"))
    section.get_by_role("button", name=re.compile("Salva la rilevazione")).click()
    expect(page.get_by_role("alert").first).to_contain_text("Rilevazione salvata")
    section = page.locator(f"#rilevazione-ind-{second.pk}")
    state = section.locator(f"#stato-ind-{second.pk}")
    expect(state).to_contain_text("4 giorni di ritardo → 90,00%")
    entry = section.get_by_label("Data di completamento").bounding_box()
    beside = state.bounding_box()
    assert beside["x"] >= entry["x"] + entry["width"]  # to the right of the entry…
    assert beside["y"] < entry["y"] + entry["height"]  # …on the same line
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 3200, height
