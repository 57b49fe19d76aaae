"""The scheda di valutazione individuale as a PDF: real files, read back with pdftotext and
pypdf, for the worked example of docs/individual.md (a dirigente rated 4, 3, 5, 4)."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from pypdf import PdfReader

from tests.factories import (
    AssignmentFactory,
    FamilyFactory,
    IndicatorFactory,
    MeasurementFactory,
    MembershipFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    PersonFactory,
    PlanFactory,
    SchemeFactory,
    TargetFactory,
    UserFactory,
    final_staff,
)
from tests.reports.test_pdf import pdftotext_pages
from traguardo.accounts.models import Role
from traguardo.evaluation.models import (
    AssignedScheda,
    BehaviourRating,
    Evaluation,
    IndividualGoal,
    RatingLevel,
)
from traguardo.evaluation.scores import assignment_result
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.organization.domain import ensure_policy
from traguardo.reports.individual import evaluation_pdf

pytestmark = pytest.mark.django_db
BEHAVIOURS = ("Leadership", "Collaborazione", "Innovazione", "Orientamento al risultato")
ANCHORS = ("Inadeguato", "Parziale", "Adeguato", "Buono", "Eccellente")


def text_of(data: bytes) -> str:
    """The PDF's words, each run of blanks one space (pdftotext reads a table row by row)."""
    return " ".join(" ".join(pdftotext_pages(data)).split())


def dirigente(
    authority,
    *,
    state=Evaluation.State.FINAL,
    ratings=(4, 3, 5, 4),
    components=None,
    **fields,
):
    """A dirigente rated ``ratings`` on 1–5 (4, 3, 5, 4 → 80,00) who gave 8 final evaluations,
    6 below 90 (target 80 %: index 93,75). By default behaviours 75 %, differentiation 25 %:
    0,75 × 80 + 0,25 × 93,75 = 83,44, band 3 (from 70) → 80 %."""
    with scopes_disabled():
        scheme = SchemeFactory(
            authority=authority,
            differentiation_rule="outside_top",
            differentiation_target=80,
        )
        for rating, description in enumerate(ANCHORS, start=1):
            RatingLevel.objects.create(
                authority=authority, scheme=scheme, rating=rating, description=description
            )
        family = FamilyFactory(
            scheme=scheme,
            name="Dirigenti",
            nucleo_reviews=True,
            components=components or {"behaviours": 75, "differentiation": 25},
            behaviours=BEHAVIOURS,
        )
        person = PersonFactory(authority=authority, first_name="Mario", last_name="Rossi")
        sindaco = PersonFactory(authority=authority, first_name="Anna", last_name="Sindaco")
        assignment = AssignmentFactory(
            family=family,
            person=person,
            evaluator=sindaco,
            service_from=date(2025, 3, 1),
            part_time=Decimal(50),
            absence_days=12,
        )
        evaluation = Evaluation.objects.create(
            authority=authority, assignment=assignment, state=state, **fields
        )
        for behaviour, rating in zip(family.behaviours.all(), ratings, strict=True):
            BehaviourRating.objects.create(
                authority=authority,
                evaluation=evaluation,
                behaviour=behaviour,
                rating=rating,
                note=f"Nota su {behaviour.name.lower()}",
            )
        final_staff(scheme, person, (95, 92, 88, 85, 80, 78, 72, 65))
    return evaluation


# Punteggio (strategicità + complessità) × tipologia, result forced by the Nucleo.
SCHEDE = (
    ("S1", "Gara unica dei servizi", ("media", "alta", "sviluppo"), 100),  # 90
    ("S2", "Sportello unico digitale", ("media", "media", "miglioramento"), 80),  # 60
    ("S3", "Archivio in ordine", ("bassa", "bassa", "mantenimento"), 50),  # 25
)


def with_schede(evaluation, *, closed=True):
    """The year's plan with the three schede of the worked example, assigned to the person:
    Punteggio 90 / 60 / 25, results 100 / 80 / 50 (15 050 / 175 = 86,00)."""
    with scopes_disabled():
        authority = evaluation.authority
        levels = {(lv.dimension, lv.code): lv for lv in ensure_policy(authority).levels.all()}
        plan = PlanFactory(authority=authority, year=2025, title="Piano 2025")
        period = MonitoringPeriodFactory(
            plan=plan,
            state=MonitoringPeriod.State.CLOSED if closed else MonitoringPeriod.State.OPEN,
        )
        for code, title, (strategic, complexity, kind), result in SCHEDE:
            objective = ObjectiveFactory(
                plan=plan,
                code=code,
                title=title,
                strategic_level=levels[("strategic", strategic)],
                complexity_level=levels[("complexity", complexity)],
                kind_level=levels[("kind", kind)],
            )
            indicator = IndicatorFactory(objective=objective)
            TargetFactory(indicator=indicator, year=2025, due_date=date(2025, 12, 31))
            MeasurementFactory(
                period=period,
                indicator=indicator,
                forced_achievement=Decimal(result),
                forced_reason="Deciso dal Nucleo.",
            )
            AssignedScheda.objects.create(
                authority=authority, assignment=evaluation.assignment, objective=objective
            )
    return evaluation


