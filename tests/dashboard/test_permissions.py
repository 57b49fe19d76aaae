"""Who reaches the dashboard, the Gantt and "Le mie scadenze": every member, nobody else."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import (
    PASSWORD,
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


@pytest.fixture
def objective(authority, unit_a):
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
def test_the_role_matrix(client, personas, objective, view, persona):
    user = personas[persona]
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    response = client.get(url(view, objective))
    assert response.status_code == EXPECTED[persona]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_a_gantt_of_another_authority_is_not_found(client, admin, objective, other_authority):
    with scopes_disabled():
        foreign = ObjectiveFactory(plan=PlanFactory(authority=other_authority))
        ActivityFactory(objective=foreign)
    assert client.login(username="admin", password=PASSWORD)
    response = client.get(
        reverse("objective_gantt", args=[objective.authority.slug, 2019, foreign.pk])
    )
    assert response.status_code == 404


def test_the_pages_are_read_only(client, admin, objective):
    assert client.login(username="admin", password=PASSWORD)
    for view in VIEWS:
        assert client.post(url(view, objective)).status_code == 405
