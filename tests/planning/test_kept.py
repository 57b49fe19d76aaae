"""Kept results (planning.kept): what a page reads is what a fresh computation gives,
after every kind of write, and reading it again costs one query and no computation."""

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from traguardo.accounts.models import User
from traguardo.core.domain import DomainError
from traguardo.imports.demo_year import data_of, load_demo_year
from traguardo.monitoring import domain as monitoring
from traguardo.monitoring.domain import MeasurementData
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.organization import domain as setup
from traguardo.organization.models import OrgUnit, Person, PolicyLevel, ScoringPolicy
from traguardo.planning import kept
from traguardo.planning.domain import lifecycle, variations
from traguardo.planning.domain.objectives import update_objective
from traguardo.planning.models import Activity, Indicator, Objective, Plan
from traguardo.scoring import Measure

pytestmark = pytest.mark.django_db


def snapshot(result: kept.KeptPlan):
    """Everything a page can read of a kept plan (not its key or when it was computed)."""
    scores = result.scores
    return (
        scores.result,
        scores.as_of.on,
        scores.as_of.final,
        scores.as_of.period.pk if scores.as_of.period else None,
        scores.as_of.period.state if scores.as_of.period else None,
        scores.rules.policy,
        scores.rules.thresholds,
        result.rows,
        result.areas,
        tuple(replace(d, as_of=None) for d in result.deadlines),
    )


@pytest.fixture(scope="module")
def year(module_db):
    """The living demo year: a validated plan with two closed periods, measurements, evidence,
    comments (imports.demo_year), loaded once for the module (tests/conftest.py, ``module_db``):
    each test writes to it in a savepoint of its own, rolled back after it."""
    plan = load_demo_year().plan
    with scopes_disabled():
        admin = User.objects.get(username="admin", memberships__authority=plan.authority)
    return plan.authority, plan.pk, admin


def fresh_plan(pk: int) -> Plan:
    return Plan.objects.get(pk=pk)


def assert_kept_is_fresh(plan_pk: int, periods=()) -> None:
    plan = fresh_plan(plan_pk)
    assert snapshot(kept.kept_plan(plan)) == snapshot(kept.compute(plan))
    for period in periods:
        assert snapshot(kept.kept_plan(plan, period)) == snapshot(kept.compute(plan, period))


