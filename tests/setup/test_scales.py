"""Graduazioni: typed as on the card, previewed as a table, stored as the engine's data."""

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from tests.factories import (
    ActivityFactory,
    GradingScaleFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PlanFactory,
)
from tests.setup.conftest import field_error, login, messages_of, snapshot, text, url
from traguardo.core.domain import DomainError
from traguardo.organization.domain import ScaleData, create_scale, delete_scale
from traguardo.organization.models import GradingScale
from traguardo.scoring import DelayStep, DelaySteps, Proportional, scale_from_dict

pytestmark = pytest.mark.django_db

CARD_TEXT = "gg ritardo 5 = 90% / gg10 = 80% / gg15 = 60%"
BAD_TEXT = "gg ritardo 5 = 90% / forse"
BAD_MESSAGE = f"Nella graduazione «{BAD_TEXT}» non riesco a leggere «forse»."


def test_the_list_prints_each_scale_back_in_italian_and_as_a_table(client, admin, authority):
    with scopes_disabled():
        GradingScaleFactory(authority=authority, name="Ritardo", source_text=CARD_TEXT)
    login(client, admin)
    page = text(client.get(url(authority, "setup_scales")))
    assert f"Ritardo Come scritta sulla scheda: «{CARD_TEXT}»" in page
    assert (
        "Letta come: 0 gg → 100%; 1–5 gg → 90%; 6–10 gg → 80%; 11–15 gg → 60%; oltre 15 gg → 0%"
    ) in page
    assert (
        "Valore misurato Raggiungimento 0 gg 100% 1–5 gg 90% 6–10 gg 80% 11–15 gg 60% "
        "oltre 15 gg 0%"
    ) in page


def test_an_admin_saves_a_scale_typed_as_on_the_card(client, admin, authority):
    login(client, admin)
    response = client.post(
        url(authority, "setup_scale_add"),
        {"name": "Ritardo SINTEL", "source_text": f"  {CARD_TEXT} "},
        follow=True,
    )
    assert messages_of(response) == ["Graduazione «Ritardo SINTEL» salvata."]
    with scopes_disabled():
        scale = GradingScale.objects.get(name="Ritardo SINTEL")
    assert scale.authority == authority
    assert scale.source_text == CARD_TEXT
    assert scale_from_dict(scale.definition) == DelaySteps(
        (DelayStep(5, Decimal(90)), DelayStep(10, Decimal(80)), DelayStep(15, Decimal(60)))
    )


def test_unreadable_text_is_refused_next_to_the_field_keeping_what_was_typed(
    client, admin, authority
):
    login(client, admin)
    before = snapshot()
    response = client.post(
        url(authority, "setup_scale_add"), {"name": "Ritardo", "source_text": BAD_TEXT}
    )
    assert response.status_code == 200
    assert field_error(response, "source_text") == BAD_MESSAGE
    html = response.content.decode()
    assert f'value="{BAD_TEXT}"' in html
    assert 'value="Ritardo"' in html
    assert 'aria-invalid="true"' in html
    assert snapshot() == before


def test_the_preview_button_shows_the_table_and_saves_nothing(client, admin, authority):
    login(client, admin)
    before = snapshot()
    response = client.post(
        url(authority, "setup_scale_add"),
        {"name": "", "source_text": "Proporzionale con soglia 50%", "anteprima": "1"},
    )
    page = text(response)
    assert (
        "Anteprima — letta come: Proporzionale, soglia di accesso 50% "
        "Anteprima della graduazione Valore misurato "
        "Raggiungimento in proporzione al valore atteso fino a 100% sotto la soglia di accesso "
        "del 50% 0%"
    ) in page
    assert 'value="Proporzionale con soglia 50%"' in response.content.decode()
    assert "Questo campo è obbligatorio." not in page  # a preview is not a save
    assert snapshot() == before


