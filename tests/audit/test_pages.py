"""The Cronologia of a scheda and the Registro of the authority: who sees them, what they show,
filters, pages, and the same queries for 1 and many entries."""

from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.audit.conftest import last_id
from tests.factories import PASSWORD, IndicatorFactory, MeasurementFactory, MonitoringPeriodFactory
from traguardo.audit.log import log_action
from traguardo.audit.models import AuditEntry
from traguardo.core.formats import date_it
from traguardo.planning.versions import objective_state

pytestmark = pytest.mark.django_db


HISTORY_EXPECTED = {
    "admin": 200,
    "manager_a": 200,
    "manager_b": 200,
    "contributor": 200,
    "evaluator": 200,
    "viewer": 200,
    "outsider": 404,
    "anonymous": 302,
}
LOG_EXPECTED = {
    "admin": 200,
    "manager_a": 403,
    "manager_b": 403,
    "contributor": 403,
    "evaluator": 403,
    "viewer": 403,
    "outsider": 404,
    "anonymous": 302,
}


def login(client, user) -> None:
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)


def history_url(objective) -> str:
    return reverse("objective_history", args=[objective.authority.slug, objective.pk])


def log_url(authority) -> str:
    return reverse("audit_log", args=[authority.slug])


def edit_title(objective, actor, title: str, reason: str = "") -> None:
    with scopes_disabled(), transaction.atomic():
        before = objective_state(objective)
        objective.title = title
        objective.save()
        log_action(
            actor=actor,
            action="objective.update",
            obj=objective,
            before=before,
            after=objective_state(objective),
            reason=reason,
        )


@pytest.mark.parametrize("persona", list(HISTORY_EXPECTED))
def test_who_sees_a_schedas_history(client, personas, draft, persona):
    login(client, personas[persona])
    assert client.get(history_url(draft)).status_code == HISTORY_EXPECTED[persona]


@pytest.mark.parametrize("persona", list(LOG_EXPECTED))
def test_who_sees_the_audit_log(client, personas, authority, persona):
    login(client, personas[persona])
    assert client.get(log_url(authority)).status_code == LOG_EXPECTED[persona]


def test_the_scheda_page_links_its_history(client, admin, draft):
    login(client, admin)
    page = client.get(reverse("objective_detail", args=[draft.authority.slug, draft.pk]))
    assert f'href="{history_url(draft)}"' in page.content.decode()


def test_the_history_shows_who_when_what_why_and_the_differences(client, admin, draft):
    edit_title(draft, admin, "Sportello unico digitale", reason="Richiesta del Nucleo")
    entry = AuditEntry.objects.get()
    login(client, admin)
    page = client.get(history_url(draft)).content.decode()
    assert "Scheda modificata" in page
    assert "Richiesta del Nucleo" in page
    assert (
        '<th scope="row">Denominazione</th><td>Sportello unico</td>'
        "<td>Sportello unico digitale</td>"
    ) in page
    assert "· admin ·" in page
    local = entry.at.astimezone(ZoneInfo("Europe/Rome"))  # shown in Italian time, not UTC
    assert f"{date_it(local)}, {local:%H:%M:%S}</time>" in page


def test_the_history_holds_the_measurements_of_the_scheda_and_nothing_else(
    client, admin, draft, unit_b
):
    with scopes_disabled():
        indicator = IndicatorFactory(objective=draft)
        period = MonitoringPeriodFactory(plan=draft.plan, reference_date="2019-12-31")
        measurement = MeasurementFactory(period=period, indicator=indicator, comment="fatto")
        with transaction.atomic():
            log_action(actor=admin, action="measurement.record", obj=measurement)
            log_action(actor=admin, action="unit.update", obj=unit_b)
    login(client, admin)
    page = client.get(history_url(draft)).content.decode()
    assert "Rilevazione registrata" in page
    assert "Unità organizzativa modificata" not in page


def test_the_log_shows_only_the_authoritys_entries(client, admin, authority, other_authority):
    with transaction.atomic():
        log_action(actor=None, action="unit.create", authority=authority, after={"name": "Nostra"})
        log_action(
            actor=None, action="unit.create", authority=other_authority, after={"name": "Altrui"}
        )
    login(client, admin)
    page = client.get(log_url(authority)).content.decode()
    assert "Nostra" in page
    assert "Altrui" not in page


def test_the_log_filters_by_action_user_date_and_object(client, admin, draft, unit_a):
    edit_title(draft, admin, "Sportello unico digitale")
    with scopes_disabled(), transaction.atomic():
        log_action(actor=None, action="unit.update", obj=unit_a)
    login(client, admin)
    url = log_url(draft.authority)

    def shown(**query) -> list[str]:
        response = client.get(url, query)
        assert response.status_code == 200
        return [row["entry"].action for row in response.context["rows"]]

    assert shown() == ["auth.login", "unit.update", "objective.update"]
    assert shown(azione="objective.update") == ["objective.update"]
    assert shown(utente="admin") == ["auth.login", "objective.update"]
    assert shown(oggetto="settore a") == ["unit.update"]
    # The filter's dates are the authority's days (Europe/Rome), not UTC's: from 23:00 UTC
    # the two differ.
    today = timezone.localdate().isoformat()
    assert len(shown(dal=today, al=today)) == 3
    assert shown(al="2000-01-01") == []
    assert client.get(url, {"dal": "ieri"}).status_code == 400


