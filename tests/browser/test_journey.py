"""The Dirigente's journey through Piano 2019 in a real browser: pages, PDFs, axe, keyboard."""

import io
import re

from django_scopes import scopes_disabled
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import (
    SLUG,
    STRUCTURE_RULES,
    axe_violations,
    describe_violations,
    login,
    url,
)
from traguardo.accounts.demo import DEMO_PASSWORD

SINTEL = "Piattaforma e-procurement SINTEL"
PLAN_URL = f"**/enti/{SLUG}/piani/2019/"


def pdf_text(path) -> str:
    """The PDF's text with whitespace collapsed (titles wrap across lines)."""
    with open(path, "rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def schede(plan):
    with scopes_disabled():
        return list(plan.objectives.order_by("position", "pk").values("pk", "title"))


def test_dirigente_opens_sintel_and_prints_it(page, live_server, demo):
    login(page, live_server, "serrao")
    page.get_by_role("link", name="Piano 2019", exact=True).click()
    page.wait_for_url(PLAN_URL)
    page.get_by_role("link", name=SINTEL).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(SINTEL)
    checks = page.locator("table tfoot").get_by_text("100,00% OK", exact=True)
    expect(checks).to_have_count(2)
    for table in ("Indicatori della scheda", "Piano operativo: sub-obiettivi e attività"):
        footer = page.get_by_role("table", name=table).locator("tfoot")
        expect(footer.get_by_text("100,00% OK", exact=True)).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Stampa").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    text = pdf_text(download.path())
    assert SINTEL in text
    assert "Pagina 1 di" in text


def test_plan_pdf_has_index_and_every_scheda(page, live_server, demo):
    titles = [s["title"] for s in schede(demo)]
    assert len(titles) == 11
    login(page, live_server, "serrao")
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2019/"))
    # The whole plan is printed by a job (minutes for a large plan): its page offers the file.
    page.get_by_role("button", name="Stampa piano").click()
    page.wait_for_url(f"**/enti/{SLUG}/elaborazioni/*/", timeout=60_000)
    expect(page.get_by_role("status")).to_have_text("Completata", timeout=60_000)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Scarica piano-2019.pdf").click()
    text = pdf_text(download_info.value.path())

    assert "Indice" in text
    missing = [t for t in titles if t and " ".join(t.split()) not in text]
    assert not missing, f"schede assenti dal PDF del piano: {missing}"
    # One "Scheda obiettivo" heading per card, blank titles included.
    assert len(re.findall(r"Scheda obiettivo", text)) >= len(titles)
    assert "Scheda senza denominazione" in text  # card 6 has no title
    assert "Pagina 1 di" in text


def test_pages_have_no_wcag_a_aa_violations(page, live_server, demo):
    found = {}

    def check(where):
        violations = axe_violations(page, also=STRUCTURE_RULES)
        if violations:
            found[where] = violations

    page.goto(url(live_server, "/accesso/"))
    check("accesso")
    login(page, live_server, "serrao")
    check("elenco piani")
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2019/"))
    check("Piano 2019")
    for scheda in schede(demo):
        page.goto(url(live_server, f"/enti/{SLUG}/schede/{scheda['pk']}/"))
        check(f"scheda {scheda['pk']} «{scheda['title'] or 'senza denominazione'}»")

    assert len(found) == 0, "\n".join(
        f"axe (WCAG 2.1 A/AA e struttura) — {where}:\n{describe_violations(v)}"
        for where, v in found.items()
    )


def test_narrow_screen_has_no_wcag_a_aa_violations(page, live_server, demo):
    # 320 CSS px: the width of WCAG 1.4.10 (Reflow), i.e. 1280 px zoomed to 400%.
    page.set_viewport_size({"width": 320, "height": 640})
    by_title = {s["title"]: s["pk"] for s in schede(demo)}
    found = {}
    page.goto(url(live_server, "/accesso/"))
    found["accesso"] = axe_violations(page)
    login(page, live_server, "serrao")
    for where, path in (
        ("Piano 2019", "/piani/2019/"),
        ("SINTEL", f"/schede/{by_title[SINTEL]}/"),
        ("scheda senza denominazione", f"/schede/{by_title['']}/"),
    ):
        page.goto(url(live_server, f"/enti/{SLUG}{path}"))
        found[where] = axe_violations(page)
    found = {where: v for where, v in found.items() if v}
    assert not found, "\n".join(
        f"axe a 320 px — {where}:\n{describe_violations(v)}" for where, v in found.items()
    )


def test_axe_helper_reports_planted_violations(page, live_server):
    # Guards the helper itself: an axe that silently did not run would pass every page.
    page.goto(url(live_server, "/accesso/"))
    page.evaluate(
        """() => {
            const main = document.querySelector("main");
            main.insertAdjacentHTML("beforeend", '<img src="/static/x.png">');
            main.insertAdjacentHTML(
                "beforeend", '<span class="badge bg-warning text-dark">3 avvisi</span>'
            );
            main.insertAdjacentHTML("beforeend", "<h4>Sezione</h4><p>testo</p>");
        }"""
    )
    violations = axe_violations(page)
    ids = {v["id"] for v in violations}
    assert {"image-alt", "color-contrast"} <= ids, describe_violations(violations)
    assert "badge" in describe_violations(violations)
    assert "heading-order" not in ids  # best-practice rules run only when asked for
    structure = {v["id"] for v in axe_violations(page, also=STRUCTURE_RULES)}
    assert "heading-order" in structure


def tab_to(page, locator, limit=25):
    """Press Tab until ``locator`` has the focus; fail after ``limit`` presses.

    The target is looked up once (an element handle): each press is then followed by one
    comparison with ``document.activeElement``, not by a new search of the page by role and
    name, which on the editor's long form cost more than the press itself.
    """
    target = locator.element_handle()
    try:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if target.evaluate("el => el === document.activeElement"):
                return
    finally:
        target.dispose()
    raise AssertionError(f"{locator} non raggiungibile con {limit} pressioni di Tab")


def assert_focus_visible(locator):
    """WCAG 2.4.7: the focused element shows an outline or a focus ring (box-shadow)."""
    style = locator.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,"
        " ring: s.boxShadow !== 'none'}; }"
    )
    assert style["outline"] or style["ring"], f"nessun indicatore di focus su {locator}"


def test_keyboard_only_from_login_to_scheda(page, live_server, demo):
    page.goto(url(live_server, "/accesso/"))

    # The first Tab reaches the skip link, which then shows; Enter moves to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Vai al contenuto principale")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["width"] > 20 and box["height"] > 10, f"skip link non visibile: {box}"
    assert_focus_visible(skip)
    page.keyboard.press("Enter")
    expect(page.locator("main#contenuto")).to_be_focused()

    # Log in by typing: the next Tab stop after the content's start is the user name.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Nome utente")).to_be_focused()
    page.keyboard.type("serrao")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    # The browser keeps the skip link's #contenuto through the redirects.
    page.wait_for_url(re.compile(rf"/enti/{SLUG}/piani/(#contenuto)?$"))

    plan_link = page.get_by_role("link", name="Piano 2019", exact=True)
    tab_to(page, plan_link)
    assert_focus_visible(plan_link)
    page.keyboard.press("Enter")
    page.wait_for_url(PLAN_URL)

    scheda_link = page.get_by_role("link", name=SINTEL)
    # After the summaries' links (errors, warnings, units), the search and the export links.
    tab_to(page, scheda_link, limit=35)
    assert_focus_visible(scheda_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(SINTEL)
