"""The editor's live figures (planning.live) on values as typed: weight totals, the Punteggio
of the chosen levels, graduations read back; and a refused save's messages placed."""

from decimal import Decimal

import pytest
from django import forms
from django_scopes import scopes_disabled

from tests.factories import GradingScaleFactory
from traguardo.core.domain import InvalidData
from traguardo.organization.models import PolicyLevel, ScoringPolicy
from traguardo.planning import live

pytestmark = pytest.mark.django_db


def test_weights_as_typed_are_totalled_and_an_unreadable_one_counts_as_missing():
    assert live.weight_check(["60", "40,00"])["ok"] is True
    short = live.weight_check(["60", "trenta", ""])
    assert (short["ok"], short["rows"]) == (False, 3)
    assert short["label"] != live.weight_check(["60", "40"])["label"]


def test_the_punteggio_counts_the_chosen_levels_only(authority):
    with scopes_disabled():
        policy = ScoringPolicy.objects.create(authority=authority)
        chosen = [
            PolicyLevel.objects.create(
                authority=authority, policy=policy, dimension=d, code=d, label=d, value=v
            )
            for d, v in (("strategic", Decimal(40)), ("complexity", Decimal(30)), ("kind", 1))
        ]
        score = live.level_score([str(level.pk) for level in chosen])
        partial = live.level_score([str(chosen[0].pk), "", None])
    assert score == {"value": Decimal(70), "levels": [Decimal(40), Decimal(30), Decimal(1)]}
    assert partial == {"value": None, "levels": [Decimal(40), None, None]}


def test_a_typed_graduation_wins_over_the_chosen_scale_and_an_unreadable_one_says_why(
    authority,
):
    with scopes_disabled():
        scale = GradingScaleFactory(authority=authority)
        scales = live.scales_by_id()
    typed = live.scale_preview("gg ritardo 5 = 90% - 10 = 80%", scale.pk, scales)
    chosen = live.scale_preview("", str(scale.pk), scales)
    assert typed["rows"] and chosen["rows"] and typed != chosen
    assert set(live.scale_preview("novanta per cento", None, scales)) == {"error"}
    assert live.scale_preview("", None, scales) == {}
    rows = [("indicators-0", "", str(scale.pk)), ("activities-0", "", "")]
    assert live.scale_previews(rows, scales) == {"indicators-0": chosen, "activities-0": {}}


class Row(forms.Form):
    weight = forms.CharField(required=False)


class Header(forms.Form):
    title = forms.CharField(required=False)
    strategic_level = forms.CharField(required=False)


def test_a_refused_saves_messages_go_next_to_their_fields_or_their_table():
    header, rows, activity = Header({}), [Row({}), Row({})], Row({})
    for form in (header, *rows, activity):
        form.is_valid()
    error = InvalidData(
        [
            ("title", "Titolo mancante."),
            ("weight_score", "Punteggio incompleto."),
            ("indicators-2-weight", "Peso mancante."),
            ("indicators-5-weight", "Riga che non c'è."),
            ("indicators", "Pesi: eccedenza."),
            ("activities-1", "Attività senza date."),
            ("plan", "Piano chiuso."),
        ]
    )
    tables = live.place_errors(error, header, rows, [activity])
    assert tables == {
        "indicators": ["Riga che non c'è.", "Pesi: eccedenza."],
        "activities": [],
        "header": ["Piano chiuso."],
    }
    assert header.errors == {
        "title": ["Titolo mancante."],
        "strategic_level": ["Punteggio incompleto."],
    }
    assert (rows[0].errors, rows[1].errors) == ({}, {"weight": ["Peso mancante."]})
    assert activity.non_field_errors() == ["Attività senza date."]
