"""The monitoring pages in a real browser: the dashboard, a Gantt, "Le mie scadenze", with axe."""

from datetime import date

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
from tests.factories import MeasurementFactory, MonitoringPeriodFactory
from traguardo.planning.models import Objective


@pytest.fixture
def measured(demo):
    """An open period with card 5 measured (76,00%) and SINTEL's first activity done."""
    plan = demo
    with scopes_disabled():
        period = MonitoringPeriodFactory(
            plan=plan, name="Consuntivo al 31/12/2019", reference_date=date(2019, 12, 31)
        )
        elections = Objective.objects.get(plan=plan, position=5)
        for indicator, done in zip(
            elections.indicators.order_by("position"),
            (date(2019, 4, 30), date(2019, 5, 3), date(2019, 6, 30)),
            strict=True,
        ):
            MeasurementFactory(period=period, indicator=indicator, completed_on=done)
        sintel = Objective.objects.get(plan=plan, position=2)
        MeasurementFactory(
            period=period,
            activity=sintel.activities.get(position=1),
            completed_on=date(2019, 12, 20),
        )
    return {"elections": elections, "sintel": sintel}


def assert_axe_clean(page):
    violations = axe_violations(page, also=STRUCTURE_RULES)
    assert violations == [], describe_violations(violations)


def test_the_dashboard_passes_axe_and_opens_its_chart_data(page, live_server, measured):
    login(page, live_server, "serrao")
    page.get_by_role("link", name="Piano 2019", exact=True).click()
    page.get_by_role("link", name="Cruscotto").click()
    page.wait_for_url(f"**/enti/{SLUG}/piani/2019/cruscotto/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cruscotto del Piano 2019")
    row = page.get_by_role("row").filter(has_text="Elezioni Europee 2019")
    expect(row).to_contain_text("giallo")
    expect(row).to_contain_text("76,00%")
    expect(page.get_by_role("img", name="Schede per fascia di raggiungimento")).to_be_visible()
    expect(page.get_by_role("img", name="Raggiungimento per unità organizzativa")).to_be_visible()
    assert_axe_clean(page)

    data = page.get_by_role("table", name="Schede per fascia di raggiungimento")
    expect(data).to_be_hidden()
    page.get_by_text("Dati del grafico").first.click()
    expect(data).to_be_visible()
    expect(data.get_by_role("row").filter(has_text="giallo")).to_contain_text("1")
    assert_axe_clean(page)


def test_the_gantt_page_passes_axe(page, live_server, measured):
    login(page, live_server, "serrao")
    page.goto(url(live_server, reverse("plan_dashboard", args=[SLUG, 2019])))
    page.get_by_role("link", name="Gantt della scheda Piattaforma e-procurement SINTEL").click()
    sintel = measured["sintel"]
    page.wait_for_url(f"**/cruscotto/gantt/{sintel.pk}/")
    expect(page.get_by_role("img", name="Piano operativo: diagramma di Gantt")).to_be_visible()
    table = page.get_by_role("table", name="Piano operativo: diagramma di Gantt")
    expect(table.get_by_role("row").filter(has_text="Studio della normativa")).to_contain_text(
        "completata"
    )
    assert_axe_clean(page)


def test_my_deadlines_pass_axe_and_change_their_window(page, live_server, measured):
    login(page, live_server, "serrao")
    page.get_by_role("link", name="Le mie scadenze").click()
    page.wait_for_url(f"**/enti/{SLUG}/scadenze/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Le mie scadenze")
    overdue = page.get_by_role("table", name="Scadenze superate e non ancora completate")
    expect(overdue).to_contain_text("Prima procedura di gara SINTEL")
    assert_axe_clean(page)

    page.get_by_label("Giorni da mostrare in arrivo (da 1 a 365)").fill("90")
    page.get_by_role("button", name="Aggiorna").click()
    expect(page.get_by_role("heading", name="Nei prossimi 90 giorni")).to_be_visible()


def test_the_empty_state_of_my_deadlines_passes_axe(page, live_server, demo):
    login(page, live_server, "nucleo")
    page.get_by_role("link", name="Le mie scadenze").click()
    expect(page.get_by_text("non ci sono scadenze da mostrare.")).to_be_visible()
    assert_axe_clean(page)


def test_a_paged_cruscotto_passes_axe_and_filters_with_htmx(page, live_server, demo):
    """A plan of 120 schede: the first 50, the pager, the filters swapped in by htmx."""
    from tests.dashboard.test_paging import big_plan
    from tests.factories import OrgUnitFactory, PersonFactory

    authority = demo.authority
    with scopes_disabled():
        units = [
            OrgUnitFactory(authority=authority, name=name, head=PersonFactory(authority=authority))
            for name in ("Settore di prova A", "Settore di prova B")
        ]
        big_plan(authority, *units)
    login(page, live_server, "serrao")
    page.goto(url(live_server, reverse("plan_dashboard", args=[SLUG, 2020])))
    listing = page.locator("#schede-elenco")
    expect(listing).to_contain_text("50 schede su 120 (dalla 1ª alla 50ª)")
    pager = page.get_by_role("navigation", name="Pagine delle schede")
    expect(pager).to_contain_text("Pagina 1 di 3")
    assert_axe_clean(page)

    page.get_by_label("Fascia", exact=True).select_option("green")
    page.get_by_role("button", name="Filtra").click()
    expect(listing).to_contain_text("30 schede su 30")
    page.get_by_label("Fascia", exact=True).select_option("")
    page.get_by_label("Unità responsabile", exact=True).select_option(label="Settore di prova B")
    page.get_by_role("button", name="Filtra").click()
    expect(listing).to_contain_text("50 schede su 60")
    pager.get_by_role("link", name="Successiva").click()
    expect(listing).to_contain_text("10 schede su 60 (dalla 51ª alla 60ª)")
    expect(pager).to_contain_text("Pagina 2 di 2")
    assert "pagina=2" in page.url and "unita=" in page.url
    assert_axe_clean(page)

    page.goto(url(live_server, reverse("plan_dashboard", args=[SLUG, 2020]) + "?elenco=superate"))
    deadlines = page.get_by_role("navigation", name="Pagine delle scadenze superate")
    expect(deadlines).to_contain_text("Pagina 1 di 4")
    assert_axe_clean(page)
