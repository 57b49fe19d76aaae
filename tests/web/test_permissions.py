"""Who gets what: every persona × every view, and every URL declares its permission."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scopes_disabled

from tests.conftest import shared_people
from tests.factories import IndicatorFactory, ObjectiveFactory, PlanFactory, TargetFactory

pytestmark = pytest.mark.django_db

MEMBERS = ("admin", "manager_a", "manager_b", "contributor", "evaluator", "viewer")


# The tests only read the personas and the scheda (or write in their own savepoint, rolled back
# after them): made once for the module, with the personas' sessions.


authority, other_authority, unit_a, unit_b, personas, logged_in = shared_people()


@pytest.fixture(scope="module")
def objective(module_people):
    authority, unit_a = module_people.authority, module_people.unit_a
    with scopes_disabled():
        plan = PlanFactory(authority=authority)
        objective = ObjectiveFactory(plan=plan, unit=unit_a, responsible=unit_a.head)
        TargetFactory(indicator=IndicatorFactory(objective=objective))
        return objective


def tenant_urls(objective):
    slug = objective.authority.slug
    year = objective.plan.year
    return {
        "plan_list": reverse("plan_list", kwargs={"authority": slug}),
        "plan_detail": reverse("plan_detail", kwargs={"authority": slug, "year": year}),
        "plan_pdf": reverse("plan_pdf", kwargs={"authority": slug, "year": year}),
        "objective_detail": reverse(
            "objective_detail", kwargs={"authority": slug, "pk": objective.pk}
        ),
        "objective_pdf": reverse("objective_pdf", kwargs={"authority": slug, "pk": objective.pk}),
    }


# Everyone of the authority reads; another authority's admin gets 404; anonymous is sent to log in.
EXPECTED = {**dict.fromkeys(MEMBERS, 200), "outsider": 404, "anonymous": 302}


# The whole plan's PDF is prepared as a job: every member is sent to the job's page.
AS_JOB = {"plan_pdf"}


@pytest.mark.parametrize(
    "view", ["plan_list", "plan_detail", "plan_pdf", "objective_detail", "objective_pdf"]
)
@pytest.mark.parametrize("persona", [*MEMBERS, "outsider", "anonymous"])
def test_the_role_matrix(logged_in, objective, view, persona):
    client = logged_in.client(persona)
    response = client.get(tenant_urls(objective)[view])
    if view in AS_JOB and persona in MEMBERS:
        assert response.status_code == 302
        assert "/elaborazioni/" in response["Location"]
        return
    assert response.status_code == EXPECTED[persona]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_it_checks_ownership_of_objects_of_another_authority(logged_in, objective, other_authority):
    """An id of another authority under one's own authority's URL is a 404, not a leak."""
    with scopes_disabled():
        foreign = ObjectiveFactory(plan=PlanFactory(authority=other_authority, year=2019))
    client = logged_in.client("admin")
    own = objective.authority.slug
    assert (
        client.get(
            reverse("objective_detail", kwargs={"authority": own, "pk": foreign.pk})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("objective_pdf", kwargs={"authority": own, "pk": foreign.pk})
        ).status_code
        == 404
    )


def test_an_outsider_cannot_tell_whether_an_authority_exists(logged_in, objective):
    client = logged_in.client("outsider")
    existing = client.get(reverse("plan_list", kwargs={"authority": objective.authority.slug}))
    missing = client.get(reverse("plan_list", kwargs={"authority": "non-esiste"}))
    assert existing.status_code == missing.status_code == 404


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_view_declares_its_permission():
    undeclared = [
        route
        for route, view in _patterns(get_resolver())
        if not hasattr(view, "permission_required")
        and not hasattr(getattr(view, "view_class", None), "permission_required")
    ]
    assert undeclared == []


def test_home_sends_a_member_to_the_plans_of_their_authority(logged_in, authority):
    client = logged_in.client("admin")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("plan_list", kwargs={"authority": authority.slug})


def test_login_refuses_a_wrong_password_in_italian(client, personas):
    response = client.post(reverse("login"), {"username": "admin", "password": "sbagliata"})
    assert response.status_code == 200
    assert "Nome utente o password non corretti." in response.content.decode()
