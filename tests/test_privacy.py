"""Pages meant for the public never name a person (Garante provv. 398/2023, D.Lgs. 33/2013).

Every URL that needs no login is fetched anonymously with the demo data loaded, and its
output is scanned for the names of the demo people. The transparency pages will be checked
by this same test as they are added.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from traguardo.accounts.demo import DEMO_ACCOUNTS, create_demo_accounts
from traguardo.imports.seed import DIRECTOR, load_seed

pytestmark = pytest.mark.django_db


def public_routes():
    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            elif (
                isinstance(entry, URLPattern)
                and entry.callback.__dict__.get("permission_required", "missing") is None
                and "<" not in str(entry.pattern)
            ):
                yield entry.name, "/" + prefix + str(entry.pattern)

    return list(walk(get_resolver()))


def test_no_public_page_names_a_person(client):
    report = load_seed()
    create_demo_accounts(report.plan.authority)
    names = {DIRECTOR[1], *(a.last_name for a in DEMO_ACCOUNTS)}
    routes = public_routes()
    assert {"healthz", "login"} <= {name for name, _path in routes}
    for name, path in routes:
        response = client.get(path)
        body = response.content.decode(errors="replace").lower()
        found = sorted(n for n in names if n.lower() in body)
        assert found == [], f"{name} ({path}) nomina {found}"
