"""The plan page of a plan bigger than one page, in a real browser: axe on the summaries and
the paged list, the pager and the sort through htmx, and the same links without JavaScript."""

import re

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
from tests.factories import ObjectiveFactory
from traguardo.organization.models import OrgUnit

PLAN = f"/enti/{SLUG}/piani/2019/"


def _grow(plan, count=60):
    """The demo plan with ``count`` more schede of Settore II: 71 in all, two pages."""
    with scopes_disabled():
        unit = OrgUnit.objects.get(authority=plan.authority, name="Settore II")
        for n in range(count):
            ObjectiveFactory(plan=plan, unit=unit, code=f"X{n + 1}", position=100 + n)


def _assert_clean(page, where):
    violations = axe_violations(page, also=STRUCTURE_RULES)
    assert not violations, f"axe — {where}:\n{describe_violations(violations)}"


def test_a_paged_plan_page_is_accessible_and_pages_with_htmx(page, live_server, demo):
    _grow(demo)
    login(page, live_server, "admin")
    page.goto(url(live_server, PLAN))
    status = page.locator("#conteggio")
    expect(status).to_contain_text("71 schede su 71 · mostrate dalla 1 alla 50")
    page.locator("#riepilogo-unita summary").click()
    _assert_clean(page, "pagina 1")

    pager = page.get_by_role("navigation", name="Pagine delle schede")
    pager.get_by_role("link", name="Successiva").click()
    expect(status).to_contain_text("mostrate dalla 51 alla 71")
    expect(pager).to_contain_text("Pagina 2 di 2")
    page.wait_for_url(re.compile(r"pagina=2"))
    expect(
        page.get_by_role("heading", name="Cerca schede")
    ).to_be_visible()  # swapped, not reloaded
    _assert_clean(page, "pagina 2")

    page.get_by_label("Ordina per").select_option(label="Codice")
    expect(
        page.get_by_role("heading", level=2, name=re.compile("ordinate per codice"))
    ).to_be_visible()
    _assert_clean(page, "ordinate per codice")


def test_the_pager_works_without_javascript(browser, live_server, demo):
    _grow(demo)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, "admin")
        page.goto(url(live_server, PLAN + "?ordine=codice"))
        page.get_by_role("link", name="Successiva").click()
        page.wait_for_url(re.compile(r"ordine=codice.*pagina=2|pagina=2.*ordine=codice"))
        expect(page.locator("#conteggio")).to_contain_text("mostrate dalla 51 alla 71")
    finally:
        context.close()


_OVERLAPS = """() => {
  const form = document.querySelector('form[aria-labelledby="cerca-schede"]');
  const boxes = [document.getElementById("cerca-schede"),
                 ...form.querySelectorAll("label, select, input:not([type=hidden]), small")]
    .map((el) => [el.tagName === "LABEL" ? `label ${el.textContent.trim()}` : el.id,
                  el.getBoundingClientRect()]);
  const found = [];
  for (const [i, [a, r]] of boxes.entries()) {
    for (const [b, s] of boxes.slice(i + 1)) {
      if (!a.startsWith("label") && !b.startsWith("label")) continue;
      const x = Math.min(r.right, s.right) - Math.max(r.left, s.left);
      const y = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
      if (x > 1 && y > 1) found.push(`${a} × ${b}`);
    }
  }
  return found;
}"""


def test_the_search_labels_overlap_neither_the_heading_nor_the_fields(page, live_server, demo):
    """«Cerca schede» lay over «Unità organizzativa», at every width."""
    login(page, live_server, "admin")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url(live_server, PLAN))
        assert page.evaluate(_OVERLAPS) == [], width
        page.get_by_label("Segnalazioni", exact=True).select_option(label="Con errori")
        expect(page.locator("#conteggio")).to_contain_text("schede su 11")
        assert page.evaluate(_OVERLAPS) == [], f"{width}, filtrata"
