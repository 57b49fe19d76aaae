"""The documents, exports and public pages: every result says as of which date,
counting what, and every row reads the same state on every surface.

The demo plan (Piano 2019, with its 2020 and 2021 schede) is read back as a person reads each
file: the Relazione's page and document (its words read from the HTML its PDF is laid out
from: tests/reports/test_relazione.py reads the pages of the real PDF), the XLSX workbook
(openpyxl), the open-data CSV and JSON, the public results page and the back office's scheda
page.
"""

import csv
import io
import json
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from tests.demo import write_seed
from tests.exchange.helpers import as_dicts, xlsx_sheets
from tests.factories import MeasurementFactory, MonitoringPeriodFactory
from tests.reports.test_relazione import document_words
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.exchange import xlsx
from traguardo.imports.seed import DEMO_AUTHORITY
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import Objective, Plan
from traguardo.reports.relazione import relazione_data, relazione_html

pytestmark = pytest.mark.django_db
SLUG = DEMO_AUTHORITY["slug"]
D = Decimal


# --- the demo plan in the states the issue describes ----------------------------------------


def demo(seed_rows, *, period_state: str, plan_state: str = Plan.State.CLOSED) -> Plan:
    """Piano 2019 with a consuntivo at 31/12/2019 in ``period_state`` and nothing measured;
    the plan in ``plan_state`` (closed: its results are public). The seed and the demo
    accounts are written from the session's rows (``_seed_rows``, as the ``demo`` fixture
    does): the same rows as ``load_seed`` and ``create_demo_accounts``, without parsing the
    seed again for every test and every hypothesis example."""
    plan = write_seed(seed_rows)
    with scopes_disabled():
        MonitoringPeriodFactory(
            plan=plan,
            name="Consuntivo al 31/12/2019",
            reference_date=date(2019, 12, 31),
            state=period_state,
        )
        Plan.objects.filter(pk=plan.pk).update(
            state=plan_state,
            act_type="Delibera di Giunta",
            act_number="17",
            act_date=date(2019, 2, 5),
        )
        plan.refresh_from_db()
    return plan


def card(plan: Plan, position: int) -> Objective:
    with scopes_disabled():
        return Objective.objects.get(plan=plan, position=position)


def measure(plan: Plan, position: int, row: int, *, activity: bool = False, **fields) -> None:
    with scopes_disabled():
        period = plan.periods.get()
        objective = card(plan, position)
        item = (objective.activities if activity else objective.indicators).get(position=row)
        MeasurementFactory(
            period=period, **{"activity": item} if activity else {"indicator": item}, **fields
        )


def close(plan: Plan) -> None:
    # Saved row by row, as the business actions do: the authority's data version moves, so
    # the kept results (planning.kept) and the public pages see the closed period.
    with scopes_disabled():
        for period in plan.periods.all():
            period.state = MonitoringPeriod.State.CLOSED
            period.save(update_fields=["state"])


# --- reading the surfaces back ----------------------------------------------------------------


def flat(text: str) -> str:
    return " ".join(text.split())


def page_text(content: bytes) -> str:
    body = re.sub(r"<(svg|script|style)\b.*?</\1>", " ", content.decode(), flags=re.S)
    return flat(lxml_html.fromstring(body).text_content())


def relazione_screen(plan: Plan) -> lxml_html.HtmlElement:
    """The Relazione's every card, as the document prints them (the page lists the schede in
    pages and leaves the cards to the document)."""
    client = Client()
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    response = client.get(reverse("relazione", args=[SLUG, plan.year]))
    assert response.status_code == 200
    with scope(authority=plan.authority):
        return lxml_html.fromstring(relazione_html(plan))


def results_sheet(plan: Plan) -> dict[tuple, dict]:
    with scope(authority=plan.authority):
        sheets = xlsx_sheets(xlsx.plan_workbook(plan))
    return {(r["N. scheda"], r["Riga"], r["N."]): r for r in as_dicts(sheets["Risultati"])}


def instructions(plan: Plan) -> str:
    with scope(authority=plan.authority):
        sheets = xlsx_sheets(xlsx.plan_workbook(plan))
    return flat(" ".join(str(cell) for row in sheets["Istruzioni"] for cell in row if cell))


def opendata_csv(plan: Plan) -> list[dict]:
    response = Client().get(reverse("public_opendata", args=[SLUG, plan.year, "csv"]))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def cells(row: lxml_html.HtmlElement) -> list[str]:
    return [flat(cell.text_content()) for cell in row.xpath("./th|./td")]