class Writer:
    """The writes a user can make to a plan's results, each through its business action.
    A refused write (DomainError) must leave the kept results as they were, too."""

    def __init__(self, authority, plan_pk: int, admin, rng: random.Random) -> None:
        self.authority, self.plan_pk, self.admin, self.rng = authority, plan_pk, admin, rng
        self.done: dict[str, int] = {}

    def __call__(self, kind: str) -> None:
        try:
            getattr(self, kind)()
        except DomainError:
            self.done.setdefault(kind, 0)
        else:
            self.done[kind] = self.done.get(kind, 0) + 1

    def _period(self) -> MonitoringPeriod:
        return MonitoringPeriod.objects.filter(plan_id=self.plan_pk).order_by("-reference_date")[0]

    def _indicator(self) -> Indicator:
        return self.rng.choice(list(Indicator.objects.filter(objective__plan_id=self.plan_pk)))

    def measurement(self) -> None:
        indicator = self._indicator()
        rng = self.rng
        choice = rng.randrange(4)
        if choice == 0:
            data = MeasurementData(not_assessable=True, not_assessable_reason="Dato mancante.")
        elif choice == 1:
            data = MeasurementData(
                forced_achievement=Decimal(rng.randrange(0, 101)), forced_reason="Deciso."
            )
        elif indicator.measure == Measure.RATIO:
            data = MeasurementData(
                numerator=Decimal(rng.randrange(0, 50)), denominator=Decimal(rng.randrange(1, 50))
            )
        elif indicator.measure in (Measure.DEADLINE, Measure.BOOLEAN):
            data = MeasurementData(completed_on=date(2019, rng.randrange(1, 13), 1), done=True)
        else:
            data = MeasurementData(value=Decimal(rng.randrange(0, 200)))
        monitoring.record_measurement(indicator, self._period(), actor=self.admin, data=data)

    def activity(self) -> None:
        activity = self.rng.choice(list(Activity.objects.filter(objective__plan_id=self.plan_pk)))
        if self.rng.random() < 0.5:
            data = MeasurementData(progress=Decimal(self.rng.randrange(0, 101)))
        else:
            data = MeasurementData(completed_on=date(2019, self.rng.randrange(1, 13), 15))
        monitoring.record_activity(activity, self._period(), actor=self.admin, data=data)

    def scheda(self) -> None:
        objective = self.rng.choice(list(Objective.objects.filter(plan_id=self.plan_pk)))
        data = data_of(objective)
        indicators = list(data.indicators)
        if indicators:
            first = indicators[0]
            final = first.final
            if final is not None and final.value is not None:
                final = replace(final, value=final.value + 1)
            indicators[0] = replace(first, final=final)
        data = replace(data, indicators=tuple(indicators), title=f"{data.title} (v)")
        update_objective(objective, actor=self.admin, version=objective.version, data=data)

    def reopen(self) -> None:
        monitoring.open_period(self._period(), actor=self.admin)

    def close(self) -> None:
        monitoring.close_period(self._period(), actor=self.admin)

    def policy(self) -> None:
        policy = ScoringPolicy.objects.get()
        data = setup.PolicyData(
            activity_share=Decimal(self.rng.randrange(0, 60)),
            green_from=policy.green_from,
            amber_from=policy.amber_from,
        )
        setup.update_policy(policy, actor=self.admin, data=data)

    def level(self) -> None:
        level = self.rng.choice(list(PolicyLevel.objects.all()))
        data = setup.LevelData(
            label=level.label, value=Decimal(self.rng.randrange(1, 5)), position=level.position
        )
        setup.update_level(level, actor=self.admin, data=data)

    def refresh(self) -> None:
        variation = Plan.objects.get(pk=self.plan_pk).variations.filter(closed_at=None).first()
        if variation is None:
            raise DomainError("nessuna variazione aperta")
        variations.refresh_plan_rules(variation, actor=self.admin)

    def unit(self) -> None:
        units = list(OrgUnit.objects.all())
        unit = self.rng.choice(units)
        parent = self.rng.choice([None, *units])
        data = setup.UnitData(
            name=f"{unit.name} (r)"[:200],
            kind=unit.kind,
            parent=parent,
            head=unit.head,
            position=unit.position,
        )
        setup.update_unit(unit, actor=self.admin, data=data)

    def person(self) -> None:
        person = self.rng.choice(list(Person.objects.all()))
        data = setup.PersonData(
            last_name=f"{person.last_name}x", first_name=person.first_name, email=person.email
        )
        setup.update_person(person, actor=self.admin, data=data)

    def comment(self) -> None:
        objective = self.rng.choice(list(Objective.objects.filter(plan_id=self.plan_pk)))
        lifecycle.add_comment(objective, actor=self.admin, topic="generale", body="Nota.")


# In this order at the end of each run: the period reopened first, closed last.
WRITES = (
    "reopen",
    "measurement",
    "activity",
    "scheda",
    "policy",
    "level",
    "refresh",
    "unit",
    "person",
    "comment",
    "close",
)


