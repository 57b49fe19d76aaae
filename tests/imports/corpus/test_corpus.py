"""The corpus: every arrangement read right, or asked, and imported twice (the second time
writes nothing)."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from tests.factories import OrgUnitFactory, PersonFactory, PlanFactory
from tests.imports.corpus import build_docx, build_odt
from tests.imports.corpus.cases import CASES, Case
from traguardo.imports.pipeline import ERROR, SKIPPED, UNCHANGED, apply, prepare
from traguardo.imports.word import read_docx
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import PerformanceArea, PolicyLevel
from traguardo.planning.models import Activity, Indicator, Objective, ObjectiveVersion, Target

pytestmark = pytest.mark.django_db


def read(kind: str, data: bytes):
    if kind == "odt":
        from traguardo.imports.odt import read_odt

        return read_odt("schede.odt", data)
    return read_docx("schede.docx", data)


def build(case: Case, kind: str) -> bytes:
    if kind == "odt":
        return build_odt(*case.specs, title=case.title)
    return build_docx(*case.specs, title=case.title, page_header=case.page_header)


@pytest.fixture
def plan(authority, unit_a, unit_b):
    with scopes_disabled():
        ensure_policy(authority)
        for number in range(1, 11):
            PerformanceArea.objects.create(
                authority=authority, number=number, name=f"Ambito {number}"
            )
        PersonFactory(authority=authority, first_name="Laura", last_name="Rossi")
        PersonFactory(authority=authority, first_name="Marco", last_name="Verdi")
        PersonFactory(authority=authority, first_name="Mario", last_name="Verdi")
        OrgUnitFactory(authority=authority, name="Ufficio Servizi Sociali")
        OrgUnitFactory(authority=authority, name="Settore Servizi Sociali")
        return PlanFactory(authority=authority, year=2019)


def answers_for(case: Case) -> dict:
    """The case's answers, level codes turned into the authority's level ids."""
    with scopes_disabled():
        ids = {f"level:{level.code}": str(level.pk) for level in PolicyLevel.objects.all()}
        ids |= {f"unit:{unit.name}": str(unit.pk) for unit in _units()}
    return {
        ordinal: {key: ids.get(value, value) for key, value in said.items()}
        for ordinal, said in case.answers.items()
    }


def reading(scheda) -> dict:
    """What the review page shows of a scheda, as the corpus's expectations say it."""
    header = scheda.resolved.header
    labels = {level.pk: level.label for level in PolicyLevel.objects.all()}
    levels = tuple(labels.get(header[f"{d}_level_id"]) for d in ("strategic", "complexity", "kind"))
    person = next(
        (str(p) for p in _people() if p.pk == header["responsible_id"]),
        None,
    )
    return {
        "code": header["code"],
        "title": header["title"],
        "unit": {u.pk: u.name for u in _units()}.get(header["unit_id"]),
        "responsible": person,
        "areas": sorted(
            a.number for a in PerformanceArea.objects.filter(pk__in=scheda.resolved.area_ids)
        ),
        "levels": None if None in levels else levels,
        "measures": [
            (i.values["measure"], i.values["direction"]) for i in scheda.resolved.indicators
        ],
        "open": sorted(q.key for q in scheda.open_questions),
        "blocking": any(p.blocking for p in scheda.problems),
    }


def stored(objective: Objective) -> dict:
    """The same reading, of the scheda the import wrote."""
    levels = (objective.strategic_level, objective.complexity_level, objective.kind_level)
    return {
        "code": objective.code,
        "title": objective.title,
        "unit": objective.unit.name if objective.unit else None,
        "responsible": str(objective.responsible) if objective.responsible else None,
        "areas": sorted(a.number for a in objective.areas.all()),
        "levels": None if None in levels else tuple(level.label for level in levels),
        "measures": [(i.measure, i.direction) for i in objective.indicators.order_by("position")],
        "open": [],
        "blocking": False,
    }


def _people():
    from traguardo.organization.models import Person

    return Person.objects.all()


def _units():
    from traguardo.organization.models import OrgUnit

    return OrgUnit.objects.all()


def written():
    with scopes_disabled():
        return {
            m.__name__: list(m.objects.order_by("pk").values())
            for m in (Objective, Indicator, Target, Activity, ObjectiveVersion)
        }


CASE_FILES = [(case, kind) for case in CASES for kind in case.formats]


def test_the_corpus_has_at_least_twelve_files_and_arrangements():
    assert len(CASE_FILES) >= 12
    assert {kind for _case, kind in CASE_FILES} == {"docx", "odt"}


@pytest.mark.parametrize(
    ("case", "kind"), CASE_FILES, ids=[f"{kind}: {case.name}" for case, kind in CASE_FILES]
)
def test_each_arrangement_is_read_right_or_asked_and_imported_twice(plan, admin, case, kind):
    data = build(case, kind)
    answers = answers_for(case)
    with scope(authority=plan.authority):
        draft = read(kind, data)
        assert [p.message for p in draft.problems if p.blocking] == []
        result = prepare(draft, plan, admin, answers=answers)
        file_messages = [p.message for p in result.problems]
        for warning in case.file_warnings:
            assert any(m.startswith(warning) for m in file_messages), file_messages
        if not case.file_warnings:
            assert file_messages == []
        assert [reading(s) for s in result.schede] == case.expected
        if result.open_questions or not result.importable:
            assert result.open_questions or all(s.outcome == ERROR for s in result.schede)
            return
        apply(result, {}, admin)
        written_now = [
            Objective.objects.get(plan=plan, code=s.resolved.header["code"])
            for s in result.schede
            if s.outcome not in (ERROR, SKIPPED)
        ]
        expected = [
            e
            for e, s in zip(case.expected, result.schede, strict=True)
            if s.outcome not in (ERROR, SKIPPED)
        ]
        assert [stored(o) for o in written_now] == expected
        before = written()
        again = prepare(read(kind, data), plan, admin, answers=answers)
        assert {s.outcome for s in again.schede} <= {UNCHANGED, ERROR, SKIPPED}
        assert not again.importable
        apply(again, {}, admin)
        assert written() == before
