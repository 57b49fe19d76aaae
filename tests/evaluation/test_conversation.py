"""The conversation of an individual evaluation: each step, each refusal, its audit entry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.evaluation.conftest import rate, shared_year
from traguardo.audit.models import AuditEntry
from traguardo.core.domain import ConflictError, DomainError
from traguardo.core.formats import date_it
from traguardo.evaluation.domain import conversation
from traguardo.evaluation.domain.scheda import GoalData, SchedaData, save_scheda
from traguardo.evaluation.models import BehaviourRating, Evaluation, IndividualGoal
from traguardo.evaluation.scores import assignment_result

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unscoped")]

# The personas and the year are made once for the module; each test reads them again and
# writes in its own savepoint (tests/evaluation/conftest.py, shared_year).
module_year, authority, unit_a, unit_b, personas, year, employee = shared_year()
State = Evaluation.State


def _actions(evaluation) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="evaluation.evaluation", object_id=str(evaluation.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def _state(assignment) -> str:
    with scopes_disabled():
        return Evaluation.objects.get(assignment=assignment).state


def test_the_evaluator_saves_records_the_colloquio_and_delivers(year, personas):
    own, alice = year["own"], personas["manager_a"]
    behaviours = list(year["staff"].behaviours.all())
    data = SchedaData(
        ratings={behaviours[0].pk: (Decimal(4), "Sempre disponibile"), behaviours[1].pk: (3, "")},
        evaluator_notes="Anno positivo",
    )
    with scopes_disabled():
        saved = save_scheda(own, actor=alice, version=0, data=data)
        assert (saved.state, saved.version) == (State.DRAFT, 1)
        conversation.record_interview(
            own, actor=alice, held_on=timezone.localdate(), notes="Colloquio sereno"
        )
        delivered = conversation.deliver(own, actor=alice)
    today = timezone.localdate()
    assert delivered.state == State.DELIVERED
    assert (delivered.delivered_on, delivered.review_until) == (today, today + timedelta(15))
    assert delivered.interview_notes == "Colloquio sereno"
    assert _actions(delivered) == [
        "evaluation.create",
        "evaluation.save",
        "evaluation.colloquio",
        "evaluation.consegna",
    ]


def test_delivery_is_refused_while_the_total_is_open_and_names_what_is_missing(year, personas):
    own = year["own"]
    rate(own, 4, state=State.INTERVIEW)  # "Iniziativa" not rated
    with scopes_disabled(), pytest.raises(DomainError) as refused:
        conversation.deliver(own, actor=personas["manager_a"])
    assert "Il punteggio totale è ancora aperto" in refused.value.message
    assert "«Iniziativa» non è ancora valutato" in refused.value.message
    assert _state(own) == State.INTERVIEW


def test_delivery_skips_no_step_the_colloquio_comes_first(year, personas):
    own = year["own"]
    rate(own, 4, 4)
    with scopes_disabled(), pytest.raises(DomainError) as refused:
        conversation.deliver(own, actor=personas["manager_a"])
    assert refused.value.message == (
        "La valutazione è «In compilazione»: questa azione vale per una valutazione "
        "«Colloquio svolto»."
    )


def test_only_the_evaluator_writes_and_delivers(year, personas, employee):
    own = year["own"]
    rate(own, 4, 4, state=State.INTERVIEW)
    with scopes_disabled():
        for who in (personas["admin"], personas["manager_b"], personas["evaluator"], employee):
            with pytest.raises(PermissionDenied):
                conversation.deliver(own, actor=who)
            with pytest.raises(PermissionDenied):
                save_scheda(own, actor=who, version=1, data=SchedaData())
    assert _state(own) == State.INTERVIEW


def test_the_person_accepts(year, personas, employee):
    own = year["own"]
    rate(own, 4, 4, state=State.DELIVERED, review_until=timezone.localdate())
    with scopes_disabled():
        final = conversation.accept(own, actor=employee)
        assert (final.state, final.accepted_on) == (State.FINAL, timezone.localdate())
        with pytest.raises(PermissionDenied):  # someone else's evaluation
            conversation.accept(year["other"], actor=employee)


def test_the_person_asks_a_review_with_reasons_and_the_evaluator_answers(year, personas, employee):
    own, alice = year["own"], personas["manager_a"]
    rate(own, 2, 2, state=State.DELIVERED, review_until=timezone.localdate())
    with scopes_disabled():
        with pytest.raises(DomainError) as empty:
            conversation.request_review(own, actor=employee, reasons="  ")
        assert empty.value.field == "reasons"
        asked = conversation.request_review(
            own, actor=employee, reasons="Il progetto X non è stato considerato."
        )
        assert (asked.state, asked.review_requested_on) == (State.REVIEW, timezone.localdate())
        # The answerer changes a rating while in review; the employee may not.
        behaviours = list(year["staff"].behaviours.all())
        with pytest.raises(PermissionDenied):
            save_scheda(own, actor=employee, version=asked.version, data=SchedaData())
        changed = save_scheda(
            own,
            actor=alice,
            version=asked.version,
            data=SchedaData(ratings={behaviours[0].pk: (Decimal(4), "Rivisto: progetto X")}),
        )
        final = conversation.answer_review(own, actor=alice, answer="Accolta in parte.")
        assert (final.state, final.review_answer, final.version) == (
            State.FINAL,
            "Accolta in parte.",
            changed.version + 1,
        )
        with pytest.raises(DomainError):  # final: nobody writes it any more
            save_scheda(own, actor=alice, version=final.version, data=SchedaData())


def test_a_review_asked_after_the_deadline_is_refused_naming_the_date(year, employee):
    own = year["own"]
    until = timezone.localdate() - timedelta(days=1)
    rate(own, 4, 4, state=State.DELIVERED, review_until=until)
    with scopes_disabled(), pytest.raises(DomainError) as refused:
        conversation.request_review(own, actor=employee, reasons="Tardi")
    assert refused.value.message.startswith(
        f"Il termine per chiedere la revisione è scaduto il {date_it(until)}"
    )
    assert _state(own) == State.DELIVERED


def test_after_the_deadline_the_evaluator_closes_it_not_before(year, personas):
    own, alice = year["own"], personas["manager_a"]
    today = timezone.localdate()
    rate(own, 4, 4, state=State.DELIVERED, review_until=today)
    with scopes_disabled():
        with pytest.raises(DomainError) as early:
            conversation.close_after_deadline(own, actor=alice)
        assert date_it(today) in early.value.message
        Evaluation.objects.filter(assignment=own).update(review_until=today - timedelta(1))
        closed = conversation.close_after_deadline(own, actor=alice)
    assert (closed.state, closed.final_on) == (State.FINAL, today)


def test_the_nucleo_answers_a_dirigente_s_review_not_the_evaluator(year, personas):
    dirigente = year["dirigente"]  # Alice (manager_a), evaluated by Bruno (manager_b)
    rate(dirigente, 3, state=State.REVIEW, review_reasons="…")
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            conversation.answer_review(dirigente, actor=personas["manager_b"], answer="No")
        final = conversation.answer_review(
            dirigente, actor=personas["evaluator"], answer="Confermata."
        )
    assert final.state == State.FINAL


def test_an_admin_reopens_a_final_evaluation_only_with_a_reason(year, personas):
    own = year["own"]
    rate(
        own,
        4,
        4,
        state=State.FINAL,
        final_on=timezone.localdate(),
        accepted_on=timezone.localdate(),
    )
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            conversation.revise(own, actor=personas["manager_a"], reason="Errore")
        with pytest.raises(DomainError):
            conversation.revise(own, actor=personas["admin"], reason="")
        reopened = conversation.revise(
            own, actor=personas["admin"], reason="Errore materiale nella valutazione"
        )
        entry = AuditEntry.objects.filter(action="evaluation.riapri").get()
    assert (reopened.state, reopened.revision, reopened.accepted_on, reopened.final_on) == (
        State.DRAFT,
        1,
        None,
        None,
    )
    assert reopened.revision_reason == entry.reason == "Errore materiale nella valutazione"


def test_a_stale_save_is_a_conflict_and_writes_nothing(year, personas):
    own, alice = year["own"], personas["manager_a"]
    behaviours = list(year["staff"].behaviours.all())
    with scopes_disabled():
        save_scheda(own, actor=alice, version=0, data=SchedaData(evaluator_notes="Prima"))
        with pytest.raises(ConflictError):
            save_scheda(
                own,
                actor=alice,
                version=0,  # the page was loaded before the first save
                data=SchedaData(ratings={behaviours[0].pk: (Decimal(1), "")}),
            )
        evaluation = Evaluation.objects.get(assignment=own)
        assert (evaluation.evaluator_notes, evaluation.version) == ("Prima", 1)
        assert not evaluation.ratings.exists()


def test_goals_are_added_changed_and_removed_and_a_rating_off_the_scale_refused(year, personas):
    own, alice = year["own"], personas["manager_a"]
    behaviours = list(year["staff"].behaviours.all())

    def goal(pk=None, title="Pratiche evase", delete=False, actual=None):
        return GoalData(pk, title, "pratiche", "higher", Decimal(100), actual, None, delete)

    with scopes_disabled():
        saved = save_scheda(
            own, actor=alice, version=0, data=SchedaData(goals=(goal(), goal(title="Tempi")))
        )
        first, second = IndividualGoal.objects.filter(assignment=own).order_by("position")
        saved = save_scheda(
            own,
            actor=alice,
            version=saved.version,
            data=SchedaData(
                goals=(goal(first.pk, actual=Decimal(80)), goal(second.pk, "Tempi", delete=True))
            ),
        )
        assert list(
            IndividualGoal.objects.filter(assignment=own).values_list("title", "actual")
        ) == [("Pratiche evase", Decimal(80))]
        with pytest.raises(DomainError) as refused:
            save_scheda(
                own,
                actor=alice,
                version=saved.version,
                data=SchedaData(ratings={behaviours[0].pk: (Decimal("4.5"), "")}),
            )
    assert "4,50 non è un valore della scala (da 1 a 5)" in refused.value.message


def test_a_colloquio_in_the_future_is_refused_and_creates_nothing(year, personas):
    own = year["own"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        conversation.record_interview(own, actor=personas["manager_a"], held_on=tomorrow)
    assert refused.value.field == "held_on"
    assert not Evaluation.objects.filter(assignment=own).exists()


def test_an_answer_is_refused_while_the_total_is_open(year, personas):
    own = year["own"]
    rate(own, 4, state=State.REVIEW, review_reasons="…")  # "Iniziativa" not rated
    with pytest.raises(DomainError) as refused:
        conversation.answer_review(own, actor=personas["manager_a"], answer="Confermata")
    assert "Il punteggio totale è ancora aperto" in refused.value.message
    assert _state(own) == State.REVIEW


def test_a_final_total_that_moves_afterwards_is_flagged_and_counts_for_nothing(
    year, personas, employee
):
    own = year["own"]
    rate(own, 4, 4, state=State.DELIVERED, review_until=timezone.localdate())
    with scopes_disabled():
        final = conversation.accept(own, actor=employee)
        accepted = assignment_result(own)
        assert final.final_total == accepted.total is not None
        assert accepted.final and not accepted.drifted
        # What the total depends on changes afterwards, outside the steps (a revised
        # evaluation given, a variazione of the plan's results; here a rating).
        rating = BehaviourRating.objects.filter(evaluation=final).first()
        rating.rating = Decimal(2)
        rating.save()
        moved = assignment_result(own)
    assert moved.total != final.final_total
    assert moved.drifted and not moved.final  # no premium, no differentiation
    errors = [f.text for f in moved.findings if f.severity == "error"]
    assert len(errors) == 1 and f"reso definitivo il {date_it(final.final_on)}" in errors[0]
    with scopes_disabled():
        reopened = conversation.revise(own, actor=personas["admin"], reason="Dati cambiati")
    assert reopened.final_total is None and reopened.state == State.DRAFT