def pdf_of(evaluation) -> bytes:
    with scopes_disabled():
        return evaluation_pdf(assignment_result(evaluation.assignment))


def test_the_dirigente_rated_4_3_5_4_prints_80_00_the_index_93_75_and_83_44_in_band_3(authority):
    evaluation = dirigente(
        authority,
        interview_on=date(2026, 1, 20),
        interview_notes="Colloquio sereno.",
        delivered_on=date(2026, 1, 22),
        accepted_on=date(2026, 1, 30),
        final_on=date(2026, 1, 30),
    )

    text = text_of(pdf_of(evaluation))

    assert "Comune di Prova" in text
    assert "Scheda di valutazione individuale — Mario Rossi" in text
    assert "Valutatore Anna Sindaco" in text
    assert "Famiglia di valutazione Dirigenti" in text
    assert (
        "dal 1° marzo 2025 al 31 dicembre 2025; part time 50,00%; giorni di assenza che "
        "riducono il premio: 12" in text
    )
    # The components with their weights and scores.
    assert "Comportamenti organizzativi 75,00% 75,00% 80,00" in text
    assert "Capacità di differenziare le valutazioni 25,00% 25,00% 93,75" in text
    # Each behaviour: its rating, the scale's anchor, the percent, the evaluator's note.
    assert "Leadership 4 Buono 80,00% Nota su leadership" in text
    assert "Collaborazione 3 Adeguato 60,00% Nota su collaborazione" in text
    assert "Innovazione 5 Eccellente 100,00% Nota su innovazione" in text
    # The differentiation's counts and the totals it was computed from.
    assert "Valutazioni definitive date: 8; ancora aperte: 0 (ne servono almeno 5)." in text
    assert "95,00; 92,00; 88,00; 85,00; 80,00; 78,00; 72,00; 65,00" in text
    assert "Indice di differenziazione: 93,75" in text
    assert "Punteggio totale: 83,44 — Fascia: 3 (da 70,00), 80,00% del premio" in text
    # The conversation.
    assert "Colloquio 20 gennaio 2026" in text and "Colloquio sereno." in text
    assert "Accettata il 30 gennaio 2026" in text and "Definitiva dal 30 gennaio 2026" in text
    assert "BOZZA" not in text and "Non definitiva" not in text
    assert "Errore:" not in text and "Avviso:" not in text


def test_the_worked_example_with_the_units_schede_totals_84_98_in_band_3(authority):
    """Objectives 60 % (86,00), behaviours 30 % (80,00), differentiation 10 % (93,75):
    0,6 · 86 + 0,3 · 80 + 0,1 · 93,75 = 84,975 → 84,98, band 70–89 → 80 %."""
    evaluation = with_schede(
        dirigente(
            authority,
            components={"unit_objectives": 60, "behaviours": 30, "differentiation": 10},
        )
    )

    text = text_of(pdf_of(evaluation))

    assert "Obiettivi della struttura 60,00% 60,00% 86,00" in text
    assert "Schede del piano: Piano 2025 · Risultati al 31 dicembre 2025, definitivi" in text
    assert "S1 Gara unica dei servizi 90,00 100,00% misurato" in text
    assert "S2 Sportello unico digitale 60,00 80,00% misurato" in text
    assert "S3 Archivio in ordine 25,00 50,00% misurato" in text
    assert "Punteggio totale: 84,98 — Fascia: 3 (da 70,00), 80,00% del premio" in text
    assert "BOZZA" not in text


def test_provisional_results_of_the_schede_are_said_so(authority):
    evaluation = with_schede(
        dirigente(authority, components={"unit_objectives": 60, "behaviours": 40}), closed=False
    )

    text = text_of(pdf_of(evaluation))

    # The period is open: its results as of its date (in the past by now) are provisional.
    assert "Schede del piano: Piano 2025 · Risultati al 31 dicembre 2025, provvisori" in text


