"""Who is evaluated by whom: an assignment's checks (never oneself, one per year, the year's
dates), the plan's schede taken by the rule, a scheda of another year refused, deletion refused
once the evaluation left the draft, and the list's queries that do not grow with its rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import (
    AssignmentFactory,
    EvaluationFactory,
    FamilyFactory,
    ObjectiveFactory,
    OrgUnitFactory,
    PersonFactory,
    PlanFactory,
    SchemeFactory,
)
from traguardo.audit.models import AuditEntry
from traguardo.core.domain import DomainError, InvalidData
from traguardo.evaluation.domain import assignments as domain
from traguardo.evaluation.models import AssignedScheda, Assignment
from traguardo.evaluation.scores import Results

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(authority):
    """A 2019 scheme with a family, a plan 2019 with schede of two people, a plan 2020."""
    with scopes_disabled():
        scheme = SchemeFactory(authority=authority, year=2019)
        family = FamilyFactory(scheme=scheme, name="Dirigenti", behaviours=())
        rossi = PersonFactory(authority=authority, first_name="Ada", last_name="Rossi")
        bianchi = PersonFactory(authority=authority, first_name="Bea", last_name="Bianchi")
        nucleo = PersonFactory(authority=authority, first_name="Nino", last_name="Nucleo")
        unit = OrgUnitFactory(authority=authority, name="Settore I", head=rossi)
        other_unit = OrgUnitFactory(authority=authority, name="Settore II", head=bianchi)
        plan = PlanFactory(authority=authority, year=2019)
        headed = ObjectiveFactory(plan=plan, unit=unit, responsible=None, code="1.1")
        responsible = ObjectiveFactory(plan=plan, unit=other_unit, responsible=rossi, code="2.1")
        others = ObjectiveFactory(plan=plan, unit=other_unit, responsible=bianchi, code="2.2")
        later = ObjectiveFactory(
            plan=PlanFactory(authority=authority, year=2020), unit=unit, responsible=rossi
        )
    return {
        "scheme": scheme,
        "family": family,
        "rossi": rossi,
        "bianchi": bianchi,
        "nucleo": nucleo,
        "headed": headed,
        "responsible": responsible,
        "others": others,
        "later": later,
    }


def _data(year, **changes):
    values = {"person": year["rossi"], "family": year["family"], "evaluator": year["nucleo"]}
    return domain.AssignmentData(**{**values, **changes})


@scopes_disabled()
def test_an_assignment_is_created_and_audited(year, admin):
    assignment = domain.create_assignment(
        year["scheme"],
        actor=admin,
        data=_data(
            year,
            payroll_code=" 00123 ",
            service_from=date(2019, 7, 3),
            part_time=Decimal(50),
            protected_days=150,
        ),
    )
    assert (assignment.payroll_code, assignment.part_time, assignment.protected_days) == (
        "00123",
        Decimal(50),
        150,
    )
    assert AuditEntry.objects.filter(action="assignment.create").count() == 1


@scopes_disabled()
def test_nobody_evaluates_themselves_nor_is_assigned_twice_nor_serves_outside_the_year(year, admin):
    with pytest.raises(InvalidData) as refused:
        domain.create_assignment(
            year["scheme"],
            actor=admin,
            data=_data(
                year,
                evaluator=year["rossi"],
                service_from=date(2018, 12, 1),
                service_to=date(2019, 1, 1),
                part_time=Decimal(0),
            ),
        )
    errors = dict(refused.value.errors)
    assert "non può valutare se stessa" in errors["evaluator"]
    assert "2019" in errors["service_from"]
    assert "part time" in errors["part_time"]
    domain.create_assignment(year["scheme"], actor=admin, data=_data(year))
    with pytest.raises(InvalidData) as twice:
        domain.create_assignment(year["scheme"], actor=admin, data=_data(year))
    assert "ha già un'assegnazione nel 2019" in dict(twice.value.errors)["person"]
    assert Assignment.objects.count() == 1


@scopes_disabled()
def test_the_plans_schede_are_those_the_person_is_responsible_for_or_whose_unit_they_head(
    year, admin
):
    assignment = domain.create_assignment(year["scheme"], actor=admin, data=_data(year))
    assert domain.fill_schede_from_plan(assignment, actor=admin) == 2
    taken = set(assignment.schede.values_list("objective__code", flat=True))
    assert taken == {"1.1", "2.1"}  # not 2.2 (Bianchi's), nor the 2020 plan's
    # Again: nothing new, nothing twice.
    assert domain.fill_schede_from_plan(assignment, actor=admin) == 0
    assert assignment.schede.count() == 2


@scopes_disabled()
def test_a_scheda_of_another_years_plan_is_refused_one_of_the_same_plan_added_with_a_weight(
    year, admin
):
    assignment = domain.create_assignment(year["scheme"], actor=admin, data=_data(year))
    with pytest.raises(DomainError, match="solo schede del piano 2019"):
        domain.add_scheda(assignment, actor=admin, objective=year["later"])
    added = domain.add_scheda(assignment, actor=admin, objective=year["others"], weight=Decimal(40))
    assert added.weight == Decimal(40)
    domain.set_scheda_weight(added, actor=admin, weight=Decimal(60))
    assert AssignedScheda.objects.get().weight == Decimal(60)
    domain.remove_scheda(AssignedScheda.objects.get(), actor=admin)
    assert not assignment.schede.exists()


@scopes_disabled()
def test_deleting_is_refused_once_the_evaluation_left_the_draft(year, admin):
    assignment = domain.create_assignment(year["scheme"], actor=admin, data=_data(year))
    domain.fill_schede_from_plan(assignment, actor=admin)
    evaluation = EvaluationFactory(assignment=assignment, state="interview")
    with pytest.raises(DomainError, match="Colloquio svolto"):
        domain.delete_assignment(assignment, actor=admin)
    evaluation.state = "delivered"
    evaluation.save()
    with pytest.raises(DomainError, match="già stata consegnata"):
        domain.remove_scheda(assignment.schede.first(), actor=admin)
    with pytest.raises(DomainError, match="non si possono più cambiare"):
        domain.update_assignment(assignment, actor=admin, data=_data(year, person=year["bianchi"]))
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert assignment.schede.count() == 2

    draft = domain.create_assignment(
        year["scheme"], actor=admin, data=_data(year, person=year["bianchi"])
    )
    domain.fill_schede_from_plan(draft, actor=admin)
    domain.delete_assignment(draft, actor=admin)
    assert not Assignment.objects.filter(pk=draft.pk).exists()


def test_the_form_says_in_italian_that_nobody_evaluates_themselves(year, admin):
    client = Client()
    client.force_login(admin)
    url = reverse(
        "evaluation_assignment_add",
        kwargs={"authority": year["scheme"].authority.slug, "year": 2019},
    )
    response = client.post(
        url,
        {
            "person": year["rossi"].pk,
            "family": year["family"].pk,
            "evaluator": year["rossi"].pk,
            "part_time": "100",
            "absence_days": "0",
            "protected_days": "0",
        },
    )
    assert response.status_code == 200
    assert "non può valutare se stessa" in response.content.decode()
    with scopes_disabled():
        assert not Assignment.objects.exists()


def test_the_page_takes_the_schede_from_the_plan(year, admin):
    client = Client()
    client.force_login(admin)
    with scopes_disabled():
        assignment = AssignmentFactory(
            family=year["family"], person=year["rossi"], evaluator=year["nucleo"]
        )
    kwargs = {"authority": year["scheme"].authority.slug, "year": 2019, "pk": assignment.pk}
    response = client.post(reverse("evaluation_assignment_fill", kwargs=kwargs), follow=True)
    page = response.content.decode()
    assert "2 schede aggiunte dal piano." in page
    assert "1.1" in page and "2.1" in page

    with scopes_disabled():
        EvaluationFactory(assignment=assignment, state="delivered")
    page = client.get(reverse("evaluation_assignment_edit", kwargs=kwargs)).content.decode()
    assert "Prendi le schede dal piano" not in page and "Togli" not in page
    assert "non si cambiano più" in page


def _assignments(scheme, count, offset=0):
    with scopes_disabled():
        family = scheme.families.first()
        evaluator = PersonFactory(authority=scheme.authority, last_name=f"Capo{offset}")
        for n in range(count):
            assignment = AssignmentFactory(
                family=family,
                evaluator=evaluator,
                person=PersonFactory(authority=scheme.authority, last_name=f"Dip{offset + n}"),
                payroll_code=f"M{offset + n}",
            )
            EvaluationFactory(assignment=assignment)


def test_the_list_costs_the_same_queries_with_1_and_3_assignments(year, admin):
    """Three assignments show any query made per row (two more than with one)."""
    client = Client()
    client.force_login(admin)
    url = reverse(
        "evaluation_assignments", kwargs={"authority": year["scheme"].authority.slug, "year": 2019}
    )
    counts = []
    for count, offset in ((1, 0), (2, 100)):
        _assignments(year["scheme"], count, offset)
        client.get(url)  # session and caches warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert "Dip101" in response.content.decode()
    assert "3 assegnazioni" in response.content.decode()
    assert counts[0] == counts[1], counts


@scopes_disabled()
def test_the_years_plan_is_the_authoritys_own_even_when_another_has_a_plan_of_that_year(
    year, other_authority
):
    """Outside a tenant scope (commands, the demo loader) the plan is still the scheme's
    authority's: another authority's plan 2019 is never read."""
    assert domain.year_plan(year["scheme"]) == year["headed"].plan
    alone = SchemeFactory(authority=other_authority, year=2019)  # no plan 2019 of its own
    assert domain.year_plan(alone) is None
    assert Results(alone)._plan is None
