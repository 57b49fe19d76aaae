"""A small year of individual evaluations for the conversation and the pages.

``scheme`` 2025 of the ``authority`` of the personas: ``staff`` (behaviours only, evaluated
by manager_a's person, Alice Alberti) and ``dirigenti`` (nucleo_reviews). ``employee`` is a
login (Role.EMPLOYEE) linked to Elena Esposito, evaluated by Alice in ``staff``.
"""

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from tests.factories import (
    AssignmentFactory,
    FamilyFactory,
    MembershipFactory,
    PersonFactory,
    SchemeFactory,
    UserFactory,
)
from traguardo.accounts.models import Role
from traguardo.evaluation.models import BehaviourRating, Evaluation, RatingLevel


@pytest.fixture
def year(authority, unit_a, unit_b):
    return make_year(authority, unit_a, unit_b)


def make_year(authority, unit_a, unit_b) -> dict:
    """The rows of ``year``, by a plain function so that a module sharing its world
    (``module_db``) makes them exactly as the fixture does."""
    with scopes_disabled():
        scheme = SchemeFactory(authority=authority, year=2025)
        for rating, text in (
            (1, "Inadeguato"),
            (2, "Parziale"),
            (3, "Adeguato"),
            (4, "Buono"),
            (5, "Eccellente"),
        ):
            RatingLevel.objects.create(
                authority=authority, scheme=scheme, rating=Decimal(rating), description=text
            )
        staff = FamilyFactory(
            scheme=scheme,
            name="Dipendenti",
            components={"behaviours": 100},
            behaviours=("Collaborazione", "Iniziativa"),
        )
        dirigenti = FamilyFactory(
            scheme=scheme,
            name="Dirigenti",
            components={"behaviours": 100},
            behaviours=("Leadership",),
            nucleo_reviews=True,
        )
        elena = PersonFactory(authority=authority, first_name="Elena", last_name="Esposito")
        own = AssignmentFactory(family=staff, person=elena, evaluator=unit_a.head)
        other = AssignmentFactory(
            family=staff,
            person=PersonFactory(authority=authority, first_name="Omar", last_name="Orsi"),
            evaluator=unit_a.head,
        )
        dirigente = AssignmentFactory(family=dirigenti, person=unit_a.head, evaluator=unit_b.head)
    return {
        "scheme": scheme,
        "staff": staff,
        "dirigenti": dirigenti,
        "elena": elena,
        "own": own,
        "other": other,
        "dirigente": dirigente,
    }


@pytest.fixture
def employee(year, authority):
    return make_employee(year, authority)


def make_employee(year, authority):
    user = UserFactory(username="elena", first_name="Elena", last_name="Esposito")
    with scopes_disabled():
        MembershipFactory(user=user, authority=authority, role=Role.EMPLOYEE, person=year["elena"])
    return user


def fresh(value):
    """``value`` (a row, or a dict of rows and None) read again from the database: a module
    sharing its rows gives each test instances of its own, so that no relation one test
    cached on an instance (an assignment's evaluation) reaches the next."""
    if isinstance(value, dict):
        return {name: fresh(row) for name, row in value.items()}
    if value is None:
        return None
    with scopes_disabled():
        return type(value)._base_manager.get(pk=value.pk)


def shared_year():
    """The fixtures of a module whose tests share the personas and ``year`` (``module_db``):
    the rows are made once for the module, each test gets them read again (``fresh``) and
    still runs in its own savepoint, rolled back after it. A module names them after the
    fixtures they replace: ``module_year, authority, unit_a, unit_b, personas, year,
    employee = shared_year()``."""

    @pytest.fixture(scope="module")
    def module_year(module_people):
        people = module_people
        year = make_year(people.authority, people.unit_a, people.unit_b)
        return year, make_employee(year, people.authority)

    @pytest.fixture
    def authority(module_people):
        return fresh(module_people.authority)

    @pytest.fixture
    def unit_a(module_people):
        return fresh(module_people.unit_a)

    @pytest.fixture
    def unit_b(module_people):
        return fresh(module_people.unit_b)

    @pytest.fixture
    def personas(module_people):
        return fresh(module_people.personas)

    @pytest.fixture
    def year(module_year):
        return fresh(module_year[0])

    @pytest.fixture
    def employee(module_year):
        return fresh(module_year[1])

    return module_year, authority, unit_a, unit_b, personas, year, employee


def rate(assignment, *ratings, state=Evaluation.State.DRAFT, **fields):
    """The assignment's evaluation in ``state`` with its behaviours rated in order."""
    with scopes_disabled():
        evaluation, _created = Evaluation.objects.get_or_create(
            assignment=assignment, defaults={"authority": assignment.authority}
        )
        Evaluation.objects.filter(pk=evaluation.pk).update(state=state, **fields)
        for behaviour, rating in zip(assignment.family.behaviours.all(), ratings, strict=False):
            BehaviourRating.objects.update_or_create(
                evaluation=evaluation,
                behaviour=behaviour,
                defaults={"authority": assignment.authority, "rating": Decimal(rating)},
            )
        evaluation.refresh_from_db()
    return evaluation