def table_rows(root, caption_contains: str) -> list[list[str]]:
    """The body rows (as cell texts) of every table whose caption contains the words."""
    found = []
    for table in root.xpath("//table"):
        caption = table.xpath("./caption")
        if caption and caption_contains in flat(caption[0].text_content()):
            found += [cells(tr) for tr in table.xpath("./tbody/tr")]
    return found


# --- scenario 4: one scheda measured out of eleven, the period open ---------------------------


@pytest.fixture
def one_measured(_seed_rows, db):
    """Only card 7 is measured (18 of 24 → 75,00%), the consuntivo still open."""
    plan = demo(_seed_rows, period_state=MonitoringPeriod.State.OPEN)
    measure(plan, 7, 1, numerator=D(18), denominator=D(24))
    return plan


COVERAGE_4 = "1 scheda su 9 misurata · 2 non ancora dovute"


def test_scenario_4_the_relazione_says_provisional_and_counts_one_scheda(one_measured):
    with scope(authority=one_measured.authority):
        rel = relazione_data(one_measured)
    text = document_words(one_measured)
    assert rel.provisional and not rel.coverage.final
    assert "Raggiungimento complessivo dell'ente: 75,00% (provvisorio al 31 dicembre 2019)" in text
    assert f"Schede contate: {COVERAGE_4}" in text
    assert "I risultati sono provvisori: il periodo non è chiuso." in text
    # The unit's and the ambito's roll-ups carry it too; nothing is called final.
    assert "Settore II 75,00% (provvisorio) 1 scheda su 7 misurata · 2 non ancora dovute" in text
    assert "definitivo" not in text


def test_scenario_4_the_xlsx_results_say_provisional_and_count_one_scheda(one_measured):
    assert (
        f"Raggiungimento dell'ente: 75,00% — {COVERAGE_4} · provvisorio al 31 dicembre 2019"
        in instructions(one_measured)
    )
    results = results_sheet(one_measured)
    assert {r["Esito"] for r in results.values()} == {"provvisorio"}
    assert {r["Riferiti al"] for r in results.values()} == {datetime(2019, 12, 31)}
    seven = results[(7, "Scheda", None)]
    assert (seven["Raggiungimento (%)"], seven["Stato"], seven["Esito"]) == (
        75,
        "misurato",
        "provvisorio",
    )
    # A scheda with nothing recorded has no figure, and says so.
    assert results[(3, "Scheda", None)]["Raggiungimento (%)"] is None
    assert results[(3, "Scheda", None)]["Stato"] == "non misurata"


def test_scenario_4_the_open_data_mark_the_results_provisional(one_measured):
    rows = {int(r["posizione"]): r for r in opendata_csv(one_measured)}
    assert {r["risultati_provvisori"] for r in rows.values()} == {"sì"}
    assert {r["risultati_al"] for r in rows.values()} == {"2019-12-31"}
    assert {r["copertura"] for r in rows.values()} == {COVERAGE_4}
    assert (rows[7]["raggiungimento"], rows[7]["stato_risultato"]) == ("75,00", "misurato")
    response = Client().get(reverse("public_opendata", args=[SLUG, 2019, "json"]))
    document = json.loads(response.content)
    assert document["risultati_provvisori"] is True
    assert (document["copertura"], document["risultati_al"]) == (COVERAGE_4, "2019-12-31")
    assert document["raggiungimento_ente"] == 75


def test_scenario_4_the_public_results_never_show_the_provisional_figure_as_final(one_measured):
    response = Client().get(reverse("public_results", args=[SLUG, 2019]))
    assert response.status_code == 200
    text = page_text(response.content)
    assert "Raggiungimento dell'ente 75,00% (provvisorio al 31 dicembre 2019)" in text
    assert f"schede contate: {COVERAGE_4}" in text
    assert "Risultati provvisori: il periodo di monitoraggio è ancora aperto" in text
    assert "Settore II 75,00% (provvisorio) 1 scheda su 7 misurata" in text
    assert "definitivo" not in text
    # Once the period is closed (every missing figure then counts 0), the same page is final.
    close(one_measured)
    text = page_text(Client().get(reverse("public_results", args=[SLUG, 2019])).content)
    assert "(definitivo al 31 dicembre 2019)" in text and "provvisorio" not in text


# --- scenario 5: the consuntivo closed, no activity reported ----------------------------------


@pytest.fixture
def closed_without_activities(_seed_rows, db):
    """The consuntivo at 31/12/2019 closed with card 5's and card 7's indicators measured and
    no activity reported at all."""
    plan = demo(_seed_rows, period_state=MonitoringPeriod.State.OPEN)
    for row, done in ((1, date(2019, 4, 30)), (2, date(2019, 5, 3)), (3, date(2019, 6, 30))):
        measure(plan, 5, row, completed_on=done)
    measure(plan, 7, 1, numerator=D(18), denominator=D(24))
    close(plan)
    return plan


