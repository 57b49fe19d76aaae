"""Who gets the setup pages: admins only; other members 403, other authorities 404."""

import pytest
from django.urls import reverse

from tests.setup.conftest import login, snapshot, url

pytestmark = pytest.mark.django_db

MEMBERS = (
    "manager_a",
    "manager_b",
    "contributor",
    "evaluator",
    "viewer",
    "valutatore",
    "dipendente",
)


def setup_urls(authority, rows) -> dict[str, str]:
    """Every setup page a browser GETs, by URL name."""
    pk = {
        "unit": rows["unit"].pk,
        "person": rows["person"].pk,
        "dup": rows["goal"].pk,
        "area": rows["area"].pk,
        "level": rows["level"].pk,
        "scale": rows["scale"].pk,
    }
    pages = {
        "setup_home": {},
        "setup_units": {},
        "setup_unit_add": {},
        "setup_unit_edit": {"pk": pk["unit"]},
        "setup_unit_delete": {"pk": pk["unit"]},
        "setup_people": {},
        "setup_person_add": {},
        "setup_person_edit": {"pk": pk["person"]},
        "setup_person_delete": {"pk": pk["person"]},
        "setup_dup": {},
        "setup_dup_add": {},
        "setup_dup_edit": {"pk": pk["dup"]},
        "setup_dup_delete": {"pk": pk["dup"]},
        "setup_areas": {},
        "setup_area_add": {},
        "setup_area_edit": {"pk": pk["area"]},
        "setup_area_delete": {"pk": pk["area"]},
        "setup_policy": {},
        "setup_level_add": {"dimension": "strategicita"},
        "setup_level_edit": {"pk": pk["level"]},
        "setup_level_delete": {"pk": pk["level"]},
        "setup_scales": {},
        "setup_scale_add": {},
        "setup_scale_edit": {"pk": pk["scale"]},
        "setup_scale_delete": {"pk": pk["scale"]},
    }
    return {name: url(authority, name, **kwargs) for name, kwargs in pages.items()}


def test_every_setup_url_is_in_the_matrix(authority, rows):
    from traguardo.web.views.setup import urlpatterns

    names = {pattern.name for pattern in urlpatterns} - {"setup_scale_preview"}  # POST only
    assert set(setup_urls(authority, rows)) == names


EXPECTED = {
    "admin": 200,
    **dict.fromkeys(MEMBERS, 403),
    "outsider": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_the_role_matrix(client, personas, authority, rows, persona):
    login(client, personas[persona])
    urls = setup_urls(authority, rows)
    statuses = {name: client.get(address).status_code for name, address in urls.items()}
    assert statuses == dict.fromkeys(urls, EXPECTED[persona])
    if persona == "anonymous":
        response = client.get(urls["setup_home"])
        assert response["Location"].startswith(reverse("login"))


def test_the_preview_is_post_only_and_for_admins(client, personas, authority):
    preview = url(authority, "setup_scale_preview")
    statuses = {}
    for persona, user in personas.items():
        client.logout()
        login(client, user)
        statuses[persona] = client.post(preview, {"source_text": "Proporzionale"}).status_code
    assert statuses == EXPECTED
    login(client, personas["admin"])
    assert client.get(preview).status_code == 405


def posts(authority, rows) -> dict[str, tuple[str, dict]]:
    """A valid POST to every setup action."""
    unit = {"name": "Nuovo settore", "kind": "settore", "position": 1}
    person = {"first_name": "Carla", "last_name": "Conti"}
    goal = {"level": "mandate", "code": "9", "title": "Nuova linea"}
    area = {"number": 7, "name": "Nuovo ambito"}
    level = {"label": "Altissima", "value": "80", "position": 9}
    scale = {"name": "Nuova", "source_text": "Proporzionale"}
    policy = {"activity_share": "10", "green_from": "95", "amber_from": "50"}
    # The edits keep each row distinct from the one the add creates.
    edited = {
        "unit": {**unit, "name": "Settore A rinominato"},
        "person": {**person, "first_name": "Alice", "last_name": "Alberti"},
        "goal": {**goal, "code": "1"},
        "area": {**area, "number": 1},
        "level": {**level, "label": "Alta"},
        "scale": {**scale, "name": "Ritardo standard", "source_text": "gg ritardo 5 = 90%"},
    }
    return {
        "setup_unit_add": ({}, unit),
        "setup_unit_edit": ({"pk": rows["unit"].pk}, edited["unit"]),
        "setup_unit_delete": ({"pk": rows["unit"].pk}, {}),
        "setup_person_add": ({}, person),
        "setup_person_edit": ({"pk": rows["person"].pk}, edited["person"]),
        "setup_person_delete": ({"pk": rows["person"].pk}, {}),
        "setup_dup_add": ({}, goal),
        "setup_dup_edit": ({"pk": rows["goal"].pk}, edited["goal"]),
        "setup_dup_delete": ({"pk": rows["goal"].pk}, {}),
        "setup_area_add": ({}, area),
        "setup_area_edit": ({"pk": rows["area"].pk}, edited["area"]),
        "setup_area_delete": ({"pk": rows["area"].pk}, {}),
        "setup_policy": ({}, policy),
        "setup_level_add": ({"dimension": "strategicita"}, level),
        "setup_level_edit": ({"pk": rows["level"].pk}, edited["level"]),
        "setup_level_delete": ({"pk": rows["level"].pk}, {}),
        "setup_scale_add": ({}, scale),
        "setup_scale_edit": ({"pk": rows["scale"].pk}, edited["scale"]),
        "setup_scale_delete": ({"pk": rows["scale"].pk}, {}),
    }


@pytest.mark.parametrize(("persona", "status"), [("manager_a", 403), ("outsider", 404)])
def test_posts_by_others_are_refused_and_change_nothing(
    client, personas, authority, rows, persona, status
):
    login(client, personas[persona])
    before = snapshot()
    statuses = {
        name: client.post(url(authority, name, **kwargs), data).status_code
        for name, (kwargs, data) in posts(authority, rows).items()
    }
    assert statuses == dict.fromkeys(statuses, status)
    assert snapshot() == before


def test_the_same_posts_by_the_admin_are_accepted(client, admin, authority, rows):
    """The POST data above is valid: the refusals are about who sends it."""
    login(client, admin)
    before = snapshot()
    statuses = {
        name: client.post(url(authority, name, **kwargs), data).status_code
        for name, (kwargs, data) in posts(authority, rows).items()
        if not name.endswith("_delete")
    }
    assert statuses == dict.fromkeys(statuses, 302)
    assert snapshot() != before
