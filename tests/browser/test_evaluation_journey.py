"""An individual evaluation from the evaluator's form to the evaluated person's review request:
the evaluator rates the behaviours, records the colloquio and delivers the scheda; the person
logs in, lands on their evaluations (only theirs), reads the scheda and asks a review with
their reasons. axe finds nothing on the pages of the way."""

from decimal import Decimal

from django_scopes import scopes_disabled
from playwright.sync_api import expect

from tests.browser.conftest import SLUG, axe_violations, describe_violations, url
from tests.factories import AssignmentFactory, FamilyFactory, PersonFactory, SchemeFactory
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.accounts.models import Membership, Role, User
from traguardo.evaluation.models import Evaluation, RatingLevel

ANCHORS = ("Inadeguato", "Parziale", "Adeguato", "Buono", "Eccellente")


def _year(plan) -> dict:
    """Scheme 2019: Serrao (the demo manager) evaluates Sara Sala (a login of hers, an
    employee) and Carlo Conti, on two behaviours."""
    authority = plan.authority
    with scopes_disabled():
        scheme = SchemeFactory(authority=authority, year=plan.year)
        for rating, text in enumerate(ANCHORS, start=1):
            RatingLevel.objects.create(
                authority=authority, scheme=scheme, rating=Decimal(rating), description=text
            )
        family = FamilyFactory(
            scheme=scheme,
            name="Dipendenti",
            components={"behaviours": 100},
            behaviours=("Collaborazione", "Iniziativa"),
        )
        serrao = Membership.objects.get(user__username="serrao", authority=authority)
        if serrao.person is None:
            serrao.person = PersonFactory(authority=authority, last_name="Serrao")
            serrao.save(update_fields=["person"])
        sara = PersonFactory(authority=authority, first_name="Sara", last_name="Sala")
        own = AssignmentFactory(family=family, person=sara, evaluator=serrao.person)
        other = PersonFactory(authority=authority, first_name="Carlo", last_name="Conti")
        AssignmentFactory(family=family, person=other, evaluator=serrao.person)
        user = User.objects.create_user(username="sala", password=DEMO_PASSWORD)
        Membership.objects.create(user=user, authority=authority, role=Role.EMPLOYEE, person=sara)
    return {"own": own}


def _login(page, live_server, username: str) -> None:
    page.goto(url(live_server, "/accesso/"))
    page.get_by_label("Nome utente").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Accedi").click()


def _axe(page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe_violations(violations)


def test_the_evaluator_delivers_and_the_person_asks_a_review(page, live_server, demo):
    own = _year(demo)["own"]
    _login(page, live_server, "serrao")
    page.wait_for_url(f"**/enti/{SLUG}/piani/")
    page.get_by_role("link", name="Valutazioni individuali").click()
    expect(page.get_by_role("heading", name="Valutazioni individuali 2019")).to_be_visible()
    _axe(page)
    page.get_by_role("link", name="Sara Sala").click()
    page.get_by_role("link", name="Compila la valutazione").click()
    page.get_by_label("Valutazione di «Collaborazione»").select_option(label="4 — Buono")
    page.get_by_label("Valutazione di «Iniziativa»").select_option(label="5 — Eccellente")
    page.get_by_label("Nota su «Iniziativa»").fill("Propone soluzioni nuove")
    _axe(page)
    page.get_by_role("button", name="Salva la valutazione").click()
    expect(page.get_by_text("Valutazione salvata.")).to_be_visible()
    expect(page.get_by_text("Punteggio totale: 90,00 su 100.")).to_be_visible()
    page.get_by_label("Note del colloquio").fill("Colloquio svolto in ufficio")
    page.get_by_role("button", name="Registra il colloquio").click()
    expect(page.get_by_text("Fatto: Registra il colloquio.")).to_be_visible()
    page.get_by_role("button", name="Consegna la valutazione").click()
    expect(page.get_by_text("Fatto: Consegna la valutazione.")).to_be_visible()
    _axe(page)
    page.get_by_role("button", name="Esci").click()

    _login(page, live_server, "sala")
    page.wait_for_url(f"**/enti/{SLUG}/valutazioni/2019/")
    expect(page.get_by_role("link", name="Piani")).to_have_count(0)
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)  # hers only, not Carlo Conti's
    expect(rows).to_contain_text("Sala")
    _axe(page)
    rows.get_by_role("link").click()
    expect(page.get_by_text("Propone soluzioni nuove")).to_be_visible()
    expect(page.get_by_role("link", name="Compila la valutazione")).to_have_count(0)
    page.get_by_label("Motivi della richiesta di revisione").fill(
        "Il progetto di riorganizzazione non è stato considerato."
    )
    page.get_by_role("button", name="Richiedi la revisione").click()
    expect(page.get_by_text("Fatto: Richiedi la revisione.")).to_be_visible()
    expect(page.get_by_text("Revisione richiesta").first).to_be_visible()
    _axe(page)
    with scopes_disabled():
        evaluation = Evaluation.objects.get(assignment=own)
    assert evaluation.state == Evaluation.State.REVIEW
    assert evaluation.review_reasons.startswith("Il progetto di riorganizzazione")
