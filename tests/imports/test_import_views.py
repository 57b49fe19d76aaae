"""The import pages: upload → dry run (a job) → review → confirm, as a person sees them."""

import io
import zipfile
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags
from django_scopes import scopes_disabled

from tests.conftest import DUMMY
from tests.factories import ObjectiveFactory, PlanFactory
from tests.imports.docx_cards import Card, build
from traguardo.audit.models import AuditEntry
from traguardo.imports.seed import SEED_FILE
from traguardo.jobs.models import Job
from traguardo.jobs.runner import run_job
from traguardo.planning.models import Activity, Indicator, Objective, Plan, Target

pytestmark = pytest.mark.django_db

SEED_BYTES = SEED_FILE.read_bytes()
SLUG = "comune-prova"


def page_text(response) -> str:
    """What a person reads: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(unescape(strip_tags(response.content.decode())).split())


def html(response) -> str:
    return response.content.decode()


def snapshot(models=(Plan, Objective, Indicator, Target, Activity, Job)):
    with scopes_disabled():
        return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def plan_rows():
    return snapshot((Plan, Objective, Indicator, Target, Activity))


@pytest.fixture
def plan(authority, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with scopes_disabled():
        return PlanFactory(authority=authority, year=2019)


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client, name, data, year=2019):
    return client.post(
        reverse("plan_import", args=[SLUG, year]), {"file": SimpleUploadedFile(name, data)}
    )


def only_job():
    with scopes_disabled():
        return Job.objects.get(kind="imports.dry_run")


def last_job(kind):
    with scopes_disabled():
        return Job.objects.filter(kind=kind).order_by("pk").last()


def job_url(job):
    return reverse("job_detail", args=[SLUG, job.pk])


def test_the_upload_page_explains_the_formats_and_links_the_template(plan, admin):
    response = logged(admin).get(reverse("plan_import", args=[SLUG, 2019]))
    text = page_text(response)
    assert response.status_code == 200
    assert 'accept=".xlsx,.ods,.docx,.odt,.txt,.doc,.xls"' in response.content.decode()
    assert "Modello Excel (.xlsx)" in text and "Testo delle schede (.txt)" in text
    assert reverse("plan_template", args=[SLUG, 2019]) in response.content.decode()


def test_a_card_text_is_reviewed_then_imported_once(plan, admin):
    client = logged(admin)
    response = upload(client, "schede.txt", SEED_BYTES)
    job = only_job()
    review_url = reverse("import_review", args=[SLUG, job.pk])
    assert response.status_code == 302 and response["Location"] == review_url
    with scopes_disabled():
        assert Objective.objects.count() == 0  # a dry run writes nothing

    page = client.get(review_url)
    text = page_text(page)
    assert "Esito dell'analisi di «schede.txt»" in text
    assert "Nuove: 11" in text and "In conflitto: 0" in text
    assert html(page).count(">nuova<") == 11
    # Problems say where: the line of the text.
    assert "Unità «Dirigente Settore II» non riconosciuta." in text
    assert "riga 319 del testo: etichetta «Risultato atte» letta come «Risultato atteso»" in text
    assert "Conferma l'importazione" in text

    # The confirmation is a job: its page shows the outcome and leads to the plan.
    response = client.post(review_url)
    apply_job = last_job("imports.apply")
    assert response.status_code == 302 and response["Location"] == job_url(apply_job)
    plan_url = reverse("plan_detail", args=[SLUG, 2019])
    assert (apply_job.state, apply_job.next_url) == ("done", plan_url)
    assert apply_job.params == {"dry_run": job.pk, "decisions": {}}
    text = page_text(client.get(job_url(apply_job)))
    assert "Importate 11 schede (nuove: 11, sostituite: 0;" in text
    polled = client.get(job_url(apply_job), headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == plan_url
    with scopes_disabled():
        assert Objective.objects.filter(plan=plan).count() == 11
        assert AuditEntry.objects.filter(action="import.apply").count() == 1

    # The same confirmation again imports nothing: its job fails and says why.
    before = plan_rows()
    again = client.post(review_url, follow=True)
    second = last_job("imports.apply")
    assert second.pk != apply_job.pk and second.state == "failed"
    assert "era già stata confermata: nulla è stato importato di nuovo." in page_text(again)
    assert plan_rows() == before
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="import.apply").count() == 1
    text = page_text(client.get(review_url))
    assert "Importazione confermata." in text
    assert "Conferma l'importazione" not in text

    # The same file again: every scheda "invariata", nothing to confirm.
    upload(client, "schede.txt", SEED_BYTES)
    with scopes_disabled():
        second = Job.objects.filter(kind="imports.dry_run").order_by("pk").last()
    page = client.get(reverse("import_review", args=[SLUG, second.pk]))
    assert html(page).count(">invariata<") == 11
    text = page_text(page)
    assert "Nel file non c'è nulla da importare" in text


def test_a_conflict_is_decided_on_the_page(plan, admin, unit_a):
    with scopes_disabled():
        existing = ObjectiveFactory(plan=plan, code="2", title="Altro obiettivo", unit=unit_a)
    client = logged(admin)
    upload(client, "schede.txt", SEED_BYTES)
    review_url = reverse("import_review", args=[SLUG, only_job().pk])
    page = client.get(review_url)
    markup = html(page)
    assert ">conflitto<" in markup
    assert 'name="scheda-2" id="scheda-2-mantieni" value="mantieni" checked' in markup
    assert "sostituisci con quella del file" in markup
    # Under the choice: what replacing would change.
    text = page_text(page)
    assert (
        "Sostituendola cambierebbe: denominazione: «Altro obiettivo» → «Piattaforma "
        "e-procurement SINTEL» unità organizzativa responsabile: «Settore A» → —"
    ) in text
    assert "indicatori aggiunti: 1, 2 attività aggiunte: 1, 2" in text
    response = client.post(review_url, {"scheda-2": "sostituisci"})
    apply_job = last_job("imports.apply")
    assert response["Location"] == job_url(apply_job)
    assert apply_job.params["decisions"] == {"2": "replace"}
    assert apply_job.message.startswith("Importate 11 schede (nuove: 10, sostituite: 1;")
    with scopes_disabled():
        existing.refresh_from_db()
        assert (existing.title, existing.version) == ("Piattaforma e-procurement SINTEL", 2)
        assert Objective.objects.filter(plan=plan).count() == 11  # 10 new, 1 replaced
        assert existing.versions.count() == 2


def test_the_confirmation_is_written_by_a_job_not_in_the_request(plan, admin, settings):
    client = logged(admin)
    upload(client, "schede.txt", SEED_BYTES)
    review_url = reverse("import_review", args=[SLUG, only_job().pk])
    settings.TASKS = {"default": {"BACKEND": DUMMY}}  # queued: a worker process would run it
    response = client.post(review_url)
    apply_job = last_job("imports.apply")
    assert response["Location"] == job_url(apply_job)
    assert apply_job.state == "queued"
    assert apply_job.title == "Conferma dell'importazione di «schede.txt» in Piano 2019"
    with scopes_disabled():
        assert Objective.objects.filter(plan=plan).count() == 0  # nothing in the request
    page = client.get(job_url(apply_job))
    assert 'hx-trigger="every 1s"' in html(page)  # the page polls the job
    assert run_job(apply_job.pk)
    apply_job.refresh_from_db()
    assert apply_job.state == "done"
    assert apply_job.next_url == reverse("plan_detail", args=[SLUG, 2019])
    with scopes_disabled():
        assert Objective.objects.filter(plan=plan).count() == 11


def test_decisions_the_page_did_not_offer_are_refused(plan, manager_a, unit_a, unit_b):
    with scopes_disabled():
        ObjectiveFactory(plan=plan, code="2", title="Altro obiettivo", unit=unit_b)
    client = logged(manager_a)
    upload(client, "schede.txt", SEED_BYTES)
    review_url = reverse("import_review", args=[SLUG, only_job().pk])
    before = snapshot()
    for said, message in (
        ("sostituisci", "La scheda 2 (2 – Piattaforma e-procurement SINTEL) non può essere "
         "sostituita: Questa scheda del piano non è modificabile con il ruolo assegnato."),
        ("cancella", "Scelta «cancella» non valida per la scheda 2 (2 – Piattaforma "
         "e-procurement SINTEL): mantieni o sostituisci."),
    ):  # fmt: skip
        response = client.post(review_url, {"scheda-2": said}, follow=True)
        assert message in page_text(response)
    assert snapshot() == before  # no job started, nothing written


def test_a_plan_changed_after_the_review_is_reviewed_again(plan, admin):
    client = logged(admin)
    upload(client, "schede.txt", SEED_BYTES)
    review_url = reverse("import_review", args=[SLUG, only_job().pk])
    with scopes_disabled():
        ObjectiveFactory(plan=plan, code="2", title="Scritta nel frattempo", position=99)
    response = client.post(review_url, follow=True)
    apply_job = last_job("imports.apply")
    assert (apply_job.state, apply_job.next_url) == ("done", review_url)
    assert "Il piano è cambiato dopo l'analisi del file" in page_text(response)
    page = client.get(review_url)
    assert "Il piano è cambiato dopo l'analisi del file" in page_text(page)
    assert ">conflitto<" in html(page)
    with scopes_disabled():
        assert Objective.objects.filter(plan=plan).count() == 1


def test_a_word_document_goes_through_the_whole_flow(plan, admin, unit_a):
    second = Card(
        header=[
            ("Codice obiettivo:", "3"),
            ("Denominazione", "Avvio procedura elenchi incarichi legali"),
            ("Unità organizzativa responsabile", "Settore A"),
        ],
        header_as_table=False,
        bold_labels=True,  # Word's own bold, labels glued to their values
        indicator_extra="NOTE",
        merge_name_formula=True,
        marked_areas=(2, 9),
    )
    client = logged(admin)
    response = upload(client, "schede.docx", build(Card(), second))
    review_url = reverse("import_review", args=[SLUG, only_job().pk])
    assert response["Location"] == review_url
    page = client.get(review_url)
    text = page_text(page)
    assert "Esito dell'analisi di «schede.docx»" in text
    assert "Nuove: 2" in text and "Con errori (non importate): 0" in text
    # Each warning names the scheda, the table, the row and the column of the document.
    assert (
        "scheda 2, tabella «Indicatori», riga 1, colonna «NOTE»: Colonna non prevista «NOTE»: "
        "ignorata."
    ) in text
    assert (
        "scheda 2, tabella «Indicatori», riga 3, colonna «DENOMINAZIONE»: Celle unite: il testo "
        "«Impiegati abilitati» copre anche «FORMULA DI CALCOLO» ed è letto nella colonna "
        "«DENOMINAZIONE»."
    ) in text
    assert "scheda 1: Unità «Dirigente Settore II» non riconosciuta." in text
    client.post(review_url)
    assert last_job("imports.apply").state == "done"
    with scopes_disabled():
        schede = list(Objective.objects.filter(plan=plan).order_by("position"))
        assert [(o.code, o.title) for o in schede] == [
            ("2", "Piattaforma e-procurement SINTEL"),
            ("3", "Avvio procedura elenchi incarichi legali"),
        ]
        assert schede[1].unit == unit_a
        assert [i.name for i in schede[1].indicators.order_by("position")] == [
            "Impiegati abilitati",
            "Prima procedura di gara SINTEL",
        ]


def test_an_unreadable_text_shows_its_line_and_nothing_to_confirm(plan, admin):
    client = logged(admin)
    upload(client, "note.txt", b"Nessuna scheda qui\n")
    response = client.get(reverse("import_review", args=[SLUG, only_job().pk]))
    text = page_text(response)
    assert "Il file non può essere importato:" in text
    assert "riga 1 del testo: nessuna scheda trovata" in text
    assert "Conferma" not in text


def test_hostile_files_are_refused_on_upload_and_nothing_is_stored(plan, admin, settings):
    client = logged(admin)
    before = snapshot()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/vbaProject.bin", b"\x00")
    cases = {
        ("piano.xlsm", b"PK\x03\x04"): "Il file «piano.xlsm» contiene macro",
        ("piano.xlsx", bomb.getvalue()): "Il file «piano.xlsx» contiene macro",
        (
            "piano.xlsx",
            b"%PDF-1.4",
        ): "Il contenuto di «piano.xlsx» non corrisponde alla sua estensione.",
        (
            "schede.txt",
            b"ANNO\x00",
        ): "Il file «schede.txt» non è un testo: contiene caratteri nulli",
    }
    for (name, data), message in cases.items():
        response = upload(client, name, data)
        assert response.status_code == 400
        assert message in page_text(response)
    settings.TRAGUARDO_IMPORT_MAX_MB = 1
    response = upload(client, "schede.txt", b"x" * (1024 * 1024 + 1))
    assert "Il file «schede.txt» supera il limite di 1 MB per le importazioni." in page_text(
        response
    )
    assert snapshot() == before


def test_the_review_is_its_starter_s_and_the_admins(plan, admin, manager_a, manager_b):
    upload(logged(manager_a), "schede.txt", SEED_BYTES)
    url = reverse("import_review", args=[SLUG, only_job().pk])
    assert logged(manager_a).get(url).status_code == 200
    assert logged(admin).get(url).status_code == 200
    assert logged(manager_b).get(url).status_code == 403


def test_a_manager_sees_which_schede_are_not_theirs(plan, manager_a):
    client = logged(manager_a)
    upload(client, "schede.txt", SEED_BYTES)
    text = page_text(client.get(reverse("import_review", args=[SLUG, only_job().pk])))
    # The seed's units are not unit A: nothing may be imported by this manager.
    assert "Con errori (non importate): 11" in text
    assert "Si possono importare solo schede delle unità di cui si è responsabili" in text


@pytest.mark.parametrize("cards", [1, 11])
def test_the_review_page_reads_a_fixed_number_of_rows(
    plan, admin, cards, django_assert_max_num_queries
):
    text = SEED_BYTES.decode()
    starts = [i for i, line in enumerate(text.split("\n")) if line.startswith("ANNO")]
    if cards == 1:
        text = "\n".join(text.split("\n")[: starts[1]])
    client = logged(admin)
    upload(client, "schede.txt", text.encode())
    url = reverse("import_review", args=[SLUG, only_job().pk])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert html(response).count(">nuova<") == cards
