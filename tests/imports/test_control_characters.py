"""Finding 8: control characters never reach an export, an e-mail or the calendar feed.

Word pastes U+000B for Shift+Enter; a PDF brings U+2028; a code with CR/LF would reach the
reminder e-mail and the iCalendar feed as extra lines. Every text is cleaned on the way in
(``core.text``): line separators become line breaks where a field has lines and spaces where
it has one, and a code or a name that goes to a new line is refused.
"""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from docx import Document

from tests.jobfiles import job_file
from tests.reminders.conftest import SERRAO, demo  # noqa: F401 (the demo fixture)
from tests.reminders.test_calendar import create_link
from tests.web.test_editor import form_data
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.accounts.models import User
from traguardo.core.text import check_single_line, clean_line, clean_multiline
from traguardo.exchange.layout import TABLES
from traguardo.imports.cardtext_draft import read_card_text
from traguardo.imports.draft import ImportDraft, IndicatorDraft, SchedaDraft, TargetDraft
from traguardo.imports.pipeline import ERROR, apply, prepare
from traguardo.imports.seed import SEED_FILE
from traguardo.planning.models import Indicator, Objective, Plan

pytestmark = pytest.mark.django_db

VT, LS = "\x0b", "\u2028"
SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")


def card_with_control_characters() -> str:
    """Card 2 of the seed, coded 12, with what Word and PDFs paste into a text."""
    start = SEED_TEXT.index("ANNO 2019Codice obiettivo: **2**")
    end = SEED_TEXT.index("ANNO 2019\n\nCodice obiettivo:\n\n3")
    card = SEED_TEXT[start:end].replace("**2**", "**12**", 1)
    card = card.replace(
        "Prima procedura di gara SINTEL\t", f"Prima procedura{VT}di gara\x00 SINTEL\t"
    )
    card = card.replace(
        "Piattaforma e-procurement SINTEL", f"Piattaforma{LS}e-procurement\u202e SINTEL", 1
    )
    return card.replace("l'obiettivo è di gestire", f"l'obiettivo è{VT}di gestire", 1)


@pytest.fixture
def imported(demo):  # noqa: F811
    with scopes_disabled():
        plan = Plan.objects.get(authority=demo, year=2019)
        admin = User.objects.get(username="admin")
    with scope(authority=demo):
        result = prepare(read_card_text("scheda.txt", card_with_control_characters()), plan, admin)
        assert [s.outcome for s in result.schede] == ["new"]
        apply(result, {}, admin)
    with scopes_disabled():
        return Objective.objects.get(plan=plan, code="12")


def test_the_normaliser():
    assert (
        clean_multiline(f"a{VT}b\r\nc{LS}d\u2029e\x85f\x0cg\th\x00i\u202ej")
        == "a\nb\nc\nd\ne\nf\ng hij"
    )
    assert clean_line(f"a{VT}b\r\nc") == "a b c"
    assert check_single_line("12\r\nSet-Cookie: x") == ("12 Set-Cookie: x", True)
    assert check_single_line(f"12{VT}") == ("12", False)
    assert clean_multiline("Città – «perché» ½") == "Città – «perché» ½"


def test_imported_texts_are_clean(imported):
    with scopes_disabled():
        indicator = imported.indicators.get(position=2)
    assert indicator.name == "Prima procedura di gara SINTEL"
    assert imported.title == "Piattaforma e-procurement SINTEL"
    # The card text joins a risultato atteso's lines with spaces (the seed reader's rule).
    assert "l'obiettivo è di gestire" in imported.expected_result
    assert VT not in imported.expected_result


def test_every_export_answers_and_carries_the_text(demo, imported):  # noqa: F811
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    slug = demo.slug
    scheda = client.get(reverse("objective_docx", args=[slug, imported.pk]))
    piano = job_file(client, reverse("plan_docx", args=[slug, 2019]))
    for response in (scheda, piano):
        assert response.status_code == 200
        text = "\n".join(
            cell.text
            for table in Document(io.BytesIO(response.content)).tables
            for row in table.rows
            for cell in row.cells
        )
        assert "Prima procedura di gara SINTEL" in text
    workbook = job_file(
        client, reverse("plan_export", kwargs={"authority": slug, "year": 2019, "fmt": "xlsx"})
    )
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert any(
        c == "Prima procedura di gara SINTEL"
        for s in book
        for r in s.iter_rows(values_only=True)
        for c in r
    )
    ods = job_file(
        client, reverse("plan_export", kwargs={"authority": slug, "year": 2019, "fmt": "ods"})
    )
    assert ods.status_code == 200
    for table in TABLES:
        csv = job_file(
            client,
            reverse(
                "plan_export_csv", kwargs={"authority": slug, "year": 2019, "table": table.slug}
            ),
        )
        assert csv.status_code == 200
        assert VT.encode() not in csv.content and b"\r\nSet-Cookie" not in csv.content


