"""Opening a plan: empty or as a copy of Piano 2019 (the seed), and what the copy reports."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django_scopes import scope

from tests.factories import (
    ActivityFactory,
    IndicatorFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from traguardo.accounts.models import User
from traguardo.core.domain import DomainError
from traguardo.planning.domain import plans as plan_actions
from traguardo.planning.domain.plans import copy_plan, create_plan
from traguardo.planning.models import Activity, Indicator, Objective, Plan, Target

pytestmark = pytest.mark.django_db

PROTECTION = "PROTEZIONE DEI DATI PERSONALI"


@pytest.fixture
def seed(demo):
    """Piano 2019 of the demo Comune, its admin, and the scope of that authority."""
    plan = demo
    with scope(authority=plan.authority):
        yield plan, User.objects.get(username="admin")


def snapshot(plan: Plan) -> dict:
    """Every value of a plan and its rows, many-to-many included."""
    plan.refresh_from_db()
    objectives = Objective.objects.filter(plan=plan).order_by("pk")
    indicators = Indicator.objects.filter(objective__plan=plan).order_by("pk")
    return {
        "plan": model_to_dict(plan),
        "objectives": [
            {
                **model_to_dict(o),
                "involved_units": sorted(u.pk for u in o.involved_units.all()),
                "areas": sorted(a.pk for a in o.areas.all()),
            }
            for o in objectives
        ],
        "indicators": [model_to_dict(i) for i in indicators],
        "targets": [
            model_to_dict(t)
            for t in Target.objects.filter(indicator__objective__plan=plan).order_by("pk")
        ],
        "activities": [
            model_to_dict(a) for a in Activity.objects.filter(objective__plan=plan).order_by("pk")
        ],
    }


def card(plan: Plan, **lookup) -> Objective:
    return Objective.objects.get(plan=plan, **lookup)


def test_copying_piano_2019_to_2020_brings_each_card_as_it_belongs_to_2020(seed):
    source, admin = seed
    report = copy_plan(source, actor=admin, year=2020, last_year=2022, title="Piano 2020")
    plan = report.plan

    assert (plan.year, plan.last_year, plan.state) == (2020, 2022, "draft")
    assert plan.title == "Piano 2020"
    cards = list(plan.objectives.order_by("position"))
    # Eight annual cards, the two multi-year single cards, one card of the series.
    assert [(o.code, o.year, o.first_year, o.last_year) for o in cards] == [
        ("", 2020, 2020, 2020),
        ("2", 2020, 2020, 2020),
        ("3", 2020, 2020, 2020),
        ("4", 2020, 2020, 2020),
        ("5", 2020, 2020, 2020),
        ("", 2020, 2020, 2020),
        ("7", 2020, 2019, 2021),
        ("8", 2020, 2019, 2021),
        ("10", 2020, 2019, 2021),
    ]
    assert [o.position for o in cards] == list(range(1, 10))
    assert all(o.import_notes == [] and o.series_id is None for o in cards)

    sintel = card(plan, title="Piattaforma e-procurement SINTEL")
    original = card(source, title="Piattaforma e-procurement SINTEL")
    assert sintel.unit == original.unit and sintel.responsible == original.responsible
    assert sintel.expected_result == original.expected_result
    assert list(sintel.involved_units.all()) == list(original.involved_units.all())
    assert [
        (i.position, i.weight, i.name, i.grading_scale_id, i.measure)
        for i in sintel.indicators.all()
    ] == [
        (i.position, i.weight, i.name, i.grading_scale_id, i.measure)
        for i in original.indicators.all()
    ]
    assert [
        (t.indicator.position, t.kind, t.year, t.value, t.due_date)
        for t in Target.objects.filter(indicator__objective=sintel).order_by("indicator__position")
    ] == [
        (1, "final", 2020, 0, date(2020, 12, 31)),
        (2, "final", 2020, 0, date(2020, 9, 30)),
    ]
    assert [(a.position, a.end_date, a.timing_text) for a in sintel.activities.all()] == [
        (1, date(2020, 12, 31), ""),
        (2, date(2020, 12, 31), ""),
        (3, date(2020, 12, 31), ""),
        (4, date(2021, 12, 31), ""),
    ]

    protection = card(plan, title=PROTECTION)
    assert (protection.code, protection.year) == ("10", 2020)
    final = Target.objects.get(indicator__objective=protection, kind="final")
    assert (final.year, final.due_date) == (2020, date(2020, 12, 31))
    assert [a.end_date for a in protection.activities.all()] == [date(2020, 12, 31)]

    # Card 7 had only a 2019 target: it comes in as the 2020 target, and the report says so.
    measures = card(plan, code="7")
    target = Target.objects.get(indicator__objective=measures)
    assert (target.year, target.value_text, target.due_date) == (2020, "100%", date(2020, 12, 31))
    assert [a.end_date for a in measures.activities.all()] == [date(2020, 12, 31)]


def test_the_copy_report_lists_what_it_copied_skipped_and_what_to_check(seed):
    source, admin = seed
    report = copy_plan(source, actor=admin, year=2020, last_year=2022, title="")

    assert report.plan.title == "Piano 2020"
    assert [(line.code, line.years) for line in report.copied] == [
        ("", "2020"),
        ("2", "2020"),
        ("3", "2020"),
        ("4", "2020"),
        ("5", "2020"),
        ("", "2020"),
    ]
    assert all(line.objective_id for line in report.copied + report.carried)
    assert [(line.code, line.years, line.message) for line in report.carried] == [
        ("7", "2019–2021", "indicatore 1: livello finale «100%» al 31 dicembre 2020."),
        ("8", "2019–2021", "indicatore 1: livello finale «100» entro la fine di ogni anno."),
        ("10", "2019–2021", "indicatore 1: livello finale al 31 dicembre 2020."),
    ]
    assert [(line.code, line.title, line.message) for line in report.skipped] == [
        (
            "1",
            PROTECTION,
            "Scheda del 2019 dell'obiettivo pluriennale: nel nuovo piano entra la scheda del 2020.",
        ),
        (
            "10",
            PROTECTION,
            "Scheda del 2021 dell'obiettivo pluriennale: nel nuovo piano entra la scheda del 2020.",
        ),
    ]
    assert all(line.objective_id is None for line in report.skipped)
    attention = [(line.code, line.message) for line in report.attention]
    assert attention == [
        ("3", "Indicatore 2: il livello finale scade il 31 dicembre 2021, fuori dal 2020."),
        ("", "Indicatore 1: il livello finale non ha una data («entro la fine di ogni anno»)."),
        ("7", "Indicatore 1: livello finale del 2020 copiato da quello del 2019."),
        ("7", "Attività 1: tempi spostati di 1 anno (terminava nel 2019)."),
        ("8", "Indicatore 1: livello finale del 2020 copiato da quello del 2019."),
        ("8", "Indicatore 1: il livello finale non ha una data («entro la fine di ogni anno»)."),
        ("8", "Attività 1: tempi spostati di 1 anno (terminava nel 2019)."),
        (
            "10",
            "La prima scheda dell'obiettivo pluriennale resta nel Piano 2019: il collegamento "
            "tra le annualità non è riportato nel nuovo piano.",
        ),
    ]
    # The report travels in the session as plain data.
    stored = report.as_session()
    assert stored["plan_id"] == report.plan.pk
    assert stored["skipped"][0] == {
        "code": "1",
        "title": PROTECTION,
        "years": "2019–2021",
        "objective_id": None,
        "message": report.skipped[0].message,
    }


def test_a_multi_year_objective_that_ended_stays_behind(seed):
    source, admin = seed
    report = copy_plan(source, actor=admin, year=2022, last_year=2024, title="Piano 2022")

    assert [o.code for o in report.plan.objectives.all()] == ["", "2", "3", "4", "5", ""]
    assert [(line.code, line.message) for line in report.skipped] == [
        ("7", "Obiettivo pluriennale concluso nel 2021."),
        ("8", "Obiettivo pluriennale concluso nel 2021."),
        ("1", "Obiettivo pluriennale concluso nel 2021."),
        ("10", "Obiettivo pluriennale concluso nel 2021."),
        ("10", "Obiettivo pluriennale concluso nel 2021."),
    ]
    assert report.carried == []
    # Three years later: the dates move by three years.
    sintel = card(report.plan, code="2")
    assert [t.due_date for t in Target.objects.filter(indicator__objective=sintel)] == [
        date(2022, 12, 31),
        date(2022, 9, 30),
    ]


def test_copying_to_2021_brings_the_2021_card_of_the_series(seed):
    source, admin = seed
    report = copy_plan(source, actor=admin, year=2021, last_year=2023, title="Piano 2021")

    protection = card(report.plan, title=PROTECTION)
    assert (protection.code, protection.year, protection.first_year) == ("10", 2021, 2019)
    target = Target.objects.get(indicator__objective=protection)
    assert (target.year, target.due_date) == (2021, date(2021, 12, 31))
    assert [line.years for line in report.carried] == ["2019–2021"] * 3


def test_the_copy_leaves_the_source_plan_as_it_was(seed):
    source, admin = seed
    before = snapshot(source)
    copy_plan(source, actor=admin, year=2020, last_year=2022, title="Piano 2020")
    assert snapshot(source) == before


def test_a_year_that_has_a_plan_is_refused(seed):
    source, admin = seed
    copy_plan(source, actor=admin, year=2020, last_year=2022, title="Piano 2020")
    with pytest.raises(DomainError) as refused:
        copy_plan(source, actor=admin, year=2020, last_year=2022, title="Di nuovo")
    assert (refused.value.field, refused.value.message) == (
        "year",
        "Esiste già un piano per il 2020.",
    )
    with pytest.raises(DomainError):
        create_plan(source.authority, actor=admin, year=2019, last_year=2021)
    assert Plan.objects.filter(year=2020).count() == 1
    assert Objective.objects.filter(plan__year=2020).count() == 9


def test_a_triennium_that_ends_before_it_starts_is_refused(seed):
    source, admin = seed
    with pytest.raises(DomainError) as refused:
        copy_plan(source, actor=admin, year=2020, last_year=2019, title="")
    assert refused.value.field == "last_year"
    assert not Plan.objects.filter(year=2020).exists()


def test_a_crash_in_the_middle_of_the_copy_leaves_no_new_plan(seed, monkeypatch):
    source, admin = seed
    before = snapshot(source)
    copy_annual = plan_actions._Copier._copy_annual
    calls = []

    def fail_on_the_fourth_card(self, card, position):
        calls.append(card.pk)
        if len(calls) == 4:
            raise RuntimeError("disco pieno")
        return copy_annual(self, card, position)

    monkeypatch.setattr(plan_actions._Copier, "_copy_annual", fail_on_the_fourth_card)
    with pytest.raises(RuntimeError):
        copy_plan(source, actor=admin, year=2020, last_year=2022, title="Piano 2020")
    assert not Plan.objects.filter(year=2020).exists()
    assert Objective.objects.exclude(plan=source).count() == 0
    assert Indicator.objects.exclude(objective__plan=source).count() == 0
    assert snapshot(source) == before


@pytest.mark.parametrize("username", ["serrao", "nucleo"])
def test_only_admins_open_plans(seed, username):
    source, _admin = seed
    someone = User.objects.get(username=username)
    with pytest.raises(PermissionDenied):
        copy_plan(source, actor=someone, year=2020, last_year=2022, title="")
    with pytest.raises(PermissionDenied):
        create_plan(source.authority, actor=someone, year=2020, last_year=2022)
    assert not Plan.objects.filter(year=2020).exists()


def test_an_empty_plan_is_a_draft_with_the_default_title(seed):
    source, admin = seed
    plan = create_plan(source.authority, actor=admin, year=2020, last_year=2022, title="  ")
    assert (plan.title, plan.state, plan.objectives.count()) == ("Piano 2020", "draft", 0)


def test_29_february_becomes_the_28th_and_undated_targets_keep_their_text(admin, authority):
    with scope(authority=authority):
        source = PlanFactory(authority=authority, year=2024, last_year=2026)
        objective = ObjectiveFactory(plan=source)
        dated = IndicatorFactory(objective=objective, position=1, weight=50)
        TargetFactory(indicator=dated, year=2024, due_date=date(2024, 2, 29), value_text="0")
        undated = IndicatorFactory(objective=objective, position=2, weight=50)
        TargetFactory(
            indicator=undated,
            year=2024,
            due_date=None,
            due_text="entro la fine di ogni anno",
            value_text="5 giorni",
        )
        ActivityFactory(
            objective=objective, start_date=date(2024, 2, 29), end_date=date(2024, 12, 31)
        )

        report = copy_plan(source, actor=admin, year=2025, last_year=2027, title="")

        copied = report.plan.objectives.get()
        targets = Target.objects.filter(indicator__objective=copied).order_by("indicator__position")
        assert [(t.year, t.due_date, t.due_text, t.value_text) for t in targets] == [
            (2025, date(2025, 2, 28), "", "0"),
            (2025, None, "entro la fine di ogni anno", "5 giorni"),
        ]
        activity = copied.activities.get()
        assert (activity.start_date, activity.end_date) == (date(2025, 2, 28), date(2025, 12, 31))


def test_the_card_of_the_new_year_comes_in_whichever_card_heads_the_series(admin, authority):
    with scope(authority=authority):
        source = PlanFactory(authority=authority, year=2030, last_year=2032)
        head = ObjectiveFactory(plan=source, year=2031, first_year=2030, last_year=2032)
        ObjectiveFactory(plan=source, year=2030, first_year=2030, last_year=2032, series=head)

        report = copy_plan(source, actor=admin, year=2031, last_year=2033, title="")

        assert [(o.year, o.series_id) for o in report.plan.objectives.all()] == [(2031, None)]
        assert [line.message for line in report.skipped] == [
            "Scheda del 2030 dell'obiettivo pluriennale: nel nuovo piano entra la scheda del 2031."
        ]
