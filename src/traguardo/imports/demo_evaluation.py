"""The demo year's individual evaluation: the 2019 scheme of «Comune di Esempio — anno
completo», its people, assignments and evaluations in every state.

Loaded by ``load_demo_year`` inside its transaction, after the plan is validated (and on a
later run if the year was loaded before this part existed); a second call changes nothing.
The settings, families, behaviours, assignments and schede go through the business actions of
``evaluation.domain`` as the controllo di gestione would; the people through
``organization.domain``. The evaluations themselves — ratings, individual goals, the
conversation's dates and states — are written as rows directly, **not** through the
conversation's actions (``evaluation.domain.conversation``, written in parallel): the demo
shows each state without walking each step, and those rows have no audit entry.

- family Dirigenti (unit objectives 60, behaviours 30, differentiation 10; on the Nucleo's
  proposal): Giancarlo Serrao, evaluated by the Nucleo (Marco Bianchi), the plan's eleven
  schede taken by the rule; his evaluation is at the interview;
- family Dipendenti (group objectives 40, individual objectives 20, behaviours 40): five
  employees of the Settore II evaluated by Serrao, each with the schede of their unit, an
  individual goal and their ratings — final, final after a review, delivered (Elena Ferri, the
  ``dipendente`` login: delivered today, so the review can be asked), interview, draft.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from traguardo.accounts.demo import link_demo_people
from traguardo.accounts.models import User
from traguardo.evaluation.domain import assignments as assigning
from traguardo.evaluation.domain import settings
from traguardo.evaluation.models import (
    Assignment,
    BehaviourRating,
    Evaluation,
    IndividualGoal,
    Scheme,
)
from traguardo.evaluation.scores import assignment_result
from traguardo.organization.domain import PersonData, create_person
from traguardo.organization.models import Authority, OrgUnit, Person
from traguardo.planning.models import Objective, Plan

YEAR = 2019

LEVELS = (
    (Decimal(1), "Inadeguato: il comportamento non si osserva, anche se richiesto"),
    (Decimal(2), "Parziale: si osserva solo in alcune situazioni o con sollecitazioni"),
    (Decimal(3), "Adeguato: si osserva con regolarità, come il ruolo richiede"),
    (Decimal(4), "Buono: si osserva sempre, anche in situazioni nuove"),
    (Decimal(5), "Eccellente: è un riferimento per i colleghi e migliora il servizio"),
)
BANDS = ((0, 0), (50, 60), (70, 80), (90, 100))

DIRIGENTI_BEHAVIOURS = (
    (
        "Programmazione e controllo",
        "Traduce gli indirizzi in obiettivi misurabili, ne segue l'andamento e corregge in tempo.",
    ),
    (
        "Guida e sviluppo dei collaboratori",
        "Assegna compiti chiari, dà riscontri, valorizza e fa crescere le persone del settore.",
    ),
    (
        "Innovazione e semplificazione",
        "Propone e realizza soluzioni che semplificano procedimenti e servizi.",
    ),
    (
        "Integrazione con gli organi e gli altri settori",
        "Collabora con la Giunta, il Segretario e gli altri dirigenti sugli obiettivi comuni.",
    ),
)
DIPENDENTI_BEHAVIOURS = (
    ("Collaborazione", "Lavora con i colleghi e condivide informazioni e carichi di lavoro."),
    ("Affidabilità e precisione", "Rispetta i tempi e cura la correttezza di atti e pratiche."),
    ("Orientamento all'utente", "Ascolta cittadini e imprese e risponde in modo chiaro."),
    ("Iniziativa", "Propone miglioramenti e affronta da sé i problemi del proprio lavoro."),
)


@dataclass(frozen=True)
class Employee:
    first_name: str
    last_name: str
    unit: str
    payroll_code: str
    state: str
    ratings: tuple[int, int, int, int]
    goal: tuple[str, str, int, int]  # title, indicator, target, reached
    part_time: int = 100
    absence_days: int = 0
    protected_days: int = 0


EMPLOYEES = (
    Employee(
        "Laura",
        "Verdi",
        "Ufficio Turismo",
        "00412",
        "final",
        (5, 4, 5, 4),
        ("Eventi nel calendario unico", "eventi pubblicati", 40, 44),
    ),
    Employee(
        "Paolo",
        "Neri",
        "Ufficio Contratti e Appalti",
        "00388",
        "final_after_review",
        (3, 4, 3, 3),
        ("Gare pubblicate nei tempi", "gare pubblicate", 12, 10),
        absence_days=25,
    ),
    Employee(
        "Elena",
        "Ferri",
        "Ufficio Cultura",
        "00431",
        "delivered",
        (4, 4, 3, 4),
        ("Prestiti della biblioteca", "prestiti", 8000, 7600),
        part_time=75,
    ),
    Employee(
        "Giulia",
        "Conti",
        "Servizi Demografici e Anagrafe",
        "00395",
        "interview",
        (4, 5, 4, 3),
        ("Carte d'identità elettroniche rilasciate", "CIE rilasciate", 3000, 3150),
        protected_days=150,
    ),
    Employee(
        "Sara",
        "Galli",
        "Ufficio Sport",
        "00447",
        "draft",
        (3, 3, 4, 0),  # the fourth behaviour not rated yet
        ("Impianti con orari pubblicati", "impianti", 6, 6),
    ),
)
NUCLEO = ("Marco", "Bianchi")
DIRECTOR = ("Giancarlo", "Serrao")


def load_demo_evaluation(authority: Authority, plan: Plan, *, actor: User) -> Scheme:
    """The 2019 scheme and its evaluations, once (inside the caller's transaction and scope)."""
    scheme = Scheme.objects.filter(year=YEAR).first()
    if scheme is not None:
        return scheme
    people = _people(authority, actor)
    scheme = _scheme(authority, actor)
    dirigenti, dipendenti = scheme.families.order_by("position")
    director = people[DIRECTOR]
    serrao = assigning.create_assignment(
        scheme,
        actor=actor,
        data=assigning.AssignmentData(
            person=director, family=dirigenti, evaluator=people[NUCLEO], payroll_code="00101"
        ),
    )
    assigning.fill_schede_from_plan(serrao, actor=actor)
    _evaluation(serrao, "interview", (4, 4, 3, 5))
    for employee in EMPLOYEES:
        assignment = assigning.create_assignment(
            scheme,
            actor=actor,
            data=assigning.AssignmentData(
                person=people[(employee.first_name, employee.last_name)],
                family=dipendenti,
                evaluator=director,
                payroll_code=employee.payroll_code,
                part_time=Decimal(employee.part_time),
                absence_days=employee.absence_days,
                protected_days=employee.protected_days,
            ),
        )
        for objective in _unit_schede(plan, employee.unit):
            assigning.add_scheda(assignment, actor=actor, objective=objective)
        title, indicator, target, reached = employee.goal
        IndividualGoal.objects.create(
            authority=authority,
            assignment=assignment,
            title=title,
            indicator=indicator,
            target=Decimal(target),
            actual=Decimal(reached),
        )
        _evaluation(assignment, employee.state, employee.ratings)
    link_demo_people(authority)
    return scheme


def _people(authority: Authority, actor: User) -> dict[tuple[str, str], Person]:
    found = {}
    for first, last in (NUCLEO, DIRECTOR, *((e.first_name, e.last_name) for e in EMPLOYEES)):
        person = Person.objects.filter(first_name=first, last_name=last).first()
        if person is None:
            person = create_person(
                authority, actor=actor, data=PersonData(first_name=first, last_name=last)
            )
        found[(first, last)] = person
    return found


def _scheme(authority: Authority, actor: User) -> Scheme:
    scheme = settings.create_scheme(authority, actor=actor, year=YEAR)
    data = settings.scheme_data(scheme)
    settings.update_scheme(
        scheme,
        actor=actor,
        data=settings.SchemeData(
            **{
                **data.__dict__,
                "differentiation_rule": "outside_top",
                "differentiation_target": Decimal(50),
                "pay_basis": "score_times_band",
                "franchise_days": 10,
                "increase": Decimal(30),
                "levels": LEVELS,
                "bands": tuple((Decimal(lower), Decimal(share)) for lower, share in BANDS),
            }
        ),
    )
    families = (
        (
            "Dirigenti",
            True,
            {"unit_objectives": 60, "behaviours": 30, "differentiation": 10},
            "30000",
            DIRIGENTI_BEHAVIOURS,
        ),
        (
            "Dipendenti",
            False,
            {"unit_objectives": 40, "individual_objectives": 20, "behaviours": 40},
            "24000",
            DIPENDENTI_BEHAVIOURS,
        ),
    )
    for position, (name, nucleo, weights, fund, behaviours) in enumerate(families):
        family = settings.create_family(
            scheme,
            actor=actor,
            data=settings.FamilyData(
                name=name,
                objectives_rule="by_punteggio",
                nucleo_reviews=nucleo,
                position=position,
                weights={kind: Decimal(weight) for kind, weight in weights.items()},
                fund=Decimal(fund),
            ),
        )
        for order, (behaviour, description) in enumerate(behaviours):
            settings.create_behaviour(
                family,
                actor=actor,
                data=settings.BehaviourData(
                    name=behaviour, description=description, position=order
                ),
            )
    return scheme


def _unit_schede(plan: Plan, unit_name: str) -> list[Objective]:
    """The group objectives of an employee: the schede of their unit, else of its sector."""
    unit = OrgUnit.objects.get(name=unit_name)
    schede = list(Objective.objects.filter(plan=plan, unit=unit).order_by("position"))
    if not schede and unit.parent_id is not None:
        schede = list(
            Objective.objects.filter(plan=plan, unit_id=unit.parent_id).order_by("position")[:3]
        )
    return schede


def _evaluation(assignment: Assignment, state: str, ratings) -> Evaluation:
    """The conversation's row in ``state``, with its dates; written directly (see above)."""
    today = timezone.localdate()
    interview, delivered = date(2020, 6, 8), date(2020, 6, 15)
    review_days = assignment.scheme.review_days
    fields: dict = {}
    if state != "draft":
        fields.update(interview_on=interview, interview_notes="Colloquio svolto in presenza.")
    if state in ("final", "final_after_review"):
        fields.update(delivered_on=delivered, review_until=delivered + timedelta(review_days))
    if state == "final":
        fields.update(accepted_on=date(2020, 6, 18), final_on=date(2020, 6, 18))
    if state == "final_after_review":
        fields.update(
            review_requested_on=date(2020, 6, 22),
            review_reasons="Chiedo di considerare le gare rinviate per il ricorso al TAR.",
            review_answer=(
                "Valutazione confermata: i rinvii erano noti alla programmazione di settembre."
            ),
            answered_on=date(2020, 7, 1),
            final_on=date(2020, 7, 1),
        )
    if state == "delivered":  # delivered today: the person may still ask a review
        fields.update(
            interview_on=today, delivered_on=today, review_until=today + timedelta(review_days)
        )
    stored_state = "final" if state == "final_after_review" else state
    evaluation = Evaluation.objects.create(
        authority_id=assignment.authority_id,
        assignment=assignment,
        state=stored_state,
        evaluator_notes="Valutazione dimostrativa.",
        **fields,
    )
    behaviours = list(assignment.family.behaviours.all())
    BehaviourRating.objects.bulk_create(
        BehaviourRating(
            authority_id=assignment.authority_id,
            evaluation=evaluation,
            behaviour=behaviour,
            rating=Decimal(rating),
        )
        for behaviour, rating in zip(behaviours, ratings, strict=True)
        if rating
    )
    if stored_state == "final":  # the total it was made final with, as the steps record it
        evaluation.final_total = assignment_result(assignment).total
        evaluation.save(update_fields=["final_total"])
    return evaluation
