"""The demo Comune's Piano 2019 in each public state, measured and (when asked) closed."""

import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from tests.factories import MeasurementFactory, MonitoringPeriodFactory
from traguardo.accounts.models import User
from traguardo.imports.seed import DEMO_AUTHORITY
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import Comment, Objective, Plan

SLUG = DEMO_AUTHORITY["slug"]
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


def pdf_text(data: bytes) -> str:
    """A PDF's text as a person reads it (poppler's pdftotext)."""
    done = subprocess.run(  # noqa: S603 (poppler on the response we just got)
        [PDFTOTEXT, "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def measure_and_close(plan: Plan, *, state: str) -> None:
    """A final period with card 5 (76,00%) and card 7 (18 of 24 → 75,00%) measured by the
    demo Dirigente, a comment of the Nucleo, then the period closed and the plan in ``state``."""
    serrao = User.objects.get(username="serrao")
    nucleo = User.objects.get(username="nucleo")
    period = MonitoringPeriodFactory(
        plan=plan, name="Consuntivo al 31/12/2019", reference_date=date(2019, 12, 31)
    )
    elections = Objective.objects.get(plan=plan, position=5)
    for indicator, done in zip(
        elections.indicators.order_by("position"),
        (date(2019, 4, 30), date(2019, 5, 3), date(2019, 6, 30)),
        strict=True,
    ):
        MeasurementFactory(
            period=period,
            indicator=indicator,
            completed_on=done,
            entered_by=serrao,
            comment="Revisione chiusa in ritardo per la consegna tardiva dei verbali"
            if done == date(2019, 5, 3)
            else "",
        )
    ptpc = Objective.objects.get(plan=plan, position=7)
    MeasurementFactory(
        period=period,
        indicator=ptpc.indicators.get(position=1),
        numerator=Decimal(18),
        denominator=Decimal(24),
        entered_by=serrao,
    )
    Comment.objects.create(
        authority=plan.authority,
        objective=elections,
        topic=Comment.Topic.RESULT,
        body="Il Nucleo (Marco Bianchi) prende atto del risultato di Serrao.",
        author=nucleo,
    )
    if state in (Plan.State.CLOSED, Plan.State.VALIDATED):
        period.state = MonitoringPeriod.State.CLOSED
        period.save(update_fields=["state"])
    Plan.objects.filter(pk=plan.pk).update(
        state=state,
        act_type="Delibera di Giunta",
        act_number="17",
        act_date=date(2019, 2, 5),
        **(
            {
                "validated_on": date(2020, 5, 30),
                "validation_minutes": "Verbale n. 3 del 30 maggio 2020",
                "validated_by": nucleo,
            }
            if state == Plan.State.VALIDATED
            else {}
        ),
    )
    plan.refresh_from_db()


def demo_plan(plan: Plan, state: str) -> Plan:
    """The seed plan (the ``demo`` fixture) taken to ``state``."""
    with scopes_disabled():
        if state != Plan.State.DRAFT:
            measure_and_close(plan, state=state)
    return plan


@pytest.fixture
def closed_plan(demo):
    return demo_plan(demo, Plan.State.CLOSED)


@pytest.fixture
def monitoring_plan(demo):
    return demo_plan(demo, Plan.State.MONITORING)


@pytest.fixture
def draft_plan(demo):
    return demo_plan(demo, Plan.State.DRAFT)
