"""axe-core on the individual evaluation's settings and assignment pages (admin), on the demo
year: its 2019 scheme frozen (evaluations delivered), a 2020 copy open for editing."""

from django.urls import reverse
from django_scopes import scopes_disabled

from tests.browser.conftest import axe_violations, describe_violations, login, url
from traguardo.accounts.models import User
from traguardo.evaluation.domain.settings import create_scheme
from traguardo.evaluation.models import Assignment, Scheme
from traguardo.imports.demo_year import YEAR_AUTHORITY, load_demo_year

SLUG = YEAR_AUTHORITY["slug"]


def test_every_settings_and_assignment_page_passes_axe(page, live_server, demo):
    login(page, live_server, "admin")  # before the second authority: lands on the plans
    load_demo_year()
    with scopes_disabled():
        frozen = Scheme.objects.get(authority__slug=SLUG, year=2019)
        open_year = create_scheme(
            frozen.authority, actor=User.objects.get(username="admin"), year=2020, copy_from=frozen
        )
        family = open_year.families.first()
        behaviour = family.behaviours.first()
        delivered = Assignment.objects.get(scheme=frozen, person__last_name="Ferri")
        draft = Assignment.objects.get(scheme=frozen, person__last_name="Galli")
        frozen_family = frozen.families.first()

    def at(name, **kwargs):
        return reverse(name, kwargs={"authority": SLUG, **kwargs})

    paths = [
        at("evaluation_schemes"),
        at("evaluation_scheme", year=2019),
        at("evaluation_family_edit", year=2019, pk=frozen_family.pk),
        at("evaluation_scheme", year=2020),
        at("evaluation_family_add", year=2020),
        at("evaluation_family_edit", year=2020, pk=family.pk),
        at("evaluation_family_delete", year=2020, pk=family.pk),
        at("evaluation_behaviour_add", year=2020, pk=family.pk),
        at("evaluation_behaviour_edit", year=2020, pk=behaviour.pk),
        at("evaluation_assignments", year=2019),
        at("evaluation_assignment_add", year=2019),
        at("evaluation_assignment_edit", year=2019, pk=delivered.pk),
        at("evaluation_assignment_edit", year=2019, pk=draft.pk),
        at("evaluation_assignment_delete", year=2019, pk=draft.pk),
    ]
    failures = []
    for path in paths:
        response = page.goto(url(live_server, path))
        assert response is not None and response.status == 200, path
        violations = axe_violations(page)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
    assert failures == [], "\n\n".join(failures)
