"""Back-office answers are never cached (``Cache-Control: no-store, private``), whoever asks and
whatever the status (the public pages keep their own caching: tests/transparency).

The URL matrix checks the header of every back-office GET it makes (tests/test_url_matrix.py,
``test_the_matrix``: every named URL, every persona, ``assert_no_store``); this module checks
which URLs it covers (``is_back_office``) and the answers the matrix does not make.
"""

from pathlib import Path

import pytest
from django.urls import reverse

from tests import test_url_matrix as matrix

pytestmark = pytest.mark.django_db


def test_the_matrix_checks_every_url_but_the_public_pages_and_the_calendar_feed():
    routes = matrix.routes()
    back_office = {name for name, route in routes.items() if matrix.is_back_office(name, route)}
    public = {name for name, route in routes.items() if route.startswith("trasparenza/")}
    assert public == {name for name in routes if name.startswith("public_")} != set()
    assert set(routes) - back_office == public | {"calendar_feed"}
    assert {name for name, route in routes.items() if matrix.is_tenant(route)} <= back_office
    assert {"home", "healthz", "favicon", "login", "logout", "guide"} <= back_office
    # Each of them has its row, so test_the_matrix asks it as every persona.
    assert back_office <= set(matrix.EXPECTED)
    assert {"admin", "viewer", "outsider", "anonymous"} <= set(matrix.PERSONAS)


def test_an_unknown_address_and_a_post_are_no_store_too(client, admin):
    client.force_login(admin)
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
