"""Browser tests: Debian's Chromium driven by Playwright against ``live_server``.

Everything in this folder is marked ``browser`` (``make test-fast`` skips it with
``-m "not browser"``). One Chromium is shared by the whole session (pytest-playwright's
session-scoped ``browser``); each test gets a fresh context and the demo data of
``load_seed`` in a database that ``transactional_db`` empties afterwards.

axe-core is vendored in ``vendor/`` (see vendor/README.md) and injected with
``page.evaluate``: a CDP evaluation is not subject to the page's CSP (``script-src 'self'``),
whereas ``add_script_tag`` would be blocked.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django_scopes import scopes_disabled

from traguardo.accounts.models import User
from traguardo.imports.seed import DEMO_AUTHORITY

# pytest-playwright runs an event loop in the main thread: Django refuses ORM calls there
# (the fixtures below and live_server's data) unless told it is fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent
AXE_SOURCE = (HERE / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Best-practice rules about the page's structure (WCAG 1.3.1 / 2.4.6 in spirit, untagged in axe)
# that the page tests switch on besides the WCAG tags.
STRUCTURE_RULES = (
    "heading-order",
    "page-has-heading-one",
    "empty-heading",
    "landmark-one-main",
    "landmark-unique",
    "region",
    "empty-table-header",
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SLUG = DEMO_AUTHORITY["slug"]


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items: mark only those collected from this folder.
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # `playwright install` cannot download anything here: use Debian's Chromium.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "it-IT", "accept_downloads": True}


@pytest.fixture
def page(page):
    # Fail fast: a missing element should not cost 30 s per assertion.
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def demo(demo, live_server):
    """The demo Comune with Piano 2019 (11 schede) and the demo accounts (tests/conftest.py),
    committed for the live server; returns the plan."""
    return demo


def url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def login(page, live_server, username: str) -> None:
    """Open the plan list as ``username``, logged in as the login form logs a user in (a
    session of theirs: ``django.contrib.auth.login``), its cookie handed to the browser.

    The form itself is walked with the keyboard by test_journey and test_editor_journey and
    checked with axe by test_widths; walking it again in every test would cost a page and a
    submit each.
    """
    with scopes_disabled():
        user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    page.goto(url(live_server, f"/enti/{SLUG}/piani/"))


# axe leaves "needs review" the contrast of elements it cannot place over a background, and
# Bootstrap Italia's rounded badges are always among them ("partially obscured"). Check them
# with WCAG's formula against the background behind the text: the element's own when opaque,
# else the nearest ancestor's opaque one, with the translucent layers in between blended over
# it (a badge with no background of its own shows the table cell's). Skipped only when no
# such colour can be known (a background image on the way, an unparsable colour).
_AXE_RUN = """async ([tags, also]) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    rules: Object.fromEntries(also.map((id) => [id, {enabled: true}])),
    resultTypes: ["violations", "incomplete"],
  });
  const rgba = (css) => {
    const m = css.match(/^rgba?\\(([^)]*)\\)$/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r, g, b, a};
  };
  const lum = ({r, g, b}) => {
    const f = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const backdrop = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== "none") return null;
      const bg = rgba(style.backgroundColor);
      if (!bg) return null;
      if (bg.a > 0) layers.push(bg);
      if (bg.a === 1) break;
    }
    if (!layers.length || layers[layers.length - 1].a !== 1) return null;
    let under = layers.pop();
    while (layers.length) {
      const over = layers.pop();
      const blend = (k) => over[k] * over.a + under[k] * (1 - over.a);
      under = {r: blend("r"), g: blend("g"), b: blend("b"), a: 1};
    }
    return under;
  };
  const own = [];
  for (const rule of results.incomplete.filter((r) => r.id === "color-contrast")) {
    for (const node of rule.nodes) {
      const el = node.target.length === 1 ? document.querySelector(node.target[0]) : null;
      if (!el) continue;
      const style = getComputedStyle(el);
      const bg = backdrop(el), fg = rgba(style.color);
      if (!bg || !fg) continue;
      const mix = (k) => fg[k] * fg.a + bg[k] * (1 - fg.a);
      const text = {r: mix("r"), g: mix("g"), b: mix("b")};
      const [hi, lo] = [lum(text), lum(bg)].sort((x, y) => y - x);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const px = parseFloat(style.fontSize), bold = parseInt(style.fontWeight, 10) >= 700;
      const needed = px >= 24 || (bold && px >= 18.66) ? 3 : 4.5;
      if (ratio < needed) {
        own.push({
          target: node.target, html: node.html,
          failureSummary: `contrast ${ratio.toFixed(2)}:1 < ${needed}:1 (color ${style.color} on `
            + `background rgb(${[bg.r, bg.g, bg.b].map(Math.round).join(", ")}), `
            + `${style.fontSize} ${style.fontWeight})`,
        });
      }
    }
  }
  const violations = results.violations;
  if (own.length) {
    violations.push({
      id: "color-contrast", impact: "serious", nodes: own,
      help: "Elements must meet minimum color contrast ratio thresholds"
        + " (checked by the test: axe left these for review)",
      helpUrl: results.incomplete.find((r) => r.id === "color-contrast").helpUrl,
    });
  }
  return violations;
}"""


def axe_violations(page, tags=WCAG_TAGS, also=()) -> list[dict]:
    """Run axe-core on the page as it is now; return its WCAG 2.1 A/AA violations.

    ``also`` switches on further axe rules by id (e.g. STRUCTURE_RULES) in the same run.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(_AXE_RUN, [list(tags), list(also)])


def describe_violations(violations: list[dict], max_targets: int = 3) -> str:
    """One paragraph per violation: id, impact, help, and the first offending nodes."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} nodi]")
        for node in v["nodes"][:max_targets]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {target}: {summary[:300]}")
        lines.append(f"    {v['helpUrl']}")
    return "\n".join(lines)


def date_keys(page, iso: str) -> str:
    """The keys that type ``iso`` into a date field of this browser.

    Headless Chromium orders the date segments by its own locale (here mm/dd/yyyy whatever
    the page's language): ask a scratch page once, then type as a person of that locale would.
    """
    probe = page.context.new_page()
    probe.set_content('<input type="date" id="d">')
    probe.focus("#d")
    probe.keyboard.type("01022003")
    day_first = probe.input_value("#d") == "2003-02-01"
    probe.close()
    year, month, day = iso.split("-")
    return f"{day}{month}{year}" if day_first else f"{month}{day}{year}"
