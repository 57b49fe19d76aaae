"""Ambiti della performance and the SMVP: activity share, traffic lights, Punteggio levels."""

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from tests.factories import ObjectiveFactory, PlanFactory
from tests.setup.conftest import field_error, login, messages_of, snapshot, text, url
from traguardo.core.domain import DomainError
from traguardo.organization.domain import (
    AreaData,
    LevelData,
    PolicyData,
    create_area,
    create_level,
    delete_level,
    ensure_policy,
    update_policy,
)
from traguardo.organization.models import PerformanceArea, PolicyLevel, ScoringPolicy

pytestmark = pytest.mark.django_db


def _area(authority, number, name):
    with scopes_disabled():
        return PerformanceArea.objects.create(authority=authority, number=number, name=name)


# -- ambiti --------------------------------------------------------------------------------


def test_the_areas_are_listed_by_number(client, admin, authority):
    _area(authority, 2, "Modernizzazione")
    _area(authority, 1, "Soddisfazione dei cittadini")
    login(client, admin)
    page = text(client.get(url(authority, "setup_areas")))
    assert "1 Soddisfazione dei cittadini Modifica ambito 1 2 Modernizzazione" in page


def test_an_admin_adds_an_area(client, admin, authority):
    login(client, admin)
    response = client.post(
        url(authority, "setup_area_add"), {"number": 3, "name": "Pari opportunità"}, follow=True
    )
    assert messages_of(response) == ["Ambito 3 creato."]
    with scopes_disabled():
        assert list(PerformanceArea.objects.values_list("authority", "number", "name")) == [
            (authority.pk, 3, "Pari opportunità")
        ]


def test_two_areas_cannot_share_a_number(client, admin, authority):
    _area(authority, 1, "Soddisfazione dei cittadini")
    login(client, admin)
    response = client.post(url(authority, "setup_area_add"), {"number": 1, "name": "Doppione"})
    assert field_error(response, "number") == (
        "Il numero 1 è già dell'ambito «Soddisfazione dei cittadini»."
    )
    assert response.context["form"]["name"].value() == "Doppione"


def test_area_numbers_start_at_one(admin, authority, in_scope):
    with pytest.raises(DomainError) as refused:
        create_area(authority, actor=admin, data=AreaData(number=0, name="Zero"))
    assert (refused.value.field, refused.value.message) == ("number", "Il numero parte da 1.")


def test_an_area_marked_on_schede_is_not_deleted(client, admin, authority):
    area = _area(authority, 4, "Relazioni con i cittadini")
    with scopes_disabled():
        ObjectiveFactory(plan=PlanFactory(authority=authority)).areas.add(area)
    login(client, admin)
    response = client.post(url(authority, "setup_area_delete", pk=area.pk), follow=True)
    assert messages_of(response) == [
        "L'ambito 4 non si può eliminare: è indicato in 1 scheda obiettivo."
    ]
    with scopes_disabled():
        assert PerformanceArea.objects.filter(pk=area.pk).exists()


def test_an_unused_area_is_deleted(client, admin, authority):
    area = _area(authority, 4, "Relazioni con i cittadini")
    login(client, admin)
    response = client.post(url(authority, "setup_area_delete", pk=area.pk), follow=True)
    assert messages_of(response) == ["Ambito 4 eliminato."]


# -- SMVP ----------------------------------------------------------------------------------


def _levels(authority):
    with scopes_disabled():
        return list(
            PolicyLevel.objects.filter(authority=authority)
            .order_by("dimension", "position")
            .values_list("dimension", "code", "label", "value")
        )


def test_the_first_visit_creates_the_default_smvp(client, admin, authority):
    login(client, admin)
    for _ in range(2):  # the second visit finds it and changes nothing
        assert client.get(url(authority, "setup_policy")).status_code == 200
    with scopes_disabled():
        policy = ScoringPolicy.objects.get(authority=authority)
    assert (policy.activity_share, policy.green_from, policy.amber_from) == (0, 90, 60)
    assert _levels(authority) == [
        ("complexity", "bassa", "Bassa", Decimal(20)),
        ("complexity", "media", "Media", Decimal(30)),
        ("complexity", "alta", "Alta", Decimal(40)),
        ("kind", "mantenimento", "Mantenimento", Decimal("0.5")),
        ("kind", "miglioramento", "Miglioramento", Decimal("0.75")),
        ("kind", "sviluppo", "Sviluppo", Decimal(1)),
        ("strategic", "bassa", "Bassa", Decimal(30)),
        ("strategic", "media", "Media", Decimal(50)),
        ("strategic", "alta", "Alta", Decimal(60)),
    ]


def test_ensure_policy_leaves_an_existing_policy_alone(authority, in_scope):
    policy = ensure_policy(authority)
    policy.levels.filter(dimension="kind").delete()
    assert ensure_policy(authority) == policy
    assert [d for d, *_ in _levels(authority)].count("kind") == 0


