"""The Verifica intermedia of the demo plan at 30 June 2019: the schede at risk, their deadlines."""

import io
import re
from datetime import date

import pytest
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from tests.factories import MeasurementFactory, MonitoringPeriodFactory
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import Objective
from traguardo.reports.verifica import render_verifica_pdf, verifica_data

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def june(demo, unscoped):
    """The verifica al 30/06 is closed (card 5: on time, 3 days late, not done by 31/05); the
    consuntivo is open and empty, so the pages' "current" period is another one. The seed
    plan is the ``demo`` fixture's (load_seed's rows, written from the session's copy)."""
    plan = demo
    period = MonitoringPeriodFactory(
        plan=plan,
        name="Verifica al 30/06/2019",
        kind=MonitoringPeriod.Kind.INTERMEDIATE,
        reference_date=date(2019, 6, 30),
        state=MonitoringPeriod.State.CLOSED,
    )
    MonitoringPeriodFactory(
        plan=plan, name="Consuntivo al 31/12/2019", reference_date=date(2019, 12, 31)
    )
    elections = Objective.objects.get(plan=plan, position=5)
    first, second, _third = elections.indicators.order_by("position")
    for indicator, done in ((first, date(2019, 4, 30)), (second, date(2019, 5, 3))):
        MeasurementFactory(period=period, indicator=indicator, completed_on=done)
    return period


def test_card_5_is_the_scheda_at_risk_and_says_why(june):
    with scope(authority=june.authority):
        ver = verifica_data(june.plan, june)
    assert len(ver.cards) == 11
    assert [item.card.objective.position for item in ver.at_risk] == [5]
    (item,) = ver.at_risk
    # The intermediate period's measurements, closed: the missing third counts as 0.
    assert item.card.result.achievement == 76
    # One reason per row, in the rows' state words (the missing third once, not twice).
    assert item.reasons == [
        "Indicatore 2 «Revisione straordinaria delle liste elettorali»: raggiunto con 3 giorni "
        "di ritardo, raggiungimento 90,00%, sotto il livello atteso.",
        "Indicatore 3 «Trasmissione dati dello scrutinio alla Prefettura e al Ministero tramite "
        "Web Services»: non misurato (manca il valore rilevato), il livello atteso era già "
        "dovuto.",
    ]
    assert [(line.deadline.due_on, line.state) for line in item.deadlines] == [
        (date(2019, 4, 30), "completata il 30 aprile 2019"),
        (date(2019, 4, 30), "completata il 3 maggio 2019, con 3 giorni di ritardo"),
        (date(2019, 5, 31), "scaduta da 30 giorni, non completata"),
    ]


def test_the_pdf_lists_every_scheda_and_details_those_at_risk(june):
    with scope(authority=june.authority):
        data = render_verifica_pdf(june.plan, june)
    assert data.startswith(b"%PDF")
    pages = [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]
    assert "Verifica intermedia al 30 giugno 2019" in pages[0]
    assert "Comune di Esempio" in pages[0] and "Piano 2019" in pages[0]
    assert "Indice" in pages[1]
    for number, page in enumerate(pages, start=1):
        assert f"Pagina {number} di {len(pages)}" in page
    index = pages[1]
    at_risk_page = int(re.search(r"5 Elezioni Europee 2019 (\d+)", index).group(1))
    assert "Scheda 5 — Elezioni Europee 2019" in pages[at_risk_page - 1]
    assert at_risk_page == len(pages)  # one scheda at risk: the last section
    text = " ".join(pages)
    assert "1 scheda a rischio su 11." in text
    assert "76,00%" in text
    assert "scaduta da 30 giorni, non completata" in text
    assert "31 maggio 2019" in text
    with scopes_disabled():
        schede = list(june.plan.objectives.all())
    overview = " ".join(pages[2 : at_risk_page - 1])
    for objective in schede:
        assert str(objective) in overview, objective
    # At 30 June every other scheda has its targets due later: not yet due, never at risk.
    assert overview.count("in linea") == 0 and overview.count("a rischio") == 2  # + the total
    assert overview.count("non ancora dovuta") == 2 * 10  # the result and the outcome columns
    assert "1 scheda su 1 misurata · 10 non ancora dovute" in text
