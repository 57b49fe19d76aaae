"""axe-core on every page of the authority's setup and on the new-plan form (admin)."""

import re

from django.urls import reverse
from django_scopes import scopes_disabled

from tests.browser.conftest import SLUG, axe_violations, describe_violations, login, url
from traguardo.organization.models import (
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
)

LIST_PAGES = [
    "setup_home",
    "setup_units",
    "setup_unit_add",
    "setup_people",
    "setup_person_add",
    "setup_dup",
    "setup_dup_add",
    "setup_areas",
    "setup_area_add",
    "setup_policy",
    "setup_scales",
    "setup_scale_add",
    "plan_create",
]


def test_every_setup_page_and_form_passes_axe(page, live_server, demo):
    login(page, live_server, "admin")
    with scopes_disabled():
        rows = {
            "setup_unit_edit": OrgUnit.objects.get(name="Settore II").pk,
            "setup_person_edit": Person.objects.get(last_name="Serrao").pk,
            "setup_area_edit": PerformanceArea.objects.get(number=1).pk,
            "setup_level_edit": PolicyLevel.objects.first().pk,
            "setup_scale_edit": GradingScale.objects.first().pk,
            "setup_unit_delete": OrgUnit.objects.get(name="Ufficio Sport").pk,
        }
    paths = [reverse(name, kwargs={"authority": SLUG}) for name in LIST_PAGES] + [
        reverse(name, kwargs={"authority": SLUG, "pk": pk}) for name, pk in rows.items()
    ]
    failures = []
    for path in paths:
        page.goto(url(live_server, path))
        violations = axe_violations(page)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
    assert failures == [], "\n\n".join(failures)


def test_a_scale_typed_as_on_paper_is_previewed_in_place(page, live_server, demo):
    login(page, live_server, "admin")
    page.goto(url(live_server, reverse("setup_scale_add", kwargs={"authority": SLUG})))
    page.get_by_label("Nome").fill("Ritardo 3/6")
    page.get_by_label(re.compile("Graduazione|Testo", re.I)).first.fill(
        "gg ritardo 3 = 90% / gg6 = 50%"
    )
    page.get_by_role("button", name="Anteprima").click()
    preview = page.locator("table").filter(has_text="1–3 gg")
    preview.wait_for()
    assert "50%" in preview.inner_text()
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)