def test_the_page_shows_the_formula_and_an_example_with_the_highest_levels(
    client, admin, authority
):
    login(client, admin)
    page = text(client.get(url(authority, "setup_policy")))
    assert "Punteggio = (strategicità + complessità) × tipologia" in page
    assert (
        "Esempio con i livelli più alti: (strategicità Alta 60 + complessità Alta 40) × "
        "tipologia Sviluppo 1 = 100"
    ) in page
    assert "Tipologia Livello Coefficiente Ordine Azioni Mantenimento ×0,50 0" in page


def test_an_admin_changes_the_share_and_the_traffic_lights(client, admin, authority):
    login(client, admin)
    response = client.post(
        url(authority, "setup_policy"),
        {"activity_share": "20", "green_from": "85.5", "amber_from": "55"},
        follow=True,
    )
    assert messages_of(response) == ["Regole del sistema di misurazione aggiornate."]
    with scopes_disabled():
        policy = ScoringPolicy.objects.get(authority=authority)
    assert (policy.activity_share, policy.green_from, policy.amber_from) == (
        Decimal(20),
        Decimal("85.5"),
        Decimal(55),
    )


def test_green_must_start_above_amber(client, admin, authority):
    login(client, admin)
    client.get(url(authority, "setup_policy"))
    before = snapshot()
    response = client.post(
        url(authority, "setup_policy"),
        {"activity_share": "0", "green_from": "60", "amber_from": "75"},
    )
    assert field_error(response, "green_from") == (
        "Il verde deve cominciare sopra il giallo: ora il verde parte da 60% e il giallo da 75%."
    )
    assert response.context["form"]["amber_from"].value() == "75"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (PolicyData(Decimal(101), Decimal(90), Decimal(60)), "activity_share", "La quota delle "
         "attività deve essere tra 0 e 100."),
        (PolicyData(Decimal(0), Decimal(120), Decimal(60)), "green_from", "La soglia del verde "
         "deve essere tra 0 e 100."),
        (PolicyData(Decimal(0), Decimal(90), Decimal(-1)), "amber_from", "La soglia del giallo "
         "deve essere tra 0 e 100."),
        (PolicyData(Decimal(0), Decimal(60), Decimal(60)), "green_from", "Il verde deve "
         "cominciare sopra il giallo: ora il verde parte da 60% e il giallo da 60%."),
    ],
)  # fmt: skip
def test_the_policy_rules(admin, authority, in_scope, data, field, message):
    with pytest.raises(DomainError) as refused:
        update_policy(ensure_policy(authority), actor=admin, data=data)
    assert (refused.value.field, refused.value.message) == (field, message)


def test_an_admin_adds_a_level_whose_code_comes_from_the_label(client, admin, authority):
    login(client, admin)
    response = client.post(
        url(authority, "setup_level_add", dimension="complessita"),
        {"label": "Molto alta", "value": "50", "position": 3},
        follow=True,
    )
    assert messages_of(response) == ["Livello «Molto alta» aggiunto a complessità."]
    assert ("complexity", "molto-alta", "Molto alta", Decimal(50)) in _levels(authority)


def test_an_unknown_dimension_is_not_found(client, admin, authority):
    login(client, admin)
    assert client.get(url(authority, "setup_level_add", dimension="bellezza")).status_code == 404


def test_a_label_is_unique_within_its_dimension(admin, authority, in_scope):
    policy = ensure_policy(authority)
    with pytest.raises(DomainError) as refused:
        create_level(policy, actor=admin, dimension="kind", data=LevelData("sviluppo", Decimal(2)))
    assert (refused.value.field, refused.value.message) == (
        "label",
        "Tipologia ha già un livello «sviluppo».",
    )
    # The same label in another dimension is fine.
    create_level(policy, actor=admin, dimension="kind", data=LevelData("Alta", Decimal(2)))


def test_an_admin_changes_the_points_of_a_level(client, admin, authority, rows):
    level = rows["level"]
    login(client, admin)
    client.post(
        url(authority, "setup_level_edit", pk=level.pk),
        {"label": "Alta", "value": "70", "position": 2},
    )
    level.refresh_from_db()
    assert (level.code, level.value) == ("alta", Decimal(70))


def test_a_level_used_by_a_scheda_is_not_deleted(admin, authority, rows, in_scope):
    with scopes_disabled():
        ObjectiveFactory(plan=PlanFactory(authority=authority), strategic_level=rows["level"])
    with pytest.raises(DomainError) as refused:
        delete_level(rows["level"], actor=admin)
    assert refused.value.message == (
        "Il livello «Alta» non si può eliminare: è assegnato a 1 scheda obiettivo."
    )


def test_an_unused_level_is_deleted(client, admin, authority, rows):
    login(client, admin)
    response = client.post(url(authority, "setup_level_delete", pk=rows["level"].pk), follow=True)
    assert messages_of(response) == ["Livello «Alta» eliminato."]
    assert "Esempio con i livelli più alti: (strategicità Media 50" in text(response)
