"""A closed plan's results change only through a variazione (DESIGN.md §4.7).

The demo Piano 2019 is measured (card 5: 100/90/0 → 76,00%), its period closed, the plan
closed (which keeps the SMVP rules it is scored with) and validated by the Nucleo. Then the
office tries everything that used to move the published results.
"""

import importlib
import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.factories import MeasurementFactory
from tests.transparency.conftest import SLUG, measure_and_close
from traguardo.accounts.models import User
from traguardo.audit.checkpoint import write_checkpoint
from traguardo.audit.models import AuditEntry
from traguardo.audit.verify import verify_chain
from traguardo.core.domain import DomainError
from traguardo.core.formats import date_it
from traguardo.monitoring.domain import (
    MeasurementData,
    add_evidence,
    close_period,
    open_period,
    record_activity,
    record_measurement,
)
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.organization.models import GradingScale, PolicyLevel, ScoringPolicy
from traguardo.planning.domain.lifecycle import close_plan, validate_plan
from traguardo.planning.domain.variations import (
    close_variation,
    open_variation,
    refresh_plan_rules,
)
from traguardo.planning.models import Objective, Plan, Variation
from traguardo.planning.rulebook import plan_rules, take_snapshot
from traguardo.reports.scheda import plan_pages
from traguardo.scoring import scale_from_dict

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ACT = {
    "reason": "Data di completamento della revisione delle liste comunicata in ritardo",
    "act_type": "Delibera di Giunta",
    "act_number": "88",
    "act_date": "2020-09-10",
}
NEW_SCALE = "gg ritardo 5= 10% / gg10=5% / gg15=1%"


