"""The demo year shows individual performance: `make run` loads the 2019 scheme with its two
families, the dirigente and five employees assigned, their evaluations in every state, and a
``dipendente`` login linked to an evaluated person; a second load changes nothing."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.accounts.models import Membership, Role
from traguardo.evaluation.models import Assignment, BehaviourRating, Evaluation, Scheme
from traguardo.evaluation.scores import Results
from traguardo.imports.demo_year import YEAR_AUTHORITY

pytestmark = pytest.mark.django_db
SLUG = YEAR_AUTHORITY["slug"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _load() -> str:
    out = StringIO()
    for command in ("load_seed", "create_demo_users", "load_demo_year"):
        call_command(command, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(module_db) -> str:
    """What the three commands print, loading the demo year once for the module
    (``module_db``): both tests read it, and what they write is rolled back after each."""
    return _load()


def _counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            "schemes": Scheme.objects.count(),
            "assignments": Assignment.objects.count(),
            "evaluations": Evaluation.objects.count(),
            "ratings": BehaviourRating.objects.count(),
        }


def test_the_demo_year_has_its_individual_evaluation_in_every_state(loaded):
    assert "dipendente" in loaded

    with scopes_disabled():
        scheme = Scheme.objects.get(authority__slug=SLUG, year=2019)
        families = {
            f.name: (
                {c.kind: c.weight for c in f.components.all()},
                f.nucleo_reviews,
                f.fund.amount,
            )
            for f in scheme.families.all()
        }
        assert families["Dirigenti"] == (
            {"unit_objectives": 60, "behaviours": 30, "differentiation": 10},
            True,
            Decimal(30000),
        )
        assert families["Dipendenti"][0] == {
            "unit_objectives": 40,
            "individual_objectives": 20,
            "behaviours": 40,
        }
        assert all(b.description for f in scheme.families.all() for b in f.behaviours.all())
        assert [lv.rating for lv in scheme.rating_levels.all()] == [1, 2, 3, 4, 5]
        assert [(b.lower, b.share) for b in scheme.pay_bands.all()] == [
            (0, 0),
            (50, 60),
            (70, 80),
            (90, 100),
        ]
        director = Assignment.objects.get(scheme=scheme, family__name="Dirigenti")
        assert (str(director.person), str(director.evaluator)) == (
            "Giancarlo Serrao",
            "Marco Bianchi",
        )
        assert director.schede.count() == 11  # every scheda of the plan is his
        states = sorted(
            Evaluation.objects.filter(assignment__scheme=scheme).values_list("state", flat=True)
        )
        assert states == ["delivered", "draft", "final", "final", "interview", "interview"]

        employee = Membership.objects.get(user__username="dipendente", authority__slug=SLUG)
        assert employee.role == Role.EMPLOYEE
        evaluated = Assignment.objects.get(scheme=scheme, person=employee.person)
        assert evaluated.evaluation.state == "delivered"
        nucleo = Membership.objects.get(user__username="nucleo", authority__slug=SLUG)
        assert nucleo.person == director.evaluator

        with scope(authority=scheme.authority):
            results = {str(r.assignment.person): r for r in Results(scheme)}
    # The plan's validated results reach the objectives component; a final evaluation has
    # its total and band.
    assert results["Laura Verdi"].total is not None and results["Laura Verdi"].band is not None
    assert results["Giancarlo Serrao"].engine.components[0].score is not None

    before = _counts()
    _load()
    assert _counts() == before


def test_the_admin_sees_the_demo_settings_and_assignments(loaded):
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    scheme = client.get(
        reverse("evaluation_scheme", kwargs={"authority": SLUG, "year": 2019})
    ).content.decode()
    assert "Dirigenti" in scheme and "Dipendenti" in scheme
    assert "Sola lettura." in scheme  # evaluations of 2019 have been delivered
    assert "peso prevalente" in scheme  # Dipendenti: group objectives 40 = behaviours 40
    listing = client.get(
        reverse("evaluation_assignments", kwargs={"authority": SLUG, "year": 2019})
    ).content.decode()
    assert "6 assegnazioni" in listing and "Elena Ferri" in listing
