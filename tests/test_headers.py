"""Back-office answers are never cached (``Cache-Control: no-store, private``), whoever asks and
whatever the status (the public pages keep their own caching: tests/transparency)."""

from pathlib import Path

import pytest
from django.urls import reverse

from tests import test_url_matrix as matrix
from tests.conftest import shared_people

pytestmark = pytest.mark.django_db


# The personas, their sessions and the URL matrix's world, made once for this module too.
authority, other_authority, unit_a, unit_b, personas, logged_in = shared_people()
world = matrix.world


BACK_OFFICE = [
    name
    for name, route in matrix.routes().items()
    if not route.startswith("trasparenza/") and name != "calendar_feed"  # a feed, not a page
]


@pytest.mark.parametrize("name", BACK_OFFICE)
def test_every_back_office_answer_is_no_store(world, logged_in, name):
    url = matrix.url_for(name, world)
    for persona in ("admin", "viewer", "outsider", "anonymous"):
        response = logged_in.client(persona).get(url)
        control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        assert {"no-store", "private"} <= control, (name, persona, response.status_code)
        assert "public" not in control and "max-age" not in str(control), (name, persona)


def test_an_unknown_address_and_a_post_are_no_store_too(logged_in):
    client = logged_in.client("admin")
    assert client.get("/non-esiste/")["Cache-Control"] == "private, no-store"
    assert client.post(reverse("login"), {})["Cache-Control"] == "private, no-store"


def test_the_favicon_is_found_and_linked_from_every_page(client, db):
    from django.contrib.staticfiles import finders

    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    icon = answer["Location"]
    assert icon.endswith(".svg") and "favicon" in icon
    path = finders.find("traguardo/img/favicon.svg")
    assert path is not None and "<svg" in Path(path).read_text(encoding="utf-8")
    login_page = client.get("/accesso/").content.decode()
    assert f'<link rel="icon" href="{icon}" type="image/svg+xml">' in login_page