def test_a_draft_is_marked_bozza_on_every_page(authority):
    evaluation = dirigente(authority, state=Evaluation.State.DRAFT)

    data = pdf_of(evaluation)

    pages = PdfReader(io.BytesIO(data)).pages
    for page in pages:
        assert "BOZZA — non definitiva" in page.extract_text()
    assert "Punteggio totale: 83,44" in text_of(data)  # computed, not yet final


def test_an_open_total_is_a_draft_with_the_missing_rating_named(authority):
    evaluation = dirigente(authority, ratings=(4, 3, 5, None))

    text = text_of(pdf_of(evaluation))

    assert "BOZZA — non definitiva" in text  # even though the state is final
    assert "Punteggio totale: aperto (vedi le segnalazioni)" in text
    assert "Comportamenti organizzativi 75,00% 75,00% aperto" in text
    assert "Errore: Il comportamento «Orientamento al risultato» non è ancora valutato." in text
    assert "Fascia" not in text


def test_a_component_not_applicable_says_the_weights_were_renormalised(authority):
    evaluation = dirigente(
        authority,
        state=Evaluation.State.DELIVERED,
        not_applicable={"differentiation": "nessun collaboratore"},
        revision=1,
        revision_reason="Errore di calcolo",
    )

    text = text_of(pdf_of(evaluation))

    assert "Capacità di differenziare le valutazioni 25,00% — non applicabile: nessun" in text
    assert "Comportamenti organizzativi 75,00% 100,00% 80,00" in text
    assert "Pesi rinormalizzati" in text
    assert "Punteggio totale: 80,00" in text
    assert (
        "Avviso: Capacità di differenziare le valutazioni: non applicabile, il suo peso va alle "
        "altre componenti (nessun collaboratore)." in text
    )
    assert "Non definitiva — consegnata" in text
    assert "Revisione n. 1 Errore di calcolo" in text


def test_an_eq_with_individual_goals_and_a_review_answered(authority):
    """Goals 50 % (12 of 10 → 100; 45 days against 30, lower is better → 66,67; no
    Punteggio: equal weights, 83,34), behaviours 50 % (80,00): 81,67, band 3."""
    with scopes_disabled():
        scheme = SchemeFactory(authority=authority)
        family = FamilyFactory(
            scheme=scheme,
            name="Elevate qualificazioni",
            components={"individual_objectives": 50, "behaviours": 50},
            behaviours=BEHAVIOURS,
        )
        assignment = AssignmentFactory(family=family, payroll_code="M0042")
        for position, (title, direction, target, actual) in enumerate(
            (
                ("Pratiche SUAP evase", "higher", 10, 12),
                ("Giorni di risposta", "lower", 30, 45),
            )
        ):
            IndividualGoal.objects.create(
                authority=authority,
                assignment=assignment,
                title=title,
                indicator=title.lower(),
                direction=direction,
                target=Decimal(target),
                actual=Decimal(actual),
                position=position,
            )
        evaluation = Evaluation.objects.create(
            authority=authority,
            assignment=assignment,
            state=Evaluation.State.FINAL,
            delivered_on=date(2026, 2, 2),
            review_until=date(2026, 2, 17),
            review_requested_on=date(2026, 2, 10),
            review_reasons="Il tempo medio comprende le pratiche sospese.",
            answered_on=date(2026, 2, 20),
            review_answer="Confermata: le sospensioni sono già escluse.",
            final_on=date(2026, 2, 20),
        )
        for behaviour in family.behaviours.all():
            BehaviourRating.objects.create(
                authority=authority, evaluation=evaluation, behaviour=behaviour, rating=4
            )

    text = text_of(pdf_of(evaluation))

    assert "Matricola M0042" in text
    assert "Pratiche SUAP evase pratiche suap evase 10 12 — 100,00% misurato" in text
    assert "Giorni di risposta giorni di risposta 30 45 — 66,67% misurato" in text
    assert "Obiettivi individuali 50,00% 50,00% 83,34" in text
    assert "Punteggio totale: 81,67 — Fascia: 3 (da 70,00), 80,00% del premio" in text
    assert "Revisione richiedibile fino al 17 febbraio 2026" in text
    assert "Revisione chiesta il 10 febbraio 2026" in text
    assert "Il tempo medio comprende le pratiche sospese." in text
    assert "Risposta il 20 febbraio 2026" in text
    assert "Confermata: le sospensioni sono già escluse." in text


