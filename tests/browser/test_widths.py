"""Every main page on a phone (390×844) and on a desktop (1366×768): the page never scrolls
sideways, axe finds nothing, and the header's menu folds behind a button the keyboard opens.
Last, axe on the individual evaluation's settings and assignment pages of the demo year (at
desktop width), which need the same data.

One live server, one Chromium and one logged-in context per width serve the whole module: the
data (the seed's draft plan and the living demo year) is loaded once, committed, and flushed at
the end, instead of once per test as ``transactional_db`` would.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import STRUCTURE_RULES, axe_violations, describe_violations
from traguardo.accounts.demo import DEMO_PASSWORD, create_demo_accounts
from traguardo.accounts.models import User
from traguardo.evaluation.domain.settings import create_scheme
from traguardo.evaluation.models import Assignment, Scheme
from traguardo.imports.demo_year import YEAR_AUTHORITY, load_demo_year
from traguardo.imports.seed import load_seed
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.models import Objective

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
YEAR = YEAR_AUTHORITY["slug"]
# The marker makes pytest-django create the test database; its per-test transaction (or flush)
# is replaced below by the module's own data.
pytestmark = pytest.mark.django_db
MENU = (
    "Piani",
    "Le mie scadenze",
    "Elaborazioni",
    "Valutazioni individuali",
    "Impostazioni dell'ente",
    "Registro delle modifiche",
)


@dataclass
class Site:
    base: str
    pages: dict[str, str]  # back-office pages, seen by the admin
    public: dict[str, str]  # pages anyone sees


def _pages(seed_slug: str) -> tuple[dict[str, str], dict[str, str]]:
    with scopes_disabled():
        year = Objective.objects.filter(plan__authority__slug=YEAR, plan__year=2019)
        # SINTEL: indicators, activities, measurements, evidence and the Nucleo's comments.
        sintel = year.get(position=2)
        draft = Objective.objects.get(plan__authority__slug=seed_slug, plan__year=2019, position=2)
        midyear = MonitoringPeriod.objects.get(
            plan=sintel.plan, kind=MonitoringPeriod.Kind.INTERMEDIATE
        )

    def at(name, *args, slug=YEAR):
        return reverse(name, args=[slug, *args])

    pages = {
        "plan-list": at("plan_list"),
        "plan": at("plan_detail", 2019),
        "scheda": at("objective_detail", sintel.pk),
        "scheda-draft": at("objective_detail", draft.pk, slug=seed_slug),
        "editor": at("objective_edit", draft.pk, slug=seed_slug),
        "measurements": at("measurements", sintel.pk),
        "history": at("objective_history", sintel.pk),
        "periods": at("periods", 2019),
        "cruscotto": at("plan_dashboard", 2019),
        "gantt": at("objective_gantt", 2019, sintel.pk),
        "my-deadlines": at("my_deadlines"),
        "nucleo": at("plan_review", 2019),
        "documents": at("plan_documents", 2019),
        "relazione": at("relazione", 2019),
        "verifica": at("verifica", 2019, midyear.pk),
        "variations": at("variation_list", 2019),
        "audit": at("audit_log"),
        "jobs": at("job_list"),
        "setup": at("setup_home"),
    }
    public = {
        "public-home": at("public_home"),
        "public-plan": at("public_plan", 2019),
        "public-scheda": at("public_objective", 2019, sintel.pk),
        "public-results": at("public_results", 2019),
        "public-data": at("public_opendata_info"),
        "login": reverse("login"),
    }
    return pages, public


@pytest.fixture(scope="module")
def site(request, django_db_setup, django_db_blocker, tmp_path_factory):
    server = request.getfixturevalue("live_server")
    files = tmp_path_factory.mktemp("widths")
    host = urlsplit(server.url).hostname
    # What tests/conftest.py's per-test settings and pytest-django's live_server helper set,
    # for the module's whole life: the login happens once, outside any test.
    fast = override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, host],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        AXES_ENABLED=False,
        MEDIA_ROOT=files / "media",
        AUDIT_CHECKPOINT_FILE=files / "audit-checkpoints.jsonl",
        TRAGUARDO_KEEP_WARM=False,
    )
    with django_db_blocker.unblock(), fast:
        with scopes_disabled():
            seed = load_seed()
            create_demo_accounts(seed.plan.authority)
            load_demo_year()
        pages, public = _pages(seed.plan.authority.slug)
        try:
            yield Site(base=server.url, pages=pages, public=public)
        finally:
            call_command("flush", verbosity=0, interactive=False)


@pytest.fixture
def _django_db_helper(site):
    """pytest-django's per-test transaction, replaced: the pages are served from another
    thread, which reads the module's committed data (a transaction held here would lock it)."""