def test_scenario_5_activities_are_counted_one_way_in_relazione_and_xlsx(
    closed_without_activities,
):
    plan = closed_without_activities
    with scope(authority=plan.authority):
        rel = relazione_data(plan)
    # No unreported activity is a deviation: they are listed apart as «non misurata».
    assert [d for d in rel.deviations if d.kind == "activity"] == []
    unreported = [d for d in rel.unmeasured if d.kind == "activity"]
    assert len(unreported) >= 10
    assert {d.state.label for d in unreported} == {"non misurata"}
    assert {d.achievement for d in unreported} == {None}
    screen = relazione_screen(plan)
    deviations = table_rows(screen, "Scostamenti dal livello atteso")
    assert deviations and not [r for r in deviations if r[2].startswith("Attività")]
    listed = table_rows(screen, "Indicatori e attività dovuti e non misurati")
    assert sum(r[2].startswith("Attività") and r[3] == "non misurata" for r in listed) == len(
        unreported
    )
    # In the results per scheda, an unreported activity reads «non misurata», never 0,00%.
    activities = table_rows(screen, "Piano operativo della scheda")
    states = {r[4] for r in activities}
    assert "non misurata" in states and "misurato" not in states
    assert {r[5] for r in activities if r[4] == "non misurata"} == {"—"}
    # The XLSX Risultati sheet: the same word, no figure, no days of delay.
    results = results_sheet(plan)
    rows = [r for key, r in results.items() if key[1] == "Attività"]
    assert not [r for r in rows if r["Stato"] == "misurato"]
    missing = [r for r in rows if r["Stato"] == "non misurata"]
    assert len(missing) == len(unreported)
    assert {(r["Raggiungimento (%)"], r["Giorni di ritardo"]) for r in missing} == {(None, None)}


def test_the_2020_and_2021_schede_read_not_yet_due_when_the_2019_consuntivo_is_closed(
    closed_without_activities,
):
    plan = closed_without_activities
    with scope(authority=plan.authority):
        rel = relazione_data(plan)
    text = document_words(plan)
    assert [c.objective.position for c in rel.not_due] == [10, 11]
    assert "2 schede non ancora dovute al 31 dicembre 2019" in text
    screen = relazione_screen(plan)
    for position in (10, 11):
        pk = card(plan, position).pk
        article = screen.get_element_by_id(f"risultato-{pk}")
        assert "Raggiungimento: non ancora dovuta" in flat(article.text_content())
        indicator = cells(article.xpath(".//table[contains(@class,'indicators')]/tbody/tr")[0])
        activity = cells(article.xpath(".//table[contains(@class,'activities')]/tbody/tr")[0])
        assert indicator[-2:] == ["non ancora dovuto", "—"]
        assert activity[-2:] == ["non ancora dovuta", "—"]
    # Neither a deviation nor unmeasured.
    listed = {d.card.objective.position for d in rel.deviations + rel.unmeasured}
    assert not listed & {10, 11}
    results = results_sheet(plan)
    for position in (10, 11):
        assert results[(position, "Scheda", None)]["Stato"] == "non ancora dovuta"
        assert results[(position, "Indicatore", 1)]["Stato"] == "non ancora dovuto"
        assert results[(position, "Attività", 1)]["Stato"] == "non ancora dovuta"
        assert results[(position, "Scheda", None)]["Raggiungimento (%)"] is None
    public = page_text(Client().get(reverse("public_results", args=[SLUG, 2019])).content)
    assert public.count("PROTEZIONE DEI DATI PERSONALI non ancora dovuta") == 2
    assert "9 schede su 9 misurate · 2 non ancora dovute" in public
    rows = {int(r["posizione"]): r for r in opendata_csv(plan)}
    assert rows[10]["stato_risultato"] == rows[11]["stato_risultato"] == "non ancora dovuta"
    assert rows[10]["raggiungimento"] == ""


# --- one word per row on every surface ---------------------------------------------------------


def label_of(cell: str) -> str:
    """The state word inside a result cell: «90,00% (raggiunto con …: …)» → «raggiunto con …»;
    «non misurato (manca …)» → «non misurato»; «non misurato — manca …» → «non misurato»."""
    found = re.fullmatch(r"[\d.,]+% \((.+?)(?:: .+)?\)", cell)
    if found:
        return found.group(1)
    return re.sub(r" (\(.*\)|— .*)$", "", cell)


