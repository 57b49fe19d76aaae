"""One writer of a scheda's rows: the editor's save and the import's apply, given the same data,
store the same rows (new schede and replaced ones); a row missing a field is refused."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from tests.factories import PlanFactory
from traguardo.imports.draft import (
    ActivityDraft,
    ImportDraft,
    IndicatorDraft,
    SchedaDraft,
    TargetDraft,
)
from traguardo.imports.pipeline import CONFLICT, REPLACE, apply, prepare
from traguardo.planning.domain.objectives import (
    ActivityData,
    IndicatorData,
    ObjectiveData,
    TargetData,
    create_objective,
    update_objective,
)
from traguardo.planning.domain.rows import RowWrite, SchedaRows, write_rows
from traguardo.planning.models import Activity, Indicator, Objective, Target

pytestmark = pytest.mark.django_db

SCALE = "gg ritardo 5 = 90% - 10 = 80% - 15 = 60%"


@pytest.fixture
def plan(authority, unit_a, unit_b):
    with scopes_disabled():
        return PlanFactory(authority=authority, year=2019)


def _fields(row, model, skip: set[str]) -> dict:
    return {
        f.attname: getattr(row, f.attname)
        for f in model._meta.concrete_fields
        if f.attname not in {"id", "objective_id", "indicator_id", "grading_scale_id"} | skip
    }


def stored_rows(objective: Objective) -> dict:
    """Every stored row of a scheda, every field but the ids (scales by name)."""
    with scopes_disabled():
        return {
            "involved": sorted(u.name for u in objective.involved_units.all()),
            "areas": sorted(a.number for a in objective.areas.all()),
            "indicators": [
                {
                    **_fields(i, Indicator, set()),
                    "scale": i.grading_scale.name if i.grading_scale else None,
                    "targets": [
                        _fields(t, Target, set()) for t in i.targets.order_by("year", "kind")
                    ],
                }
                for i in objective.indicators.order_by("position")
            ],
            "activities": [
                {
                    **_fields(a, Activity, set()),
                    "scale": a.grading_scale.name if a.grading_scale else None,
                }
                for a in objective.activities.order_by("position")
            ],
        }


# The same scheda twice: as an import reads it, as the editor submits it.
INDICATORS = [
    {
        "name": "Prima gara",
        "weight": Decimal(60),
        "formula_text": "Giorni di ritardo rispetto al 30/09/2019",
        "measure": "deadline",
        "direction": "lower",
        "grading_text": SCALE,
        "intermediate": (None, "", date(2019, 6, 30)),
        "final": (None, "", date(2019, 9, 30)),
    },
    {
        "name": "Pratiche chiuse",
        "weight": Decimal(40),
        "formula_text": "Pratiche chiuse / pratiche ricevute",
        "measure": "ratio",
        "direction": "higher",
        "grading_text": "",
        "intermediate": None,
        "final": (Decimal(90), "90", date(2019, 12, 31)),
    },
]
ACTIVITIES = [
    {
        "title": "Registrazione",
        "weight": Decimal(70),
        "start_date": date(2019, 2, 1),
        "end_date": date(2019, 5, 31),
        "indicator_text": "Fornitori iscritti",
        "expected_text": "Tutti",
        "grading_text": SCALE,
    },
    {"title": "Formazione", "weight": Decimal(30), "start_date": None, "end_date": None},
]


def _target_draft(kind: str, given) -> list[TargetDraft]:
    if given is None:
        return []
    value, text, due = given
    return [TargetDraft(kind=kind, year=2019, value=value, value_text=text, due_date=due)]


def import_draft(code: str, indicators: list[dict], activities: list[dict]) -> SchedaDraft:
    return SchedaDraft(
        ordinal=1,
        year=2019,
        first_year=2019,
        last_year=2019,
        code=code,
        title="Gare telematiche",
        unit_text="Settore A",
        involved_names=["Settore B"],
        area_numbers=[1, 3],
        indicators=[
            IndicatorDraft(
                position=n,
                name=i["name"],
                weight=i["weight"],
                formula_text=i["formula_text"],
                measure=i["measure"],
                direction=i["direction"],
                grading_text=i["grading_text"],
                targets=_target_draft("intermediate", i["intermediate"])
                + _target_draft("final", i["final"]),
            )
            for n, i in enumerate(indicators, start=1)
        ],
        activities=[ActivityDraft(position=n, **a) for n, a in enumerate(activities, start=1)],
    )


def _target_data(given) -> TargetData | None:
    if given is None:
        return None
    value, text, due = given
    return TargetData(value=value, value_text=text, due_date=due)


def editor_data(
    code: str, indicators: list[dict], activities: list[dict], like: Objective, ids=()
) -> ObjectiveData:
    """The editor's data for the scheda the import wrote as ``like`` (header ids taken from
    it), rows given ``ids`` (the stored rows the editor page names), by position."""
    with scopes_disabled():
        involved = tuple(like.involved_units.values_list("pk", flat=True))
        areas = tuple(like.areas.values_list("pk", flat=True))
    ind_ids, act_ids = ids or ((), ())
    return ObjectiveData(
        code=code,
        title=like.title,
        year=2019,
        first_year=2019,
        last_year=2019,
        unit_id=like.unit_id,
        responsible_id=like.responsible_id,
        involved_unit_ids=involved,
        area_ids=areas,
        indicators=tuple(
            IndicatorData(
                id=ind_ids[n] if n < len(ind_ids) else None,
                weight=i["weight"],
                name=i["name"],
                formula_text=i["formula_text"],
                measure=i["measure"],
                direction=i["direction"],
                grading_text=i["grading_text"],
                intermediate=_target_data(i["intermediate"]),
                final=_target_data(i["final"]),
            )
            for n, i in enumerate(indicators)
        ),
        activities=tuple(
            ActivityData(id=act_ids[n] if n < len(act_ids) else None, **a)
            for n, a in enumerate(activities)
        ),
    )


def imported(plan, admin, scheda: SchedaDraft, decisions=None) -> Objective:
    with scope(authority=plan.authority):
        result = prepare(
            ImportDraft(source_name="piano.xlsx", source_kind="xlsx", schede=[scheda]), plan, admin
        )
        assert result.importable, [p.message for s in result.schede for p in s.problems]
        apply(result, decisions or {}, admin)
    with scopes_disabled():
        return Objective.objects.get(plan=plan, code=scheda.code)


def ids(objective: Objective) -> tuple[list[int], list[int]]:
    with scopes_disabled():
        return (
            list(objective.indicators.order_by("position").values_list("pk", flat=True)),
            list(objective.activities.order_by("position").values_list("pk", flat=True)),
        )


def test_a_scheda_imported_and_the_same_typed_in_the_editor_store_the_same_rows(plan, admin):
    by_import = imported(plan, admin, import_draft("1", INDICATORS, ACTIVITIES))
    with scope(authority=plan.authority):
        by_editor = create_objective(
            plan, actor=admin, data=editor_data("2", INDICATORS, ACTIVITIES, by_import)
        )
    rows = stored_rows(by_import)
    assert rows == stored_rows(by_editor)
    assert [len(rows["indicators"]), len(rows["activities"])] == [2, 2]
    assert rows["indicators"][0]["scale"] and rows["involved"] == ["Settore B"]


def test_a_scheda_replaced_by_an_import_and_the_same_change_saved_in_the_editor_agree(plan, admin):
    """Renamed first indicator, second removed, an activity added: both keep the first
    indicator's and activities' stored rows (and so their measurements)."""
    by_import = imported(plan, admin, import_draft("1", INDICATORS, ACTIVITIES))
    with scope(authority=plan.authority):
        twin = create_objective(
            plan, actor=admin, data=editor_data("2", INDICATORS, ACTIVITIES, by_import)
        )
    kept_import, kept_editor = ids(by_import), ids(twin)
    indicators = [{**INDICATORS[0], "name": "Prima gara telematica", "weight": Decimal(100)}]
    activities = [*ACTIVITIES, {"title": "Verifica", "weight": Decimal(20), "expected_text": "Sì"}]
    activities[0] = {**activities[0], "weight": Decimal(50)}
    with scope(authority=plan.authority):
        result = prepare(
            ImportDraft(
                source_name="piano.xlsx",
                source_kind="xlsx",
                schede=[import_draft("1", indicators, activities)],
            ),
            plan,
            admin,
        )
        assert [s.outcome for s in result.schede] == [CONFLICT]
        apply(result, {1: REPLACE}, admin)
        twin.refresh_from_db()
        update_objective(
            twin,
            actor=admin,
            version=twin.version,
            data=editor_data(
                "2", indicators, activities, by_import, ids=(kept_editor[0][:1], kept_editor[1])
            ),
        )
    by_import.refresh_from_db()
    rows = stored_rows(by_import)
    assert rows == stored_rows(twin)
    assert rows["indicators"][0]["name"] == "Prima gara telematica"
    assert [len(rows["indicators"]), len(rows["activities"])] == [1, 3]
    after_import, after_editor = ids(by_import), ids(twin)
    assert after_import[0] == kept_import[0][:1] and after_import[1][:2] == kept_import[1]
    assert after_editor[0] == kept_editor[0][:1] and after_editor[1][:2] == kept_editor[1]


def test_a_row_missing_a_field_is_refused_before_anything_is_written(plan, admin):
    scheda = imported(plan, admin, import_draft("1", INDICATORS, ACTIVITIES))
    before = stored_rows(scheda)
    partial = RowWrite(key=None, position=1, values={"title": "Senza peso"})
    with scopes_disabled(), pytest.raises(ValueError, match="missing"):
        write_rows(
            scheda,
            SchedaRows((), (), [], [partial]),
            target_years={2019},
            match="position",
        )
    assert stored_rows(scheda) == before
