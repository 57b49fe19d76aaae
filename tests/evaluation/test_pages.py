"""The evaluation pages: who sees which evaluations, the scheda, the evaluator's form, the steps."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.evaluation.conftest import rate, shared_year
from tests.factories import (
    AssignmentFactory,
    FamilyFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PersonFactory,
    PlanFactory,
    SchemeFactory,
    TargetFactory,
)
from traguardo.evaluation.domain.scheda import SchedaData, save_scheda
from traguardo.evaluation.models import (
    AssignedScheda,
    Behaviour,
    Evaluation,
    FamilyComponent,
    IndividualGoal,
)
from traguardo.evaluation.queries import visible_assignments

pytestmark = pytest.mark.django_db

# The personas and the year are made once for the module; each test reads them again and
# writes in its own savepoint (tests/evaluation/conftest.py, shared_year).
module_year, authority, unit_a, unit_b, personas, year, employee = shared_year()
State = Evaluation.State
SLUG = "comune-prova"


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def listed(user, year=2025) -> list[str]:
    """The evaluated people of the list, by surname (the first column)."""
    html = client(user).get(reverse("evaluation_list", args=[SLUG, year])).content.decode()
    names = re.findall(r'<th scope="row"><a href="[^"]*">([^<]*)</a>', html)
    return [name for name in ("Esposito", "Orsi", "Alberti") if any(name in n for n in names)]


def test_each_viewer_lists_only_what_they_may_open(year, personas, employee):
    # Alice (manager_a) evaluates Elena and Omar; Bruno (manager_b) evaluates Alice, a
    # dirigente whom the Nucleo reviews.
    assert listed(personas["admin"]) == ["Esposito", "Orsi", "Alberti"]
    assert listed(personas["manager_a"]) == ["Esposito", "Orsi"]
    assert listed(personas["manager_b"]) == ["Alberti"]
    assert listed(personas["evaluator"]) == ["Alberti"]
    assert listed(personas["viewer"]) == []
    assert listed(employee) == []  # Elena's is still a draft
    rate(year["own"], 4, 4, state=State.DELIVERED, review_until=timezone.localdate())
    rate(year["dirigente"], 4, state=State.DELIVERED, review_until=timezone.localdate())
    assert listed(employee) == ["Esposito"]
    assert listed(personas["manager_a"]) == ["Esposito", "Orsi", "Alberti"]  # now her own too


def test_only_the_admins_find_the_years_premiums_assignments_and_settings_from_the_list(
    year, personas
):
    premi = reverse("pay_overview", args=[SLUG, 2025])
    html = client(personas["admin"]).get(reverse("evaluation_list", args=[SLUG, 2025]))
    assert premi in html.content.decode()
    for other in ("manager_a", "evaluator", "viewer"):
        page = client(personas[other]).get(reverse("evaluation_list", args=[SLUG, 2025]))
        assert premi not in page.content.decode()


@pytest.mark.parametrize("state", [State.DRAFT, State.INTERVIEW, State.DELIVERED, State.FINAL])
def test_the_list_filter_agrees_with_the_rule_for_every_persona(year, personas, employee, state):
    for assignment in (year["own"], year["other"], year["dirigente"]):
        rate(assignment, 3, 3, state=state)
    users = [u for u in personas.values() if u is not None] + [employee]
    with scopes_disabled():
        assignments = list(year["scheme"].assignments.select_related("family", "evaluation"))
        for user in users:
            membership = user.memberships.filter(authority=year["scheme"].authority).first()
            if membership is None:
                continue  # the outsider: another authority, a 404 before any rule
            listed = set(
                visible_assignments(year["scheme"], membership).values_list("pk", flat=True)
            )
            allowed = {a.pk for a in assignments if user.has_perm("evaluation.view_evaluation", a)}
            assert listed == allowed, (user.username, state)


def test_the_list_costs_the_same_queries_for_1_and_3_evaluations(authority, personas):
    """Three evaluations show any query made per row (two more than with one)."""
    with scopes_disabled():
        scheme = SchemeFactory(authority=authority, year=2026)
        family = FamilyFactory(scheme=scheme, components={"behaviours": 100})
        evaluator = PersonFactory(authority=authority, last_name="Valutatrice")

        def add(n: int) -> None:
            for i in range(n):
                person = PersonFactory(authority=authority, last_name=f"Rossi{i}")
                assignment = AssignmentFactory(family=family, person=person, evaluator=evaluator)
                rate(assignment, 3, 4, state=State.FINAL)

        add(1)
    admin = client(personas["admin"])
    url = reverse("evaluation_list", args=[SLUG, 2026])
    with CaptureQueriesContext(connection) as one:
        assert admin.get(url).content.decode().count("Rossi") == 1
    with scopes_disabled():
        add(2)
    with CaptureQueriesContext(connection) as three:
        assert admin.get(url).content.decode().count("Rossi") == 3
    assert len(three) == len(one)


def test_the_scheda_shows_components_ratings_anchors_total_band_and_findings(year, personas):
    rate(year["own"], 4, 3)
    html = client(personas["manager_a"]).get(
        reverse("evaluation_detail", args=[SLUG, year["own"].pk])
    )
    text = html.content.decode()
    assert "Comportamenti organizzativi" in text
    assert "Buono" in text and "Adeguato" in text  # the anchors of 4 and 3
    assert "Punteggio totale: <strong>70,00</strong>" in text  # (80 + 60) / 2
    assert "Fascia 3, quota del premio 80%" in text
    rate(year["other"], 4)
    text = (
        client(personas["manager_a"])
        .get(reverse("evaluation_detail", args=[SLUG, year["other"].pk]))
        .content.decode()
    )
    assert "Punteggio totale: aperto" in text
    assert "<strong>Errore:</strong> Il comportamento «Iniziativa» non è ancora valutato." in text


def test_someone_who_may_not_see_it_is_refused(year, personas, employee):
    url = reverse("evaluation_detail", args=[SLUG, year["own"].pk])
    assert client(employee).get(url).status_code == 403  # not delivered yet
    assert client(personas["viewer"]).get(url).status_code == 403
    assert client(personas["outsider"]).get(url).status_code == 404
    other = reverse("evaluation_detail", args=[SLUG, year["other"].pk])
    rate(year["other"], 4, 4, state=State.DELIVERED)
    assert client(employee).get(other).status_code == 403  # a colleague's


def _form(user, assignment) -> dict:
    response = client(user).get(reverse("evaluation_edit", args=[SLUG, assignment.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {
        k: ("on" if v is True else v) for k, v in data.items() if v is not None and v is not False
    }
    goals = response.context["goals"]
    data.update({f"obiettivi-{k}": v for k, v in goals.management_form.initial.items()})
    for goal in goals:  # what the browser posts: the selects' chosen options included
        data.update({goal[name].html_name: goal[name].value() or "" for name in goal.fields})
    return data


def test_the_evaluator_fills_the_scheda_and_a_stale_save_keeps_what_was_typed(year, personas):
    alice, own = personas["manager_a"], year["own"]
    with scopes_disabled():
        collaborazione, iniziativa = year["staff"].behaviours.all()
    first = _form(alice, own)
    second = dict(first)  # the same page open in another tab
    first.update(
        {
            f"rating_{collaborazione.pk}": "4",
            f"rating_{iniziativa.pk}": "5",
            f"note_{iniziativa.pk}": "Propone soluzioni",
            "obiettivi-0-title": "Pratiche evase",
            "obiettivi-0-indicator": "pratiche evase entro 30 giorni",
            "obiettivi-0-target": "100",
            "obiettivi-0-actual": "90",
            "obiettivi-0-direction": "higher",
        }
    )
    url = reverse("evaluation_edit", args=[SLUG, own.pk])
    response = client(alice).post(url, first)
    assert response.status_code == 302, (
        response.context["form"].errors,
        response.context["goals"].errors,
    )
    with scopes_disabled():
        evaluation = Evaluation.objects.get(assignment=own)
        assert [r.rating for r in evaluation.ratings.order_by("behaviour__position")] == [4, 5]
        assert own.goals.get().actual == 90
    second[f"note_{collaborazione.pk}"] = "Scritto nell'altra scheda"
    stale = client(alice).post(url, second)
    assert stale.status_code == 409, (stale.context["form"].errors, stale.context["goals"].errors)
    page = stale.content.decode()
    assert "Nel frattempo la valutazione è stata salvata" in page
    assert "Scritto nell&#x27;altra scheda" in page  # nothing typed is lost
    with scopes_disabled():
        assert Evaluation.objects.get(assignment=own).version == 1


def test_only_the_evaluator_opens_the_form(year, personas, employee):
    url = reverse("evaluation_edit", args=[SLUG, year["own"].pk])
    assert client(personas["admin"]).get(url).status_code == 403
    assert client(personas["manager_b"]).get(url).status_code == 403
    assert client(employee).get(url).status_code == 403
    rate(year["own"], 4, 4, state=State.DELIVERED)
    response = client(personas["manager_a"]).get(url)  # delivered: back to the scheda
    assert response.status_code == 302


def test_the_steps_through_the_pages(year, personas, employee):
    alice, own = personas["manager_a"], year["own"]
    rate(own, 4, 4)

    def step(user, action, data=None):
        url = reverse("evaluation_step", args=[SLUG, own.pk, action])
        return client(user).post(url, data or {})

    today = timezone.localdate()
    assert (
        step(alice, "colloquio", {"held_on": today.isoformat(), "notes": "Ok"}).status_code == 302
    )
    assert step(alice, "consegna").status_code == 302
    refused = step(employee, "revisione", {"reasons": ""})
    assert refused.status_code == 400
    assert step(employee, "revisione", {"reasons": "Non concordo"}).status_code == 302
    detail = client(employee).get(reverse("evaluation_detail", args=[SLUG, own.pk]))
    text = detail.content.decode()
    assert "Revisione richiesta" in text and "Non concordo" in text
    assert "Rispondi e rendi definitiva" not in text  # the employee answers nothing
    assert step(alice, "risposta", {"answer": "Confermata"}).status_code == 302
    with scopes_disabled():
        assert Evaluation.objects.get(assignment=own).state == State.FINAL


def test_the_review_deadline_passed_the_page_offers_closing_not_asking(year, personas, employee):
    own = year["own"]
    rate(own, 4, 4, state=State.DELIVERED, review_until=timezone.localdate() - timedelta(1))
    url = reverse("evaluation_detail", args=[SLUG, own.pk])
    assert "Richiedi la revisione" not in client(employee).get(url).content.decode()
    assert (
        "Rendi definitiva (termine scaduto)"
        in client(personas["manager_a"]).get(url).content.decode()
    )


def test_an_employee_lands_on_their_evaluations_and_sees_only_that_in_the_menu(year, employee):
    response = client(employee).get(reverse("home"))
    assert response["Location"] == reverse("evaluation_home", args=[SLUG])
    page = client(employee).get(reverse("evaluation_list", args=[SLUG, 2025])).content.decode()
    assert "Valutazioni individuali" in page
    assert reverse("plan_list", args=[SLUG]) not in page
    assert client(employee).get(reverse("plan_list", args=[SLUG])).status_code == 403


def test_the_scheda_shows_the_plan_s_schede_with_their_results_date(authority, personas, unit_a):
    """The objectives component: each scheda's code, title and state, and the date the plan's
    results are read at, provisional while the plan is not closed. (2026: the module's year
    holds the scheme of 2025.)"""
    with scopes_disabled():
        plan = PlanFactory(authority=authority, year=2026)
        objective = ObjectiveFactory(
            plan=plan, unit=unit_a, code="OB.7", title="Sportello unico digitale"
        )
        TargetFactory(
            indicator=IndicatorFactory(objective=objective), year=2026, due_date=date(2026, 12, 31)
        )
        scheme = SchemeFactory(authority=authority, year=2026)
        family = FamilyFactory(scheme=scheme, components={"unit_objectives": 100}, behaviours=())
        assignment = AssignmentFactory(family=family, evaluator=unit_a.head)
        AssignedScheda.objects.create(
            authority=authority, assignment=assignment, objective=objective
        )
    page = client(personas["manager_a"]).get(
        reverse("evaluation_detail", args=[SLUG, assignment.pk])
    )
    text = page.content.decode()
    assert "OB.7" in text and "Sportello unico digitale" in text
    assert re.search(r"Risultati al \d+ \w+ \d{4}, provvisori\.", text)


def test_a_dirigente_s_scheda_counts_the_evaluations_given_final_and_open(year, personas):
    """Alice (manager_a) is evaluated for her capacity to differentiate: of the two evaluations
    she gives, one is final."""
    with scopes_disabled():
        FamilyComponent.objects.filter(family=year["dirigenti"]).update(weight=70)
        FamilyComponent.objects.create(
            authority=year["scheme"].authority,
            family=year["dirigenti"],
            kind="differentiation",
            weight=30,
        )
    rate(year["own"], 4, 4, state=State.FINAL)
    rate(year["other"], 3)
    text = (
        client(personas["manager_b"])
        .get(reverse("evaluation_detail", args=[SLUG, year["dirigente"].pk]))
        .content.decode()
    )
    assert "1 valutazione definitiva data, 1 ancora aperta." in text


def test_a_component_declared_not_applicable_needs_a_reason_and_its_weight_goes_to_the_others(
    year, personas
):
    alice, own = personas["manager_a"], year["own"]
    with scopes_disabled():
        FamilyComponent.objects.filter(family=year["staff"]).update(weight=60)
        FamilyComponent.objects.create(
            authority=year["scheme"].authority,
            family=year["staff"],
            kind="individual_objectives",
            weight=40,
        )
        collaborazione, iniziativa = year["staff"].behaviours.all()
    data = _form(alice, own)
    data.update(
        {
            f"rating_{collaborazione.pk}": "4",
            f"rating_{iniziativa.pk}": "4",
            "na_individual_objectives": "on",
        }
    )
    url = reverse("evaluation_edit", args=[SLUG, own.pk])
    refused = client(alice).post(url, data)
    assert refused.status_code == 400
    assert "Scrivere perché la componente non si applica." in refused.content.decode()
    data["reason_individual_objectives"] = "Assunta a novembre: nessun obiettivo assegnato"
    assert client(alice).post(url, data).status_code == 302
    text = client(alice).get(reverse("evaluation_detail", args=[SLUG, own.pk])).content.decode()
    assert "non applicabile: Assunta a novembre: nessun obiettivo assegnato" in text
    assert "il suo peso è stato ripartito sulle altre" in text
    assert "Punteggio totale: <strong>80,00</strong>" in text


def test_the_scheda_costs_the_same_queries_with_2_or_12_behaviours_goals_and_steps(year, personas):
    alice, own = personas["manager_a"], year["own"]
    url = reverse("evaluation_detail", args=[SLUG, own.pk])
    rate(own, 4, 4)
    with CaptureQueriesContext(connection) as few:
        assert client(alice).get(url).status_code == 200
    with scopes_disabled():
        authority = year["scheme"].authority
        for n in range(10):
            Behaviour.objects.create(authority=authority, family=year["staff"], name=f"B{n}")
            IndividualGoal.objects.create(
                authority=authority,
                assignment=own,
                title=f"Obiettivo {n}",
                indicator="pratiche",
                target=Decimal(10),
                actual=Decimal(n),
            )
    rate(own, *([3] * 12))
    for n in range(10):
        with scopes_disabled():
            version = Evaluation.objects.get(assignment=own).version
            save_scheda(own, actor=alice, version=version, data=SchedaData(evaluator_notes=f"{n}"))
    with CaptureQueriesContext(connection) as many:
        text = client(alice).get(url).content.decode()
    assert text.count("Valutazione individuale salvata") == 10 and "B9" in text
    assert len(many) == len(few)