def row_states(plan: Plan, client: Client) -> dict[str, dict[tuple, str]]:
    """Each indicator's and activity's state word as the scheda page, the Relazione, the XLSX
    Risultati sheet and the open-data CSV say it."""
    surfaces: dict[str, dict[tuple, str]] = {"scheda": {}, "relazione": {}, "xlsx": {}, "csv": {}}
    screen = relazione_screen(plan)
    with scopes_disabled():
        objectives = list(plan.objectives.order_by("position"))
    for o in objectives:
        page = lxml_html.fromstring(
            client.get(reverse("objective_detail", args=[SLUG, o.pk])).content
        )
        for row in table_rows(page, "Risultati degli indicatori nel periodo"):
            surfaces["scheda"][(o.position, "Indicatore", int(row[0]))] = label_of(row[3])
        for row in page.xpath("//table[contains(@class,'activities')]/tbody/tr"):
            texts = cells(row)
            if len(texts) == 8:
                surfaces["scheda"][(o.position, "Attività", int(texts[0]))] = label_of(texts[7])
        article = screen.get_element_by_id(f"risultato-{o.pk}")
        for kind, css in (("Indicatore", "indicators"), ("Attività", "activities")):
            for tr in article.xpath(f".//table[contains(@class,'{css}')]/tbody/tr"):
                texts = cells(tr)
                if len(texts) > 2:
                    surfaces["relazione"][(o.position, kind, int(texts[0]))] = label_of(texts[-2])
    for key, row in results_sheet(plan).items():
        if key[1] != "Scheda":
            surfaces["xlsx"][key] = row["Stato"]
    for row in opendata_csv(plan):
        for kind, field in (("Indicatore", "stato_indicatori"), ("Attività", "stato_attivita")):
            for part in filter(None, row[field].split("; ")):
                number, label = part.split(": ", 1)
                surfaces["csv"][(int(row["posizione"]), kind, int(number))] = label
    return surfaces


def test_every_row_reads_the_same_state_on_the_scheda_relazione_xlsx_and_open_data(_seed_rows, db):
    plan = demo(_seed_rows, period_state=MonitoringPeriod.State.OPEN)
    measure(plan, 2, 2, completed_on=date(2019, 10, 4))  # 4 days late → 90%
    measure(plan, 5, 1, completed_on=date(2019, 4, 30))
    measure(plan, 5, 2, completed_on=date(2019, 5, 3))  # 3 days late
    measure(plan, 7, 1, numerator=D(18), denominator=D(24))
    measure(plan, 1, 1, numerator=D(180), denominator=D(200))  # not reached
    measure(plan, 2, 1, activity=True, completed_on=date(2020, 1, 10))  # completed late
    measure(plan, 1, 1, activity=True, progress=D(50))  # half done, past its end
    client = Client()
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    surfaces = row_states(plan, client)

    xlsx_states = surfaces["xlsx"]
    assert len(xlsx_states) == 16 + 23  # every indicator and activity of the eleven schede
    for name, states in surfaces.items():
        assert states == xlsx_states, name
    # And the words are the right ones.
    assert xlsx_states[(2, "Indicatore", 2)] == "raggiunto con 4 giorni di ritardo"
    assert xlsx_states[(5, "Indicatore", 1)] == "raggiunto in tempo"
    assert xlsx_states[(5, "Indicatore", 2)] == "raggiunto con 3 giorni di ritardo"
    assert xlsx_states[(7, "Indicatore", 1)] == "misurato"
    assert xlsx_states[(1, "Indicatore", 1)] == "non ancora raggiunto"
    assert xlsx_states[(2, "Attività", 1)] == "completata con 10 giorni di ritardo"
    assert xlsx_states[(1, "Attività", 1)].startswith("in ritardo di ")
    assert xlsx_states[(3, "Indicatore", 2)] == "non ancora dovuto"
    assert xlsx_states[(10, "Attività", 1)] == "non ancora dovuta"
    assert xlsx_states[(2, "Attività", 2)] == "non misurata"
    # The scheda page shows the delay next to the score.
    two = client.get(reverse("objective_detail", args=[SLUG, card(plan, 2).pk]))
    assert "4 giorni di ritardo → 90,00%" in page_text(two.content)


