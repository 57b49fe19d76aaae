"""Pages meant for the public never name a person (Garante provv. 398/2023, D.Lgs. 33/2013).

Every URL that needs no login is fetched anonymously with the demo data loaded, and its
output is scanned for the names of the demo people. The transparency section (Amministrazione
trasparente › Performance) is walked in full against the demo plan closed with results: every
URL pattern of its module, every scheda, and every public file (CSV, JSON, the Relazione's
text). A new public pattern that this file does not know how to fetch fails the suite.

The scans of the closed demo plan read the public Relazione as served, a real PDF through
pdftotext; the other scans read its words in the HTML that PDF is laid out from
(``public_relazione_html``), which holds every word of the PDF but the page numbers.
"""

import hashlib
import re
from datetime import date
from html import unescape

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope, scopes_disabled

from tests.evaluation.test_pay import employees
from tests.transparency.conftest import SLUG, demo_plan, pdf_text
from traguardo.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from traguardo.accounts.models import Membership
from traguardo.core.formats import decimal_it
from traguardo.evaluation.models import Assignment, Fund
from traguardo.evaluation.pay import year_pay
from traguardo.imports.demo_year import load_demo_year
from traguardo.imports.seed import DIRECTOR
from traguardo.monitoring.models import Measurement
from traguardo.organization.models import Person
from traguardo.planning.models import Comment, Objective, Plan
from traguardo.reports import opendata, relazione
from traguardo.web.views import transparency

pytestmark = pytest.mark.django_db

# The Relazione's PDFs laid out in this module, by the SHA-256 of their HTML (``one_layout``).
_LAID_OUT: dict[str, bytes] = {}


@pytest.fixture(autouse=True)
def one_layout(monkeypatch):
    """The public Relazione laid out once per distinct HTML document in this module.

    The scans only read the PDF's text, and WeasyPrint's layout is a function of the HTML
    alone: the same HTML gives the same pages and text. The scan of the closed demo plan and
    the premiums' scan publish the very same Relazione (the premiums are not in it), so the
    second scan reads the PDF of the first instead of laying the same document out again; a
    Relazione whose HTML differs in anything is laid out as served."""
    real = relazione.html_to_pdf

    def once(html: str) -> bytes:
        key = hashlib.sha256(html.encode()).hexdigest()
        if key not in _LAID_OUT:
            _LAID_OUT[key] = real(html)
        return _LAID_OUT[key]

    monkeypatch.setattr(relazione, "html_to_pdf", once)


# Public patterns with parameters that are not part of the transparency section, and why
# they are not scanned here.
NOT_TRANSPARENCY = {
    "calendar_feed": "a person's own deadlines; its secret token is the credential",
    "password_reset_confirm": "a one-time password link: a form, no data of the authority",
    "guide_page": "the user guide: behind the login (it shows the demo's people at work)",
    "guide_image": "the user guide's screenshots: behind the login, as its pages",
}


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


def parametrised_public_names() -> set[str]:
    """Names of the public patterns whose route takes parameters, anywhere in the URLconf."""

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            elif (
                isinstance(entry, URLPattern)
                and entry.callback.__dict__.get("permission_required", "missing") is None
                and "<" in prefix + str(entry.pattern)
            ):
                yield entry.name

    return set(walk(get_resolver()))


def test_no_public_page_names_a_person(client, demo):
    names = {DIRECTOR[1], *(a.last_name for a in DEMO_ACCOUNTS)}
    routes = public_routes()
    assert {"healthz", "login"} <= {name for name, _path in routes}
    for name, path in routes:
        response = client.get(path)
        body = response.content.decode(errors="replace").lower()
        found = sorted(n for n in names if n.lower() in body)
        assert found == [], f"{name} ({path}) nomina {found}"


# --- the transparency section -------------------------------------------------------------


def transparency_urls(plan: Plan, schede: list[int], slug: str = SLUG) -> dict[str, list[str]]:
    """Every URL of the transparency module for the demo authority and plan, by pattern."""

    def url(name, **kwargs):
        return reverse(name, kwargs={"authority": slug, **kwargs})

    return {
        "public_home": [url("public_home")],
        "public_plan": [url("public_plan", year=plan.year)],
        "public_objective": [url("public_objective", year=plan.year, pk=pk) for pk in schede],
        "public_results": [url("public_results", year=plan.year)],
        "public_relazione_pdf": [url("public_relazione_pdf", year=plan.year)],
        "public_opendata": [url("public_opendata", year=plan.year, fmt=f) for f in ("csv", "json")],
        "public_opendata_schema": [url("public_opendata_schema")],
        "public_opendata_info": [url("public_opendata_info")],
        "public_pay": [url("public_pay", year=plan.year)],
        "public_pay_opendata": [
            url("public_pay_opendata", year=plan.year, fmt=f) for f in ("csv", "json")
        ],
    }


