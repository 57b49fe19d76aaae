"""Real Word files' findings, one by one: each reproduced with a file built here, read right
or asked."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from docx import Document

from tests.factories import MeasurementFactory, MonitoringPeriodFactory, PersonFactory, PlanFactory
from tests.imports.corpus import Ambiti, Indicator, Spec, build_docx
from tests.imports.test_import_views import html, page_text
from traguardo.core.domain import DomainError
from traguardo.imports.pipeline import NEW, apply, prepare
from traguardo.imports.word import read_docx
from traguardo.jobs.models import Job
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import PerformanceArea, Person, PolicyLevel
from traguardo.planning.models import Objective
from traguardo.planning.queries import load_for_scoring
from traguardo.planning.scores import score_objectives

pytestmark = pytest.mark.django_db
SLUG = "comune-prova"


@pytest.fixture
def plan(authority, unit_a, unit_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with scopes_disabled():
        ensure_policy(authority)
        for number in range(1, 11):
            PerformanceArea.objects.create(
                authority=authority, number=number, name=f"Ambito {number}"
            )
        PersonFactory(authority=authority, first_name="Laura", last_name="Rossi")
        return PlanFactory(authority=authority, year=2019)


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def dry_run(plan, actor, data, name="schede.docx", answers=None):
    with scope(authority=plan.authority):
        return prepare(read_docx(name, data), plan, actor, answers=answers)


def upload(client, data, name="schede.docx"):
    client.post(reverse("plan_import", args=[SLUG, 2019]), {"file": SimpleUploadedFile(name, data)})
    with scopes_disabled():
        job = Job.objects.filter(kind="imports.dry_run").order_by("pk").last()
    return job, reverse("import_review", args=[SLUG, job.pk])


# -- 1. ambiti credited to the number of their own cell group --------------------------------


@pytest.mark.parametrize("ticked", [{1, 2, 6}, {5, 7}, {7}, {5, 10}])
def test_1_a_tick_after_the_text_goes_to_its_own_number(ticked):
    data = build_docx(Spec(ambiti=Ambiti(frozenset(ticked), order="NTB")))
    (scheda,) = read_docx("schede.docx", data).schede
    assert scheda.area_numbers == sorted(ticked)
    assert [p for p in scheda.problems if p.blocking] == []


def test_1_a_grid_that_cannot_be_read_is_a_blocking_problem_naming_the_row():
    # The box of ambito 1 is missing: the ☒ of ambito 6 could be ambito 1's.
    data = build_docx(Spec(ambiti=Ambiti(frozenset({6}), order="BNT", drop=(0, 0))))
    (scheda,) = read_docx("schede.docx", data).schede
    (problem,) = [p for p in scheda.problems if p.blocking]
    assert str(problem.where) == "scheda 1, tabella «Ambiti», riga 1"
    assert problem.message.startswith(
        "Ambiti, riga 1 («1 | Attuazione delle politiche attivate sulla soddisfazione finale "
        "dei bisogni | ☒ | 6 |"
    )
    assert "non si capisce a quale numero appartiene la spunta" in problem.message
    assert scheda.area_numbers == []


# -- 2. Punteggio in points ------------------------------------------------------------------


def test_2_points_are_read_as_the_smvp_levels_and_the_printed_card_shows_the_punteggio(plan, admin):
    data = build_docx(Spec(score=("50", "30", "1", "80")))
    result = dry_run(plan, admin, data)
    assert result.open_questions == 0
    with scope(authority=plan.authority):
        apply(result, {}, admin)
        objective = Objective.objects.get(plan=plan)
        assert (
            objective.strategic_level.code,
            objective.complexity_level.code,
            objective.kind_level.code,
        ) == ("media", "media", "sviluppo")
    client = logged(admin)
    page = client.get(reverse("objective_detail", args=[SLUG, objective.pk]))
    assert "80,00" in page_text(page)
    docx = client.get(reverse("objective_docx", args=[SLUG, objective.pk]))
    lines = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert (
        "(Strategicità: Media (50) + Complessità: Media (30)) × Tipologia: Sviluppo (×1) "
        "= Punteggio: 80,00" in lines
    )


def test_2_a_value_no_level_has_is_kept_and_asked(plan, admin):
    result = dry_run(plan, admin, build_docx(Spec(score=("55", "30", "1", "85"))))
    (scheda,) = result.schede
    (question,) = scheda.open_questions
    assert question.text == "Strategicità 55: nessun livello vale 55 punti — scegliere il livello."
    assert [label for _value, label in question.options] == [
        "Bassa (30)",
        "Media (50)",
        "Alta (60)",
    ]
    assert {"field": "strategic_level", "message": "Strategicità letta dal file: «55»."} in (
        scheda.resolved.import_notes
    )
    with scope(authority=plan.authority), pytest.raises(DomainError) as error:
        apply(result, {}, admin)
    assert error.value.message == (
        "Rispondere prima alle domande della revisione (1 senza risposta): nulla è stato importato."
    )
    with scopes_disabled():
        assert Objective.objects.count() == 0
        alta = PolicyLevel.objects.get(dimension="strategic", code="alta")
    answered = dry_run(
        plan,
        admin,
        build_docx(Spec(score=("55", "30", "1", "85"))),
        answers={1: {"strategic": str(alta.pk)}},
    )
    assert answered.open_questions == 0
    assert "Il file scrive Punteggio 85, ma i livelli letti danno 90." in [
        p.message for p in answered.schede[0].problems
    ]


# -- 3. a code repeated in one file ----------------------------------------------------------


def test_3_a_code_repeated_in_the_file_is_asked_per_scheda_and_confirm_waits(plan, admin):
    data = build_docx(Spec(code="7"), Spec(code="7", title="Albo fornitori"))
    client = logged(admin)
    _job, review_url = upload(client, data)
    page = client.get(review_url)
    text = page_text(page)
    assert text.count("Il codice «7» è usato da più schede del file") == 2
    assert "Domande senza risposta: 2" in text
    assert '<button type="submit" class="btn btn-primary" disabled' in html(page)
    # Confirming anyway writes nothing.
    client.post(review_url, {"azione": "conferma"})
    with scopes_disabled():
        assert Objective.objects.count() == 0
    # Answered: the first keeps 7, the second gets 7-bis; then confirm writes both.
    client.post(
        review_url,
        {
            "azione": "rispondi",
            "q-1-code": "tieni",
            "q-2-code": "rinomina",
            "q-2-code-new": "7-bis",
        },
    )
    page = client.get(review_url)
    assert "Domande senza risposta" not in page_text(page)
    assert 'name="azione" value="conferma" class="btn btn-primary"' in html(page)
    client.post(
        review_url,
        {
            "azione": "conferma",
            "q-1-code": "tieni",
            "q-2-code": "rinomina",
            "q-2-code-new": "7-bis",
        },
    )
    with scopes_disabled():
        assert sorted(Objective.objects.values_list("code", "title")) == [
            ("7", "Gare telematiche"),
            ("7-bis", "Albo fornitori"),
        ]


def test_3_two_schede_may_not_both_keep_the_code(plan, admin):
    data = build_docx(Spec(code="7"), Spec(code="7", title="Albo fornitori"))
    keep = {"code": "tieni"}
    result = dry_run(plan, admin, data, answers={1: keep, 2: keep})
    assert [[q.key for q in s.open_questions] for s in result.schede] == [["code"], ["code"]]
    skip = dry_run(plan, admin, data, answers={1: keep, 2: {"code": "salta"}})
    assert [s.outcome for s in skip.schede] == [NEW, "skipped"] and skip.open_questions == 0


# -- 4. measures ---------------------------------------------------------------------------


def test_4_measures_are_read_by_rule_shown_and_scored_right(plan, admin):
    spec = Spec(
        indicators=[
            Indicator(
                "Aggiudicazione",
                "Data di aggiudicazione",
                "30/09/2019",
                "30 settembre 2019",
                "gg ritardo 10= 90% / gg20=70% / gg30=50%",
                "50,00%",
            ),
            Indicator("Tempo medio", "somma giorni / n. pratiche", "45 gg", weight="50,00%"),
        ]
    )
    result = dry_run(plan, admin, build_docx(spec))
    (scheda,) = result.schede
    assert [(q.key, q.text, q.required) for q in scheda.questions] == [
        (
            "measure-1",
            "Indicatore 1, misura dedotta: scadenza: giorni di ritardo sulla data attesa "
            "(minore è meglio) — da «Data di aggiudicazione», livello atteso «30/09/2019».",
            False,
        ),
        (
            "measure-2",
            "Indicatore 2, misura dedotta: tempo medio in giorni (minore è meglio) — da «somma "
            "giorni / n. pratiche», livello atteso «45 gg».",
            False,
        ),
    ]
    with scope(authority=plan.authority):
        apply(result, {}, admin)
        objective = Objective.objects.get(plan=plan)
        first, second = objective.indicators.order_by("position")
        assert (first.measure, second.measure, second.direction) == ("deadline", "number", "lower")
        period = MonitoringPeriodFactory(
            plan=plan, reference_date=date(2019, 12, 31), state=MonitoringPeriod.State.CLOSED
        )
        MeasurementFactory(period=period, indicator=second, value=Decimal(50))
        scores = score_objectives(plan, load_for_scoring(plan.objectives.all()), period=period)
    results = {r.key: r for r in scores.result.objectives[objective.pk].indicators}
    assert (results[second.pk].value, results[second.pk].achievement) == (
        Decimal(50),
        Decimal("90.00"),
    )


def test_4_a_measure_can_be_changed_on_the_review_page(plan, admin):
    spec = Spec(indicators=[Indicator("Soddisfazione", "Questionario di gradimento", "buona")])
    client = logged(admin)
    _job, review_url = upload(client, build_docx(spec))
    text = page_text(client.get(review_url))
    assert (
        "Indicatore 1, misura incerta: potrebbe essere numero (maggiore è meglio) — da "
        "«Questionario di gradimento», livello atteso «buona». Scegliere la misura." in text
    )
    client.post(review_url, {"azione": "rispondi", "q-1-measure-1": "boolean|higher"})
    client.post(review_url, {"azione": "conferma", "q-1-measure-1": "boolean|higher"})
    with scopes_disabled():
        assert Objective.objects.get().indicators.get().measure == "boolean"


# -- 5. names with titles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "written", ["Ing. Laura Rossi", "ROSSI LAURA", "Dott.ssa Laura Rossi", "Rossì Làura"]
)
def test_5_titles_order_case_and_accents_do_not_stop_a_match(plan, admin, written):
    result = dry_run(plan, admin, build_docx(Spec(responsible=written)))
    header = result.schede[0].resolved.header
    with scopes_disabled():
        rossi = Person.objects.get(first_name="Laura", last_name="Rossi")
    assert header["responsible_id"] == rossi.pk
    assert result.schede[0].open_questions == []


# -- 6. another authority's file ---------------------------------------------------------------


def test_6_a_file_of_another_authority_warns_on_the_review_page(plan, admin):
    data = build_docx(Spec(), title="Comune di Altrove — Piano della performance 2019")
    client = logged(admin)
    _job, review_url = upload(client, data)
    assert (
        "Il file è intestato a «Comune di Altrove», non a «Comune di Prova»: controllare che "
        "sia un file di questo ente prima di confermare." in page_text(client.get(review_url))
    )
    ours = dry_run(plan, admin, build_docx(Spec(), title="COMUNE DI PROVA – PEG 2019"))
    assert ours.problems == []


# -- 7. one set of checks -----------------------------------------------------------------------


def test_7_the_review_page_says_what_the_plan_page_will_say_and_after_confirm_only_what_was_written(
    plan, admin
):
    spec = Spec(
        indicators=[
            Indicator("Prima gara", "Giorni di ritardo", "0", "30 settembre 2019", weight="90,00%")
        ],
        activities=[("Registrazione", "60,00%", ""), ("Prima gara", "30,00%", "31 dicembre 2019")],
    )
    client = logged(admin)
    _job, review_url = upload(client, build_docx(spec))
    review = page_text(client.get(review_url))
    messages = [
        "Punteggio non compilato: mancano strategicità, complessità o tipologia.",
        "Pesi degli indicatori: mancano 10,00%.",
        "Pesi del piano operativo: mancano 10,00%.",
        "Attività 1: mancano i tempi (inizio/fine).",
    ]
    for message in messages:
        assert message in review
    client.post(review_url, {"azione": "conferma"})
    plan_page = page_text(client.get(reverse("plan_detail", args=[SLUG, 2019])))
    with scopes_disabled():
        objective = Objective.objects.get()
    scheda_page = page_text(client.get(reverse("objective_detail", args=[SLUG, objective.pk])))
    for message in messages:
        assert message in plan_page or message in scheda_page
    after = page_text(client.get(review_url))
    assert "Importazione confermata." in after
    assert "Finché non confermi, nel piano non è stato scritto nulla." not in after
    assert "Conferma l'importazione" not in after


def test_2_a_level_with_its_points_counts_only_when_they_agree(plan, admin):
    from traguardo.imports.draft import ImportDraft, SchedaDraft

    def levels(strategic: str):
        draft = ImportDraft(
            source_name="piano.xlsx",
            source_kind="xlsx",
            schede=[
                SchedaDraft(
                    ordinal=1,
                    year=2019,
                    first_year=2019,
                    last_year=2019,
                    code="1",
                    title="Gare",
                    strategic_text=strategic,
                    complexity_text="Media (30)",
                    kind_text="Sviluppo (×1)",
                )
            ],
        )
        with scope(authority=plan.authority):
            (scheda,) = prepare(draft, plan, admin).schede
            header = scheda.resolved.header
            codes = {level.pk: level.code for level in PolicyLevel.objects.all()}
        found = tuple(
            codes.get(header[f"{d}_level_id"]) for d in ("strategic", "complexity", "kind")
        )
        return found, [q.key for q in scheda.open_questions]

    assert levels("Alta (60)") == (("alta", "media", "sviluppo"), [])
    assert levels("Alta (50)") == ((None, "media", "sviluppo"), ["strategic"])


def test_5_a_shortened_name_one_person_fits_is_read_and_said(plan, admin):
    result = dry_run(plan, admin, build_docx(Spec(responsible="Dott. L. Rossi")))
    (scheda,) = result.schede
    with scopes_disabled():
        rossi = Person.objects.get(first_name="Laura", last_name="Rossi")
    assert scheda.resolved.header["responsible_id"] == rossi.pk
    assert "Responsabile «Dott. L. Rossi» letto come «Laura Rossi»." in [
        p.message for p in scheda.problems
    ]