@pytest.fixture(scope="module")
def tabs(site, browser):
    """One tab per width for the admin, logged in once, and one anonymous tab per width."""
    opened = {}
    for width, viewport in WIDTHS.items():
        for who in ("admin", "anonymous"):
            context = browser.new_context(viewport=viewport, locale="it-IT")
            context.set_default_timeout(10_000)
            opened[width, who] = context.new_page()
    for width in WIDTHS:
        tab = opened[width, "admin"]
        tab.goto(site.base + reverse("login"))
        tab.get_by_label("Nome utente").fill("admin")
        tab.get_by_label("Password").fill(DEMO_PASSWORD)
        tab.get_by_role("button", name="Accedi").click()
        tab.wait_for_url(f"{site.base}/")  # a member of two enti chooses one
    yield opened
    for tab in opened.values():
        tab.context.close()


_OVERFLOW = """() => {
  const limit = document.documentElement.clientWidth;
  const scrolls = (el) =>
    ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(el).overflowX);
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= limit + 0.5) continue;
    let inside = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (scrolls(up) || up.getBoundingClientRect().right > limit + 0.5) { inside = true; break; }
    }
    if (!inside) {
      const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/) : [];
      const name = [el.tagName.toLowerCase() + (el.id ? "#" + el.id : ""), ...classes].join(".");
      culprits.push(`${name} (${Math.round(box.right)} px): ${el.textContent.trim().slice(0, 60)}`);
    }
  }
  const scroll = document.documentElement.scrollWidth;
  return {scroll, client: limit, culprits: culprits.slice(0, 8)};
}"""


def assert_no_sideways_scroll(tab, where: str) -> None:
    found = tab.evaluate(_OVERFLOW)
    assert found["scroll"] <= found["client"], (
        f"{where}: la pagina è larga {found['scroll']} px su {found['client']} px; "
        + "; ".join(found["culprits"])
    )


def assert_axe_clean(tab, where: str) -> None:
    violations = axe_violations(tab, also=STRUCTURE_RULES)
    assert violations == [], f"axe — {where}:\n{describe_violations(violations)}"


def visit(tab, address: str) -> None:
    response = tab.goto(address)
    assert response is not None and response.status == 200, (address, response and response.status)
    expect(tab.get_by_role("heading", level=1)).to_be_visible()


PAGE_NAMES = (
    *("plan-list", "plan", "scheda", "scheda-draft", "editor", "measurements", "history"),
    *("periods", "cruscotto", "gantt", "my-deadlines", "nucleo", "documents", "relazione"),
    *("verifica", "variations", "audit", "jobs", "setup"),
)
PUBLIC_NAMES = (
    "public-home",
    "public-plan",
    "public-scheda",
    "public-results",
    "public-data",
    "login",
)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGE_NAMES)
def test_a_back_office_page_fits_and_passes_axe(site, tabs, name, width):
    tab = tabs[width, "admin"]
    visit(tab, site.base + site.pages[name])
    where = f"{name} a {WIDTHS[width]['width']} px"
    assert_no_sideways_scroll(tab, where)
    assert_axe_clean(tab, where)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_a_public_page_fits_and_passes_axe(site, tabs, name, width):
    tab = tabs[width, "anonymous"]
    visit(tab, site.base + site.public[name])
    where = f"{name} a {WIDTHS[width]['width']} px"
    assert_no_sideways_scroll(tab, where)
    assert_axe_clean(tab, where)


def _menu_entries(tab):
    menu = tab.get_by_role("navigation", name="Menu principale")
    return [menu.get_by_role("link", name=entry, exact=True) for entry in MENU]


