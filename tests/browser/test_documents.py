"""The Relazione sulla performance from the Documenti page: start it, watch it, download it."""

import re
import threading
from datetime import date
from pathlib import Path

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
from tests.factories import MonitoringPeriodFactory
from traguardo.jobs import runner
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.reports import relazione


def test_the_relazione_is_generated_in_background_and_downloaded(
    page, live_server, demo, settings, monkeypatch, job_worker, request
):
    # As when served: the job is queued in the database and a worker runs it.
    # The job stops before its first scheda until the page has shown it running (the live
    # server and the worker run in this process): the page sees it in progress whatever this
    # machine's speed, and the job lasts no longer than that.
    examine = relazione._examine
    seen_running = threading.Event()
    request.addfinalizer(seen_running.set)  # a failing test does not leave the worker waiting

    def gated_examine(*args, **kwargs):
        seen_running.wait(timeout=60)
        return examine(*args, **kwargs)

    monkeypatch.setattr(relazione, "_examine", gated_examine)
    # Each step's progress is written at once (served, at most every 0,5 s): the bar shows the
    # step done before the gate.
    monkeypatch.setattr(runner, "PROGRESS_EVERY", 0)
    polls: list[str] = []

    def record(request):
        if request.headers.get("hx-request"):
            polls.append(request.url)

    page.on("request", record)

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
    # The bar moves while the job runs: a value between 0 and 100, brought by a poll.
    expect(progress).to_have_attribute("aria-valuenow", re.compile(r"^[1-9][0-9]?$"))
    expect(status).to_have_text("In corso")
    # The page shows the job running, so its next poll says so; then the job may go on.
    with page.expect_request(lambda sent: "stato=running" in sent.url):
        pass
    seen_running.set()
    expect(status).to_have_text("Completata", timeout=60_000)
    # At least one poll went out while the page still showed the job running.
    assert any("stato=running" in polled for polled in polls), polls
    expect(progress).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#stato-elaborazione")).to_contain_text("100% (13 di 13)")
    assert page.get_by_role("status").count() == 1  # one live region, outside the polled part
    violations = axe_violations(page, also=STRUCTURE_RULES)
    assert violations == [], describe_violations(violations)

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


def test_the_nucleo_and_verifica_pages_pass_axe(page, live_server, demo):
    """The paged pages (the Nucleo's, the Verifica's, the Relazione filtered)."""
    with scopes_disabled():
        period = MonitoringPeriodFactory(
            plan=demo,
            name="Verifica al 30/06/2019",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(2019, 6, 30),
        )
    login(page, live_server, "nucleo")
    for path, heading in (
        (f"/enti/{SLUG}/piani/2019/nucleo/", "Nucleo di valutazione"),
        (f"/enti/{SLUG}/piani/2019/documenti/verifica/{period.pk}/", "Verifica intermedia"),
        (f"/enti/{SLUG}/piani/2019/documenti/relazione/?scostamenti=1", "Relazione"),
    ):
        page.goto(url(live_server, path))
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        violations = axe_violations(page, also=STRUCTURE_RULES)
        assert violations == [], (path, describe_violations(violations))
