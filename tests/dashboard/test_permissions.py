"""Who reaches the dashboard, the Gantt and "Le mie scadenze": every member, nobody else."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.conftest import shared_people
from tests.factories import (
    ActivityFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db

MEMBERS = ("admin", "manager_a", "manager_b", "contributor", "evaluator", "viewer")
EXPECTED = {**dict.fromkeys(MEMBERS, 200), "outsider": 404, "anonymous": 302}
VIEWS = ("plan_dashboard", "objective_gantt", "my_deadlines")


# The tests only read the personas and the scheda (or write in their own savepoint, rolled back
# after them): made once for the module, with the personas' sessions.


authority, other_authority, unit_a, unit_b, personas, logged_in = shared_people()


@pytest.fixture(scope="module")
def objective(module_people):
    authority, unit_a = module_people.authority, module_people.unit_a
    with scopes_disabled():
        objective = ObjectiveFactory(
            plan=PlanFactory(authority=authority), unit=unit_a, responsible=unit_a.head
        )
        TargetFactory(indicator=IndicatorFactory(objective=objective))
        ActivityFactory(objective=objective)
        return objective


def url(view, objective, authority=None):
    slug = authority or objective.authority.slug
    year = objective.plan.year
    return {
        "plan_dashboard": reverse("plan_dashboard", args=[slug, year]),
        "objective_gantt": reverse("objective_gantt", args=[slug, year, objective.pk]),
        "my_deadlines": reverse("my_deadlines", args=[slug]),
    }[view]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("persona", [*MEMBERS, "outsider", "anonymous"])
def test_the_role_matrix(logged_in, objective, view, persona):
    client = logged_in.client(persona)
    response = client.get(url(view, objective))
    assert response.status_code == EXPECTED[persona]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_a_gantt_of_another_authority_is_not_found(logged_in, objective, other_authority):
    with scopes_disabled():
        foreign = ObjectiveFactory(plan=PlanFactory(authority=other_authority))
        ActivityFactory(objective=foreign)
    client = logged_in.client("admin")
    response = client.get(
        reverse("objective_gantt", args=[objective.authority.slug, 2019, foreign.pk])
    )
    assert response.status_code == 404


def test_the_pages_are_read_only(logged_in, objective):
    client = logged_in.client("admin")
    for view in VIEWS:
        assert client.post(url(view, objective)).status_code == 405