@pytest.mark.parametrize("seed", [2026])
def test_kept_results_equal_a_fresh_computation_after_every_kind_of_write(year, seed):
    """The demo year's validated plan is reopened by a variazione, written to at random by
    every kind of write (each through its business action, refusals included), then closed
    and validated again: after each step the kept results are the fresh ones, for the current
    period and for each period asked by name."""
    authority, plan_pk, admin = year
    rng = random.Random(seed)  # noqa: S311 - a reproducible sequence, not a secret
    with scope(authority=authority):
        # The current period is the Consuntivo; the Verifica intermedia is asked by name.
        periods = list(MonitoringPeriod.objects.filter(plan_id=plan_pk, kind="intermediate"))
        assert periods
        assert_kept_is_fresh(plan_pk, periods)  # primed before any write

        variation = variations.open_variation(
            fresh_plan(plan_pk),
            actor=admin,
            reason="Correzione dei risultati.",
            act_type="Determinazione",
            act_number="1",
            act_date=date(2020, 3, 1),
            reopen_validation=True,
        )
        assert_kept_is_fresh(plan_pk, periods)
        write = Writer(authority, plan_pk, admin, rng)
        write("reopen")
        assert_kept_is_fresh(plan_pk, periods)
        for _ in range(12):
            write(rng.choice(WRITES))
            assert_kept_is_fresh(plan_pk, periods)
        for kind in WRITES:  # every kind at least once
            write(kind)
            assert_kept_is_fresh(plan_pk, periods)

        # Writes that succeed are most of them: a test made only of refusals would prove little.
        assert sum(write.done.values()) >= 12, write.done
        assert {"measurement", "activity", "scheda", "policy", "level", "unit"} <= {
            kind for kind, count in write.done.items() if count
        }, write.done
        if MonitoringPeriod.objects.exclude(state=MonitoringPeriod.State.CLOSED).exists():
            return  # the close check refused (a due row left without a figure): done here
        variations.close_variation(variation, actor=admin)
        assert_kept_is_fresh(plan_pk, periods)
        nucleo = User.objects.get(username="nucleo")
        lifecycle.validate_plan(
            fresh_plan(plan_pk), actor=nucleo, validated_on=date(2020, 4, 1), minutes="Verbale 2."
        )
        assert_kept_is_fresh(plan_pk, periods)


def test_a_kept_plan_is_read_with_one_query_and_not_computed_again(year, monkeypatch):
    authority, plan_pk, _admin = year
    with scope(authority=authority):
        plan = fresh_plan(plan_pk)
        first = kept.kept_plan(plan)
        computed = []
        monkeypatch.setattr(kept, "compute", lambda *a, **k: computed.append(a))
        with CaptureQueriesContext(connection) as queries:
            again = kept.kept_plan(plan)
        assert again is first and not computed
        assert len(queries) == 1
        kept.forget_local()  # another process: from the shared cache, still no computation
        with CaptureQueriesContext(connection) as queries:
            shared = kept.kept_plan(plan)
        assert snapshot(shared) == snapshot(first) and not computed
        assert len(queries) == 1


def test_a_write_without_signals_but_with_its_audit_entry_changes_the_key(year):
    """A lifecycle step writes with QuerySet.update (no signal): its audit entry moves the key."""
    authority, plan_pk, admin = year
    with scope(authority=authority):
        before = kept.kept_plan(fresh_plan(plan_pk))
        variations.open_variation(
            fresh_plan(plan_pk),
            actor=admin,
            reason="Revisione.",
            act_type="Determinazione",
            act_number="2",
            act_date=date(2020, 3, 1),
            reopen_validation=True,
        )
        after = kept.kept_plan(fresh_plan(plan_pk))
        assert after.key != before.key


def test_a_measurement_saved_by_the_orm_alone_changes_the_key(year):
    """A row saved without a business action (the admin site, a script, a factory) moves the
    version through the signals."""
    authority, plan_pk, _admin = year
    with scope(authority=authority):
        before = kept.kept_plan(fresh_plan(plan_pk))
        measurement = Measurement.objects.filter(period__plan_id=plan_pk).first()
        measurement.comment = "corretto a mano"
        measurement.save()
        assert kept.kept_plan(fresh_plan(plan_pk)).key != before.key


def test_results_read_inside_a_write_transaction_are_not_kept(year):
    """Uncommitted data may be rolled back (and the version with it): never kept."""
    authority, plan_pk, _admin = year
    with scope(authority=authority):
        plan = fresh_plan(plan_pk)
        with transaction.atomic():
            inside = kept.kept_plan(plan)
        outside = kept.kept_plan(plan)
        assert outside is not inside
        assert kept.kept_plan(plan) is outside
