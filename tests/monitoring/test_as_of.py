"""The monitoring surfaces: every delay, state and check as of the period's date.

The demo plan (Piano 2019, 2019–2021) seen on 6 December 2026: with its Consuntivo 2019
closed at 31/12/2019, the cruscotto, "Le mie scadenze", the Gantt, the calendar feed and the
reminders count delays to 31/12/2019, never to today; closing the consuntivo asks only for
what was due in 2019; a ratio graded by delay is reached on a day, which cannot be given
while the value is below its expected level.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.dashboard.test_pages import section, text
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from tests.reminders.ical_reader import read_calendar
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.accounts.models import User
from traguardo.core.domain import InvalidData
from traguardo.monitoring.domain import close_period, closure_check
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.monitoring.reminders import build_reminders, issue_calendar_token
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import ScoringPolicy
from traguardo.planning.models import Indicator, Objective, Plan

pytestmark = pytest.mark.django_db

SLUG = "comune-esempio"
TODAY = date(2026, 12, 6)  # the day of the issue: years after the consuntivo
THOUSANDS_OF_DAYS = re.compile(r"\b\d{4,} giorn")


@pytest.fixture
def demo(demo, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = demo
    with scopes_disabled():
        Plan.objects.filter(pk=plan.pk).update(state=Plan.State.MONITORING)
    plan.refresh_from_db()
    return plan


def card(position: int) -> Objective:
    with scopes_disabled():
        return Objective.objects.get(position=position)


def consuntivo(plan, state=MonitoringPeriod.State.CLOSED) -> MonitoringPeriod:
    with scopes_disabled():
        return MonitoringPeriodFactory(
            plan=plan, name="Consuntivo 2019", reference_date=date(2019, 12, 31), state=state
        )


# -- scenario 1 ------------------------------------------------------------------------------


@pytest.fixture
def closed_2019(demo, client):
    period = consuntivo(demo)
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    return period


def test_scenario_1_delays_are_counted_as_of_the_period_not_today(client, closed_2019):
    """Cruscotto: 30 aprile 2019 → 245 giorni (to 31/12/2019), never thousands of days."""
    html = client.get(reverse("plan_dashboard", args=[SLUG, 2019])).content.decode()
    page = text(html)
    assert "Situazione al 31 dicembre 2019 (Consuntivo 2019, chiuso)" in page
    overdue = section(html, "superate")
    assert (
        "30 aprile 2019 Revisione straordinaria delle liste elettorali (indicatore) "
        "5 · Elezioni Europee 2019 245 giorni di ritardo al 31 dicembre 2019"
    ) in overdue
    assert not THOUSANDS_OF_DAYS.search(page)
    # Due on the consuntivo's own date: not late on it.
    assert "Studio della normativa aggiornata e formazione" not in overdue
    # Due in 2020 and 2021: not overdue as of the consuntivo 2019.
    assert "31 dicembre 2020" not in overdue and "31 dicembre 2021" not in overdue


def test_scenario_1_my_deadlines_count_to_the_period_s_date(client, closed_2019):
    html = client.get(reverse("my_deadlines", args=[SLUG])).content.decode()
    assert (
        "30 aprile 2019 Revisione straordinaria delle liste elettorali (indicatore) "
        "5 · Elezioni Europee 2019 Piano 2019 245 giorni di ritardo al 31 dicembre 2019"
    ) in section(html, "superate")
    assert "Piano 2019: Situazione al 31 dicembre 2019 (Consuntivo 2019, chiuso)" in text(html)
    assert not THOUSANDS_OF_DAYS.search(text(html))


def test_scenario_1_the_gantt_of_the_consuntivo_is_not_late_on_its_own_date(client, closed_2019):
    """SINTEL's activities 1-3 end on 31/12/2019, the consuntivo's date: not «in ritardo»."""
    with scopes_disabled():
        first = card(2).activities.get(position=1)
        MeasurementFactory(period=closed_2019, activity=first, completed_on=date(2020, 1, 3))
    response = client.get(reverse("objective_gantt", args=[SLUG, 2019, card(2).pk]))
    states = [row[4] for row in response.context["chart"].table]
    assert states == [
        "completata con 3 giorni di ritardo",
        "non misurata",
        "non misurata",
        "non ancora dovuta",
    ]
    svg = response.context["chart"].svg
    assert ": in ritardo" not in svg  # no bar is drawn late
    assert "Situazione al 31 dicembre 2019 (Consuntivo 2019, chiuso)" in text(
        response.content.decode()
    )


def test_scenario_1_the_calendar_feed_names_the_period_s_date(client, closed_2019):
    with scopes_disabled():
        serrao = User.objects.get(username="serrao")
        lists = Indicator.objects.get(name="Revisione straordinaria delle liste elettorali")
    token = issue_calendar_token(serrao, closed_2019.authority)
    body = Client().get(reverse("calendar_feed", kwargs={"token": token})).content.decode()
    feed = read_calendar(body)
    [event] = [e for e in feed.events if e["UID"].startswith(f"indicator-{lists.pk}-")]
    assert event["DESCRIPTION"].splitlines()[-1] == (
        "Stato: non completata al 31 dicembre 2019 (Consuntivo 2019, chiuso): "
        "245 giorni di ritardo a quella data"
    )
    descriptions = " ".join(e["DESCRIPTION"] for e in feed.events)
    assert not THOUSANDS_OF_DAYS.search(descriptions)
    assert "in ritardo di" not in descriptions  # no delay "as of today" for a closed period


def test_scenario_1_the_reminder_names_the_period_s_date(closed_2019, mailoutbox):
    User.objects.filter(username="serrao").update(email="serrao@comune-esempio.it")
    reminders, _empty = build_reminders(TODAY, 14)
    [reminder] = [r for r in reminders if r.address == "serrao@comune-esempio.it"]
    assert (
        "- 30 aprile 2019, non completata al 31 dicembre 2019 (Consuntivo 2019, chiuso): "
        "245 giorni di ritardo a quella data\n"
        "  Scheda: 5 – Elezioni Europee 2019\n"
        "  Indicatore: Revisione straordinaria delle liste elettorali\n"
    ) in reminder.body
    assert not THOUSANDS_OF_DAYS.search(reminder.body)


def test_scenario_1_an_open_consuntivo_counts_to_its_date_too(client, demo):
    """Open, its date past: the delays stop at 31/12/2019 and the page says «provvisorio»."""
    consuntivo(demo, MonitoringPeriod.State.OPEN)
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    html = client.get(reverse("plan_dashboard", args=[SLUG, 2019])).content.decode()
    assert "Situazione al 31 dicembre 2019 (Consuntivo 2019, aperto) · provvisorio" in text(html)
    assert "245 giorni di ritardo al 31 dicembre 2019" in section(html, "superate")


# -- cruscotto roll-ups ----------------------------------------------------------------------


def test_the_cruscotto_s_roll_ups_carry_their_coverage(client, demo):
    period = consuntivo(demo, MonitoringPeriod.State.OPEN)
    with scopes_disabled():
        for indicator in card(5).indicators.all():
            MeasurementFactory(
                period=period, indicator=indicator, completed_on=indicator.targets.get().due_date
            )
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    html = client.get(reverse("plan_dashboard", args=[SLUG, 2019])).content.decode()
    coverage = "1 scheda su {} misurata · 2 non ancora dovute · provvisorio al 31 dicembre 2019"
    assert coverage.format(9) in section(html, "ente")  # cards 10 and 11: 2020, 2021
    # Cards 1 and 6 have no unit: the Settore II has 9, 7 of them due in 2019.
    assert "Settore II : " + coverage.format(7) in section(html, "unita-sezione")
    people = section(html, "responsabili-sezione")
    assert "Giancarlo Serrao 9 " in people and "100,00%" in people
    assert coverage.format(7) in people
    row = re.search(rf'<tr id="scheda-{card(11).pk}">(.*?)</tr>', html, re.S).group(1)
    assert "non ancora dovuta" in text(row) and "non misurato" not in text(row)


# -- scenario 2 ------------------------------------------------------------------------------


def _settle_what_2019_asks(client, period):
    """Record every indicator due in 2019 as the consuntivo 2019 needs it, through the page."""
    records = {
        (1, 1): {"numerator": "200", "denominator": "200", "completed_on": "2020-01-07"},
        (2, 1): {"completed_on": "2019-12-20"},
        (2, 2): {"completed_on": "2019-10-04"},
        (3, 1): {"completed_on": "2019-12-31"},
        (4, 1): {"completed_on": "2019-11-30"},
        # No baseline on the card: the variation cannot be computed; a person decides.
        (4, 2): {"not_assessable": "on", "not_assessable_reason": "Manca il dato del 2018"},
        (5, 1): {"completed_on": "2019-04-30"},
        (5, 2): {"completed_on": "2019-05-03"},
        (5, 3): {"completed_on": "2019-06-30"},
        (6, 1): {"value": "3"},
        (7, 1): {"numerator": "18", "denominator": "24"},
        (8, 1): {"numerator": "30", "denominator": "30"},
        # No expected level on the card: not computable, so a person decides.
        (9, 1): {"not_assessable": "on", "not_assessable_reason": "Livello atteso mancante"},
    }
    for (position, row), values in records.items():
        objective = card(position)
        with scopes_disabled():
            key = f"ind-{objective.indicators.get(position=row).pk}"
        response = client.post(
            reverse("measurements", args=[SLUG, objective.pk]),
            {"subject": key, **{f"{key}-{k}": v for k, v in values.items()}},
        )
        assert response.status_code == 302, (position, row, text(response.content.decode()))


def test_scenario_2_the_consuntivo_closes_with_what_was_due_in_2019(client, demo):
    period = consuntivo(demo, MonitoringPeriod.State.OPEN)
    assert client.login(username="admin", password=DEMO_PASSWORD)
    with scopes_disabled():
        check = closure_check(period)
    assert [(i.objective.position, i.kind, i.position) for i in check.not_due] == [
        (3, "indicator", 2),
        (10, "indicator", 1),
        (11, "indicator", 1),
    ]
    assert all(i.objective.year == 2019 for i in check.missing)
    page = client.get(reverse("periods", args=[SLUG, 2019])).content.decode()
    not_due = section(page, "chiusura")
    assert (
        "Scheda 3 «Avvio procedura elenchi incarichi legali», indicatore 2 «Formazione elenchi "
        "professionisti legali»: non ancora dovuto"
    ) in not_due
    assert "Scheda 10 «PROTEZIONE DEI DATI PERSONALI», indicatore 1" in not_due
    assert "13 rilevazioni mancanti" in text(page)

    _settle_what_2019_asks(client, period)

    page = client.get(reverse("periods", args=[SLUG, 2019])).content.decode()
    assert "il periodo si può chiudere" in section(page, "chiusura")
    response = client.post(reverse("period_action", args=[SLUG, period.pk, "chiudi"]))
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.state == MonitoringPeriod.State.CLOSED
    with scopes_disabled():
        assert not Measurement.objects.filter(indicator__objective__year__gt=2019).exists()


def test_scenario_2_each_refusal_names_the_scheda_the_row_and_why(client, demo):
    period = consuntivo(demo, MonitoringPeriod.State.OPEN)
    assert client.login(username="admin", password=DEMO_PASSWORD)
    one = card(1)
    with scopes_disabled():
        key = f"ind-{one.indicators.get().pk}"
    client.post(
        reverse("measurements", args=[SLUG, one.pk]),
        {"subject": key, f"{key}-numerator": "95", f"{key}-denominator": "100"},
    )
    nine = card(9)  # a ratio whose card gives no expected level
    with scopes_disabled():
        key = f"ind-{nine.indicators.get().pk}"
    client.post(
        reverse("measurements", args=[SLUG, nine.pk]),
        {"subject": key, f"{key}-numerator": "5", f"{key}-denominator": "10"},
    )
    response = client.post(reverse("period_action", args=[SLUG, period.pk, "chiudi"]), follow=True)
    page = text(response.content.decode())
    assert (
        "Scheda 1 «PROTEZIONE DEI DATI PERSONALI», indicatore 1 «Individuazione dei ruoli "
    ) in page
    assert (
        "manca il livello atteso: occorre correggere la rilevazione o la scheda, segnarla non "
        "valutabile o chiedere la forzatura."
    ) in page
    assert "Il periodo non si può chiudere: 13 elementi dovuti" in page
    assert (
        "Scheda n. 1 (senza codice) «Implementazione software gestionale con i dati catastali "
        "e patrimoniali provenienti dall'Ufficio Patrimonio dell'Ente», indicatore 1 "
        "«Completare inserimento dati»: livello atteso non raggiunto alla data di riferimento: "
        "indicare la data di raggiungimento, segnare non valutabile o chiedere la forzatura."
    ) in page
    assert "Scheda n. 6 (senza codice), indicatore 1 «Comunicazione degli eventi»: nessuna " in (
        page
    )
    period.refresh_from_db()
    assert period.state == MonitoringPeriod.State.OPEN


# -- scenario 3 ------------------------------------------------------------------------------


@pytest.fixture
def card_1(client, demo):
    """Card 1's ratio, target 100 by 31/12/2019, graded by delay 5/10/15, consuntivo open."""
    period = consuntivo(demo, MonitoringPeriod.State.OPEN)
    assert client.login(username="admin", password=DEMO_PASSWORD)
    one = card(1)
    with scopes_disabled():
        indicator = one.indicators.get()
    return one, indicator, period