def test_a_text_stored_before_the_normaliser_no_longer_breaks_the_word_files(demo, imported):  # noqa: F811
    with scopes_disabled():
        Indicator.objects.filter(pk=imported.indicators.get(position=2).pk).update(
            name=f"Prima procedura{VT}di gara"
        )
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.get(reverse("objective_docx", args=[demo.slug, imported.pk])).status_code == 200
    assert job_file(client, reverse("plan_docx", args=[demo.slug, 2019])).status_code == 200


def test_the_reminder_and_the_feed_carry_the_clean_text(demo, imported, mailoutbox):  # noqa: F811
    call_command("send_reminders", "--date", "2019-09-25", "--days", "14", stdout=io.StringIO())
    [message] = [m for m in mailoutbox if m.to == [SERRAO]]
    assert "Scheda: 12 – Piattaforma e-procurement SINTEL" in message.body
    assert message.body.count("Indicatore: Prima procedura di gara SINTEL") == 2
    assert VT not in message.body and LS not in message.body
    client = Client()
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    feed = (
        Client().get(create_link(client, demo).removeprefix("http://testserver")).content.decode()
    )
    assert "Prima procedura di gara SINTEL" in feed.replace("\r\n ", "")
    assert VT not in feed and LS not in feed


def one_scheda(code: str) -> ImportDraft:
    return ImportDraft(
        source_name="piano.xlsx",
        source_kind="xlsx",
        schede=[
            SchedaDraft(
                ordinal=1,
                year=2019,
                first_year=2019,
                last_year=2019,
                code=code,
                title="Gare",
                responsible_text="Giancarlo\r\nSerrao",
                indicators=[
                    IndicatorDraft(
                        position=1,
                        name="Gara",
                        weight=Decimal(100),
                        formula_text="Giorni di ritardo",
                        targets=[
                            TargetDraft(
                                kind="final",
                                year=2019,
                                value=Decimal(0),
                                value_text="0",
                                due_date=date(2019, 9, 30),
                            )
                        ],
                    )
                ],
            )
        ],
    )


def test_a_code_or_a_name_with_a_line_break_is_refused_by_the_import(demo):  # noqa: F811
    with scopes_disabled():
        plan = Plan.objects.get(authority=demo, year=2019)
        admin = User.objects.get(username="admin")
    with scope(authority=demo):
        result = prepare(one_scheda("12\r\nSet-Cookie: x"), plan, admin)
    (scheda,) = result.schede
    assert scheda.outcome == ERROR
    blocking = [p.message for p in scheda.problems if p.blocking]
    assert blocking == [
        "«codice obiettivo» non può andare a capo: «12 Set-Cookie: x». Occorre correggere il file.",
        "«responsabile» non può andare a capo: «Giancarlo Serrao». Occorre correggere il file.",
    ]


def test_the_editor_refuses_a_code_with_a_line_break_and_cleans_the_rest(demo, imported):  # noqa: F811
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    url = reverse("objective_edit", args=[demo.slug, imported.pk])
    data = form_data(client.get(url))
    code_field = next(name for name in data if name.endswith("code"))
    refused = client.post(url, {**data, code_field: "12\r\nSet-Cookie: x", "action": "save"})
    assert refused.status_code == 400
    assert "Il codice non può contenere un a capo." in refused.content.decode()
    with scopes_disabled():
        assert Objective.objects.get(pk=imported.pk).code == "12"
    title_field = next(name for name in data if name.endswith("title"))
    notes_field = next(name for name in data if name.endswith("notes"))
    client.post(
        url,
        {
            **data,
            title_field: f"Piattaforma{VT}SINTEL",
            notes_field: f"riga{LS}due",
            "action": "save",
        },
    )
    with scopes_disabled():
        saved = Objective.objects.get(pk=imported.pk)
    assert (saved.title, saved.notes) == ("Piattaforma SINTEL", "riga\ndue")
