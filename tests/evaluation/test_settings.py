"""A year's scheme of individual evaluation: created empty or copied, its settings checked by
the engine's constructors (each refusal next to its field), its families' weights, its
behaviours, and the frozen rule once an evaluation of the year has been delivered."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import AssignmentFactory, EvaluationFactory, FamilyFactory, SchemeFactory
from traguardo.audit.models import AuditEntry
from traguardo.core.domain import DomainError, InvalidData
from traguardo.evaluation.domain import settings as domain
from traguardo.evaluation.models import Evaluation, Family, Fund, RatingLevel, Scheme

pytestmark = pytest.mark.django_db


def _data(scheme, **changes):
    return domain.SchemeData(**{**domain.scheme_data(scheme).__dict__, **changes})


@pytest.fixture
def scheme(authority):
    with scopes_disabled():
        scheme = SchemeFactory(authority=authority, year=2019)
        RatingLevel.objects.create(
            authority=authority, scheme=scheme, rating=Decimal(5), description="Eccellente"
        )
        FamilyFactory(
            scheme=scheme,
            name="Dirigenti",
            components={"unit_objectives": 60, "behaviours": 30, "differentiation": 10},
            behaviours=("Leadership", "Collaborazione"),
            nucleo_reviews=True,
        )
    return scheme


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@scopes_disabled()
def test_a_new_year_copied_from_the_last_keeps_families_weights_behaviours_levels_and_bands(
    scheme, admin
):
    copied = domain.create_scheme(scheme.authority, actor=admin, year=2020, copy_from=scheme)

    family = copied.families.get()
    assert (family.name, family.nucleo_reviews) == ("Dirigenti", True)
    assert {c.kind: c.weight for c in family.components.all()} == {
        "unit_objectives": Decimal(60),
        "behaviours": Decimal(30),
        "differentiation": Decimal(10),
    }
    assert [b.name for b in family.behaviours.all()] == ["Leadership", "Collaborazione"]
    assert [(lv.rating, lv.description) for lv in copied.rating_levels.all()] == [
        (Decimal(5), "Eccellente")
    ]
    assert [(b.lower, b.share) for b in copied.pay_bands.all()] == [
        (Decimal(0), Decimal(0)),
        (Decimal(50), Decimal(60)),
        (Decimal(70), Decimal(80)),
        (Decimal(90), Decimal(100)),
    ]
    # The old year is untouched, and the creation is audited.
    assert scheme.families.get().behaviours.count() == 2
    assert AuditEntry.objects.filter(action="scheme.create", object_id=str(copied.pk)).exists()


@scopes_disabled()
def test_a_year_twice_is_refused_next_to_the_year(scheme, admin):
    with pytest.raises(DomainError) as refused:
        domain.create_scheme(scheme.authority, actor=admin, year=2019)
    assert refused.value.field == "year"
    assert "esiste già" in refused.value.message


@scopes_disabled()
def test_settings_the_engine_refuses_are_italian_messages_on_their_fields(scheme, admin):
    data = _data(
        scheme,
        rating_min=Decimal(1),
        rating_max=Decimal(5),
        rating_step=Decimal(3),  # 1 + 3 = 4, never 5
        bands=((Decimal(10), Decimal(0)), (Decimal(50), Decimal(60))),  # not from 0
        increase=Decimal(20),  # below the CCNL's 30 %
        levels=((Decimal(7), "Oltre la scala"),),
    )
    with pytest.raises(InvalidData) as refused:
        domain.update_scheme(scheme, actor=admin, data=data)
    fields = {field for field, _text in refused.value.errors}
    assert {"rating_max", "bands", "increase"} <= fields
    assert "30 %" in dict(refused.value.errors)["increase"]
    scheme.refresh_from_db()
    assert scheme.rating_step == Decimal(1)  # nothing written


@scopes_disabled()
def test_an_anchor_off_the_scale_and_a_band_paying_less_are_refused(scheme, admin):
    data = _data(
        scheme,
        levels=((Decimal("2.5"), "A metà"),),
        bands=((Decimal(0), Decimal(50)), (Decimal(60), Decimal(40))),
    )
    with pytest.raises(InvalidData) as refused:
        domain.update_scheme(scheme, actor=admin, data=data)
    errors = dict(refused.value.errors)
    assert "2,5" in errors["levels"]
    assert "quota minore" in errors["bands"]


@scopes_disabled()
def test_valid_settings_are_saved_with_their_levels_and_bands_and_audited(scheme, admin):
    data = _data(
        scheme,
        franchise_days=10,
        increase=Decimal(30),
        levels=tuple((Decimal(n), f"Livello {n}") for n in range(1, 6)),
        bands=((Decimal(0), Decimal(0)), (Decimal(60), Decimal(100))),
    )
    domain.update_scheme(scheme, actor=admin, data=data)
    scheme.refresh_from_db()
    assert scheme.franchise_days == 10
    assert scheme.rating_levels.count() == 5
    assert [(b.lower, b.share) for b in scheme.pay_bands.all()] == [
        (Decimal(0), Decimal(0)),
        (Decimal(60), Decimal(100)),
    ]
    entry = AuditEntry.objects.filter(action="scheme.update").latest("pk")
    assert entry.before["bands"] != entry.after["bands"]


@scopes_disabled()
def test_weights_not_adding_to_100_are_refused_a_minor_unit_weight_is_saved_with_a_warning(
    scheme, admin
):
    base = {"name": "Dipendenti", "objectives_rule": "by_punteggio", "nucleo_reviews": False}
    with pytest.raises(InvalidData) as refused:
        domain.create_family(
            scheme,
            actor=admin,
            data=domain.FamilyData(
                **base, position=1, weights={"unit_objectives": Decimal(40), "behaviours": 50}
            ),
        )
    assert "90" in dict(refused.value.errors)["components"]
    assert not Family.objects.filter(name="Dipendenti").exists()

    weights = {
        "unit_objectives": Decimal(40),
        "individual_objectives": Decimal(20),
        "behaviours": Decimal(40),
    }
    family = domain.create_family(
        scheme,
        actor=admin,
        data=domain.FamilyData(**base, position=1, weights=weights, fund=Decimal("24000")),
    )
    assert family.fund.amount == Decimal("24000.00")
    findings = domain.family_findings(weights)
    assert [severity for severity, _text in findings] == ["warning"]
    assert "peso prevalente" in findings[0][1]


@scopes_disabled()
def test_a_paid_fund_is_not_changed_from_the_family_settings(scheme, admin):
    weights = {"behaviours": Decimal(100)}
    base = {"name": "Dipendenti", "objectives_rule": "by_punteggio", "nucleo_reviews": False}
    family = domain.create_family(
        scheme,
        actor=admin,
        data=domain.FamilyData(**base, position=1, weights=weights, fund=Decimal("1000")),
    )
    Fund.objects.filter(family=family).update(paid_on=date(2025, 6, 30))

    with pytest.raises(DomainError) as refused:
        domain.update_family(
            family,
            actor=admin,
            data=domain.FamilyData(**base, position=1, weights=weights, fund=Decimal("2000")),
        )
    assert refused.value.field == "fund" and "Premi" in refused.value.message
    family.refresh_from_db()
    assert family.fund.amount == Decimal("1000.00")


@scopes_disabled()
def test_frozen_once_an_evaluation_is_delivered_not_before(scheme, admin):
    family = scheme.families.get()
    evaluation = EvaluationFactory(assignment=AssignmentFactory(family=family), state="interview")
    behaviour_data = domain.BehaviourData(name="Innovazione", description="Nuove soluzioni")

    # Interview held, not delivered: still open.
    domain.create_behaviour(family, actor=admin, data=behaviour_data)

    evaluation.state = "delivered"
    evaluation.save()
    attempts = [
        lambda: domain.update_scheme(scheme, actor=admin, data=_data(scheme, franchise_days=3)),
        lambda: domain.create_behaviour(
            family, actor=admin, data=domain.BehaviourData(name="Puntualità")
        ),
        lambda: domain.update_behaviour(
            family.behaviours.get(name="Innovazione"),
            actor=admin,
            data=domain.BehaviourData(name="Innovazione", weight=Decimal(3)),
        ),
        lambda: domain.delete_behaviour(family.behaviours.get(name="Leadership"), actor=admin),
        lambda: domain.update_family(
            family,
            actor=admin,
            data=domain.FamilyData(
                name="Dirigenti",
                objectives_rule="by_punteggio",
                nucleo_reviews=True,
                position=0,
                weights={"unit_objectives": Decimal(70), "behaviours": Decimal(30)},
            ),
        ),
        lambda: domain.delete_family(family, actor=admin),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError, match="già stata consegnata"):
            attempt()
    scheme.refresh_from_db()
    assert scheme.franchise_days == 0
    assert {c.kind for c in family.components.all()} == {
        "unit_objectives",
        "behaviours",
        "differentiation",
    }
    assert family.behaviours.count() == 3
    # A new year copied from a frozen one is a new, open scheme.
    copied = domain.create_scheme(scheme.authority, actor=admin, year=2020, copy_from=scheme)
    assert not domain.is_frozen(copied)


def test_a_non_admin_is_refused_and_the_pages_are_the_admins(scheme, admin, evaluator):
    with scopes_disabled(), pytest.raises(PermissionDenied):
        domain.create_scheme(scheme.authority, actor=evaluator, year=2030)
    url = reverse("evaluation_schemes", kwargs={"authority": scheme.authority.slug})
    assert _client(evaluator).get(url).status_code == 403
    page = _client(admin).get(url)
    assert page.status_code == 200
    assert "Sistema 2019" in page.content.decode()


def test_the_settings_page_shows_a_refusal_next_to_its_field_and_keeps_what_was_typed(
    scheme, admin
):
    url = reverse(
        "evaluation_scheme", kwargs={"authority": scheme.authority.slug, "year": scheme.year}
    )
    page = _client(admin).get(url)
    assert "0: 0\n50: 60\n70: 80\n90: 100" in page.content.decode()
    form = {
        name: value
        for name, value in page.context["form"].initial.items()
        if value is not None and name != "increase"
    }
    form.update({"bands": "10: 0\n50: 60", "levels": "5: Eccellente\n1: Insufficiente"})
    refused = _client(admin).post(url, form)
    assert refused.status_code == 200
    errors = refused.context["form"].errors
    assert "la prima parte da 0" in errors["bands"][0]
    assert "10: 0\n50: 60" in refused.content.decode()  # what was typed stays

    form["bands"] = "0: 0\n60: 100"
    saved = _client(admin).post(url, form)
    assert saved.status_code == 302
    with scopes_disabled():
        assert [b.lower for b in scheme.pay_bands.all()] == [Decimal(0), Decimal(60)]
        assert [lv.rating for lv in scheme.rating_levels.all()] == [Decimal(1), Decimal(5)]


def test_the_family_page_refuses_weights_off_100_and_a_frozen_scheme_says_why(scheme, admin):
    with scopes_disabled():
        family = scheme.families.get()
    url = reverse(
        "evaluation_family_edit",
        kwargs={"authority": scheme.authority.slug, "year": 2019, "pk": family.pk},
    )
    post = {
        "name": "Dirigenti",
        "objectives_rule": "by_punteggio",
        "nucleo_reviews": "on",
        "position": "0",
        "weight_unit_objectives": "60",
        "weight_behaviours": "30",
    }
    refused = _client(admin).post(url, post)
    assert refused.status_code == 200
    assert "sommano a 90" in refused.content.decode()

    with scopes_disabled():
        EvaluationFactory(assignment=AssignmentFactory(family=family), state="final")
    page = _client(admin).get(url).content.decode()
    assert "Sola lettura." in page
    assert "Aggiungi un comportamento" not in page
    frozen = _client(admin).post(url, {**post, "weight_differentiation": "10"})
    assert "già stata consegnata" in frozen.content.decode()
    with scopes_disabled():
        assert Scheme.objects.get(pk=scheme.pk).families.get().nucleo_reviews


def test_the_audit_log_shows_every_settings_change(scheme, admin):
    """The entries of the settings' actions read back on the registro page (labels, values)."""
    with scopes_disabled():
        family = domain.create_family(
            scheme,
            actor=admin,
            data=domain.FamilyData(
                name="Dipendenti",
                objectives_rule="by_punteggio",
                nucleo_reviews=False,
                position=1,
                weights={"unit_objectives": Decimal(60), "behaviours": Decimal(40)},
                fund=Decimal(1000),
            ),
        )
        domain.create_behaviour(family, actor=admin, data=domain.BehaviourData("Iniziativa"))
        domain.update_scheme(scheme, actor=admin, data=_data(scheme, franchise_days=5))
    page = _client(admin).get(reverse("audit_log", kwargs={"authority": scheme.authority.slug}))
    assert page.status_code == 200
    assert "Dipendenti" in page.content.decode()