def test_the_pdf_is_tagged_for_pdf_ua(authority):
    """PDF/A-2a, /Lang and the fonts are checked with the other documents' in
    test_archival.py; here what a screen reader needs: tags, a structure tree, PDF/UA-1."""
    data = pdf_of(dirigente(authority))

    reader = PdfReader(io.BytesIO(data))
    raw = reader.xmp_metadata.stream.get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part(>|=\")1", raw)
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == "Scheda di valutazione individuale — Mario Rossi (2025)"


def _login(authority, role, person=None):
    user = UserFactory()
    with scopes_disabled():
        MembershipFactory(user=user, authority=authority, role=role, person=person)
    client = Client()
    client.force_login(user)
    return client


def test_the_evaluated_person_downloads_it_once_delivered_named_by_year_and_name(authority):
    evaluation = dirigente(authority, state=Evaluation.State.DELIVERED)
    url = reverse("evaluation_pdf", args=[authority.slug, evaluation.assignment_id])
    with scopes_disabled():
        person = evaluation.assignment.person
    client = _login(authority, Role.EMPLOYEE, person)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="valutazione-2025-rossi-mario.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert "Punteggio totale: 83,44" in text_of(response.content)


def test_the_pdf_reads_the_scheme_in_queries_that_do_not_grow_with_the_staff(
    authority, django_assert_num_queries
):
    """The dirigente's PDF reads the evaluations they gave (the differentiation): 8 or 24,
    the same number of queries."""
    evaluation = dirigente(authority)
    url = reverse("evaluation_pdf", args=[authority.slug, evaluation.assignment_id])
    client = _login(authority, Role.ADMIN)
    client.get(url)  # the session and the membership cached as for any later request
    with CaptureQueriesContext(connection) as eight:
        assert client.get(url).status_code == 200
    with scopes_disabled():
        final_staff(
            evaluation.assignment.scheme, evaluation.assignment.person, range(66, 82), "Tecnici"
        )
    with django_assert_num_queries(len(eight)):
        response = client.get(url)
    assert "Valutazioni definitive date: 24;" in text_of(response.content)


def test_the_evaluated_person_may_not_print_a_draft_nor_a_colleague(authority):
    evaluation = dirigente(authority, state=Evaluation.State.DRAFT)
    url = reverse("evaluation_pdf", args=[authority.slug, evaluation.assignment_id])
    with scopes_disabled():
        person = evaluation.assignment.person
        colleague = PersonFactory(authority=authority, last_name="Verdi")

    assert _login(authority, Role.EMPLOYEE, person).get(url).status_code == 403
    assert _login(authority, Role.EMPLOYEE, colleague).get(url).status_code == 403


def test_a_person_of_another_authority_gets_404(authority, other_authority):
    evaluation = dirigente(authority)
    with scopes_disabled():
        theirs = dirigente(other_authority)
    # Their admin under our slug (not a member): 404; our admin asking for their id: 404.
    assert (
        _login(other_authority, Role.ADMIN)
        .get(reverse("evaluation_pdf", args=[authority.slug, evaluation.assignment_id]))
        .status_code
        == 404
    )
    assert (
        _login(authority, Role.ADMIN)
        .get(reverse("evaluation_pdf", args=[authority.slug, theirs.assignment_id]))
        .status_code
        == 404
    )


def test_the_schede_come_from_the_plan_of_the_evaluations_own_authority(other_authority, authority):
    """Read without a scope (a job, a command): another authority's plan of the same year
    (the other authority and its plan made first) is never taken for this one's."""
    with scopes_disabled():
        PlanFactory(authority=other_authority, year=2025, title="Piano 2025 dell'altro ente")
    evaluation = with_schede(
        dirigente(authority, components={"unit_objectives": 60, "behaviours": 40})
    )

    text = text_of(pdf_of(evaluation))

    assert "Schede del piano: Piano 2025 · Risultati al 31 dicembre 2025, definitivi" in text
    assert "S1 Gara unica dei servizi 90,00 100,00% misurato" in text


def test_a_scheda_of_another_years_plan_is_named_in_the_finding(authority):
    evaluation = dirigente(authority, components={"unit_objectives": 60, "behaviours": 40})
    with scopes_disabled():
        PlanFactory(authority=authority, year=2025)
        old = ObjectiveFactory(
            plan=PlanFactory(authority=authority, year=2024), code="V7", title="Vecchia scheda"
        )
        AssignedScheda.objects.create(
            authority=authority, assignment=evaluation.assignment, objective=old
        )

    text = text_of(pdf_of(evaluation))

    assert "V7 Vecchia scheda … — non misurato" in text
    assert "Errore: V7 Vecchia scheda non ha un risultato: la componente resta aperta." in text
