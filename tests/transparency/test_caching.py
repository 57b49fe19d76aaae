"""Public answers are cacheable: public max-age, an ETag, 304 to a matching conditional GET,
and no cookie nor ``Vary: Cookie`` for an anonymous visitor."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.transparency.conftest import SLUG
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.planning.models import Objective

pytestmark = pytest.mark.django_db


def urls(plan) -> list[str]:
    with scopes_disabled():
        pk = Objective.objects.get(plan=plan, position=5).pk
    return [
        reverse("public_home", args=[SLUG]),
        reverse("public_plan", args=[SLUG, 2019]),
        reverse("public_objective", args=[SLUG, 2019, pk]),
        reverse("public_results", args=[SLUG, 2019]),
        reverse("public_opendata", args=[SLUG, 2019, "csv"]),
        reverse("public_opendata", args=[SLUG, 2019, "json"]),
        reverse("public_opendata_schema", args=[SLUG]),
        reverse("public_opendata_info", args=[SLUG]),
    ]


def test_every_public_answer_is_cacheable_and_revalidates_with_304(closed_plan):
    client = Client()
    for url in urls(closed_plan):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["Cache-Control"] == "public, max-age=300", url
        etag = first["ETag"]
        assert etag.startswith('"'), url
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == etag
        assert again["Cache-Control"] == "public, max-age=300"
        # The same bytes give the same validator: a shared cache can revalidate.
        assert client.get(url)["ETag"] == etag


def test_a_changed_plan_no_longer_matches_the_old_etag(closed_plan):
    url = reverse("public_plan", args=[SLUG, 2019])
    client = Client()
    etag = client.get(url)["ETag"]
    with scopes_disabled():
        # Saved as the business actions save (the authority's data version moves with it).
        scheda = Objective.objects.get(plan=closed_plan, position=5)
        scheda.title = "Elezioni 2019"
        scheda.save(update_fields=["title"])
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "Elezioni 2019" in changed.content.decode()


def test_an_anonymous_visit_sets_no_cookie_and_does_not_vary_on_cookie(closed_plan):
    client = Client()
    for url in urls(closed_plan):
        response = client.get(url)
        assert response.cookies == {}, url
        assert "cookie" not in response.get("Vary", "").lower(), url
        assert settings.CSRF_COOKIE_NAME not in client.cookies
        assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_a_logged_in_visit_is_not_stored_by_shared_caches(closed_plan):
    client = Client()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    response = client.get(reverse("public_plan", args=[SLUG, 2019]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=300"


def test_the_server_keeps_a_public_page_until_the_next_write(closed_plan, settings, monkeypatch):
    """An anonymous visitor does not make the server score the plan again; any audited write
    (here a scheda renamed) shows at the next request."""
    from django.db import transaction

    from traguardo.audit.log import log_action
    from traguardo.web.views import transparency

    settings.TRAGUARDO_PUBLIC_PAGE_CACHE_SECONDS = 600
    scored = []
    real = transparency.kept_plan
    monkeypatch.setattr(transparency, "kept_plan", lambda plan: scored.append(1) or real(plan))
    url = reverse("public_plan", args=[SLUG, 2019])
    client = Client()
    first = client.get(url).content.decode()
    assert client.get(url).content.decode() == first
    assert len(scored) == 1
    with scopes_disabled(), transaction.atomic():
        scheda = Objective.objects.get(plan=closed_plan, position=5)
        scheda.title = "Elezioni europee e amministrative 2019"
        scheda.save(update_fields=["title"])
        log_action(actor=None, action="objective.update", obj=scheda, after={"title": scheda.title})
    assert "Elezioni europee e amministrative 2019" in client.get(url).content.decode()
    assert len(scored) == 2