def text(response) -> str:
    body = re.sub(r"<svg.*?</svg>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def user(name: str) -> User:
    return User.objects.get(username=name)


def client_of(name: str) -> Client:
    client = Client()
    client.force_login(user(name))
    return client


def public(name: str, **kwargs) -> str:
    response = Client().get(reverse(name, kwargs={"authority": SLUG, "year": 2019, **kwargs}))
    assert response.status_code == 200
    return text(response)


@pytest.fixture
def validated(demo):
    """The demo plan measured in full (the indicators of the other cards declared «non
    valutabile»), its period and the plan closed through the domain, validated by the Nucleo."""
    plan = demo  # the seed and its demo accounts, as load_seed and create_demo_accounts write them
    with scopes_disabled():
        # The seed's faulty cards (no code, no final target…) would stop the variazione from
        # closing, as they would have stopped the approval: this plan was approved without them.
        failing = [row.objective.pk for row in plan_pages(plan).rows if row.errors]
        Objective.objects.filter(pk__in=failing).delete()
        measure_and_close(plan, state=Plan.State.MONITORING)
        period = MonitoringPeriod.objects.get(plan=plan)
        measured = Measurement.objects.filter(period=period).values("indicator_id")
        for objective in Objective.objects.filter(plan=plan):
            for indicator in objective.indicators.exclude(pk__in=measured):
                MeasurementFactory(
                    period=period,
                    indicator=indicator,
                    not_assessable=True,
                    not_assessable_reason="Fuori dal perimetro della prova",
                    entered_by=user("serrao"),
                )
        admin = user("admin")
        close_period(period, actor=admin)
        close_plan(plan, actor=admin)
        validate_plan(
            plan, actor=user("nucleo"), validated_on=date(2020, 5, 30), minutes="Verbale n. 3"
        )
    return plan


def card_five(plan):
    objective = Objective.objects.get(plan=plan, position=5)
    return objective, objective.indicators.get(position=2)


def test_scenario_6_validated_results_cannot_change_without_reopening_validation(validated):
    plan = validated
    with scopes_disabled():
        elections, revision = card_five(plan)
        period = MonitoringPeriod.objects.get(plan=plan)
        scale = revision.grading_scale
        level = PolicyLevel.objects.order_by("pk").first()
    results = public("public_results")
    scheda = public("public_objective", pk=elections.pk)
    assert "Elezioni Europee 2019 76,00%" in results
    line = "Revisione straordinaria delle liste elettorali Giorni di ritardo 0 30 aprile 2019 "
    assert line + "gg ritardo 5 = 90% - 10 = 80% - 15 = 60% 90,00%" in scheda
    admin, serrao = client_of("admin"), client_of("serrao")

    # The admin cannot reopen the period: the page does not offer it, the action refuses.
    periods = text(admin.get(reverse("periods", args=[SLUG, 2019])))
    assert "i periodi si riaprono solo con una variazione che riapra la validazione" in periods
    assert "Riapri" not in periods
    reopen = reverse("period_action", args=[SLUG, period.pk, "apri"])
    refused = text(admin.post(reopen, follow=True))
    assert "si modificano solo con una variazione che riapra la validazione" in refused
    # The manager cannot record a new date, nor the admin force a result or attach a file.
    page = text(serrao.get(reverse("measurements", args=[SLUG, elections.pk])))
    assert "le rilevazioni e i risultati si modificano solo con una variazione" in page
    with scopes_disabled():
        with pytest.raises(DomainError, match="riapra la validazione"):
            record_measurement(
                revision,
                period,
                actor=user("serrao"),
                data=MeasurementData(completed_on=date(2019, 5, 10)),
            )
        with pytest.raises(DomainError, match="riapra la validazione"):
            record_measurement(
                revision,
                period,
                actor=user("admin"),
                data=MeasurementData(forced_achievement=Decimal(100), forced_reason="Ricorso"),
            )
        measurement = Measurement.objects.get(period=period, indicator=revision)
        with pytest.raises(DomainError, match="riapra la validazione"):
            add_evidence(
                measurement,
                SimpleUploadedFile("verbale.pdf", PDF, "application/pdf"),
                actor=user("admin"),
            )
        period.refresh_from_db()
        assert period.state == MonitoringPeriod.State.CLOSED
        assert measurement.completed_on == date(2019, 5, 3)

    # The settings still change (they reach open plans), and say who they reach ...
    edit = reverse("setup_scale_edit", args=[SLUG, scale.pk])
    form = text(admin.get(edit))
    assert "Usata da: Piano 2019 (validato: conserva la versione con cui è stato valutato)." in form
    assert admin.post(edit, {"name": scale.name, "source_text": NEW_SCALE}).status_code == 302
    policy = reverse("setup_policy", args=[SLUG])
    assert "Usato da: Piano 2019 (validato: conserva la versione" in text(admin.get(policy))
    changed = {"activity_share": "50", "green_from": "99", "amber_from": "98"}
    assert admin.post(policy, changed).status_code == 302
    level_edit = reverse("setup_level_edit", args=[SLUG, level.pk])
    level_data = {"label": level.label, "value": "1", "position": level.position}
    assert admin.post(level_edit, level_data).status_code == 302
    with scopes_disabled():
        assert GradingScale.objects.get(pk=scale.pk).source_text == NEW_SCALE
        assert ScoringPolicy.objects.get().green_from == Decimal(99)
    # ... but the validated plan's published results and scheda do not move.
    assert public("public_results") == results
    assert public("public_objective", pk=elections.pk) == scheda

    # A variazione of the validated plan must reopen the validation explicitly.
    variations = reverse("variation_list", args=[SLUG, 2019])
    response = admin.post(variations, ACT)
    assert response.status_code == 400
    assert "solo riaprendo esplicitamente la validazione" in text(response)
    with scopes_disabled():
        assert not Variation.objects.exists()
        assert Plan.objects.get(pk=plan.pk).state == Plan.State.VALIDATED
    assert admin.post(variations, {**ACT, "reopen_validation": "on"}).status_code == 302
    with scopes_disabled():
        variation = Variation.objects.get()
        plan.refresh_from_db()
    today = date_it(timezone.localdate())
    assert (plan.state, plan.revised_on, plan.revision_number) == (
        "closed",
        timezone.localdate(),
        1,
    )
    assert plan.validated_on is None
    revised = f"Risultati rivisti il {today} (variazione n. 1): revisione in corso"
    assert revised in public("public_results")
    assert revised in public("public_objective", pk=elections.pk)

    # Inside the variazione: the period reopens, the manager records the new date, the
    # period closes; the plan still reads its own rules (90 → 80 for 10 days late).
    assert admin.post(reopen).status_code == 302
    with scopes_disabled():
        period.refresh_from_db()
        assert period.state == MonitoringPeriod.State.REOPENED
        _elections, revision = card_five(plan)  # as a new request reads it
        record_measurement(
            revision,
            period,
            actor=user("serrao"),
            data=MeasurementData(completed_on=date(2019, 5, 10)),
        )
        close_period(period, actor=user("admin"))
    assert "Elezioni Europee 2019 72,00%" in public("public_results")
    assert "gg ritardo 5 = 90% - 10 = 80% - 15 = 60% 80,00%" in public(
        "public_objective", pk=elections.pk
    )
    # Applying the current SMVP is an explicit act of the variazione: 10 days late → 5%, the
    # indicators 40×100 + 40×5 + 20×0 → 42,00; half of the result would now come from the
    # activities (share 50%), but none was reported: they are waiting, never 0, so the
    # indicators decide and the result is partial.
    rules = reverse("variation_rules", args=[SLUG, variation.pk])
    assert "Applica al piano le regole attuali dell'SMVP" in text(admin.get(variations))
    assert admin.post(rules).status_code == 302
    assert "Elezioni Europee 2019 42,00% (parziale)" in public("public_results")
    assert "5,00%" in public("public_objective", pk=elections.pk)
    with scopes_disabled():
        assert plan_rules(Plan.objects.get(pk=plan.pk)).green_from == Decimal(99)

    # The variazione closes (keeping the renewed rules) and the Nucleo validates again, once.
    assert admin.post(reverse("variation_close", args=[SLUG, variation.pk])).status_code == 302
    nucleo = client_of("nucleo")
    validate = reverse("plan_transition", args=[SLUG, 2019, "valida"])
    again = {"validated_on": timezone.localdate().isoformat(), "minutes": "Verbale n. 9"}
    assert nucleo.post(validate, again).status_code == 302
    assert nucleo.post(validate, again).status_code == 400
    with scopes_disabled():
        plan.refresh_from_db()
        assert (plan.state, plan.validation_minutes) == ("validated", "Verbale n. 9")
    final = public("public_results")
    assert f"Risultati rivisti il {today} (variazione n. 1)." in final
    assert "Elezioni Europee 2019 42,00% (parziale)" in final

    with scopes_disabled():
        actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    tail = actions[actions.index("plan.validate") + 1 :]
    assert [a for a in tail if a.startswith(("plan.", "variation.", "period."))] == [
        "plan.reopen_validation",
        "variation.open",
        "period.reopen",
        "period.close",
        "plan.rules_refresh",
        "variation.close",
        "plan.validate",
    ]
    # The test's transaction never commits, so no step wrote its checkpoint: write the head.
    write_checkpoint("test")
    assert verify_chain().ok


def test_closing_a_plan_keeps_the_rules_it_is_scored_with(validated):
    with scopes_disabled():
        plan = Plan.objects.get(pk=validated.pk)
        _elections, revision = card_five(plan)
        scale = revision.grading_scale
        kept = plan.rules_snapshot
        assert kept["scales"][str(scale.pk)] == scale.definition
        assert AuditEntry.objects.get(action="plan.close").after["rules_snapshot"] == kept
        GradingScale.objects.filter(pk=scale.pk).update(definition={"kind": "binary"})
        ScoringPolicy.objects.update(green_from=Decimal(10))
        revision.refresh_from_db()
        rules = plan_rules(plan)
        assert rules.green_from == Decimal(kept["green_from"])
        assert rules.scale(revision) == scale_from_dict(kept["scales"][str(scale.pk)])
        # An open plan of the same authority reads the settings as they are now.
        live = plan_rules(Plan(authority_id=plan.authority_id))
        assert live.green_from == Decimal(10)
        assert live.scale(revision) == scale_from_dict({"kind": "binary"})
        # Punteggio levels too: the value kept, whatever the settings say now.
        level = PolicyLevel.objects.order_by("pk").first()
        PolicyLevel.objects.filter(pk=level.pk).update(value=Decimal(1))
        level.refresh_from_db()
        assert rules.level_value(level) == Decimal(kept["levels"][str(level.pk)]) != 1
        assert live.level_value(level) == Decimal(1)


@pytest.fixture
def closed(validated):
    """The same plan, closed but not yet validated."""
    with scopes_disabled():
        Plan.objects.filter(pk=validated.pk).update(state=Plan.State.CLOSED, validated_on=None)
        validated.refresh_from_db()
    return validated


def test_a_closed_plan_reopens_its_periods_and_takes_measurements_only_in_a_variazione(closed):
    admin, serrao = user("admin"), user("serrao")
    with scopes_disabled():
        period = MonitoringPeriod.objects.get(plan=closed)
        elections, revision = card_five(closed)
        with pytest.raises(DomainError, match="solo aprendo una variazione"):
            open_period(period, actor=admin)
        activity = elections.activities.first()
        if activity is not None:
            with pytest.raises(DomainError, match="solo aprendo una variazione"):
                record_activity(activity, period, actor=serrao, data=MeasurementData())
        variation = open_variation(
            closed,
            actor=admin,
            reason="Correzione",
            act_type="Delibera di Giunta",
            act_number="5",
            act_date=date(2020, 6, 1),
        )
        open_period(period, actor=admin)
        record_measurement(
            revision,
            period,
            actor=admin,
            data=MeasurementData(forced_achievement=Decimal(100), forced_reason="Ricorso accolto"),
        )
        # The Nucleo cannot validate while the variazione is open, nor the variazione close
        # while the period is open.
        with pytest.raises(DomainError, match="variazione del piano è aperta"):
            validate_plan(
                closed, actor=user("nucleo"), validated_on=date(2020, 6, 2), minutes="Verbale"
            )
        with pytest.raises(DomainError, match="chiuderlo prima di chiudere la variazione"):
            close_variation(variation, actor=admin)
        close_period(period, actor=admin)
        close_variation(variation, actor=admin)
        with pytest.raises(DomainError, match="solo aprendo una variazione"):
            open_period(period, actor=admin)
        with pytest.raises(DomainError, match="solo dentro una sua variazione aperta"):
            refresh_plan_rules(variation, actor=admin)
        closed.refresh_from_db()
        assert closed.revised_on is None  # no validation was reopened


def test_the_scale_list_says_which_plans_follow_a_change(closed):
    with scopes_disabled():
        Plan.objects.create(
            authority=closed.authority, year=2020, last_year=2022, title="Piano 2020"
        )
    page = text(client_of("admin").get(reverse("setup_scales", args=[SLUG])))
    assert "Usata da: Piano 2019 (consuntivato: conserva la versione con cui è stato valutato)" in (
        page
    )
    policy = text(client_of("admin").get(reverse("setup_policy", args=[SLUG])))
    assert (
        "Usato da: Piano 2020 (bozza: la modifica si applica); Piano 2019 (consuntivato: "
        "conserva la versione con cui è stato valutato)."
    ) in policy


def test_the_migration_freezes_the_plans_closed_before_it(closed):
    migration = importlib.import_module(
        "traguardo.planning.migrations.0004_plan_rules_snapshot_and_revision"
    )
    with scopes_disabled():
        Plan.objects.filter(pk=closed.pk).update(rules_snapshot=None)
        draft = Plan.objects.create(
            authority=closed.authority, year=2020, last_year=2022, title="Piano 2020"
        )
        migration.freeze_closed_plans(apps, None)
        assert Plan.objects.get(pk=closed.pk).rules_snapshot == take_snapshot(closed.authority_id)
        assert Plan.objects.get(pk=draft.pk).rules_snapshot is None
