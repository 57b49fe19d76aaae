"""The card text goes through the import pipeline: same reading as the seed, idempotent."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from tests.factories import PlanFactory
from traguardo.audit.models import AuditEntry
from traguardo.imports.cardtext_draft import read_card_text
from traguardo.imports.pipeline import NEW, UNCHANGED, apply, prepare
from traguardo.imports.seed import SEED_FILE
from traguardo.planning.models import Objective, ObjectiveVersion
from traguardo.reports.scheda import plan_pages

pytestmark = pytest.mark.django_db

SEED_TEXT = SEED_FILE.read_text(encoding="utf-8")


def test_the_draft_holds_what_the_cards_mean():
    draft = read_card_text("schede.txt", SEED_TEXT)
    assert (draft.source_kind, draft.problems, len(draft.schede)) == ("text", [], 11)
    two = draft.schede[1]
    assert (two.code, two.year, two.first_year, two.last_year) == ("2", 2019, 2019, 2019)
    assert two.unit_text == "Dirigente Settore II"
    final = two.indicators[1].targets[0]
    assert (final.kind, final.year, final.value, final.due_date) == (
        "final",
        2019,
        Decimal(0),
        date(2019, 9, 30),
    )
    assert two.indicators[1].measure == ""  # read by the pipeline, against the formula
    assert [a.end_date for a in two.activities][-1] == date(2020, 12, 31)
    # The 2020 card of the multi-year objective: its targets are for 2020.
    assert (draft.schede[9].year, draft.schede[9].first_year) == (2020, 2019)
    messages = [p.message for p in draft.schede[8].problems]
    assert (
        "Le schede annuali dello stesso obiettivo pluriennale hanno codici diversi: 1, 10, 10."
        in (messages)
    )


def test_a_text_without_cards_is_one_blocking_problem_with_its_line():
    draft = read_card_text("note.txt", "Nessuna scheda qui\n")
    assert draft.blocking
    assert [(str(p.where), p.message) for p in draft.problems] == [
        (
            "riga 1 del testo",
            "nessuna scheda trovata: manca l'intestazione «ANNO»/«ANNI»",
        )
    ]


@pytest.fixture
def demo(demo):
    return demo.authority, demo


def test_the_seed_text_imported_again_into_its_plan_is_all_unchanged(demo, admin_of_demo):
    authority, plan = demo
    with scope(authority=authority):
        before = Objective.objects.count()
        result = prepare(read_card_text("seed.txt", SEED_TEXT), plan, admin_of_demo)
        assert [s.outcome for s in result.schede] == [UNCHANGED] * 11
        assert not result.importable
        outcome = apply(result, {}, admin_of_demo)
        assert (len(outcome.created), outcome.unchanged) == (0, 11)
        assert Objective.objects.count() == before


def test_the_seed_text_into_an_empty_plan_equals_the_seed(demo, admin_of_demo):
    authority, seeded = demo
    with scopes_disabled():
        # The authority has its plan 2019 already: the twin goes under another year.
        empty = PlanFactory(authority=authority, year=2022, last_year=2022, title="Vuoto")
    with scope(authority=authority):
        result = prepare(read_card_text("seed.txt", SEED_TEXT), empty, admin_of_demo)
        assert [s.outcome for s in result.schede] == [NEW] * 11
        # Outside the triennium of the plan: a warning, not a refusal.
        assert any(
            "fuori dal triennio del piano (2022–2022)" in p.message
            for p in result.schede[0].problems
        )
        apply(result, {}, admin_of_demo)
        copied = plan_pages(empty)
        original = plan_pages(seeded)
    assert [r.objective.code for r in copied.rows] == [r.objective.code for r in original.rows]
    assert [r.result.achievement for r in copied.rows] == [
        r.result.achievement for r in original.rows
    ]
    with scopes_disabled():
        series = list(Objective.objects.filter(plan=empty, position__in=(9, 10, 11)))
        assert [o.series_id for o in series] == [None, series[0].pk, series[0].pk]
        # Each new scheda has its first version, as if made in the editor.
        assert ObjectiveVersion.objects.filter(objective__plan=empty).count() == 11
        entry = AuditEntry.objects.filter(action="import.apply").get()
        assert entry.after == {
            "file": "seed.txt",
            "kind": "text",
            "created": 11,
            "replaced": 0,
            "unchanged": 0,
            "kept": 0,
            "errors": 0,
            "skipped": 0,
        }
        assert AuditEntry.objects.filter(action="objective.create").count() == 11


@pytest.fixture
def admin_of_demo(demo):
    from tests.factories import MembershipFactory, UserFactory
    from traguardo.accounts.models import Role

    user = UserFactory(username="segretario")
    with scopes_disabled():
        MembershipFactory(user=user, authority=demo[0], role=Role.ADMIN)
    return user