def _post(client, objective, indicator, **values):
    key = f"ind-{indicator.pk}"
    return client.post(
        reverse("measurements", args=[SLUG, objective.pk]),
        {"subject": key, **{f"{key}-{k}": v for k, v in values.items()}},
    )


def _row_state(client, objective, indicator) -> str:
    html = client.get(reverse("measurements", args=[SLUG, objective.pk])).content.decode()
    match = re.search(rf'<p[^>]*id="stato-ind-{indicator.pk}">(.*?)</p>', html, re.S)
    assert match
    return text(match.group(1))


def test_scenario_3_a_ratio_graded_by_delay_needs_the_day_its_level_is_reached(client, card_1):
    objective, indicator, _period = card_1
    # 95 of 100 with a "reached" day: refused next to the field, nothing saved.
    response = _post(
        client, objective, indicator, numerator="95", denominator="100", completed_on="2019-12-31"
    )
    assert response.status_code == 400
    html = response.content.decode()
    field = re.search(
        rf'<input[^>]*id="id_ind-{indicator.pk}-completed_on".*?</div>', html, re.S
    ).group(0)
    assert (
        "Il livello atteso (100) non è raggiunto: il valore rilevato è 95. Indicare la data di "
        "raggiungimento solo quando il livello è raggiunto"
    ) in text(field)
    assert "Data in cui è stato raggiunto il livello atteso" in text(html)
    with scopes_disabled():
        assert not Measurement.objects.exists()

    # 95 of 100 without the day: saved, and the page says why there is no score.
    assert _post(client, objective, indicator, numerator="95", denominator="100").status_code == 302
    assert _row_state(client, objective, indicator) == (
        "Stato al 31 dicembre 2019: non ancora raggiunto — nessun punteggio: "
        "livello atteso non ancora raggiunto"
    )

    # 100 of 100 without the day: saved, no score, the day is what is missing.
    _post(client, objective, indicator, numerator="100", denominator="100")
    assert _row_state(client, objective, indicator) == (
        "Stato al 31 dicembre 2019: non misurato — nessun punteggio: "
        "manca la data di raggiungimento"
    )

    # 100 of 100 reached on 07/01/2020: 7 days late → 80 (DESIGN.md §4.6, card 1).
    response = _post(
        client, objective, indicator, numerator="100", denominator="100", completed_on="2020-01-07"
    )
    assert response.status_code == 302
    assert _row_state(client, objective, indicator) == (
        "Stato al 31 dicembre 2019: raggiunto con 7 giorni di ritardo — "
        "7 giorni di ritardo → 80,00%"
    )
    with scopes_disabled():
        stored = Measurement.objects.get()
    assert (stored.numerator, stored.completed_on) == (Decimal(100), date(2020, 1, 7))


