"""The dashboard, the Gantt and "Le mie scadenze" on the demo plan and on small plans."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.factories import (
    PASSWORD,
    ActivityFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PlanFactory,
)
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.planning.models import Objective, Plan

pytestmark = pytest.mark.django_db
SLUG = "comune-esempio"
TODAY = timezone.localdate


def text(html: str) -> str:
    """Visible text, tags (and the charts' SVG) stripped, blanks collapsed."""
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, heading_id: str) -> str:
    """The text of the <section> labelled by ``heading_id``."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, heading_id
    return text(match.group(1))


# The demo plan is of 2019: with no period, or with its consuntivo at 31/12/2019 open, its
# pages are seen as of min(today, 31 December 2019) (DESIGN.md §4.7), never as of today.
AS_OF = date(2019, 12, 31)


def late(due: date) -> str:
    return f"{(AS_OF - due).days} giorni di ritardo"


@pytest.fixture
def demo(demo, client):
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    return demo


@pytest.fixture
def period(demo):
    with scopes_disabled():
        return MonitoringPeriodFactory(
            plan=demo, name="Consuntivo al 31/12/2019", reference_date=date(2019, 12, 31)
        )


def card(plan, position) -> Objective:
    with scopes_disabled():
        return Objective.objects.get(plan=plan, position=position)


def record(period, *, indicator=None, activity=None, completed_on):
    with scopes_disabled():
        MeasurementFactory(
            period=period, indicator=indicator, activity=activity, completed_on=completed_on
        )


@pytest.fixture
def card_5(demo, period):
    """Card 5's indicators 40/40/20 completed on time, 3 and 30 days late: 100, 90, 0 → 76."""
    elections = card(demo, 5)
    with scopes_disabled():
        indicators = list(elections.indicators.order_by("position"))
    for indicator, done in zip(
        indicators, (date(2019, 4, 30), date(2019, 5, 3), date(2019, 6, 30)), strict=True
    ):
        record(period, indicator=indicator, completed_on=done)
    return elections


def get(client, name, *args, **params):
    response = client.get(reverse(name, args=[SLUG, *args]), params)
    assert response.status_code == 200
    return response


def test_card_5_at_76_percent_is_amber_on_the_dashboard(client, card_5):
    response = get(client, "plan_dashboard", 2019)
    html = response.content.decode()
    row = re.search(rf'<tr id="scheda-{card_5.pk}">(.*?)</tr>', html, re.S).group(1)
    assert text(row).startswith("5 Elezioni Europee 2019 Settore II giallo 76,00% ")
    assert 'class="semaforo semaforo-amber" aria-hidden="true"' in row
    assert section(html, "ente") == (
        "Raggiungimento dell'ente giallo — 76,00% (provvisorio) 1 scheda su 9 misurata"
        " · 2 non ancora dovute · provvisorio al 31 dicembre 2019"
        " · media a pesi uguali: manca il Punteggio di qualche scheda."
    )
    assert (
        "Periodo di monitoraggio: Consuntivo al 31/12/2019 (aperto), data di riferimento "
        "31 dicembre 2019."
    ) in text(html)


def test_every_other_scheda_reads_not_measured(client, card_5):
    html = get(client, "plan_dashboard", 2019).content.decode()
    rows = re.findall(r'<tr id="scheda-(\d+)">(.*?)</tr>', html, re.S)
    assert len(rows) == 11
    later = {card(card_5.plan, 10).pk, card(card_5.plan, 11).pk}  # the 2020 and 2021 cards
    others = [text(row) for pk, row in rows if int(pk) not in {card_5.pk, *later}]
    assert len(others) == 8
    assert all("non misurato non misurato" in row for row in others)
    not_due = [text(row) for pk, row in rows if int(pk) in later]
    assert all("non ancora dovuta non ancora dovuta" in row for row in not_due)
    assert not any("non misurato" in row for row in not_due)


def test_the_distribution_and_the_units_show_card_5(client, card_5):
    response = get(client, "plan_dashboard", 2019)
    assert response.context["distribution"].table == [
        ("rosso", "< 60%", "0"),
        ("giallo", "≥ 60% e < 90%", "1"),
        ("verde", "≥ 90%", "0"),
        ("non misurato", "nessun risultato", "8"),
    ]
    assert response.context["unit_chart"].table == [("Settore II", "76,00%")]
    html = response.content.decode()
    distribution = section(html, "distribuzione-sezione")
    assert "Dati del grafico" in distribution
    assert "giallo ≥ 60% e < 90% 1 verde ≥ 90% 0 non misurato nessun risultato 8" in distribution
    assert "2 schede non ancora dovute a questa data non sono nel grafico." in distribution
    assert "Settore II 76,00%" in section(html, "unita-sezione")
    # The SVGs are in the page as markup, each named by its title.
    assert html.count('role="img"') == 2
    assert '<title id="distribuzione-titolo">Schede per fascia di raggiungimento</title>' in html


