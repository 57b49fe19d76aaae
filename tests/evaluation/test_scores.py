"""The bridge from the stored evaluation to the engine: the figures a page and a PDF show."""

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from tests.factories import (
    AssignmentFactory,
    FamilyFactory,
    PersonFactory,
    SchemeFactory,
    final_staff,
)
from traguardo.evaluation.models import BehaviourRating, Evaluation
from traguardo.evaluation.scores import Results, assignment_result
from traguardo.scoring import ComponentKind

pytestmark = pytest.mark.django_db


def _final(assignment, **fields):
    return Evaluation.objects.create(
        authority=assignment.authority, assignment=assignment, state="final", **fields
    )


@scopes_disabled()
def test_a_dirigente_rated_4_3_5_4_who_gave_8_evaluations_6_below_90_scores_84_38_in_band_3():
    scheme = SchemeFactory(differentiation_rule="outside_top", differentiation_target=80)
    dirigenti = FamilyFactory(
        scheme=scheme,
        name="Dirigenti",
        components={"behaviours": 75, "differentiation": 25},
        behaviours=("Leadership", "Collaborazione", "Innovazione", "Orientamento al risultato"),
    )
    person = PersonFactory(authority=scheme.authority, last_name="Rossi")
    assignment = AssignmentFactory(family=dirigenti, person=person)
    evaluation = Evaluation.objects.create(authority=scheme.authority, assignment=assignment)
    for behaviour, rating in zip(dirigenti.behaviours.all(), (4, 3, 5, 4), strict=True):
        BehaviourRating.objects.create(
            authority=scheme.authority, evaluation=evaluation, behaviour=behaviour, rating=rating
        )
    final_staff(scheme, person, (95, 92, 88, 85, 80, 78, 72, 65))

    result = assignment_result(assignment)

    assert result.component(ComponentKind.BEHAVIOURS).score == Decimal("80.00")
    assert result.component(ComponentKind.DIFFERENTIATION).score == Decimal("93.75")
    # 0,75 × 80 + 0,25 × 93,75 = 83,4375
    assert result.total == Decimal("83.44")
    assert (result.band, result.band_share) == (3, Decimal(80))
    assert len(result.given) == 8
    assert [line.percent for line in result.ratings] == [80, 60, 100, 80]
    assert result.findings == ()
    assert not result.final  # still a draft: it counts for nobody's differentiation or pay


@scopes_disabled()
def test_a_behaviour_not_rated_leaves_the_total_open_and_names_the_behaviour():
    family = FamilyFactory(components={"behaviours": 100}, behaviours=("Puntualità",))
    assignment = AssignmentFactory(family=family)

    result = assignment_result(assignment)

    assert result.total is None and result.band is None
    assert [f.text for f in result.findings] == [
        "Il comportamento «Puntualità» non è ancora valutato."
    ]


@scopes_disabled()
def test_too_few_evaluations_given_is_an_error_until_declared_not_applicable():
    family = FamilyFactory(
        components={"behaviours": 70, "differentiation": 30}, behaviours=("Leadership",)
    )
    assignment = AssignmentFactory(family=family)
    evaluation = Evaluation.objects.create(authority=family.authority, assignment=assignment)
    BehaviourRating.objects.create(
        authority=family.authority,
        evaluation=evaluation,
        behaviour=family.behaviours.get(),
        rating=5,
    )

    assert assignment_result(assignment).total is None

    evaluation.not_applicable = {"differentiation": "nessun collaboratore assegnato"}
    evaluation.save()
    result = assignment_result(assignment)
    assert result.total == Decimal("100.00")
    assert result.engine.renormalised
    assert result.findings[0].text == (
        "Capacità di differenziare le valutazioni: non applicabile, il suo peso va alle altre "
        "componenti (nessun collaboratore assegnato)."
    )


@scopes_disabled()
def test_a_whole_scheme_is_read_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    scheme = SchemeFactory()
    evaluator = PersonFactory(authority=scheme.authority)
    final_staff(scheme, evaluator, range(60, 90))
    with django_assert_max_num_queries(12):
        results = Results(scheme).all()
    assert len(results) == 30 and all(r.final for r in results)