def test_the_log_has_50_entries_a_page(client, admin, authority):
    with transaction.atomic():
        for n in range(60):
            log_action(actor=None, action="unit.create", authority=authority, after={"n": n})
    login(client, admin)
    first = client.get(log_url(authority))
    second = client.get(log_url(authority), {"pagina": 2})
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 11  # and the login
    assert "Pagina 1 di 2" in first.content.decode()


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_pages_cost_the_same_queries_for_1_and_many_entries(client, admin, draft):
    login(client, admin)
    edit_title(draft, admin, "Uno")
    counts = (queries(client, history_url(draft)), queries(client, log_url(draft.authority)))
    for n in range(5):
        edit_title(draft, admin, f"Titolo {n}")
    assert last_id() > 5
    assert (
        queries(client, history_url(draft)),
        queries(client, log_url(draft.authority)),
    ) == counts


FILE_SUFFIXES = {
    "xml",
    "bin",
    "jsonl",
    "ico",
    "svg",
    "css",
    "js",
    "pdf",
    "png",
    "json",
    "csv",
    "typ",
}


def _action_codes_in_the_source() -> set[str]:
    """Every «area.verb» string of the package, less what is plainly not an action: model
    labels, permissions of our apps, module and file names."""
    import re
    from pathlib import Path

    from django.apps import apps

    import traguardo

    ours = {config.label for config in apps.get_app_configs()} - {"auth"}
    found = set()
    for source in Path(traguardo.__file__).parent.rglob("*.py"):
        for code in re.findall(r"[\"']([a-z_]+\.[a-z_]+)[\"']", source.read_text()):
            prefix, suffix = code.split(".")
            if prefix in ours or prefix == "traguardo" or suffix in FILE_SUFFIXES:
                continue
            try:
                apps.get_model(code)
            except (LookupError, ValueError):
                found.add(code)
    return found


def test_every_action_code_written_in_the_source_has_an_italian_label():
    from traguardo.audit.display import ACTIONS

    codes = _action_codes_in_the_source()
    assert {"plan.validate", "comment.add", "auth.otp_ok", "period.open"} <= codes
    assert sorted(code for code in codes if code not in ACTIONS) == []


def test_the_log_filter_offers_every_lifecycle_step(client, admin, authority):
    login(client, admin)
    page = client.get(log_url(authority)).content.decode()
    for label in ("Piano proposto", "Piano approvato", "Piano consuntivato", "Piano validato"):
        assert label in page


def test_the_log_shows_steps_states_and_people_in_italian(client, admin, draft):
    with scopes_disabled(), transaction.atomic():
        admin.first_name, admin.last_name = "Anna", "Verdi"
        admin.save()
        log_action(
            actor=admin,
            action="plan.validate",
            obj=draft.plan,
            before={"state": "closed"},
            after={"state": "validated", "validated_by": admin.pk},
        )
    login(client, admin)
    page = client.get(log_url(draft.authority)).content.decode()
    assert "<strong>Piano validato</strong>" in page and "<strong>plan." not in page
    assert "<td>Consuntivato</td><td>Validato</td>" in page
    assert '<th scope="row">Validato da</th><td>—</td><td>Anna Verdi</td>' in page


def test_the_history_names_a_measurement_and_the_evidence_fields_in_italian(client, admin, draft):
    with scopes_disabled():
        indicator = IndicatorFactory(objective=draft)
        period = MonitoringPeriodFactory(plan=draft.plan, reference_date="2019-12-31")
        measurement = MeasurementFactory(period=period, indicator=indicator)
        with transaction.atomic():
            log_action(actor=admin, action="measurement.record", obj=measurement)
    login(client, admin)
    page = client.get(history_url(draft)).content.decode()
    assert "object (" not in page
    assert f"Rilevazione n. {measurement.pk}" in page
    from traguardo.audit.display import changes

    entry = AuditEntry(
        object_type="monitoring.evidence",
        after={"measurement_id": 2, "name": "a.pdf", "sha256": "ab", "size": 3},
    )
    labels = [label for label, _before, _after in changes(entry)]
    assert labels == ["Rilevazione", "Nome del file", "Impronta SHA-256", "Dimensione (byte)"]


def test_the_values_of_a_copy_and_an_import_are_named_in_italian():
    from traguardo.audit.display import changes

    copy = AuditEntry(
        object_type="planning.plan",
        after={"year": 2020, "source": "Piano 2019", "copied": 3, "skipped": 1},
    )
    assert [label for label, _b, _a in changes(copy)] == [
        "Anno", "Piano di origine", "Schede copiate", "Schede tralasciate",
    ]  # fmt: skip
    measurement = AuditEntry(
        object_type="monitoring.measurement", after={"period": "Consuntivo", "value": "3"}
    )
    assert [label for label, _b, _a in changes(measurement)] == ["Periodo", "Valore"]
