"""The Relazione sulla performance from the Documenti page: start it, watch it, download it."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import (
    SLUG,
    STRUCTURE_RULES,
    axe_violations,
    describe_violations,
    login,
    url,
)


def test_the_relazione_is_generated_in_background_and_downloaded(page, live_server, demo, settings):
    # As when served: the job runs in a worker thread after the request's commit.
    settings.TRAGUARDO_JOBS = "thread"
    login(page, live_server, "serrao")
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2019/documenti/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Documenti del Piano 2019")
    violations = axe_violations(page, also=STRUCTURE_RULES)
    assert violations == [], describe_violations(violations)

    card = page.locator("#documento-relazione")
    expect(card).to_contain_text("Nessun PDF ancora preparato.")
    card.get_by_role(
        "button", name=re.compile(r"^Genera PDF\W+Relazione sulla performance$")
    ).click()

    page.wait_for_url(f"**/enti/{SLUG}/elaborazioni/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Relazione sulla performance 2019 (PDF)"
    )
    progress = page.get_by_role("progressbar", name="Avanzamento")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Completata — 100%", timeout=60_000)
    expect(progress).to_have_attribute("aria-valuenow", "100")
    expect(status).to_contain_text("(13 di 13)")  # the scores, 11 schede, the layout

    link = page.get_by_role("link", name="Scarica relazione-performance-2019.pdf")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "relazione-performance-2019.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    # Leaving and coming back: the Documenti page offers the same file.
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2019/documenti/"))
    expect(card.get_by_role("link", name="Scarica relazione-performance-2019.pdf")).to_be_visible()


def test_the_relazione_page_passes_axe(page, live_server, demo):
    login(page, live_server, "serrao")
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2019/documenti/relazione/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Relazione sulla performance 2019")
    violations = axe_violations(page, also=STRUCTURE_RULES)
    assert violations == [], describe_violations(violations)
