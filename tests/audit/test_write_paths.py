"""Every write writes exactly one audit entry, in its own transaction, with who, what, before
and after; a refused or rolled-back action leaves none."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.audit.conftest import entries_since, last_id
from tests.factories import PASSWORD, IndicatorFactory, PersonFactory
from tests.monitoring.test_measurements import PDF, indicator_key, open_period, record
from tests.web.test_editor import form_data, indicator, new_scheda_data, with_rows
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.accounts.models import User
from traguardo.audit.log import log_action
from traguardo.core.domain import DomainError
from traguardo.imports.seed import load_seed
from traguardo.monitoring import domain as monitoring
from traguardo.monitoring.domain import MeasurementData
from traguardo.monitoring.models import Evidence, Measurement, MonitoringPeriod
from traguardo.monitoring.reminders import issue_calendar_token, revoke_calendar_tokens
from traguardo.organization.domain import UnitData, create_unit
from traguardo.organization.models import OrgUnit
from traguardo.planning.models import Objective, Plan
from traguardo.planning.versions import differences

pytestmark = pytest.mark.django_db

SLUG = "comune-esempio"


@pytest.fixture
def demo(demo, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert client.login(username="admin", password=DEMO_PASSWORD)
    return demo


def demo_admin() -> User:
    return User.objects.get(username="admin")


def card(position: int) -> Objective:
    with scopes_disabled():
        return Objective.objects.get(position=position)


# -- schede and plans ----------------------------------------------------------------------


def test_loading_the_seed_writes_one_entry_by_the_system(db):
    since = last_id()
    report = load_seed()
    [entry] = entries_since(since)
    assert (entry.action, entry.actor, entry.authority_id) == (
        "seed.load",
        None,
        report.plan.authority_id,
    )
    assert entry.after["cards"] == report.cards
    load_seed()  # a second run changes nothing and logs nothing
    assert len(entries_since(since)) == 1


def test_editing_a_scheda_logs_the_card_before_and_after(client, demo):
    five = card(5)
    url = reverse("objective_edit", args=[SLUG, five.pk])
    data = form_data(client.get(url))
    since = last_id()
    response = client.post(
        url, {**data, "title": ["Archivio digitale rinnovato"], "action": "save"}
    )
    assert response.status_code == 302
    [entry] = entries_since(since)
    assert (entry.action, entry.actor, entry.object_type, entry.object_id) == (
        "objective.update",
        demo_admin(),
        "planning.objective",
        str(five.pk),
    )
    assert entry.authority_id == demo.authority_id
    assert differences(entry.before, entry.after) == [
        ("Denominazione", five.title, "Archivio digitale rinnovato")
    ]


def test_creating_a_scheda_logs_the_new_card(client, demo):
    url, data = new_scheda_data(client, 2019)
    data = with_rows(
        {**data, "title": ["Nuovo portale dei servizi"], "code": ["12"]},
        "ind",
        [indicator("60", "Primo"), indicator("40", "Secondo")],
    )
    since = last_id()
    assert client.post(url, {**data, "action": "save"}).status_code == 302
    [entry] = entries_since(since)
    with scopes_disabled():
        created = Objective.objects.get(title="Nuovo portale dei servizi")
    assert (entry.action, entry.object_id, entry.before) == (
        "objective.create",
        str(created.pk),
        None,
    )
    assert entry.after["Denominazione"] == "Nuovo portale dei servizi"
    assert "Primo" in entry.after["Indicatore 1"]


def test_copying_a_plan_logs_one_entry(client, demo):
    since = last_id()
    response = client.post(
        reverse("plan_create", args=[SLUG]),
        {"year": 2020, "last_year": "", "title": "", "source": demo.pk},
    )
    assert response.status_code == 302
    [entry] = entries_since(since)
    with scopes_disabled():
        copy = Plan.objects.get(year=2020)
    assert (entry.action, entry.object_id, entry.actor) == ("plan.copy", str(copy.pk), demo_admin())
    assert (entry.after["source_id"], entry.after["copied"]) == (demo.pk, 6)


# -- monitoring ----------------------------------------------------------------------------


def test_scheduling_and_opening_a_period_log_one_entry_each(client, demo):
    since = last_id()
    period = open_period(client, demo)
    created, opened = entries_since(since)
    assert (created.action, created.object_id) == ("period.create", str(period.pk))
    assert (opened.action, opened.before, opened.after) == (
        "period.open",
        {"state": "scheduled"},
        {"state": "open"},
    )


def test_recording_a_measurement_and_its_evidence(client, demo):
    open_period(client, demo)
    two = card(2)
    key = indicator_key(two, 1)
    since = last_id()
    assert record(client, two, key, completed_on="2019-12-20").status_code == 302
    [recorded] = entries_since(since)
    with scopes_disabled():
        measurement = Measurement.objects.get()
    assert (recorded.action, recorded.object_id, recorded.actor) == (
        "measurement.record",
        str(measurement.pk),
        demo_admin(),
    )
    assert (recorded.before, recorded.after["completed_on"]) == (None, "2019-12-20")

    since = last_id()
    response = client.post(
        reverse("measurements", args=[SLUG, two.pk]),
        {"subject": key, f"{key}-completed_on": "2019-12-21",
         f"{key}-file": SimpleUploadedFile("delibera.pdf", PDF)},
    )  # fmt: skip
    assert response.status_code == 302
    corrected, attached = entries_since(since)
    assert corrected.action == "measurement.update"
    assert (corrected.before["completed_on"], corrected.after["completed_on"]) == (
        "2019-12-20",
        "2019-12-21",
    )
    with scopes_disabled():
        evidence = Evidence.objects.get()
    assert (attached.action, attached.object_id) == ("evidence.add", str(evidence.pk))
    assert attached.after == {
        "measurement_id": measurement.pk,
        "name": "delibera.pdf",
        "size": len(PDF),
        "sha256": evidence.sha256,
        "content_type": evidence.content_type,
    }


def test_closing_a_period_logs_one_entry(admin, draft, unscoped):
    indicator_row = IndicatorFactory(objective=draft)
    period = monitoring.create_period(
        draft.plan, actor=admin, name="Consuntivo", kind="final", reference_date=date(2019, 12, 31)
    )
    monitoring.open_period(period, actor=admin)
    monitoring.record_measurement(
        indicator_row,
        period,
        actor=admin,
        data=MeasurementData(not_assessable=True, not_assessable_reason="Ufficio soppresso"),
    )
    since = last_id()
    monitoring.close_period(period, actor=admin)
    [entry] = entries_since(since)
    assert (entry.action, entry.actor, entry.object_id) == ("period.close", admin, str(period.pk))
    assert (entry.before, entry.after) == ({"state": "open"}, {"state": "closed"})
    assert MonitoringPeriod.objects.get().state == "closed"
    measured = entries_since(0)
    assert [e.reason for e in measured if e.action == "measurement.record"] == ["Ufficio soppresso"]


# -- setup ---------------------------------------------------------------------------------


def setup_url(authority, name, **kwargs):
    return reverse(name, kwargs={"authority": authority.slug, **kwargs})


def test_creating_editing_and_deleting_a_unit(client, admin, authority, unit_a):
    assert client.login(username="admin", password=PASSWORD)
    form = {"name": "Ufficio Tributi", "kind": "ufficio", "parent": unit_a.pk, "position": 3}
    since = last_id()
    assert client.post(setup_url(authority, "setup_unit_add"), form).status_code == 302
    [created] = entries_since(since)
    with scopes_disabled():
        unit = OrgUnit.objects.get(name="Ufficio Tributi")
    assert (created.action, created.object_id, created.actor, created.before) == (
        "unit.create",
        str(unit.pk),
        admin,
        None,
    )
    assert created.after == {
        "name": "Ufficio Tributi",
        "kind": "ufficio",
        "parent": "Settore A",
        "head": None,
        "position": 3,
    }

    since = last_id()
    edit = {**form, "name": "Ufficio Tributi e Catasto"}
    assert client.post(setup_url(authority, "setup_unit_edit", pk=unit.pk), edit).status_code == 302
    [edited] = entries_since(since)
    assert edited.action == "unit.update"
    assert (edited.before["name"], edited.after["name"]) == (
        "Ufficio Tributi",
        "Ufficio Tributi e Catasto",
    )

    since = last_id()
    response = client.post(setup_url(authority, "setup_unit_delete", pk=unit.pk))
    assert response.status_code == 302
    [deleted] = entries_since(since)
    assert (deleted.action, deleted.object_id, deleted.after) == ("unit.delete", str(unit.pk), None)
    assert deleted.before["name"] == "Ufficio Tributi e Catasto"


# -- logins and refusals -------------------------------------------------------------------


def test_a_login_is_logged_with_the_users_authority(client, admin, authority):
    since = last_id()
    response = client.post(reverse("login"), {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302
    [entry] = entries_since(since)
    assert (entry.action, entry.actor, entry.authority_id) == ("auth.login", admin, authority.pk)


def test_a_failed_login_keeps_the_username_never_the_password(client, admin, authority):
    since = last_id()
    response = client.post(reverse("login"), {"username": "admin", "password": "indovina-123"})
    assert response.status_code == 200
    [entry] = entries_since(since)
    assert (entry.action, entry.actor, entry.authority_id) == (
        "auth.login_failed",
        None,
        authority.pk,
    )
    assert entry.after["username"] == "admin"
    assert "indovina-123" not in str(entry.hashed_fields())


def test_a_failed_login_of_an_unknown_user_has_no_authority(client, db):
    since = last_id()
    client.post(reverse("login"), {"username": "nessuno", "password": "x"})
    [entry] = entries_since(since)
    assert (entry.action, entry.authority_id, entry.after["username"]) == (
        "auth.login_failed",
        None,
        "nessuno",
    )


def test_a_managers_403_is_logged_with_the_permission(client, manager_b, draft):
    assert client.login(username="manager_b", password=PASSWORD)
    since = last_id()
    response = client.get(reverse("objective_edit", args=[draft.authority.slug, draft.pk]))
    assert response.status_code == 403
    [entry] = entries_since(since)
    assert (entry.action, entry.actor, entry.object_type, entry.object_id) == (
        "auth.permission_denied",
        manager_b,
        "planning.objective",
        str(draft.pk),
    )
    assert entry.after == {"permission": "planning.change_objective"}


def test_a_refusal_of_the_authoritys_permission_is_logged(client, viewer, authority):
    assert client.login(username="viewer", password=PASSWORD)
    since = last_id()
    assert client.get(reverse("setup_home", args=[authority.slug])).status_code == 403
    [entry] = entries_since(since)
    assert (entry.action, entry.authority_id, entry.after) == (
        "auth.permission_denied",
        authority.pk,
        {"permission": "organization.manage_setup"},
    )


# -- nothing without a commit --------------------------------------------------------------


def test_a_rolled_back_action_leaves_no_entry(admin, authority, unscoped):
    since = last_id()
    with pytest.raises(RuntimeError), transaction.atomic():
        create_unit(authority, actor=admin, data=UnitData(name="Ufficio effimero"))
        raise RuntimeError("something after the write failed")
    assert entries_since(since) == []
    assert not OrgUnit.objects.filter(name="Ufficio effimero").exists()


def test_a_refused_action_leaves_no_entry_of_the_action(admin, authority, unit_a, unscoped):
    since = last_id()
    with pytest.raises(DomainError):
        create_unit(authority, actor=admin, data=UnitData(name="Settore A"))  # name taken
    assert entries_since(since) == []


def test_log_action_refuses_to_run_outside_a_transaction(transactional_db, unscoped):
    person = PersonFactory()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        log_action(actor=None, action="person.update", obj=person)


def test_calendar_links_issued_and_revoked_are_logged(manager_a, authority):
    since = last_id()
    issue_calendar_token(manager_a, authority)
    [created] = entries_since(since)
    assert (created.action, created.actor, created.authority_id) == (
        "calendar_token.create",
        manager_a,
        authority.pk,
    )
    since = last_id()
    issue_calendar_token(manager_a, authority)  # a new link revokes the old one
    assert [e.action for e in entries_since(since)] == [
        "calendar_token.revoke",
        "calendar_token.create",
    ]
    since = last_id()
    assert revoke_calendar_tokens(manager_a, authority) == 1
    assert revoke_calendar_tokens(manager_a, authority) == 0  # nothing to revoke, nothing logged
    [revoked] = entries_since(since)
    assert (revoked.action, revoked.after) == ("calendar_token.revoke", {"revoked": 1})
