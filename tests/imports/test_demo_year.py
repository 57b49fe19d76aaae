"""The living demo year: `make run` loads a second demo authority whose Piano 2019 is
approved, monitored, closed and validated, so every page of results has something to show."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.audit.models import AuditEntry
from traguardo.imports.demo_year import YEAR_AUTHORITY
from traguardo.monitoring.models import Evidence, Measurement, MonitoringPeriod
from traguardo.planning.models import Comment, Objective, ObjectiveVersion, Plan

pytestmark = pytest.mark.django_db
SLUG = YEAR_AUTHORITY["slug"]


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


@pytest.fixture(scope="module")
def made_run(module_db):
    """What `make run` loads, loaded once for the module (tests/conftest.py, ``module_db``;
    its evidence files in the module's media directory): each test reads it in a savepoint of
    its own, rolled back after it. What `make run` printed."""
    return make_run_loading().getvalue()


def loaded(client, made_run):
    assert "approvato, monitorato e validato" in made_run
    assert client.login(username="admin", password=DEMO_PASSWORD)
    with scopes_disabled():
        return Plan.objects.get(authority__slug=SLUG, year=2019)


def test_the_demo_year_is_validated_with_its_act_periods_and_evidence(client, made_run):
    plan = loaded(client, made_run)
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


def test_the_cruscotto_shows_the_final_result(client, made_run):
    loaded(client, made_run)
    page = text(client.get(reverse("plan_dashboard", args=[SLUG, 2019])))
    assert "definitivo" in page
    assert "provvisorio" not in page
    assert "%" in page


def test_the_relazione_shows_results_and_the_validation(client, made_run):
    loaded(client, made_run)
    page = text(client.get(reverse("relazione", args=[SLUG, 2019])))
    assert "definitivo" in page
    assert "20/05/2020" in page or "20 maggio 2020" in page
    assert "Verbale n. 3 del 20/05/2020" in page
    assert "non valutabile" in page.lower()
    assert "forzat" in page.lower()


def test_the_verifica_intermedia_at_30_june_exists(client, made_run):
    plan = loaded(client, made_run)
    with scopes_disabled():
        midyear = plan.periods.get(kind=MonitoringPeriod.Kind.INTERMEDIATE)
    page = text(client.get(reverse("verifica", args=[SLUG, 2019, midyear.pk])))
    assert "30 giugno 2019" in page or "30/06/2019" in page


def test_the_public_results_show_results(client, made_run):
    loaded(client, made_run)
    client.logout()
    page = text(client.get(reverse("public_results", args=[SLUG, 2019])))
    assert "definitivo" in page
    assert re.search(r"\d+,\d\d\s?%", page)


def test_loading_twice_changes_nothing(client, made_run):
    loaded(client, made_run)
    before = rows()
    out = make_run_loading()
    assert out.getvalue().count("nessuna modifica") == 2
    assert rows() == before
