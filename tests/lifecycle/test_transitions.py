"""The plan's lifecycle: who may take each step, when it is refused, what it records."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests.conftest import shared_people
from tests.factories import MonitoringPeriodFactory
from tests.lifecycle.conftest import entries_since, in_state, last_id
from traguardo.core.domain import DomainError, InvalidData
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.domain import lifecycle
from traguardo.planning.models import Plan

pytestmark = pytest.mark.django_db

ACT = {"act_type": "Delibera di Giunta", "act_number": "17", "act_date": date(2019, 2, 5)}
MINUTES = {"validated_on": date(2020, 5, 20), "minutes": "Verbale n. 3 del 20/05/2020."}

# step → (the state it starts from, the call, the personas allowed)
STEPS = {
    "submit": (Plan.State.DRAFT, lambda p, u: lifecycle.submit_plan(p, actor=u)),
    "approve": (Plan.State.SUBMITTED, lambda p, u: lifecycle.approve_plan(p, actor=u, **ACT)),
    "start": (Plan.State.APPROVED, lambda p, u: lifecycle.start_monitoring(p, actor=u)),
    "close": (Plan.State.MONITORING, lambda p, u: lifecycle.close_plan(p, actor=u)),
    "validate": (Plan.State.CLOSED, lambda p, u: lifecycle.validate_plan(p, actor=u, **MINUTES)),
}
ALLOWED = {
    "submit": {"admin", "manager_a", "manager_b"},
    "approve": {"admin"},
    "start": {"admin"},
    "close": {"admin"},
    "validate": {"evaluator"},
}
TARGET = {
    "submit": Plan.State.SUBMITTED,
    "approve": Plan.State.APPROVED,
    "start": Plan.State.MONITORING,
    "close": Plan.State.CLOSED,
    "validate": Plan.State.VALIDATED,
}
ACTION_CODE = {
    "submit": "plan.submit",
    "approve": "plan.approve",
    "start": "plan.start_monitoring",
    "close": "plan.close",
    "validate": "plan.validate",
}
MEMBERS = ("admin", "manager_a", "manager_b", "contributor", "evaluator", "viewer")

# The authorities, units and personas are made once for the module (tests/conftest.py,
# ``module_db``): every test runs in a savepoint of its own, rolled back after it. The demo
# plan's tests, whose demo accounts would meet these personas' usernames, are in
# tests/lifecycle/test_transitions_demo.py.


authority, other_authority, unit_a, unit_b, personas, logged_in = shared_people()


@pytest.mark.parametrize("persona", MEMBERS)
@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_is_taken_by_its_roles_only(plan, personas, step, persona):
    source, call = STEPS[step]
    with scope(authority=plan.authority):
        in_state(plan, source)
        since = last_id()
        if persona in ALLOWED[step]:
            call(plan, personas[persona])
            assert Plan.objects.get(pk=plan.pk).state == TARGET[step]
            [entry] = entries_since(since)
            assert (entry.action, entry.actor, entry.object_id) == (
                ACTION_CODE[step],
                personas[persona],
                str(plan.pk),
            )
            assert (entry.before["state"], entry.after["state"]) == (source, TARGET[step])
        else:
            with pytest.raises(PermissionDenied):
                call(plan, personas[persona])
            assert Plan.objects.get(pk=plan.pk).state == source
            assert [e.action for e in entries_since(since)] == ["auth.permission_denied"]


@pytest.mark.parametrize("step", list(STEPS))
def test_a_step_from_the_wrong_state_is_refused_and_logs_nothing(plan, personas, step):
    source, call = STEPS[step]
    actor = personas["evaluator" if step == "validate" else "admin"]
    wrong = Plan.State.VALIDATED if source != Plan.State.VALIDATED else Plan.State.DRAFT
    with scope(authority=plan.authority):
        in_state(plan, wrong)
        since = last_id()
        with pytest.raises(DomainError) as error:
            call(plan, actor)
        assert Plan.objects.get(pk=plan.pk).state == wrong
        assert entries_since(since) == []
    if step == "validate":
        assert error.value.message == "Il piano è già validato."
    else:
        assert "questa azione vale per un piano" in error.value.message


def test_the_approval_stores_the_act(plan, personas):
    with scope(authority=plan.authority):
        in_state(plan, Plan.State.SUBMITTED)
        since = last_id()
        lifecycle.approve_plan(plan, actor=personas["admin"], **ACT)
        saved = Plan.objects.get(pk=plan.pk)
        assert (saved.act_type, saved.act_number, saved.act_date) == (
            "Delibera di Giunta",
            "17",
            date(2019, 2, 5),
        )
        assert lifecycle.act_text(saved) == "Delibera di Giunta n. 17 del 5 febbraio 2019"
        [entry] = entries_since(since)
        assert entry.after == {
            "state": "approved",
            "act_type": "Delibera di Giunta",
            "act_number": "17",
            "act_date": "2019-02-05",
        }


def test_the_approval_needs_the_whole_act(plan, personas):
    with scope(authority=plan.authority):
        in_state(plan, Plan.State.SUBMITTED)
        with pytest.raises(InvalidData) as error:
            lifecycle.approve_plan(
                plan, actor=personas["admin"], act_type=" ", act_number="", act_date=None
            )
        assert Plan.objects.get(pk=plan.pk).state == Plan.State.SUBMITTED
    assert [field for field, _m in error.value.errors] == ["act_type", "act_number", "act_date"]


def test_the_plan_is_not_closed_while_a_period_is_open(plan, personas):
    with scope(authority=plan.authority):
        in_state(plan, Plan.State.MONITORING)
        period = MonitoringPeriodFactory(
            plan=plan,
            name="Consuntivo 2019",
            reference_date=date(2019, 12, 31),
            state=MonitoringPeriod.State.REOPENED,
        )
        since = last_id()
        with pytest.raises(DomainError) as error:
            lifecycle.close_plan(plan, actor=personas["admin"])
        assert error.value.message == (
            "Il periodo «Consuntivo 2019» è ancora aperto: chiuderlo prima di consuntivare "
            "il piano."
        )
        assert entries_since(since) == []
        MonitoringPeriod.objects.filter(pk=period.pk).update(state=MonitoringPeriod.State.CLOSED)
        lifecycle.close_plan(plan, actor=personas["admin"])
        assert Plan.objects.get(pk=plan.pk).state == Plan.State.CLOSED


def test_a_plan_without_schede_is_not_submitted(authority, personas):
    with scopes_disabled():
        plan = Plan.objects.create(authority=authority, year=2021, last_year=2023, title="Vuoto")
    with scope(authority=authority), pytest.raises(DomainError) as error:
        lifecycle.submit_plan(plan, actor=personas["admin"])
    assert error.value.message == "Il piano non ha schede: non si può proporre."


def test_the_validation_records_date_minutes_and_evaluator_once(plan, personas):
    evaluator = personas["evaluator"]
    with scope(authority=plan.authority):
        in_state(plan, Plan.State.CLOSED)
        lifecycle.validate_plan(plan, actor=evaluator, **MINUTES)
        saved = Plan.objects.get(pk=plan.pk)
        assert (saved.validated_on, saved.validation_minutes, saved.validated_by) == (
            date(2020, 5, 20),
            "Verbale n. 3 del 20/05/2020.",
            evaluator,
        )
        stale = Plan.objects.get(pk=plan.pk)
        stale.state = Plan.State.CLOSED  # a page loaded before the first validation
        since = last_id()
        with pytest.raises(DomainError, match="già validato"):
            lifecycle.validate_plan(
                stale, actor=evaluator, validated_on=date(2020, 6, 1), minutes="Altro verbale"
            )
        assert entries_since(since) == []
        assert Plan.objects.get(pk=plan.pk).validation_minutes == "Verbale n. 3 del 20/05/2020."


def test_the_validation_needs_a_past_date_and_the_minutes(plan, personas):
    with scope(authority=plan.authority):
        in_state(plan, Plan.State.CLOSED)
        with pytest.raises(InvalidData) as error:
            lifecycle.validate_plan(
                plan, actor=personas["evaluator"], validated_on=date(2999, 1, 1), minutes="  "
            )
    assert error.value.errors == [
        ("validated_on", "La data della validazione non può essere futura."),
        ("minutes", "Riporta il verbale del Nucleo di valutazione."),
    ]


# -- through the pages ----------------------------------------------------------------------


def url(plan: Plan, action: str) -> str:
    return reverse("plan_transition", args=[plan.authority.slug, plan.year, action])


def test_the_admin_approves_on_the_plan_page_and_the_act_is_shown(client, plan, personas):
    with scopes_disabled():
        in_state(plan, Plan.State.SUBMITTED)
    client.force_login(personas["admin"])
    detail = reverse("plan_detail", args=[plan.authority.slug, plan.year])
    page = client.get(detail).content.decode()
    assert url(plan, "approva") in page
    assert 'name="act_number"' in page
    response = client.post(
        url(plan, "approva"),
        {"act_type": "Delibera di Giunta", "act_number": "17", "act_date": "2019-02-05"},
    )
    assert response.status_code == 302
    assert response["Location"] == detail
    page = client.get(detail).content.decode()
    assert "Approvato con Delibera di Giunta n. 17 del 5 febbraio 2019." in page
    assert "Le schede del piano approvato si modificano solo con una variazione." in page
    assert reverse("variation_list", args=[plan.authority.slug, plan.year]) in page
    assert url(plan, "avvia-monitoraggio") in page


def test_an_incomplete_act_comes_back_with_what_was_typed(client, plan, personas):
    with scopes_disabled():
        in_state(plan, Plan.State.SUBMITTED)
    client.force_login(personas["admin"])
    response = client.post(
        url(plan, "approva"), {"act_type": "Decreto del Sindaco", "act_number": "", "act_date": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Decreto del Sindaco"' in page
    assert 'aria-invalid="true"' in page
    with scopes_disabled():
        assert Plan.objects.get(pk=plan.pk).state == Plan.State.SUBMITTED


def test_a_refused_step_without_a_form_comes_back_as_a_message(client, plan, personas):
    with scopes_disabled():
        in_state(plan, Plan.State.MONITORING)
        MonitoringPeriodFactory(
            plan=plan,
            name="Verifica intermedia",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(2019, 6, 30),
        )
    client.force_login(personas["admin"])
    detail = reverse("plan_detail", args=[plan.authority.slug, plan.year])
    html = client.get(detail).content.decode()
    assert "Consuntiva il piano: non ancora possibile." in html
    assert "Il periodo «Verifica intermedia» è ancora aperto." in html
    response = client.post(url(plan, "chiudi"), follow=True)
    assert "chiuderlo prima di consuntivare il piano" in response.content.decode()
    with scopes_disabled():
        assert Plan.objects.get(pk=plan.pk).state == Plan.State.MONITORING


def test_a_manager_proposes_the_plan_and_sees_no_other_step(client, plan, personas):
    client.force_login(personas["manager_a"])
    response = client.post(url(plan, "proponi"))
    assert response.status_code == 302
    with scopes_disabled():
        assert Plan.objects.get(pk=plan.pk).state == Plan.State.SUBMITTED
    html = client.get(response["Location"]).content.decode()
    assert "Prossimo passo: Approva il piano." in html
    assert url(plan, "approva") not in html
    assert client.post(url(plan, "approva"), ACT).status_code == 403


def test_an_unknown_step_is_not_found(client, plan, personas):
    client.force_login(personas["admin"])
    assert client.post(url(plan, "cancella")).status_code == 404


@pytest.mark.parametrize("state", [Plan.State.APPROVED, Plan.State.MONITORING])
@pytest.mark.parametrize("persona", ["admin", "manager_a"])
def test_an_approved_plan_s_schede_are_read_only(client, plan, personas, state, persona):
    with scopes_disabled():
        in_state(plan, state)
        objective = plan.objectives.get()
    client.force_login(personas[persona])
    edit = reverse("objective_edit", args=[plan.authority.slug, objective.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"action": "save"}).status_code == 403
    create = reverse("objective_create", args=[plan.authority.slug, plan.year])
    assert client.get(create).status_code == 403


@pytest.mark.parametrize(
    ("state", "action", "persona", "consequence"),
    [
        (Plan.State.SUBMITTED, "approva", "admin", "si modificano solo con una variazione"),
        (Plan.State.APPROVED, "avvia-monitoraggio", "admin", "non torna più «Approvato»"),
        (Plan.State.MONITORING, "chiudi", "admin", "i risultati del piano"),
        (Plan.State.CLOSED, "valida", "evaluator", "si registra una sola volta"),
    ],
)
def test_an_irreversible_step_states_its_consequence_before_it_is_confirmed(
    client, plan, personas, state, action, persona, consequence
):
    import re

    with scopes_disabled():
        in_state(plan, state)
    client.force_login(personas[persona])
    html = client.get(reverse("plan_detail", args=[plan.authority.slug, plan.year])).content
    html = html.decode()
    form = html[html.index(f'action="{url(plan, action)}"') :]
    form = form[: form.index("</form>")]
    step = lifecycle.STEP_BY_ACTION[action]
    # The only submit sits inside the disclosure that names the consequence.
    disclosure = re.search(r"<details[^>]*>(.*?)</details>", form, re.S)
    assert disclosure is not None
    inside = disclosure.group(1)
    assert "<summary" in inside and f"{step.label}…</summary>" in inside
    assert consequence in inside and "non si può annullare" in inside
    assert f"Conferma: {step.label}</button>" in inside
    assert form.count('type="submit"') == 1


def test_proposing_is_not_asked_to_be_confirmed(client, plan, personas):
    client.force_login(personas["manager_a"])
    html = client.get(reverse("plan_detail", args=[plan.authority.slug, plan.year])).content
    html = html.decode()
    form = html[html.index(f'action="{url(plan, "proponi")}"') :]
    form = form[: form.index("</form>")]
    assert "<details" not in form and ">Proponi il piano</button>" in form
