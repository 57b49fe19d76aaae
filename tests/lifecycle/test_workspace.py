"""The Nucleo's workspace: comments on a scheda and its result, the review page, validation."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    TargetFactory,
)
from tests.lifecycle.conftest import entries_since, in_state, last_id
from traguardo.core.domain import InvalidData
from traguardo.planning.domain import lifecycle
from traguardo.planning.models import Comment, Plan

pytestmark = pytest.mark.django_db


def scheda_url(objective) -> str:
    return reverse("objective_detail", args=[objective.authority.slug, objective.pk])


def comment_url(objective) -> str:
    return reverse("objective_comment", args=[objective.authority.slug, objective.pk])


@pytest.fixture
def objective(plan):
    with scopes_disabled():
        return plan.objectives.get()


def test_the_evaluator_comments_and_the_manager_reads_it_on_the_scheda(client, objective, personas):
    client.force_login(personas["evaluator"])
    since = last_id()
    response = client.post(
        comment_url(objective),
        {"topic": "risultato", "body": "Il dato del 31/12 va documentato."},
    )
    assert response.status_code == 302
    assert response["Location"] == scheda_url(objective) + "#commenti"
    with scopes_disabled():
        comment = Comment.objects.get()
    assert (comment.objective, comment.topic, comment.author) == (
        objective,
        "risultato",
        personas["evaluator"],
    )
    [entry] = entries_since(since)
    assert (entry.action, entry.actor, entry.object_id) == (
        "comment.add",
        personas["evaluator"],
        str(comment.pk),
    )
    assert entry.after == {
        "objective": objective.pk,
        "topic": "risultato",
        "body": "Il dato del 31/12 va documentato.",
    }

    client.force_login(personas["manager_a"])
    page = client.get(scheda_url(objective)).content.decode()
    assert "Il dato del 31/12 va documentato." in page
    assert "Risultato" in page
    assert comment_url(objective) not in page  # the manager reads, does not comment


def test_an_admin_comments_too(client, objective, personas):
    client.force_login(personas["admin"])
    assert client.get(scheda_url(objective)).content.decode().count(comment_url(objective)) == 1
    response = client.post(comment_url(objective), {"topic": "scheda", "body": "Pesi da rivedere."})
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["viewer", "manager_a", "contributor"])
def test_a_reader_cannot_comment(client, objective, personas, persona):
    client.force_login(personas[persona])
    response = client.post(comment_url(objective), {"topic": "scheda", "body": "Nota"})
    assert response.status_code == 403
    with scopes_disabled():
        assert not Comment.objects.exists()


def test_an_outsider_neither_reads_nor_comments(client, objective, personas):
    client.force_login(personas["outsider"])
    assert client.get(scheda_url(objective)).status_code == 404
    assert client.post(comment_url(objective), {"topic": "scheda", "body": "x"}).status_code == 404
    with scopes_disabled():
        assert not Comment.objects.exists()


def test_an_empty_comment_comes_back_on_the_scheda(client, objective, personas):
    client.force_login(personas["evaluator"])
    response = client.post(comment_url(objective), {"topic": "scheda", "body": "  "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    with scopes_disabled():
        assert not Comment.objects.exists()


def test_the_domain_refuses_an_unknown_topic(objective, personas):
    with scope(authority=objective.authority), pytest.raises(InvalidData) as error:
        lifecycle.add_comment(objective, actor=personas["evaluator"], topic="altro", body="x")
    assert [field for field, _m in error.value.errors] == ["topic"]


# -- the review page ----------------------------------------------------------------------


def review_url(plan) -> str:
    return reverse("plan_review", args=[plan.authority.slug, plan.year])


def test_the_review_page_lists_each_scheda_with_its_comments(client, plan, objective, personas):
    with scope(authority=plan.authority):
        for body in ("Primo", "Secondo"):
            lifecycle.add_comment(objective, actor=personas["evaluator"], topic="scheda", body=body)
    client.force_login(personas["evaluator"])
    page = client.get(review_url(plan)).content.decode()
    assert "Sportello unico" in page
    assert f'{scheda_url(objective)}#commenti">2<' in page
    assert 'name="minutes"' not in page  # the plan is not closed yet


def test_the_evaluator_validates_from_the_review_page(client, plan, personas):
    with scopes_disabled():
        in_state(plan, Plan.State.CLOSED)
    client.force_login(personas["evaluator"])
    page = client.get(review_url(plan)).content.decode()
    validate = reverse("plan_transition", args=[plan.authority.slug, plan.year, "valida"])
    assert validate in page
    response = client.post(validate, {"validated_on": "2020-05-20", "minutes": "Verbale n. 3"})
    assert response.status_code == 302
    page = client.get(review_url(plan)).content.decode()
    assert "Risultati validati il 20 maggio 2020." in page
    assert "Verbale n. 3" in page
    # A second post (a reload, a second tab) is refused on the form, nothing changes.
    again = client.post(validate, {"validated_on": "2020-05-21", "minutes": "Altro"})
    assert again.status_code == 400
    assert "Il piano è già validato." in again.content.decode()


def test_the_admin_sees_the_review_page_but_does_not_validate(client, plan, personas):
    with scopes_disabled():
        in_state(plan, Plan.State.CLOSED)
    client.force_login(personas["admin"])
    page = client.get(review_url(plan)).content.decode()
    assert 'name="minutes"' not in page
    validate = reverse("plan_transition", args=[plan.authority.slug, plan.year, "valida"])
    assert client.post(validate, {"validated_on": "2020-05-20", "minutes": "V"}).status_code == 403


def _add_schede(plan, unit, count, author):
    """``count`` more schede of ``unit``, each with a comment."""
    with scopes_disabled():
        for _ in range(count):
            objective = ObjectiveFactory(plan=plan, unit=unit, responsible=unit.head)
            indicator = IndicatorFactory(objective=objective)
            TargetFactory(indicator=indicator, year=plan.year, due_date=date(plan.year, 12, 31))
            Comment.objects.create(
                authority=plan.authority,
                objective=objective,
                topic="scheda",
                body="x",
                author=author,
            )


def test_the_review_page_costs_the_same_queries_with_1_and_3_schede(client, plan, unit_a, personas):
    client.force_login(personas["evaluator"])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(review_url(plan)).status_code == 200
        return len(captured)

    one = count()
    _add_schede(plan, unit_a, 2, personas["evaluator"])
    assert count() == one


def test_the_review_page_says_when_a_result_was_forced(client, plan, objective, personas):

    with scopes_disabled():
        period = MonitoringPeriodFactory(plan=plan, reference_date=date(2019, 12, 31))
        MeasurementFactory(
            period=period,
            indicator=objective.indicators.get(),
            forced_achievement=95,
            forced_reason="Decisione del Nucleo",
        )
    client.force_login(personas["evaluator"])
    page = client.get(review_url(plan)).content.decode()
    assert "95,00%" in page
    assert "comprende un risultato forzato" in page


def test_a_comment_is_dated_in_italian_with_a_lowercase_month(client, objective, personas):
    from datetime import UTC, datetime

    with scopes_disabled():
        comment = lifecycle.add_comment(
            objective, actor=personas["evaluator"], topic="scheda", body="Da rivedere."
        )
        Comment.objects.filter(pk=comment.pk).update(
            created_at=datetime(2026, 12, 5, 10, 30, tzinfo=UTC)
        )
    client.force_login(personas["manager_a"])
    page = client.get(scheda_url(objective)).content.decode()
    assert "5 dicembre 2026, 11:30</time>" in page  # Italian time, month in lower case
    assert "Dicembre" not in page