def test_the_preview_button_explains_unreadable_text(client, admin, authority):
    login(client, admin)
    response = client.post(
        url(authority, "setup_scale_add"),
        {"name": "Ritardo", "source_text": BAD_TEXT, "anteprima": "1"},
    )
    assert BAD_MESSAGE in text(response)
    assert f'value="{BAD_TEXT}"' in response.content.decode()


def test_the_form_asks_htmx_for_the_preview_fragment(client, admin, authority):
    login(client, admin)
    html = client.get(url(authority, "setup_scale_add")).content.decode()
    assert f'hx-post="{url(authority, "setup_scale_preview")}"' in html
    assert 'hx-target="#anteprima-graduazione"' in html
    assert "<script>" not in html  # the CSP forbids inline script


def test_the_preview_fragment_is_just_the_preview(client, admin, authority):
    login(client, admin)
    response = client.post(
        url(authority, "setup_scale_preview"),
        {"source_text": "fatto/non fatto"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.strip().startswith('<div id="anteprima-graduazione"')
    assert "<html" not in html
    assert "Raggiunto 100% non raggiunto 0%" in text(response)
    response = client.post(url(authority, "setup_scale_preview"), {"source_text": BAD_TEXT})
    assert BAD_MESSAGE in text(response)


def test_editing_a_scale_without_source_text_starts_from_its_printed_form(client, admin, authority):
    with scopes_disabled():
        scale = GradingScaleFactory(authority=authority, source_text="")
    login(client, admin)
    form = client.get(url(authority, "setup_scale_edit", pk=scale.pk)).context["form"]
    assert form["source_text"].value() == (
        "0 gg → 100%; 1–5 gg → 90%; 6–10 gg → 80%; 11–15 gg → 60%; oltre 15 gg → 0%"
    )


def test_an_admin_retypes_a_scale(client, admin, authority):
    with scopes_disabled():
        scale = GradingScaleFactory(authority=authority, name="Ritardo")
    login(client, admin)
    client.post(
        url(authority, "setup_scale_edit", pk=scale.pk),
        {"name": "Proporzionale", "source_text": "Proporzionale"},
    )
    scale.refresh_from_db()
    assert (scale.name, scale.source_text, scale.scale) == (
        "Proporzionale",
        "Proporzionale",
        Proportional(),
    )


def test_two_scales_cannot_share_a_name(admin, authority, in_scope):
    GradingScaleFactory(authority=authority, name="Ritardo")
    with pytest.raises(DomainError) as refused:
        create_scale(authority, actor=admin, data=ScaleData("ritardo", "Proporzionale"))
    assert (refused.value.field, refused.value.message) == (
        "name",
        "Esiste già una graduazione «ritardo».",
    )


def test_the_domain_refuses_unreadable_text_on_the_text_field(admin, authority, in_scope):
    with pytest.raises(DomainError) as refused:
        create_scale(authority, actor=admin, data=ScaleData("Vuota", " "))
    assert (refused.value.field, refused.value.message) == (
        "source_text",
        "La graduazione è vuota.",
    )


def test_a_scale_used_by_indicators_or_activities_is_not_deleted(client, admin, authority):
    with scopes_disabled():
        scale = GradingScaleFactory(authority=authority, name="Ritardo")
        objective = ObjectiveFactory(plan=PlanFactory(authority=authority))
        IndicatorFactory(objective=objective, grading_scale=scale)
        IndicatorFactory(objective=objective, grading_scale=scale)
        ActivityFactory(objective=objective, grading_scale=scale)
    login(client, admin)
    response = client.post(url(authority, "setup_scale_delete", pk=scale.pk), follow=True)
    assert messages_of(response) == [
        "La graduazione «Ritardo» non si può eliminare: è usata da 2 indicatori ed è usata da "
        "1 attività."
    ]
    assert "alert-danger" in response.content.decode()


def test_an_unused_scale_is_deleted(admin, authority, in_scope):
    scale = GradingScaleFactory(authority=authority)
    delete_scale(scale, actor=admin)
    assert not GradingScale.objects.exists()