def readable(response) -> str:
    """What a reader of the answer sees: the page or file as text (a PDF through pdftotext)."""
    if response["Content-Type"] == "application/pdf":
        return pdf_text(response.content)
    return response.content.decode("utf-8-sig")


def public_relazione_html(plan: Plan) -> str:
    """The public Relazione as the HTML its PDF is laid out from: the view lays out
    ``render_relazione_pdf(plan, public=True)``, which lays out ``relazione_html`` of the same
    arguments. Every word of the PDF is here but the page numbers the layout adds, and the
    attributes besides; entities are decoded as a reader reads them."""
    with scope(authority=plan.authority):
        published = Plan.objects.get(pk=plan.pk, state__in=opendata.PUBLIC_STATES)
        assert opendata.results_public(published)  # the view serves it (else 404)
        return unescape(relazione.relazione_html(published, public=True))


def people_names(authority) -> set[str]:
    """Every first and last name of the authority's people and of its users."""
    with scopes_disabled():
        people = Person.objects.filter(authority=authority).values_list("first_name", "last_name")
        users = Membership.objects.filter(authority=authority).values_list(
            "user__first_name", "user__last_name"
        )
        return {name for pair in (*people, *users) for name in pair if len(name) > 1}


def named(text: str, names: set[str]) -> list[str]:
    return sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", text, re.IGNORECASE))


def test_the_scan_knows_every_public_url_pattern():
    """A public pattern added to the transparency module (or anywhere, with parameters) must
    be added to ``transparency_urls`` above, or to ``NOT_TRANSPARENCY`` with its reason."""
    module = {pattern.name for pattern in transparency.urlpatterns}
    assert module == set(transparency_urls(Plan(year=2019), []))
    assert parametrised_public_names() == module | set(NOT_TRANSPARENCY)


def test_no_transparency_page_or_file_names_a_person(demo):
    """Every page and file as served, the public Relazione a real PDF read by pdftotext."""
    plan = demo_plan(demo, Plan.State.CLOSED)
    names = people_names(plan.authority)
    # The demo data do tie names to the schede and results: the Dirigente is the responsible
    # of the cards, he recorded the measurements, and the Nucleo commented by name.
    assert {DIRECTOR[0], DIRECTOR[1], *(a.last_name for a in DEMO_ACCOUNTS)} <= names
    with scopes_disabled():
        assert Objective.objects.filter(plan=plan, responsible__last_name=DIRECTOR[1]).exists()
        assert Measurement.objects.filter(entered_by__last_name=DIRECTOR[1]).exists()
        assert Comment.objects.filter(objective__plan=plan).exists()
    client = Client()
    with scopes_disabled():
        schede = list(Objective.objects.filter(plan=plan).values_list("pk", flat=True))
    every = transparency_urls(plan, schede)
    assert len(every["public_objective"]) == 11  # every scheda of the demo plan
    assert_no_page_names_anyone(client, every, names)
    # The results are really there (the scan read pages with scores, not empty ones).
    plan_page = readable(client.get(reverse("public_plan", args=[SLUG, plan.year])))
    assert "76,00%" in plan_page


def test_no_transparency_page_or_file_of_the_demo_year_names_a_person(settings, tmp_path):
    """The second demo authority, whose year `make run` walks to its validation with the
    actions a person uses: its people recorded, forced, commented and validated by name."""
    settings.MEDIA_ROOT = tmp_path / "media"
    plan = load_demo_year().plan
    slug = plan.authority.slug
    names = people_names(plan.authority)
    assert {DIRECTOR[0], DIRECTOR[1], *(a.last_name for a in DEMO_ACCOUNTS)} <= names
    client = Client()
    with scopes_disabled():
        assert Comment.objects.filter(objective__plan=plan).exists()
        schede = list(Objective.objects.filter(plan=plan).values_list("pk", flat=True))
    every = transparency_urls(plan, schede, slug)
    assert len(every["public_objective"]) == 11
    del every["public_relazione_pdf"]  # its words, from the HTML its PDF is laid out from:
    assert named(public_relazione_html(plan), names) == []
    assert_no_page_names_anyone(client, every, names)
    results = readable(client.get(reverse("public_results", args=[slug, plan.year])))
    assert "definitivo" in results


def test_the_scan_would_see_a_name(client, demo):
    """The same scan on the back-office scheda finds the Dirigente: the check can fail."""
    plan = demo_plan(demo, Plan.State.CLOSED)
    assert client.login(username="admin", password=DEMO_PASSWORD)
    with scopes_disabled():
        five = Objective.objects.get(plan=plan, position=5)
    page = readable(client.get(reverse("objective_detail", args=[SLUG, five.pk])))
    assert named(page, people_names(plan.authority)) != []


