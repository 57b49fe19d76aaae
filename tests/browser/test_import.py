"""Importing schede: upload the Excel workbook, watch the dry run, read it, confirm, see them."""

from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import (
    SLUG,
    STRUCTURE_RULES,
    axe_violations,
    describe_violations,
    login,
    url,
)
from traguardo.jobs.models import Job
from traguardo.planning.models import Objective, Plan


def test_an_admin_imports_a_workbook_into_an_empty_plan(
    page, live_server, demo, settings, tmp_path, job_worker
):
    # As when served: the dry run is queued in the database and a worker runs it.
    settings.MEDIA_ROOT = tmp_path
    from traguardo.exchange.xlsx import plan_workbook

    with scopes_disabled():
        authority = demo.authority
        Plan.objects.create(authority=authority, year=2021, last_year=2023, title="Piano 2021")
    with scope(authority=authority):
        workbook = tmp_path / "piano-2019.xlsx"
        workbook.write_bytes(plan_workbook(demo))

    login(page, live_server, "admin")
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2021/importa/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Importa schede in Piano 2021")
    violations = axe_violations(page, also=STRUCTURE_RULES)
    assert violations == [], describe_violations(violations)

    page.get_by_label("File da importare").set_input_files(str(workbook))
    page.get_by_role("button", name="Analizza il file").click()
    # The job page polls the dry run, then sends the person to its result.
    page.wait_for_url(f"**/enti/{SLUG}/importazioni/*/", timeout=60_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Esito dell'analisi di «piano-2019.xlsx»"
    )
    expect(page.locator("#riepilogo")).to_contain_text("Nuove: 11")
    table = page.get_by_role("table", name="Le schede del file e cosa succederà a ciascuna")
    expect(table.get_by_text("nuova", exact=True)).to_have_count(11)
    expect(table).to_contain_text("è fuori dal triennio del piano (2021–2023)")
    violations = axe_violations(page, also=STRUCTURE_RULES)
    assert violations == [], describe_violations(violations)

    page.get_by_role("button", name="Conferma l'importazione").click()
    # The write is a job too: its page polls it, then sends the person to the plan.
    page.wait_for_url(f"**/enti/{SLUG}/piani/2021/", timeout=60_000)
    expect(page.get_by_text("Piattaforma e-procurement SINTEL").first).to_be_visible()
    with scopes_disabled():
        assert Objective.objects.filter(plan__year=2021).count() == 11
        applied = Job.objects.get(kind="imports.apply")
    assert applied.message.startswith("Importate 11 schede (nuove: 11")

    # One scheda changed in the plan, then the same file again: ten unchanged, a conflict
    # showing what replacing it would change; every outcome's badge is readable.
    with scopes_disabled():
        changed = Objective.objects.get(plan__year=2021, title="Piattaforma e-procurement SINTEL")
        Objective.objects.filter(pk=changed.pk).update(title="Piattaforma SINTEL")
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2021/importa/"))
    page.get_by_label("File da importare").set_input_files(str(workbook))
    page.get_by_role("button", name="Analizza il file").click()
    page.wait_for_url(f"**/enti/{SLUG}/importazioni/*/", timeout=60_000)
    expect(page.locator("#riepilogo")).to_contain_text("Invariate: 10")
    expect(table.get_by_text("invariata", exact=True)).to_have_count(10)
    expect(table.get_by_text("conflitto", exact=True)).to_have_count(1)
    expect(table).to_contain_text(
        "denominazione: «Piattaforma SINTEL» → «Piattaforma e-procurement SINTEL»"
    )
    violations = axe_violations(page, also=STRUCTURE_RULES)
    assert violations == [], describe_violations(violations)


def test_the_review_page_asks_and_confirm_waits_for_the_answers(
    page, live_server, demo, settings, tmp_path, job_worker
):
    from tests.imports.corpus import Indicator, Spec, build_docx

    settings.MEDIA_ROOT = tmp_path
    with scopes_disabled():
        authority = demo.authority
        Plan.objects.create(authority=authority, year=2021, last_year=2023, title="Piano 2021")
    unsure = [Indicator("Soddisfazione", "Questionario di gradimento", "buona", "31 dicembre 2021")]
    document = tmp_path / "schede.docx"
    document.write_bytes(
        build_docx(
            Spec(code="7", year_line="ANNO 2021", indicators=unsure),
            Spec(code="7", title="Albo fornitori", year_line="ANNO 2021"),
            title="Comune di Esempio — PEG 2021",
        )
    )
    login(page, live_server, "admin")
    page.goto(url(live_server, f"/enti/{SLUG}/piani/2021/importa/"))
    page.get_by_label("File da importare").set_input_files(str(document))
    page.get_by_role("button", name="Analizza il file").click()
    page.wait_for_url(f"**/enti/{SLUG}/importazioni/*/", timeout=60_000)
    expect(page.locator("#domande-aperte")).to_have_text("3")
    expect(page.get_by_role("button", name="Conferma l'importazione")).to_be_disabled()
    violations = axe_violations(page, also=STRUCTURE_RULES)
    assert violations == [], describe_violations(violations)

    page.locator("#q-1-code").select_option("tieni")
    page.locator("#q-2-code").select_option("rinomina")
    page.locator("#q-2-code-new").fill("7-bis")
    page.locator("#q-1-measure-1").select_option("boolean|higher")
    page.get_by_role("button", name="Registra le risposte").click()
    expect(page.get_by_role("button", name="Conferma l'importazione")).to_be_enabled()
    expect(page.locator("#domande-aperte")).to_have_count(0)
    page.get_by_role("button", name="Conferma l'importazione").click()
    page.wait_for_url(f"**/enti/{SLUG}/piani/2021/", timeout=60_000)
    with scopes_disabled():
        written = Objective.objects.filter(plan__year=2021)
        assert sorted(written.values_list("code", flat=True)) == ["7", "7-bis"]
        assert written.get(code="7").indicators.get().measure == "boolean"