def test_a_number_graded_by_delay_asks_for_the_day_and_respects_the_direction(
    client, authority, admin
):
    """Lower is better: 3 complaints against at most 5 is reached; 8 is not."""
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2019, state=Plan.State.MONITORING)
        objective = ObjectiveFactory(plan=plan)
        indicator = IndicatorFactory(
            objective=objective,
            measure="number",
            direction="lower",
            grading_scale=_delay_scale(authority),
        )
        TargetFactory(indicator=indicator, value=Decimal(5), due_date=date(2019, 6, 30))
        consuntivo(plan, MonitoringPeriod.State.OPEN)
    assert client.login(username="admin", password=PASSWORD)
    url = reverse("measurements", args=[authority.slug, objective.pk])
    key = f"ind-{indicator.pk}"
    form = text(client.get(url).content.decode())
    assert "Data in cui è stato raggiunto il livello atteso" in form
    refused = client.post(
        url, {"subject": key, f"{key}-value": "8", f"{key}-completed_on": "2019-07-02"}
    )
    assert refused.status_code == 400
    assert "Il livello atteso (5) non è raggiunto: il valore rilevato è 8." in text(
        refused.content.decode()
    )
    saved = client.post(
        url, {"subject": key, f"{key}-value": "3", f"{key}-completed_on": "2019-07-02"}
    )
    assert saved.status_code == 302
    with scopes_disabled():
        assert Measurement.objects.get().completed_on == date(2019, 7, 2)


