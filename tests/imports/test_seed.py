"""The seed loader: every field of the cards kept, every anomaly flagged, atomic, idempotent."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from traguardo.imports.cardtext import CardTextError
from traguardo.imports.seed import SEED_FILE, load_seed
from traguardo.organization.models import Authority, GradingScale, OrgUnit, Person
from traguardo.planning.models import Activity, Indicator, Objective, Plan, Target
from traguardo.reports.scheda import plan_pages

pytestmark = pytest.mark.django_db

MODELS = (Authority, Person, OrgUnit, GradingScale, Plan, Objective, Indicator, Target, Activity)


@pytest.fixture
def plan():
    load_seed()
    with scopes_disabled():
        return Plan.objects.get(year=2019)


def card(plan, position):
    with scopes_disabled():
        return Objective.objects.get(plan=plan, position=position)


def snapshot():
    with scopes_disabled():
        return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def test_it_loads_the_eleven_cards_of_the_plan_2019_2021(plan):
    with scopes_disabled():
        assert plan.title == "Piano 2019"
        assert (plan.year, plan.last_year) == (2019, 2021)
        assert plan.objectives.count() == 11
        assert [o.code for o in plan.objectives.order_by("position")] == [
            "",
            "2",
            "3",
            "4",
            "5",
            "",
            "7",
            "8",
            "1",
            "10",
            "10",
        ]


def test_card_2_holds_every_field_of_the_seed(plan):
    with scopes_disabled():
        o = card(plan, 2)
        assert (o.code, o.title, o.year, o.first_year, o.last_year) == (
            "2",
            "Piattaforma e-procurement SINTEL",
            2019,
            2019,
            2019,
        )
        assert o.unit.name == "Settore II"
        assert o.unit_text == "Dirigente Settore II"
        assert str(o.responsible) == "Giancarlo Serrao"
        assert [u.name for u in o.involved_units.all()] == ["Ufficio Contratti e Appalti"]
        assert o.expected_result.startswith("A seguito dell'intervenuto obbligo")
        assert o.expected_result.endswith("fornita dalla Regione Lombardia.")
        indicators = list(o.indicators.order_by("position"))
        assert [(i.position, i.weight, i.measure) for i in indicators] == [
            (1, Decimal("50.00"), "deadline"),
            (2, Decimal("50.00"), "deadline"),
        ]
        assert indicators[1].name == "Prima procedura di gara SINTEL"
        assert indicators[1].formula_text == "Giorni di ritardo rispetto al 30/09/2019"
        assert indicators[1].grading_text == "gg ritardo 5= 90% / gg10=80% / gg15=60%"
        final = indicators[1].targets.get(kind=Target.Kind.FINAL)
        assert (final.value, final.value_text, final.due_date, final.year) == (
            Decimal(0),
            "0",
            date(2019, 9, 30),
            2019,
        )
        assert indicators[1].grading_scale.definition == {
            "kind": "delay_steps",
            "steps": [
                {"up_to_days": 5, "percent": "90"},
                {"up_to_days": 10, "percent": "80"},
                {"up_to_days": 15, "percent": "60"},
            ],
            "beyond": "0",
        }
        assert indicators[1].grading_scale.name == (
            "0 gg → 100%; 1–5 gg → 90%; 6–10 gg → 80%; 11–15 gg → 60%; oltre 15 gg → 0%"
        )
        activities = list(o.activities.order_by("position"))
        assert [(a.weight, a.end_date) for a in activities] == [
            (Decimal("25.00"), date(2019, 12, 31)),
            (Decimal("25.00"), date(2019, 12, 31)),
            (Decimal("25.00"), date(2019, 12, 31)),
            (Decimal("25.00"), date(2020, 12, 31)),
        ]
        assert activities[1].title == "Abilitazione e registrazione sulla Piattaforma Sintel"
        assert {(a.indicator_text, a.expected_text) for a in activities} == {
            ("termine rispettato", "0%")
        }
        assert activities[0].grading_scale == indicators[0].grading_scale


def test_card_5_holds_every_field_of_the_seed(plan):
    with scopes_disabled():
        o = card(plan, 5)
        assert (o.code, o.title, o.responsible_text) == (
            "5",
            "Elezioni Europee 2019",
            "GIANCARLO SERRAO",
        )
        assert str(o.responsible) == "Giancarlo Serrao"
        assert [u.name for u in o.involved_units.order_by("position")] == [
            "Servizio Elettorale",
            "Servizi Demografici e Anagrafe",
            "Stato Civile",
        ]
        rows = [
            (i.weight, i.name, i.targets.get().due_date, i.grading_text)
            for i in o.indicators.order_by("position")
        ]
        assert rows == [
            (
                Decimal("40.00"),
                "Individuazione ed assegnazione degli spazi per la propaganda elettorale",
                date(2019, 4, 30),
                "gg ritardo 5 = 90% - 10 = 80% - 15 = 60%",
            ),
            (
                Decimal("40.00"),
                "Revisione straordinaria delle liste elettorali",
                date(2019, 4, 30),
                "gg ritardo 5 = 90% - 10 = 80% - 15 = 60%",
            ),
            (
                Decimal("20.00"),
                "Trasmissione dati dello scrutinio alla Prefettura e al Ministero "
                "tramite Web Services",
                date(2019, 5, 31),
                "gg ritardo 5 = 90% - 10 = 80% - 15 = 60%",
            ),
        ]
        activities = list(o.activities.order_by("position"))
        assert [(a.weight, a.end_date, a.timing_text, a.expected_text) for a in activities] == [
            (Decimal("40.00"), None, "", "100%"),
            (Decimal("40.00"), None, "", "100%"),
            (Decimal("20.00"), None, "", "100%"),
        ]


def test_card_7_is_multi_year_with_a_proportional_ratio(plan):
    with scopes_disabled():
        o = card(plan, 7)
        assert (o.code, o.title, o.first_year, o.last_year, o.year) == (
            "7",
            "Attuazione delle misure anticorruzione",
            2019,
            2021,
            2019,
        )
        assert o.is_multi_year
        assert o.expected_result.startswith("Rispetto degli adempimenti di pubblicazione")
        indicator = o.indicators.get()
        assert (indicator.weight, indicator.measure, indicator.grading_text) == (
            Decimal("100.00"),
            "ratio",
            "Proporzionale",
        )
        assert indicator.formula_text == "N° misure attuate / N° misure da attuare in base al PTPC"
        final = indicator.targets.get()
        assert (final.value, final.value_text, final.due_date) == (
            Decimal(100),
            "100%",
            date(2019, 12, 31),
        )
        assert indicator.grading_scale.definition["kind"] == "proportional"
        activity = o.activities.get()
        assert (activity.weight, activity.title, activity.end_date) == (
            Decimal("100.00"),
            "Attuazione misure",
            date(2019, 12, 31),
        )


def test_the_three_data_protection_cards_form_one_multi_year_objective(plan):
    with scopes_disabled():
        cards = [card(plan, n) for n in (9, 10, 11)]
        assert [(c.code, c.year) for c in cards] == [("1", 2019), ("10", 2020), ("10", 2021)]
        assert [c.series_id for c in cards] == [None, cards[0].pk, cards[0].pk]
        assert [t.due_date for c in cards for i in c.indicators.all() for t in i.targets.all()] == [
            date(2019, 10, 30),
            date(2020, 12, 31),
            date(2021, 12, 31),
        ]


EXPECTED_ANOMALIES = {
    1: {"missing_code", "missing_unit", "missing_responsible", "missing_weight_score", "no_areas"},
    2: {"missing_weight_score", "no_areas"},
    3: {"missing_weight_score", "no_areas"},
    4: {"missing_weight_score", "no_areas", "missing_scale", "activity_missing_dates"},
    5: {"missing_weight_score", "no_areas", "activity_missing_dates"},
    6: {
        "missing_code",
        "missing_title",
        "missing_unit",
        "missing_responsible",
        "missing_weight_score",
        "no_areas",
        "missing_final_date",
        "activity_missing_dates",
    },
    7: {"missing_weight_score", "no_areas"},
    8: {"missing_weight_score", "no_areas", "missing_final_date"},
    9: {"missing_weight_score", "no_areas", "missing_final_target", "missing_scale"},
    10: {
        "duplicate_code",
        "missing_weight_score",
        "no_areas",
        "missing_final_target",
        "missing_scale",
    },
    11: {
        "duplicate_code",
        "missing_weight_score",
        "no_areas",
        "missing_final_target",
        "missing_scale",
    },
}


def test_the_anomalies_are_exactly_those_of_the_seed(plan):
    with scopes_disabled():
        page = plan_pages(plan)
    found = {row.objective.position: {a.code for a in row.anomalies} for row in page.rows}
    assert found == EXPECTED_ANOMALIES


def test_the_anomalies_say_where_in_italian(plan):
    with scopes_disabled():
        page = plan_pages(plan)
    messages = {row.objective.position: [a.message for a in row.anomalies] for row in page.rows}
    assert "Codice obiettivo mancante." in messages[1]
    assert "Responsabile non indicato." in messages[6]
    assert (
        "Il codice «10» è usato anche dalla scheda 10 «PROTEZIONE DEI DATI PERSONALI»."
        in messages[10]
    )
    assert (
        "Indicatore 1: la data del livello finale «entro la fine di ogni anno» non è una data."
        in messages[8]
    )
    assert "Attività 1: mancano i tempi (inizio/fine)." in messages[4]


def test_it_notes_what_it_read_into_the_cards(plan):
    with scopes_disabled():
        notes = {n: [x["message"] for x in card(plan, n).import_notes] for n in (6, 8, 9)}
    assert "etichetta «Risultato atte» letta come «Risultato atteso»" in notes[6]
    assert "«PPALTI» letto come «Ufficio Contratti e Appalti»." in notes[8]
    assert "Unità coinvolta «A» non riconosciuta." in notes[8]
    assert (
        "Il codice «1» coincide con il numero d'ordine della scheda 1, che non ha codice."
        in notes[9]
    )


def test_the_five_graduation_texts_become_two_scales_of_the_authority(plan):
    with scopes_disabled():
        kinds = sorted(s.definition["kind"] for s in GradingScale.objects.all())
        unread = Indicator.objects.exclude(grading_text="").filter(grading_scale=None)
        assert kinds == ["delay_steps", "proportional"]
        assert list(unread) == []


def test_loading_twice_changes_nothing(plan):
    before = snapshot()
    report = load_seed()
    assert report.created is False
    assert snapshot() == before


def test_a_truncated_file_writes_nothing(tmp_path):
    text = SEED_FILE.read_text(encoding="utf-8")
    truncated = tmp_path / "piano.txt"
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(CardTextError):
        load_seed(truncated)
    assert all(count == [] for count in snapshot().values())


def test_the_command_names_the_file_and_line_in_italian(tmp_path):
    broken = tmp_path / "schede.txt"
    broken.write_text("Nessuna scheda qui\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("load_seed", str(broken))
    assert str(error.value).startswith("schede.txt, riga 1: nessuna scheda trovata")
    assert str(error.value).endswith("Nessun dato è stato scritto.")
    assert all(rows == [] for rows in snapshot().values())
