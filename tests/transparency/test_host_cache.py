"""The server's cache of public answers is keyed by host: an installation answering on two
names never serves one name's links under the other."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.transparency.conftest import SLUG

pytestmark = pytest.mark.django_db


def test_the_public_pages_are_cached_per_host(closed_plan, settings):
    settings.ALLOWED_HOSTS = ["performance.comune.example.it", "traguardo.unione.example.it"]
    settings.TRAGUARDO_PUBLIC_PAGE_CACHE_SECONDS = 600
    url = reverse("public_opendata", args=[SLUG, 2019, "json"])
    first = Client(HTTP_HOST="performance.comune.example.it").get(url)
    second = Client(HTTP_HOST="traguardo.unione.example.it").get(url)
    assert first.status_code == second.status_code == 200
    assert "public" in first["Cache-Control"]
    assert b"//performance.comune.example.it/" in first.content
    assert b"//traguardo.unione.example.it/" in second.content
    assert b"//performance.comune.example.it/" not in second.content