_ROWS = [(p, r) for p in range(1, 12) for r in (1, 2)]
_RECORDS = st.sampled_from(
    [
        {"completed_on": date(2019, 4, 30)},
        {"completed_on": date(2019, 10, 4)},
        {"completed_on": date(2020, 1, 7)},
        {"numerator": D(95), "denominator": D(100)},
        {"numerator": D(100), "denominator": D(100)},
        {"numerator": D(100), "denominator": D(100), "completed_on": date(2020, 1, 7)},
        {"value": D(3)},
        {"progress": D(40)},
        {"not_assessable": True, "not_assessable_reason": "Dato non disponibile."},
    ]
)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    records=st.dictionaries(
        st.tuples(st.sampled_from(_ROWS), st.booleans()), _RECORDS, min_size=1, max_size=10
    ),
    closed=st.booleans(),
)
def test_for_any_measurements_every_surface_agrees_on_each_rows_state(
    _seed_rows, db, records, closed
):
    """Hypothesis: whatever is recorded, and whether the period is open or closed, the scheda
    page, the Relazione, the XLSX and the open data say the same state for every row."""
    with transaction.atomic():
        plan = demo(_seed_rows, period_state=MonitoringPeriod.State.OPEN)
        with scopes_disabled():
            for ((position, number), activity), fields in records.items():
                objective = card(plan, position)
                rows = objective.activities if activity else objective.indicators
                if rows.filter(position=number).exists():
                    measure(plan, position, number, activity=activity, **fields)
        if closed:
            close(plan)
        client = Client()
        assert client.login(username="serrao", password=DEMO_PASSWORD)
        surfaces = row_states(plan, client)
        assert len(surfaces["xlsx"]) == 16 + 23
        for name, states in surfaces.items():
            assert states == surfaces["xlsx"], name
        transaction.set_rollback(True)


# --- the Verifica intermedia: the same states, nothing not yet due at risk --------------------


def test_the_verifica_puts_at_risk_only_due_rows_in_their_states_words(_seed_rows, db):
    """A verifica at 31/10/2019: card 1's first activity (due 30/09) is half done, card 9's
    activity (due 30/10) was never reported; the rest of the plan is due at 31/12 or later."""
    from traguardo.reports.verifica import verifica_data

    plan = demo(
        _seed_rows, period_state=MonitoringPeriod.State.OPEN, plan_state=Plan.State.MONITORING
    )
    with scopes_disabled():
        period = plan.periods.get()
        period.kind = MonitoringPeriod.Kind.INTERMEDIATE
        period.reference_date = date(2019, 10, 31)
        period.save()
    measure(plan, 1, 1, activity=True, progress=D(50))
    with scope(authority=plan.authority):
        ver = verifica_data(plan, period)
    at_risk = {item.card.objective.position: item for item in ver.at_risk}
    reasons = {n: " ".join(item.reasons) for n, item in at_risk.items()}
    assert "Attività 1 «Verifica corso di validità di locazioni" in reasons[1]
    assert "in ritardo di 31 giorni" in reasons[1]
    assert "Attività 1 «Individuazione dei ruoli previsti" in reasons[9]
    assert "non misurata, la fine prevista era già passata." in reasons[9]
    # SINTEL's second indicator was due on 30/09 and has no measurement.
    assert "Indicatore 2 «Prima procedura di gara SINTEL»: non misurato" in reasons[2]
    # Schede whose every row is due later are not at risk, and say why.
    not_due = {item.card.objective.position for item in ver.cards if item.not_due}
    assert {3, 4, 10, 11} <= not_due
    assert set(at_risk) == {1, 2, 5, 9}
    assert "non ancora dovuta" not in " ".join(reasons.values())


def test_scenario_4_the_word_plan_says_provisional_and_words_each_row(one_measured):
    from docx import Document

    from tests.exchange.test_word_export import body_text
    from traguardo.exchange.word import plan_docx
    from traguardo.imports.word import read_docx

    with scope(authority=one_measured.authority):
        data = plan_docx(one_measured)
        draft = read_docx("piano.docx", data)
    text = body_text(Document(io.BytesIO(data)))
    assert (
        "Risultati del periodo «Consuntivo al 31/12/2019» al 31 dicembre 2019 (provvisorio): "
        f"{COVERAGE_4}."
    ) in text
    assert "Raggiungimento dell'obiettivo: 75,00% · provvisorio al 31 dicembre 2019" in text
    assert "1. Attuazione delle misure: 75,00% (misurato) — valore rilevato 75" in text
    assert "Raggiungimento dell'obiettivo: non ancora dovuta · provvisorio al 31 dicembre 2019" in (
        text
    )
    # An activity nobody reported on: «non misurata» in its RAGGIUNTO cell, never 0,00%.
    assert "non misurata" in text.split("\n")
    assert not re.search(r"(?<![\d,])0,00%", text)
    # The results after each card do not disturb reading the file back.
    assert len(draft.schede) == 11
    assert [p.message for p in draft.problems if p.blocking] == []
