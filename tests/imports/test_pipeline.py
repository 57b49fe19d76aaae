"""The dry run and the write, with drafts made by hand (any reader gives the same shape)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

from tests.factories import GradingScaleFactory, MeasurementFactory, PlanFactory
from traguardo.audit.models import AuditEntry
from traguardo.core.domain import DomainError
from traguardo.imports import pipeline
from traguardo.imports.draft import (
    ActivityDraft,
    ImportDraft,
    IndicatorDraft,
    Problem,
    SchedaDraft,
    TargetDraft,
    Where,
)
from traguardo.imports.pipeline import (
    CONFLICT,
    ERROR,
    NEW,
    REPLACE,
    UNCHANGED,
    apply,
    prepare,
)
from traguardo.organization.models import GradingScale
from traguardo.planning.models import (
    Activity,
    Indicator,
    Objective,
    ObjectiveVersion,
    Plan,
    Target,
)

pytestmark = pytest.mark.django_db

PLAN_MODELS = (Plan, Objective, Indicator, Target, Activity, ObjectiveVersion, GradingScale)


def snapshot():
    with scopes_disabled():
        return {m.__name__: list(m.objects.order_by("pk").values()) for m in PLAN_MODELS}


def scheda(ordinal, code, title="Gare telematiche", unit="Settore A", weight="100", **extra):
    return SchedaDraft(
        ordinal=ordinal,
        year=2019,
        first_year=2019,
        last_year=2019,
        code=code,
        title=title,
        unit_text=unit,
        responsible_text="alberti alice",
        expected_result="Tutte le gare sulla piattaforma.",
        indicators=[
            IndicatorDraft(
                position=1,
                name="Prima gara",
                weight=Decimal(weight),
                formula_text="Giorni di ritardo rispetto al 30/09/2019",
                grading_text="gg ritardo 5 = 90% - 10 = 80% - 15 = 60%",
                targets=[
                    TargetDraft(
                        kind="final",
                        year=2019,
                        value=Decimal(0),
                        value_text="0",
                        due_date=date(2019, 9, 30),
                        due_text="30/09/2019",
                    )
                ],
                where=Where(sheet="Indicatori", row=ordinal + 1),
            )
        ],
        activities=[
            ActivityDraft(position=1, title="Registrazione", weight=Decimal(100)),
        ],
        where=Where(sheet="Schede", row=ordinal + 1),
        **extra,
    )


def draft(*schede, name="piano.xlsx"):
    return ImportDraft(source_name=name, source_kind="xlsx", schede=list(schede))


@pytest.fixture
def plan(authority, unit_a, unit_b):
    with scopes_disabled():
        return PlanFactory(authority=authority, year=2019)


def run(plan, actor, the_draft, decisions=None):
    with scope(authority=plan.authority):
        result = prepare(the_draft, plan, actor)
        outcome = apply(result, decisions or {}, actor) if result.importable else None
    return result, outcome


def test_names_are_resolved_against_the_authority(plan, admin, unit_a):
    with scopes_disabled():
        scale = GradingScaleFactory(authority=plan.authority, name="Ritardo di Giunta")
    one = scheda(1, "10", unit="  SETTORE   a ")
    one.indicators[0].grading_scale_name = "ritardo di giunta"
    one.involved_text = "Settore B; Ufficio Inesistente"
    result, _ = run(plan, admin, draft(one))
    with scopes_disabled():
        objective = Objective.objects.get(plan=plan)
        assert (objective.unit, str(objective.responsible)) == (unit_a, "Alice Alberti")
        assert [u.name for u in objective.involved_units.all()] == ["Settore B"]
        indicator = objective.indicators.get()
        assert (indicator.measure, indicator.direction) == ("deadline", "lower")
        assert indicator.grading_scale == scale
        activity = objective.activities.get()
        assert (activity.title, activity.weight) == ("Registrazione", Decimal("100.00"))
    messages = [p.message for p in result.schede[0].problems]
    assert "Unità coinvolta «Ufficio Inesistente» non riconosciuta." in messages
    assert {"field": "involved_units", "message": messages[0]} in objective.import_notes


def test_a_text_scale_becomes_one_scale_of_the_authority(plan, admin):
    run(plan, admin, draft(scheda(1, "1"), scheda(2, "2", title="Altro")))
    with scopes_disabled():
        assert GradingScale.objects.get().definition["kind"] == "delay_steps"
        assert Indicator.objects.filter(grading_scale__isnull=False).count() == 2


def test_importing_the_same_file_twice_creates_nothing(plan, admin):
    file = draft(scheda(1, "1"), scheda(2, "", title="Senza codice"))
    run(plan, admin, file)
    before = snapshot()
    result, outcome = run(plan, admin, file)
    assert [s.outcome for s in result.schede] == [UNCHANGED, UNCHANGED]
    assert outcome is None and not result.importable
    assert snapshot() == before


def test_a_code_already_in_the_plan_is_a_conflict_and_the_plan_wins_by_default(plan, admin):
    run(plan, admin, draft(scheda(1, "1")))
    changed = draft(scheda(1, "1", weight="90"), scheda(2, "2", title="Nuova"))
    before = snapshot()
    with scope(authority=plan.authority):
        result = prepare(changed, plan, admin)
        assert [s.outcome for s in result.schede] == [CONFLICT, NEW]
        assert result.schede[0].can_replace
        outcome = apply(result, {}, admin)
    assert (len(outcome.created), outcome.kept, outcome.replaced) == (1, 1, [])
    with scopes_disabled():
        kept = Objective.objects.get(plan=plan, code="1")
        assert kept.indicators.get().weight == Decimal("100.00")
        assert kept.version == 1
    assert snapshot()["Objective"][0] == before["Objective"][0]


def test_replacing_keeps_the_scheda_its_place_and_the_previous_version(plan, admin):
    run(plan, admin, draft(scheda(1, "1")))
    with scopes_disabled():
        original = Objective.objects.get(plan=plan)
        indicator_pk = original.indicators.get().pk
    changed = scheda(1, "1", weight="90", title="Gare telematiche 2.0")
    _result, outcome = run(plan, admin, draft(changed), {1: REPLACE})
    assert [o.pk for o in outcome.replaced] == [original.pk]
    with scopes_disabled():
        replaced = Objective.objects.get(pk=original.pk)
        assert (replaced.title, replaced.position, replaced.version) == (
            "Gare telematiche 2.0",
            original.position,
            2,
        )
        indicator = replaced.indicators.get()
        assert (indicator.pk, indicator.weight) == (indicator_pk, Decimal("90.00"))
        versions = list(replaced.versions.order_by("version"))
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].state["Denominazione"] == "Gare telematiche"
        assert versions[1].state["Denominazione"] == "Gare telematiche 2.0"
        update = AuditEntry.objects.get(action="objective.update")
        assert update.before["Denominazione"] == "Gare telematiche"
        assert (
            AuditEntry.objects.filter(action="import.apply").order_by("id").last().after["replaced"]
            == 1
        )


def test_a_replacement_the_person_may_not_make_is_refused(plan, admin, manager_a, manager_b):
    run(plan, admin, draft(scheda(1, "1")))  # a scheda of unit A
    with scope(authority=plan.authority):
        result = prepare(draft(scheda(1, "1", weight="90")), plan, manager_b)
        assert result.schede[0].outcome == CONFLICT
        assert not result.schede[0].can_replace
        assert (
            result.schede[0].refusal
            == "Questa scheda del piano non è modificabile con il ruolo assegnato."
        )
        before = snapshot()
        with pytest.raises(DomainError) as error:
            apply(result, {1: REPLACE}, manager_b)
        assert error.value.message.startswith("La scheda 1 (1 – Gare telematiche) non può")
        assert snapshot() == before
        # Its own unit's manager may.
        result = prepare(draft(scheda(1, "1", weight="90")), plan, manager_a)
        assert result.schede[0].can_replace


def test_a_manager_imports_only_the_schede_of_the_units_they_head(plan, manager_a):
    result, outcome = run(
        plan,
        manager_a,
        draft(scheda(1, "1"), scheda(2, "2", unit="Settore B"), scheda(3, "3", unit="")),
    )
    assert [s.outcome for s in result.schede] == [NEW, ERROR, ERROR]
    assert result.schede[1].refusal.startswith("Si possono importare solo schede delle unità")
    assert [o.code for o in outcome.created] == ["1"]


def test_an_approved_plan_is_locked(plan, admin):
    run(plan, admin, draft(scheda(1, "1")))
    with scopes_disabled():
        Plan.objects.filter(pk=plan.pk).update(state="approved")
        plan.refresh_from_db()
    with scope(authority=plan.authority):
        result = prepare(draft(scheda(1, "1", weight="90"), scheda(2, "2")), plan, admin)
        assert result.schede[0].refusal == (
            "Il piano è approvato: le sue schede si cambiano con una variazione."
        )
        with pytest.raises(PermissionDenied):
            apply(result, {}, admin)


def test_blocking_problems_make_an_error_and_a_blocking_file_imports_nothing(plan, admin):
    broken = scheda(1, "1")
    broken.problems.append(
        Problem(Where(sheet="Indicatori", row=2, column="PESO"), "peso non numerico: «dieci»", True)
    )
    too_long = scheda(2, "2", title="x" * 301)
    years = scheda(3, "3")
    years.year = 2020  # outside its own years (2019–2019)
    unknown = scheda(4, "4")
    unknown.indicators[0].measure = "media"
    result, outcome = run(plan, admin, draft(broken, too_long, years, unknown, scheda(5, "5")))
    assert [s.outcome for s in result.schede] == [ERROR, ERROR, ERROR, ERROR, NEW]
    messages = [
        [f"{p.where}: {p.message}" for p in s.problems if p.blocking] for s in result.schede
    ]
    assert messages[0] == [
        "foglio «Indicatori», riga 2, colonna «PESO»: peso non numerico: «dieci»"
    ]
    assert messages[1][0].startswith(
        "foglio «Schede», riga 3: Il testo di «denominazione» è troppo lungo (301 caratteri"
    )
    assert (
        "L'anno della scheda (2020) non è tra il primo e l'ultimo anno (2019–2019)."
        in messages[2][0]
    )
    assert "Misura «media» dell'indicatore 1 non riconosciuta." in messages[3][0]
    assert [o.code for o in outcome.created] == ["5"]

    file_level = draft(scheda(1, "9"))
    file_level.problems.append(Problem(Where(sheet="Schede"), "foglio «Schede» mancante", True))
    before = snapshot()
    with scope(authority=plan.authority):
        result = prepare(file_level, plan, admin)
        assert result.blocking and result.schede == [] and not result.importable
        with pytest.raises(DomainError):
            apply(result, {}, admin)
    assert snapshot() == before


def test_a_crash_half_way_leaves_the_plan_as_it_was(plan, admin, monkeypatch):
    run(plan, admin, draft(scheda(1, "1")))
    before = snapshot()
    audit_before = AuditEntry.objects.count()
    written = []
    real = pipeline.write_objective

    def crashing(writer, scheda_plan, position):
        if len(written) == 3:
            raise RuntimeError("disco pieno")
        written.append(position)
        return real(writer, scheda_plan, position)

    monkeypatch.setattr(pipeline, "write_objective", crashing)
    file = draft(*(scheda(n, str(n), title=f"Scheda {n}") for n in range(2, 8)))
    with scope(authority=plan.authority):
        result = prepare(file, plan, admin)
        assert result.count(NEW) == 6
        with pytest.raises(RuntimeError):
            apply(result, {}, admin)
    assert written == [2, 3, 4]  # half of the six were written, then the crash
    assert snapshot() == before
    assert AuditEntry.objects.count() == audit_before


def test_rounding_to_the_stored_precision_is_said(plan, admin):
    result, _ = run(plan, admin, draft(scheda(1, "1", weight="33.335")))
    assert "Il valore di «peso» 33.335 è arrotondato a 33.34." in [
        p.message for p in result.schede[0].problems
    ]
    with scopes_disabled():
        assert Indicator.objects.get().weight == Decimal("33.34")
    again, _ = run(plan, admin, draft(scheda(1, "1", weight="33.335")))
    assert again.schede[0].outcome == UNCHANGED


# -- what a replacement would change (the dry run shows it under the conflict) ------------


def measure(user, indicator=None, activity=None):
    """One measurement (with its evidence) on a row of the plan."""
    from traguardo.monitoring.models import Evidence, MonitoringPeriod

    row = indicator or activity
    plan = row.objective.plan
    period, _created = MonitoringPeriod.objects.get_or_create(
        authority=plan.authority,
        plan=plan,
        name="Verifica intermedia",
        defaults={"kind": "intermediate", "reference_date": date(2019, 6, 30), "state": "open"},
    )
    measurement = MeasurementFactory(
        period=period,
        indicator=indicator,
        activity=activity,
        completed_on=date(2019, 10, 3),
        done=True,
        entered_by=user,
    )
    Evidence.objects.create(
        authority=plan.authority,
        measurement=measurement,
        file=f"evidence/{plan.authority.pk}/e{measurement.pk}.txt",
        stored_name=f"e{measurement.pk}.txt",
        original_name="verbale.txt",
        content_type="text/plain",
        size=7,
        sha256="0" * 64,
        uploaded_by=user,
    )
    return measurement


def texts(scheda_plan) -> list[str]:
    return [("! " if c.warning else "") + c.text for c in scheda_plan.changes]


def test_a_conflict_says_what_replacing_it_would_change(plan, admin):
    run(plan, admin, draft(scheda(1, "1")))
    changed = scheda(1, "1", title="Gare telematiche 2.0", unit="Settore B", weight="40")
    changed.indicators[0].targets[0].value = Decimal(5)
    changed.indicators[0].targets[0].value_text = "5"
    changed.indicators.append(
        IndicatorDraft(position=2, name="Seconda gara", weight=Decimal(60), formula_text="n.")
    )
    changed.activities = [ActivityDraft(position=2, title="Formazione", weight=Decimal(100))]
    with scope(authority=plan.authority):
        result = prepare(draft(changed, scheda(2, "2", title="Nuova")), plan, admin)
    conflict, new = result.schede
    assert (conflict.outcome, new.outcome, new.changes) == (CONFLICT, NEW, [])
    assert texts(conflict) == [
        "denominazione: «Gare telematiche» → «Gare telematiche 2.0»",
        "unità organizzativa responsabile: «Settore A» → «Settore B»",
        "indicatore 1: peso 100,00% → 40,00%; "
        "livello finale 2019 «0» alla data «30/09/2019» → «5» alla data «30/09/2019»",
        "indicatore aggiunto: 2",
        "attività aggiunta: 2",
        "attività rimossa: 1",
    ]


def test_a_replacement_may_not_remove_rows_that_have_measurements(plan, admin):
    run(plan, admin, draft(scheda(1, "1")))
    with scopes_disabled():
        objective = Objective.objects.get(plan=plan)
        measurement = measure(admin, indicator=objective.indicators.get())
    file_scheda = scheda(1, "1")
    file_scheda.indicators[0].position = 2  # indicator 1 is gone, its measurement with it
    with scope(authority=plan.authority):
        result = prepare(draft(file_scheda), plan, admin)
        (conflict,) = result.schede
        assert conflict.outcome == CONFLICT and not conflict.can_replace
        assert conflict.refusal == (
            "L'indicatore 1 ha rilevazioni: non si può rimuovere con un'importazione."
        )
        assert "indicatore rimosso: 1" in texts(conflict)
        before = snapshot()
        with pytest.raises(DomainError) as error:
            apply(result, {1: REPLACE}, admin)
    assert "L'indicatore 1 ha rilevazioni" in error.value.message
    assert snapshot() == before
    with scopes_disabled():
        measurement.refresh_from_db()
        assert measurement.evidence.count() == 1

    # The same for an activity with measurements.
    with scopes_disabled():
        measure(admin, activity=objective.activities.get())
    file_scheda = scheda(1, "1")
    file_scheda.activities[0].position = 2
    with scope(authority=plan.authority):
        (conflict,) = prepare(draft(file_scheda), plan, admin).schede
    assert not conflict.can_replace
    assert conflict.refusal == (
        "L'attività 1 ha rilevazioni: non si può rimuovere con un'importazione."
    )


def test_a_measured_row_that_changes_name_or_measure_is_a_warning(plan, admin):
    run(plan, admin, draft(scheda(1, "1")))
    with scopes_disabled():
        objective = Objective.objects.get(plan=plan)
        measurement = measure(admin, indicator=objective.indicators.get())
    renamed = scheda(1, "1")
    renamed.indicators[0].name = "Numero di gare"
    renamed.indicators[0].measure = "number"
    with scope(authority=plan.authority):
        result = prepare(draft(renamed), plan, admin)
    (conflict,) = result.schede
    assert conflict.can_replace  # a warning, not a refusal
    assert texts(conflict) == [
        "indicatore 1: denominazione «Prima gara» → «Numero di gare»; "
        "misura scadenza → numero; verso più basso è meglio → più alto è meglio",
        "! L'indicatore 1 ha rilevazioni e nel file cambia la denominazione e la misura: le "
        "rilevazioni restano all'indicatore 1 del file. Controllare che misurino ancora la "
        "stessa cosa.",
    ]
    # A row without measurements changes without a warning.
    with scopes_disabled():
        measurement.delete()
    with scope(authority=plan.authority):
        (conflict,) = prepare(draft(renamed), plan, admin).schede
    assert [c.warning for c in conflict.changes] == [False]
