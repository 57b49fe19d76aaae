"""The living demo year: `make run` loads a second demo authority whose Piano 2019 is
approved, monitored, closed and validated, so every page of results has something to show."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.audit.models import AuditEntry
from traguardo.imports import demo_year
from traguardo.imports.demo_year import YEAR_AUTHORITY, load_demo_year
from traguardo.monitoring.models import Evidence, Measurement, MonitoringPeriod
from traguardo.planning.models import Comment, Objective, ObjectiveVersion, Plan

pytestmark = pytest.mark.django_db
SLUG = YEAR_AUTHORITY["slug"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def rows() -> dict[str, int]:
    with scopes_disabled():
        return {
            "audit": AuditEntry.objects.count(),
            "plans": Plan.objects.count(),
            "schede": Objective.objects.count(),
            "versions": ObjectiveVersion.objects.count(),
            "periods": MonitoringPeriod.objects.count(),
            "measurements": Measurement.objects.count(),
            "evidence": Evidence.objects.count(),
            "comments": Comment.objects.count(),
        }


def make_run_loading() -> StringIO:
    """What `make run` loads, in its order."""
    out = StringIO()
    for command in ("load_seed", "create_demo_users", "load_demo_year"):
        call_command(command, stdout=out)
    return out


def loaded(client):
    out = make_run_loading()
    assert "approvato, monitorato e validato" in out.getvalue()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    with scopes_disabled():
        return Plan.objects.get(authority__slug=SLUG, year=2019)


def test_the_demo_year_is_validated_with_its_act_periods_and_evidence(client):
    plan = loaded(client)
    with scopes_disabled():
        assert plan.state == Plan.State.VALIDATED
        assert (plan.act_type, plan.act_number, str(plan.act_date)) == (
            "Delibera di Giunta",
            "17",
            "2019-02-05",
        )
        assert str(plan.validated_on) == "2020-05-20"
        periods = {p.kind: p for p in plan.periods.all()}
        assert {p.state for p in periods.values()} == {MonitoringPeriod.State.CLOSED}
        assert str(periods["intermediate"].reference_date) == "2019-06-30"
        assert str(periods["final"].reference_date) == "2019-12-31"
        final = Measurement.objects.filter(period=periods["final"])
        assert final.filter(not_assessable=True).exclude(not_assessable_reason="").count() == 1
        assert final.filter(forced_achievement__isnull=False).exclude(forced_reason="").count()
        assert Evidence.objects.filter(measurement__period=periods["final"]).count() == 3
        assert Comment.objects.filter(objective__plan=plan).count() == 3
        # The seed plan stays the draft with its faults.
        assert Plan.objects.get(authority__slug="comune-esempio").state == Plan.State.DRAFT


def test_the_cruscotto_shows_the_final_result(client):
    loaded(client)
    page = text(client.get(reverse("plan_dashboard", args=[SLUG, 2019])))
    assert "definitivo" in page
    assert "provvisorio" not in page
    assert "%" in page


def test_the_relazione_shows_results_and_the_validation(client):
    loaded(client)
    page = text(client.get(reverse("relazione", args=[SLUG, 2019])))
    assert "definitivo" in page
    assert "20/05/2020" in page or "20 maggio 2020" in page
    assert "Verbale n. 3 del 20/05/2020" in page
    assert "non valutabile" in page.lower()
    assert "forzat" in page.lower()


def test_the_verifica_intermedia_at_30_june_exists(client):
    plan = loaded(client)
    with scopes_disabled():
        midyear = plan.periods.get(kind=MonitoringPeriod.Kind.INTERMEDIATE)
    page = text(client.get(reverse("verifica", args=[SLUG, 2019, midyear.pk])))
    assert "30 giugno 2019" in page or "30/06/2019" in page


def test_the_public_results_show_results(client):
    loaded(client)
    client.logout()
    page = text(client.get(reverse("public_results", args=[SLUG, 2019])))
    assert "definitivo" in page
    assert re.search(r"\d+,\d\d\s?%", page)


def test_loading_twice_changes_nothing(client):
    loaded(client)
    before = rows()
    out = make_run_loading()
    assert out.getvalue().count("nessuna modifica") == 2
    assert rows() == before


def test_a_crash_half_way_leaves_nothing_and_the_next_run_loads(client, monkeypatch, settings):
    real = demo_year.close_plan

    def crashing(plan, *, actor):
        raise RuntimeError("disco pieno")

    monkeypatch.setattr(demo_year, "close_plan", crashing)
    before = rows()
    with pytest.raises(RuntimeError):
        load_demo_year()
    assert rows() == before
    with scopes_disabled():
        assert not Plan.objects.filter(authority__slug=SLUG).exists()
    # The evidence files written before the crash are gone with their rows.
    assert [f for f in settings.MEDIA_ROOT.rglob("*") if f.is_file()] == []
    monkeypatch.setattr(demo_year, "close_plan", real)
    assert load_demo_year().created
    assert len([f for f in settings.MEDIA_ROOT.rglob("*") if f.is_file()]) == 3


@pytest.mark.django_db(transaction=True)
def test_verify_audit_passes_after_loading():
    make_run_loading()
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "Registro integro" in out.getvalue()


def test_refused_in_production(settings):
    settings.PRODUCTION = True
    before = rows()
    with pytest.raises(CommandError, match="non si carica in produzione"):
        call_command("load_demo_year", stdout=StringIO())
    assert rows() == before