def _queries(client, url) -> int:
    client.get(url)  # session and caches warm
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_years_list_and_a_years_families_cost_the_same_queries_with_1_and_10(scheme, admin):
    client = _client(admin)
    slug = scheme.authority.slug
    years = reverse("evaluation_schemes", kwargs={"authority": slug})
    families = reverse("evaluation_scheme", kwargs={"authority": slug, "year": 2019})
    before = (_queries(client, years), _queries(client, families))
    with scopes_disabled():
        for n in range(9):
            SchemeFactory(authority=scheme.authority, year=2000 + n)
            FamilyFactory(scheme=scheme, name=f"Categoria {n}", behaviours=("Iniziativa",))
    after = (_queries(client, years), _queries(client, families))
    assert "Sistema 2008" in client.get(years).content.decode()
    assert "Categoria 8" in client.get(families).content.decode()
    assert before == after


@pytest.mark.django_db(transaction=True)
def test_a_delivery_waits_for_a_settings_save_holding_the_scheme(authority, admin, monkeypatch):
    """A behaviour being saved has found the year open and holds the scheme (``lock_scheme``);
    a delivery taking the same lock, as the conversation's step must, waits for it: the
    behaviour lands before the delivery, never after it. On SQLite writers queue anyway; on
    PostgreSQL the lock decides (a delivery that did not wait would come first)."""
    with scopes_disabled():
        scheme = SchemeFactory(authority=authority, year=2019)
        family = FamilyFactory(scheme=scheme, name="Dirigenti", behaviours=())
        evaluation = EvaluationFactory(
            assignment=AssignmentFactory(family=family), state="interview"
        )
    order: list[str] = []
    checked, delivered = threading.Event(), threading.Event()
    write = domain._write_behaviour

    def write_after_a_pause(behaviour, data):
        checked.set()
        delivered.wait(timeout=1)  # set only by a delivery that did not wait for the lock
        order.append("behaviour")
        return write(behaviour, data)

    monkeypatch.setattr(domain, "_write_behaviour", write_after_a_pause)

    def save():
        try:
            with scopes_disabled():
                domain.create_behaviour(family, actor=admin, data=domain.BehaviourData("Tardi"))
        finally:
            connection.close()

    def deliver():
        checked.wait(timeout=10)
        try:
            with scopes_disabled(), transaction.atomic():
                domain.lock_scheme(scheme)
                Evaluation.objects.filter(pk=evaluation.pk, state="interview").update(
                    state="delivered"
                )
                order.append("delivered")
            delivered.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=save), threading.Thread(target=deliver)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order == ["behaviour", "delivered"]
    with scopes_disabled():
        assert family.behaviours.filter(name="Tardi").exists()
        assert Evaluation.objects.get(pk=evaluation.pk).state == "delivered"
        with pytest.raises(DomainError, match="già stata consegnata"):
            domain.create_behaviour(family, actor=admin, data=domain.BehaviourData("Dopo"))
