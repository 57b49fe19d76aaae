"""Writing a scheda from nothing, with the keyboard alone, and axe on every editor state."""

import io
import re

from django_scopes import scopes_disabled
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import SLUG, axe_violations, date_keys, describe_violations, url
from tests.browser.test_journey import assert_focus_visible, tab_to
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.planning.models import Objective

TITLE = "Sportello digitale per le imprese"
DELAY_SCALE = "gg ritardo 5 = 90% / gg10 = 80% / gg15 = 60%"


def type_into(page, locator, text: str, limit: int = 80) -> None:
    """Reach a field with Tab (no mouse), replace what it holds, type."""
    tab_to(page, locator, limit=limit)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def assert_axe_clean(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}:\n{describe_violations(violations)}"


def test_a_scheda_written_from_nothing_with_the_keyboard(page, live_server, demo):
    page.goto(url(live_server, "/accesso/"))
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")  # to the content
    page.keyboard.press("Tab")
    expect(page.get_by_label("Nome utente")).to_be_focused()
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/enti/{SLUG}/piani/"))

    tab_to(page, page.get_by_role("link", name="Piano 2019", exact=True))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/piani/2019/"))
    new = page.get_by_role("link", name="Nuova scheda")
    tab_to(page, new, limit=60)
    assert_focus_visible(new)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/schede/nuova/"))
    assert_axe_clean(page, "editor, scheda nuova")

    type_into(page, page.get_by_label("Codice obiettivo"), "12")
    page.keyboard.press("Tab")
    page.keyboard.type(TITLE)

    due = date_keys(page, "2019-12-31")
    # Three indicators, weights 40/40/10, each with a deadline and the card's delay scale.
    for n, (weight, name) in enumerate([("40", "Avvio"), ("40", "Collaudo"), ("10", "Uso")]):
        if n:
            add = page.get_by_role("button", name="Aggiungi indicatore")
            tab_to(page, add, limit=80)
            page.keyboard.press("Enter")
            # The new row's name field takes the focus.
            expect(page.locator(f"#id_ind-{n}-name")).to_be_focused()
            page.keyboard.type(name)
        else:
            type_into(page, page.locator("#id_ind-0-name"), name, limit=120)
        page.keyboard.press("Shift+Tab")
        expect(page.locator(f"#id_ind-{n}-weight")).to_be_focused()
        page.keyboard.type(weight)
        tab_to(page, page.locator(f"#id_ind-{n}-final_date"), limit=80)
        page.keyboard.type(due)
        type_into(page, page.locator(f"#id_ind-{n}-grading_text"), DELAY_SCALE)

    total = page.locator("#totale-indicatori")
    expect(total).to_contain_text("mancano 10,00%")
    # The typed scale is read back as a table before saving.
    expect(page.locator("#anteprima-ind-2")).to_contain_text("1–5 gg")
    expect(page.locator("#anteprima-ind-2")).to_contain_text("90%")
    assert_axe_clean(page, "editor con tre indicatori")

    page.keyboard.press("Shift+Tab")  # leave the scale text
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.id") == "id_ind-2-weight":
            break
    page.keyboard.press("Control+A")
    page.keyboard.type("20")
    expect(total).to_contain_text("100,00% OK")

    save = page.get_by_role("button", name="Salva la scheda")
    tab_to(page, save, limit=120)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/schede/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.locator("tfoot .check")).to_have_text(["100,00% OK"])

    with scopes_disabled():
        saved = Objective.objects.get(title=TITLE)
        assert [str(i.weight) for i in saved.indicators.all()] == ["40.00", "40.00", "20.00"]
        assert {i.grading_scale.definition["kind"] for i in saved.indicators.all()} == {
            "delay_steps"
        }

    # Reopen it: everything typed is there.
    edit = page.get_by_role("link", name="Modifica")
    tab_to(page, edit, limit=60)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/modifica/$"))
    expect(page.get_by_label("Denominazione", exact=True)).to_have_value(TITLE)
    expect(page.locator("#id_ind-2-weight")).to_have_value("20")
    expect(page.locator("#id_ind-1-grading_text")).to_have_value(DELAY_SCALE)
    assert_axe_clean(page, "editor, scheda salvata")

    # Back to the card and print it.
    page.go_back()
    page.wait_for_url(re.compile(r"/schede/\d+/$"))
    stampa = page.get_by_role("link", name="Stampa")
    tab_to(page, stampa, limit=60)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    with open(download.value.path(), "rb") as f:
        text = " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(f.read())).pages
        )
    assert TITLE in text
    assert text.count("100,00% OK") == 1


def test_the_editor_with_errors_and_the_conflict_page_pass_axe(page, live_server, demo):
    page.goto(url(live_server, "/accesso/"))
    page.get_by_label("Nome utente").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(rf"/enti/{SLUG}/piani/"))
    with scopes_disabled():
        card = Objective.objects.get(position=10)
    page.goto(url(live_server, f"/enti/{SLUG}/schede/{card.pk}/modifica/"))
    assert_axe_clean(page, "editor, scheda 10")
    page.get_by_role("button", name="Salva la scheda").click()
    expect(page.get_by_role("alert").first).to_contain_text("La scheda non è stata salvata.")
    assert_axe_clean(page, "editor con errori")
    expect(page.get_by_label("Denominazione", exact=True)).to_have_value(
        "PROTEZIONE DEI DATI PERSONALI"
    )