def _delay_scale(authority):
    from tests.factories import GradingScaleFactory

    with scopes_disabled():
        return GradingScaleFactory(authority=authority)


# -- closing and activities ------------------------------------------------------------------


@pytest.fixture
def with_activity(authority, admin):
    """A scheda whose indicator is met and whose activity, due 30/06/2019, nobody reported."""
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2019, state=Plan.State.MONITORING)
        objective = ObjectiveFactory(plan=plan, code="A1", title="Sportello unico")
        indicator = IndicatorFactory(objective=objective)
        TargetFactory(indicator=indicator, due_date=date(2019, 6, 30))
        ActivityFactory(objective=objective, position=1, title="Bando", end_date=date(2019, 6, 30))
        ActivityFactory(
            objective=objective, position=2, title="Collaudo", end_date=date(2020, 3, 31)
        )
        period = consuntivo(plan, MonitoringPeriod.State.OPEN)
        MeasurementFactory(period=period, indicator=indicator, completed_on=date(2019, 6, 1))
        ensure_policy(authority)
    return period


def _share(authority, value):
    with scopes_disabled():
        ScoringPolicy.objects.filter(authority=authority).update(activity_share=Decimal(value))


def test_closing_asks_for_due_activities_when_they_count(authority, admin, with_activity):
    _share(authority, 50)
    with scopes_disabled():
        check = closure_check(with_activity)
        assert [i.message for i in check.missing] == [
            "Scheda A1 «Sportello unico», attività 1 «Bando»: nessuna rilevazione."
        ]
        assert [i.name for i in check.not_due] == ["Collaudo"]  # due in 2020
        with pytest.raises(InvalidData, match="Bando"):
            close_period(with_activity, actor=admin)
    with_activity.refresh_from_db()
    assert with_activity.state == MonitoringPeriod.State.OPEN


