"""Actions decide on the plan's and the period's state as the database holds it inside their
transaction, not as the request loaded it.

Each test loads the objects as a request would, lets "another request" change the state with
a direct UPDATE, then runs the action on the stale objects: it must be refused and write
nothing (no row, no audit entry of its own).
"""

from datetime import date

import pytest
from django_scopes import scope, scopes_disabled

from tests.factories import MonitoringPeriodFactory
from tests.imports.test_pipeline import draft, scheda
from tests.lifecycle.conftest import entries_since, in_state, last_id
from traguardo.core.domain import DomainError
from traguardo.imports.pipeline import apply, prepare
from traguardo.monitoring.domain import (
    MeasurementData,
    close_period,
    open_period,
    record_measurement,
)
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.planning.domain.objectives import ObjectiveData, create_objective, update_objective
from traguardo.planning.domain.variations import open_variation
from traguardo.planning.models import Objective, Plan, Variation

pytestmark = pytest.mark.django_db


def moved_meanwhile(plan: Plan, state: str) -> None:
    """Another request moves the plan; the caller keeps its stale object."""
    Plan.objects.filter(pk=plan.pk).update(state=state)


def header(objective: Objective, **changes) -> ObjectiveData:
    return ObjectiveData(
        code=objective.code,
        title=changes.get("title", objective.title),
        year=objective.year,
        first_year=objective.first_year,
        last_year=objective.last_year,
        unit_id=objective.unit_id,
        responsible_id=objective.responsible_id,
    )


def test_a_scheda_saved_after_the_plan_was_proposed_is_refused(plan, manager_a):
    with scopes_disabled():
        objective = Objective.objects.select_related("plan").get(plan=plan)
        version, since = objective.version, last_id()
        moved_meanwhile(plan, Plan.State.SUBMITTED)
        with pytest.raises(DomainError, match=r"stato del piano è cambiato \(ora: «Proposta»\)"):
            update_objective(
                objective, actor=manager_a, version=version, data=header(objective, title="Nuovo")
            )
        fresh = Objective.objects.get(pk=objective.pk)
        assert (fresh.version, fresh.title) == (version, "Sportello unico")
        with pytest.raises(DomainError, match="Proposta"):
            create_objective(plan, actor=manager_a, data=header(objective, title="Altra"))
        assert Objective.objects.filter(plan=plan).count() == 1
    assert entries_since(since) == []


def test_an_import_confirmed_after_the_plan_was_approved_is_refused(plan, admin):
    with scope(authority=plan.authority):
        result = prepare(draft(scheda(1, "99")), plan, admin)
        assert result.importable
        since = last_id()
        moved_meanwhile(plan, Plan.State.APPROVED)
        with pytest.raises(DomainError, match="«Approvato»"):
            apply(result, {}, admin)
        assert not Objective.objects.filter(plan=plan, code="99").exists()
    assert entries_since(since) == []


@pytest.fixture
def monitored(plan):
    with scopes_disabled():
        in_state(plan, Plan.State.MONITORING)
        period = MonitoringPeriodFactory(
            plan=plan,
            name="Verifica al 30/06/2019",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(2019, 6, 30),
        )
    return plan, period


def test_a_measurement_recorded_after_the_period_closed_is_refused(monitored, manager_a, admin):
    plan, period = monitored
    with scopes_disabled():
        indicator = Objective.objects.get(plan=plan).indicators.get()
        since = last_id()
        MonitoringPeriod.objects.filter(pk=period.pk).update(state=MonitoringPeriod.State.CLOSED)
        with pytest.raises(DomainError, match="non è aperto"):
            record_measurement(
                indicator,
                period,
                actor=manager_a,
                data=MeasurementData(completed_on=date(2019, 6, 1)),
            )
        assert not Measurement.objects.exists()
        # Closing the stale "open" period again is refused too.
        with pytest.raises(DomainError, match="Si può chiudere solo un periodo aperto"):
            close_period(period, actor=admin)
    assert entries_since(since) == []


def test_a_measurement_or_a_reopening_after_the_plan_was_closed_is_refused(monitored, admin):
    plan, period = monitored
    with scopes_disabled():
        indicator = Objective.objects.get(plan=plan).indicators.get()
        MonitoringPeriod.objects.filter(pk=period.pk).update(state=MonitoringPeriod.State.CLOSED)
        closed = MonitoringPeriod.objects.select_related("plan").get(pk=period.pk)
        since = last_id()
        moved_meanwhile(plan, Plan.State.CLOSED)
        with pytest.raises(DomainError, match="consuntivato"):
            open_period(closed, actor=admin)
        assert MonitoringPeriod.objects.get(pk=period.pk).state == "closed"
        with pytest.raises(DomainError, match="consuntivato"):
            record_measurement(
                indicator,
                period,
                actor=admin,
                data=MeasurementData(completed_on=date(2019, 6, 1)),
            )
    assert entries_since(since) == []


def test_a_variazione_opened_after_the_plan_was_validated_must_reopen_the_validation(plan, admin):
    with scopes_disabled():
        in_state(plan, Plan.State.CLOSED)
        since = last_id()
        moved_meanwhile(plan, Plan.State.VALIDATED)
        with pytest.raises(DomainError, match="riaprendo esplicitamente la validazione"):
            open_variation(
                plan,
                actor=admin,
                reason="Errore materiale",
                act_type="Delibera di Giunta",
                act_number="3",
                act_date=date(2020, 7, 1),
            )
        assert not Variation.objects.exists()
    assert entries_since(since) == []