def test_the_overdue_list_names_what_is_past_due_and_not_what_was_done(client, card_5):
    html = get(client, "plan_dashboard", 2019).content.decode()
    overdue = section(html, "superate")
    assert (
        "30 settembre 2019 Verifica corso di validità di locazioni ed inserimento dati (attività) "
        "Implementazione software gestionale con i dati catastali e patrimoniali provenienti "
        f"dall'Ufficio Patrimonio dell'Ente {late(date(2019, 9, 30))}"
    ) in overdue
    assert (
        "30 settembre 2019 Prima procedura di gara SINTEL (indicatore) "
        f"2 · Piattaforma e-procurement SINTEL {late(date(2019, 9, 30))}"
    ) in overdue
    with scopes_disabled():
        done = list(card_5.indicators.values_list("name", flat=True))
    assert [name for name in done if name in overdue] == []
    sintel = card(card_5.plan, 2)
    link = reverse("objective_detail", args=[SLUG, sintel.pk])
    assert f'<a href="{link}">2 · Piattaforma e-procurement SINTEL</a>' in html


def test_a_deadline_met_is_no_longer_overdue(client, demo, period):
    sintel = card(demo, 2)
    with scopes_disabled():
        indicator = sintel.indicators.get(position=2)
    record(period, indicator=indicator, completed_on=date(2019, 10, 4))
    overdue = section(get(client, "plan_dashboard", 2019).content.decode(), "superate")
    assert "Prima procedura di gara SINTEL" not in overdue
    assert "Verifica corso di validità di locazioni ed inserimento dati" in overdue


def test_without_a_period_the_dashboard_says_nothing_is_measured(client, demo):
    html = get(client, "plan_dashboard", 2019).content.decode()
    assert "Nessun periodo di monitoraggio aperto: i risultati non sono ancora misurati." in text(
        html
    )
    assert section(html, "ente") == (
        "Raggiungimento dell'ente non misurato 0 schede su 9 misurate · 2 non ancora dovute"
        " · provvisorio al 31 dicembre 2019."
    )
    assert "Situazione al 31 dicembre 2019 · provvisorio (nessun periodo di monitoraggio)" in (
        text(html)
    )


@pytest.fixture
def near_plan(authority, unit_a):
    """A plan of this year with activities due in 10 and 100 days and one 5 days ago."""
    today = TODAY()
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=today.year, state=Plan.State.MONITORING)
        objective = ObjectiveFactory(
            plan=plan, unit=unit_a, responsible=unit_a.head, code="1", title="Sportello unico"
        )
        for title, days in (("Bando", 10), ("Collaudo", 100), ("Avvio", -5)):
            ActivityFactory(objective=objective, title=title, end_date=today + timedelta(days=days))
    return plan


def test_upcoming_deadlines_follow_the_window_in_days(client, admin, near_plan):
    assert client.login(username="admin", password=PASSWORD)

    def upcoming(**params):
        response = client.get(
            reverse("plan_dashboard", args=[near_plan.authority.slug, near_plan.year]), params
        )
        return response.context["days"], section(response.content.decode(), "in-arrivo")

    days, shown = upcoming()
    assert days == 30
    assert "Scadenze dei prossimi 30 giorni" in shown
    assert "Bando (attività) 1 · Sportello unico tra 10 giorni" in shown
    assert "Collaudo" not in shown
    days, shown = upcoming(giorni="120")
    assert "Collaudo (attività) 1 · Sportello unico tra 100 giorni" in shown
    assert [upcoming(giorni=g)[0] for g in ("0", "-3", "1000", "dieci", "")] == [
        1,
        1,
        365,
        30,
        30,
    ]


def test_the_gantt_page_of_sintel(client, demo, period):
    sintel = card(demo, 2)
    with scopes_disabled():
        first = sintel.activities.get(position=1)
    record(period, activity=first, completed_on=date(2019, 12, 20))
    response = get(client, "objective_gantt", 2019, sintel.pk)
    chart = response.context["chart"]
    assert chart.table == [
        (
            "1. Studio della normativa aggiornata e formazione",
            "non indicato",
            "31 dicembre 2019",
            "20 dicembre 2019",
            "completata in tempo",
        ),
        (
            "2. Abilitazione e registrazione sulla Piattaforma Sintel",
            "non indicato",
            "31 dicembre 2019",
            "—",
            "non misurata",
        ),
        (
            '3. Organizzazione e gestione degli "impiegati ed uffici abilitati" in piattaforma',
            "non indicato",
            "31 dicembre 2019",
            "—",
            "non misurata",
        ),
        (
            "4. Configurazione dei modelli di procedure più utilizzati dai vari settori",
            "non indicato",
            "31 dicembre 2020",
            "—",
            "non ancora dovuta",
        ),
    ]
    page = text(response.content.decode())
    assert "Piano operativo 2: Piattaforma e-procurement SINTEL" in page
    assert (
        "Le attività senza data di inizio partono dal primo giorno del piano (1° gennaio 2019)."
    ) in page
    assert "Dati del grafico" in page
    # The data table is open on this page; the SVG escapes the quotes of activity 3.
    assert "<details open>" in response.content.decode()
    assert "&quot;impiegati ed uffici abilitati&quot;" in response.content.decode()