def test_closing_ignores_activities_that_do_not_count(authority, admin, with_activity):
    _share(authority, 0)
    with scopes_disabled():
        assert closure_check(with_activity).missing == []
        close_period(with_activity, actor=admin)
    with_activity.refresh_from_db()
    assert with_activity.state == MonitoringPeriod.State.CLOSED


def test_an_indicator_with_a_score_is_no_longer_overdue(client, demo):
    """Card 7's ratio is graded on its value: once measured (18 of 24 → 75) its deadline is
    met, though no completion date is recorded; card 8's, unmeasured, stays overdue."""
    period = consuntivo(demo, MonitoringPeriod.State.OPEN)
    with scopes_disabled():
        seven, eight = card(7).indicators.get(), card(8).indicators.get()
        for indicator in (seven, eight):  # due 30/06/2019, so overdue as of 31/12/2019
            target = indicator.targets.get()
            target.due_date = date(2019, 6, 30)
            target.save()
        MeasurementFactory(
            period=period, indicator=seven, numerator=Decimal(18), denominator=Decimal(24)
        )
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    html = client.get(reverse("plan_dashboard", args=[SLUG, 2019])).content.decode()
    overdue = section(html, "superate")
    assert (
        "30 giugno 2019 Attuazione misure (indicatore) 8 · Attuazione delle misure di "
        "trasparenza 184 giorni di ritardo al 31 dicembre 2019"
    ) in overdue
    assert "Attuazione delle misure (indicatore)" not in overdue