def test_on_a_phone_the_menu_opens_with_the_keyboard_and_shows_every_entry(site, tabs):
    tab = tabs["phone", "admin"]
    visit(tab, site.base + site.pages["plan"])
    toggle = tab.get_by_role("button", name="Menu", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    for entry in _menu_entries(tab):
        expect(entry).to_be_hidden()

    toggle.focus()
    tab.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for entry in _menu_entries(tab):
        expect(entry).to_be_in_viewport(ratio=1)  # whole, once the panel has slid in
    # The keyboard walks the open menu down to its last entry, and follows it.
    last = _menu_entries(tab)[-1]
    for _ in range(15):
        if last.evaluate("el => el === document.activeElement"):
            break
        tab.keyboard.press("Tab")
    expect(last).to_be_focused()
    assert_no_sideways_scroll(tab, "menu aperto a 390 px")
    assert_axe_clean(tab, "menu aperto a 390 px")

    tab.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(last).to_be_hidden()

    toggle.focus()
    tab.keyboard.press("Enter")
    last.focus()
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"**{site.pages['audit']}")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Registro delle modifiche")


def test_on_a_desktop_the_menu_shows_every_entry_without_a_button(site, tabs):
    tab = tabs["desktop", "admin"]
    visit(tab, site.base + site.pages["plan"])
    expect(tab.get_by_role("button", name="Menu", exact=True)).to_be_hidden()
    for entry in _menu_entries(tab):
        expect(entry).to_be_visible()


def test_on_a_phone_the_users_name_takes_one_line(site, tabs):
    tab = tabs["phone", "admin"]
    visit(tab, site.base + site.pages["plan"])
    name = tab.get_by_text("Anna Rossi", exact=False).first
    expect(name).to_be_visible()
    lines = name.evaluate(
        "el => Math.round(el.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(el).lineHeight))"
    )
    assert lines == 1


def test_on_a_phone_the_scheda_keeps_its_buttons_on_screen_and_scrolls_its_tables(site, tabs):
    tab = tabs["phone", "admin"]
    visit(tab, site.base + site.pages["scheda"])
    for name in ("Stampa (PDF)", "Scarica in Word (DOCX)"):
        button = tab.get_by_role("link", name=name)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
    # The activities' table is wider than the phone: it scrolls in its own box, which the
    # keyboard reaches (named by the table) and scrolls with the arrow keys.
    scroller = tab.get_by_role("group", name="Piano operativo: sub-obiettivi e attività")
    expect(scroller).to_have_attribute("tabindex", "0")
    scroller.focus()
    assert scroller.evaluate("el => el.scrollLeft") == 0
    tab.keyboard.press("End")
    tab.keyboard.press("ArrowRight")
    tab.wait_for_function("el => el.scrollLeft > 0", arg=scroller.element_handle(), timeout=2_000)
    assert_no_sideways_scroll(tab, "scheda a 390 px")


def test_on_a_desktop_a_table_that_fits_is_no_tab_stop(site, tabs):
    tab = tabs["desktop", "admin"]
    visit(tab, site.base + site.pages["plan"])
    boxes = tab.locator(".table-responsive")
    expect(boxes.first).to_be_visible()
    assert boxes.evaluate_all("els => els.filter((el) => el.tabIndex === 0).length") == 0


# Last in the module: it adds the 2020 scheme to the module's data, which no page above shows.
# (It lived in test_evaluation_settings.py, where it loaded the demo year for itself.)
def test_every_evaluation_settings_and_assignment_page_passes_axe(site, tabs):
    """axe-core on the individual evaluation's settings and assignment pages (admin), on the
    demo year: its 2019 scheme frozen (evaluations delivered), a 2020 copy open for editing."""
    tab = tabs["desktop", "admin"]
    with scopes_disabled():
        frozen = Scheme.objects.get(authority__slug=YEAR, year=2019)
        open_year = create_scheme(
            frozen.authority, actor=User.objects.get(username="admin"), year=2020, copy_from=frozen
        )
        family = open_year.families.first()
        behaviour = family.behaviours.first()
        delivered = Assignment.objects.get(scheme=frozen, person__last_name="Ferri")
        draft = Assignment.objects.get(scheme=frozen, person__last_name="Galli")
        frozen_family = frozen.families.first()

    def at(name, **kwargs):
        return reverse(name, kwargs={"authority": YEAR, **kwargs})

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
        response = tab.goto(site.base + path)
        assert response is not None and response.status == 200, path
        violations = axe_violations(tab)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
    assert failures == [], "\n\n".join(failures)