def test_the_gantt_lists_undated_activities(client, demo):
    events = card(demo, 4)
    chart = get(client, "objective_gantt", 2019, events.pk).context["chart"]
    # Undated, they are due by the end of the scheda's year: nobody reported on them.
    assert [row[4] for row in chart.table] == ["senza date — non misurata"] * 3


def test_the_dashboard_links_each_scheda_to_its_gantt(client, demo):
    html = get(client, "plan_dashboard", 2019).content.decode()
    sintel = card(demo, 2)
    assert reverse("objective_gantt", args=[SLUG, 2019, sintel.pk]) in html


def test_a_gantt_under_another_year_is_not_found(client, demo):
    response = client.get(reverse("objective_gantt", args=[SLUG, 2020, card(demo, 2).pk]))
    assert response.status_code == 404


def test_my_deadlines_are_those_of_my_schede_and_units(client, demo):
    page = get(client, "my_deadlines")
    html = page.content.decode()
    overdue = section(html, "superate")
    assert (
        "30 settembre 2019 Prima procedura di gara SINTEL (indicatore) "
        f"2 · Piattaforma e-procurement SINTEL Piano 2019 {late(date(2019, 9, 30))}"
    ) in overdue
    # Cards 1 and 6 have neither a unit nor a responsible: not Serrao's.
    assert "Verifica corso di validità di locazioni" not in overdue
    # Seen as of 31/12/2019: what falls due that day is still to come, the 2020 and 2021
    # deadlines come later; neither is counted from today.
    coming = section(html, "in-arrivo")
    assert (
        "31 dicembre 2019 Attuazione misure (attività) 8 · Attuazione delle misure di "
        "trasparenza Piano 2019 scade il 31 dicembre 2019, data della situazione"
    ) in coming
    later = section(html, "piu-avanti")
    assert "31 dicembre 2021" in later and "731 giorni dopo il 31 dicembre 2019" in later
    assert "tra " not in coming + later and "oggi" not in coming + later
    assert "Le mie scadenze" in text(html)
    assert "Piano 2019: Situazione al 31 dicembre 2019 · provvisorio" in text(html)


def test_my_deadlines_leave_out_closed_plans(client, demo):
    with scopes_disabled():
        Plan.objects.filter(pk=demo.pk).update(state=Plan.State.CLOSED)
    page = text(get(client, "my_deadlines").content.decode())
    assert (
        "Nei piani in corso nessuna scheda risulta affidata alla persona o alle unità che segue: "
        "non ci sono scadenze da mostrare."
    ) in page


def test_a_member_without_schede_gets_the_empty_state(client, demo):
    assert client.login(username="nucleo", password=DEMO_PASSWORD)
    page = text(get(client, "my_deadlines").content.decode())
    assert "non ci sono scadenze da mostrare." in page
    assert "Scadenze superate" not in page


def test_my_deadlines_split_overdue_next_days_and_later(client, manager_a, near_plan):
    assert client.login(username="manager_a", password=PASSWORD)
    response = client.get(reverse("my_deadlines", args=[near_plan.authority.slug]))
    html = response.content.decode()
    plan = near_plan.title
    assert section(html, "superate").endswith(
        f"Avvio (attività) 1 · Sportello unico {plan} 5 giorni di ritardo"
    )
    assert section(html, "in-arrivo").endswith(
        f"Bando (attività) 1 · Sportello unico {plan} tra 10 giorni"
    )
    assert section(html, "piu-avanti").endswith(
        f"Collaudo (attività) 1 · Sportello unico {plan} tra 100 giorni"
    )


def test_a_manager_sees_the_deadlines_of_the_units_below_theirs(
    client, manager_a, manager_b, authority, unit_a
):
    with scopes_disabled():
        office = OrgUnitFactory(authority=authority, parent=unit_a, name="Ufficio di A")
        plan = PlanFactory(authority=authority, year=TODAY().year)
        objective = ObjectiveFactory(plan=plan, unit=office, title="Scheda dell'ufficio")
        ActivityFactory(objective=objective, title="Consegna", end_date=TODAY())
    for username, expected in (("manager_a", True), ("manager_b", False)):
        assert client.login(username=username, password=PASSWORD)
        page = text(client.get(reverse("my_deadlines", args=[authority.slug])).content.decode())
        assert ("Consegna (attività)" in page) == expected, username


def test_the_menu_links_my_deadlines_and_the_plan_links_its_dashboard(client, demo):
    html = get(client, "plan_detail", 2019).content.decode()
    assert f'href="{reverse("my_deadlines", args=[SLUG])}">Le mie scadenze</a>' in html
    assert f'href="{reverse("plan_dashboard", args=[SLUG, 2019])}">Cruscotto</a>' in html


def test_the_dashboard_gives_each_responsible_their_result(client, card_5):
    html = get(client, "plan_dashboard", 2019).content.decode()
    section = html[html.index('id="responsabili-sezione"') :]
    section = section[: section.index("</section>")]
    assert "Giancarlo Serrao" in section
    assert "76,00%" in section
    assert "(pesi uguali: punteggio non compilato)" in section