def test_a_cards_own_unit_text_naming_a_person_is_never_published(demo):
    """A scheda with no unit of the structure keeps the card's text ("Settore 3° – dott.
    Rossi"), which names people: the public pages and files say "non indicata" instead."""
    plan = demo_plan(demo, Plan.State.CLOSED)
    with scopes_disabled():
        for first, last in (("Mario", "Rossetti"), ("Giulia", "Verdini")):
            Person.objects.create(authority=plan.authority, first_name=first, last_name=last)
        five = Objective.objects.get(plan=plan, position=5)
        five.unit = None
        five.unit_text = "Settore 3° – dott. Mario Rossetti"
        five.involved_text = "Ufficio Tributi (rag. Verdini)"
        five.save()
        five.involved_units.clear()
        schede = list(Objective.objects.filter(plan=plan).values_list("pk", flat=True))
    names = {"Rossetti", "Verdini"}
    every = transparency_urls(plan, schede)
    del every["public_relazione_pdf"]  # its words, from the HTML its PDF is laid out from:
    assert named(public_relazione_html(plan), names) == []
    client = Client()
    for name, urls in every.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, f"{name} ({url}): {response.status_code}"
            found = named(readable(response), names)
            assert found == [], f"{name} ({url}) nomina {found}"
    html = readable(client.get(reverse("public_objective", args=[SLUG, plan.year, five.pk])))
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Unità organizzativa responsabile non indicata" in page
    assert "Unità organizzative coinvolte non indicate" in page
    assert "Settore 3°" not in page and "Ufficio Tributi" not in page


def assert_no_page_names_anyone(client, every: dict, names) -> None:
    """Every URL of ``every`` (by URL name) answers 200 and names none of ``names``."""
    for name, urls in every.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, f"{name} ({url}): {response.status_code}"
            found = named(readable(response), names)
            assert found == [], f"{name} ({url}) nomina {found}"


# Surnames of the premiums' scan: the demo's people do not have individual evaluations.
STAFF = (
    "Abbondanza", "Bellocchio", "Cantarutti", "Dellapiana", "Esposti", "Fumagalli",
    "Garavaglia", "Iacovelli", "Lombardozzi", "Mancuso", "Nardecchia", "Ottaviani",
)  # fmt: skip


def test_no_public_page_or_file_names_a_premium_its_person_or_matricola(demo):
    """The demo year with twelve named employees evaluated (final) and paid: the public pages
    and files (the premiums' included) show the family's totals, never a name, a matricola, a
    person's total or amount (D.Lgs. 33/2013 art. 20 in aggregate; Garante 398/2023)."""
    plan = demo_plan(demo, Plan.State.CLOSED)
    with scopes_disabled():
        scheme = employees("floor", authority=plan.authority, year=plan.year)
        for assignment, surname in zip(
            Assignment.objects.filter(scheme=scheme).order_by("payroll_code"), STAFF, strict=True
        ):
            Person.objects.filter(pk=assignment.person_id).update(
                first_name="Ernesta", last_name=surname
            )
            assignment.payroll_code = f"MAT-{assignment.payroll_code}"
            assignment.save()
        Fund.objects.filter(family__scheme=scheme).update(paid_on=date(2020, 3, 31))
        pay = year_pay(scheme)
        schede = list(Objective.objects.filter(plan=plan).values_list("pk", flat=True))
    (family,) = pay.families
    assert family.complete
    amounts = {line.allocation.amount for line in family.lines if line.allocation.amount}
    private = {
        *(line.assignment.payroll_code for line in family.lines),
        *(f"{decimal_it(a)}" for a in amounts),  # "3.585,76" on a page
        *(f"{a}".replace(".", ",") for a in amounts),  # "3585,76" in the CSV
        *(f"{a}" for a in amounts),  # 3585.76 in the JSON
        # Each person's total, but those equal to a band's lower bound (printed as "da 70,00").
        *(decimal_it(line.result.total) for line in family.lines if line.result.total != 70),
    }
    names = {*STAFF, "Ernesta"}
    client = Client()
    for name, urls in transparency_urls(plan, schede).items():
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, f"{name} ({url}): {response.status_code}"
            body = readable(response)
            assert named(body, names) == [], f"{name} ({url}) nomina {named(body, names)}"
            shown = sorted(
                v for v in private if re.search(rf"(?<![\d.,]){re.escape(v)}(?![\d])", body)
            )
            assert shown == [], f"{name} ({url}) mostra {shown}"
    # The scan read the premiums' figures: the family's total is there.
    premiums = readable(client.get(reverse("public_pay", args=[SLUG, plan.year])))
    assert "Categoria C" in premiums and "12" in premiums
    assert decimal_it(family.distribution.distributed) in premiums
