"""The plan's lifecycle (DESIGN.md §5) and the Nucleo's comments.

draft → submitted → approved (with its act) → monitoring → closed → validated (by the
Nucleo/OIV, with date and minutes). Each step is a conditional UPDATE on the state it starts
from, so two people pressing the same button at once move the plan once: the second finds
the state already changed and is refused. Each step also locks the plan first
(``planning.guards.lock_plan``), so what it checks (the schede, the periods) cannot change
under it. Closing the plan stores the SMVP rules it is scored with (``planning.rulebook``).
Changes to an approved plan go through a variazione (``variations.py``); a validated plan
is varied only by a variazione that explicitly reopens its validation (the plan is closed
again), and the Nucleo validates it again.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from traguardo.accounts.models import User
from traguardo.audit.log import log_action
from traguardo.core.domain import DomainError, InvalidData, require
from traguardo.core.formats import date_it
from traguardo.monitoring.domain import OPEN_STATES
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.checks import Anomaly, plan_anomalies
from traguardo.planning.guards import has_open_variation, lock_plan
from traguardo.planning.models import Comment, Objective, Plan
from traguardo.planning.queries import load_for_scoring
from traguardo.planning.rulebook import take_snapshot

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from traguardo.planning.kept import ObjectiveRef

    # A scheda as the model or as the plan page's kept row: both have code, title, position.
    SchedaRef = Objective | ObjectiveRef

State = Plan.State


@dataclass(frozen=True)
class Step:
    """A transition as the state panel shows it."""

    action: str  # the URL's word: proponi, approva, avvia-monitoraggio, chiudi, valida
    label: "StrOrPromise"
    source: str
    target: str
    permission: str
    # What the step does that cannot be undone, asked to be confirmed before it is taken.
    consequence: "StrOrPromise" = ""


STEPS = (
    Step(
        "proponi",
        gettext_lazy("Proponi il piano"),
        State.DRAFT,
        State.SUBMITTED,
        "planning.submit_plan",
    ),
    Step(
        "approva",
        gettext_lazy("Approva il piano"),
        State.SUBMITTED,
        State.APPROVED,
        "planning.approve_plan",
        gettext_lazy(
            "Con l'approvazione le schede diventano quelle dell'atto indicato e si modificano "
            "solo con una variazione. L'operazione non si può annullare."
        ),
    ),
    Step(
        "avvia-monitoraggio",
        gettext_lazy("Avvia il monitoraggio"),
        State.APPROVED,
        State.MONITORING,
        "planning.start_monitoring",
        gettext_lazy(
            "Con l'avvio del monitoraggio si registrano le rilevazioni del piano e il piano "
            "non torna più «Approvato». L'operazione non si può annullare."
        ),
    ),
    Step(
        "chiudi",
        gettext_lazy("Consuntiva il piano"),
        State.MONITORING,
        State.CLOSED,
        "planning.close_plan",
        gettext_lazy(
            "Con la consuntivazione i risultati del piano (periodi, rilevazioni, risultati "
            "forzati, regole dell'SMVP) si congelano e cambiano solo con una variazione. "
            "L'operazione non si può annullare."
        ),
    ),
    Step(
        "valida",
        gettext_lazy("Valida i risultati"),
        State.CLOSED,
        State.VALIDATED,
        "planning.validate_plan",
        gettext_lazy(
            "La validazione rende definitivi i risultati e si registra una sola volta: si "
            "riapre solo con una variazione. L'operazione non si può annullare."
        ),
    ),
)
STEP_BY_ACTION = {step.action: step for step in STEPS}
OPEN_VARIATION = gettext_lazy(
    "Una variazione del piano è aperta: i risultati si validano dopo la sua chiusura."
)


def submit_plan(plan: Plan, *, actor: User) -> Plan:
    """Propose a draft plan for approval.

    1. the actor is an admin or a manager of the authority;
    2. the plan has at least one scheda (read with the plan locked);
    3. draft → submitted, logged as ``plan.submit``.
    """
    require(actor, "planning.submit_plan", plan)
    with transaction.atomic():
        lock_plan(plan.pk)
        if not plan.objectives.exists():
            raise DomainError(_("Il piano non ha schede: non si può proporre."))
        _move(plan, actor=actor, action="plan.submit", source=State.DRAFT, target=State.SUBMITTED)
    return plan


def approve_plan(
    plan: Plan, *, actor: User, act_type: str, act_number: str, act_date: date | None
) -> Plan:
    """Approve a proposed plan with the act that adopts it.

    1. the actor is an admin;
    2. the act (type, number, date) is complete;
    3. no scheda fails a check, read with the plan locked (the refusal names every scheda
       and its errors);
    4. submitted → approved with the act, logged as ``plan.approve``.
    """
    require(actor, "planning.approve_plan", plan)
    act_type, act_number = act_type.strip(), act_number.strip()
    missing = [
        (name, message)
        for name, value, message in (
            ("act_type", act_type, _("Indicare il tipo di atto, ad esempio «Delibera di Giunta».")),
            ("act_number", act_number, _("Indicare il numero dell'atto.")),
            ("act_date", act_date, _("Indicare la data dell'atto.")),
        )
        if not value
    ]
    if missing:
        raise InvalidData(missing)
    with transaction.atomic():
        lock_plan(plan.pk)
        failing = failing_schede(checked_schede(plan))
        if failing:
            raise InvalidData([("schede", line) for line in failing])
        act = {"act_type": act_type, "act_number": act_number, "act_date": act_date}
        _move(
            plan,
            actor=actor,
            action="plan.approve",
            source=State.SUBMITTED,
            target=State.APPROVED,
            values=act,
        )
    return plan


def start_monitoring(plan: Plan, *, actor: User) -> Plan:
    """Start the monitoring of an approved plan: approved → monitoring (admins)."""
    require(actor, "planning.start_monitoring", plan)
    with transaction.atomic():
        lock_plan(plan.pk)
        _move(
            plan,
            actor=actor,
            action="plan.start_monitoring",
            source=State.APPROVED,
            target=State.MONITORING,
        )
    return plan


def close_plan(plan: Plan, *, actor: User) -> Plan:
    """Close the year (consuntivo): monitoring → closed (admins), once no period is open.

    In the same transaction the plan keeps a snapshot of the authority's SMVP (activity share,
    traffic lights, Punteggio levels, scales): its results stay as scored, whatever the
    settings become (``planning.rulebook``); logged with the state as ``plan.close``.
    """
    require(actor, "planning.close_plan", plan)
    with transaction.atomic():
        lock_plan(plan.pk)
        period = open_period_of(plan)
        if period is not None:
            raise DomainError(
                _(
                    "Il periodo «%(name)s» è ancora aperto: chiuderlo prima di consuntivare "
                    "il piano."
                )
                % {"name": period.name}
            )
        _move(
            plan,
            actor=actor,
            action="plan.close",
            source=State.MONITORING,
            target=State.CLOSED,
            values={"rules_snapshot": take_snapshot(plan.authority_id)},
        )
    return plan


def validate_plan(plan: Plan, *, actor: User, validated_on: date | None, minutes: str) -> Plan:
    """The Nucleo/OIV validates the final results, exactly once.

    1. the actor is an evaluator of the authority;
    2. the date (not in the future) and the minutes are given;
    3. no variazione of the plan is open (its results may still change);
    4. closed → validated with date, minutes and validator, logged as ``plan.validate``; a
       plan already validated (even a moment ago, by a concurrent request) is refused. A plan
       whose validation a variazione reopened is closed again, and is validated again once.
    """
    require(actor, "planning.validate_plan", plan)
    minutes = minutes.strip()
    errors = []
    if validated_on is None:
        errors.append(("validated_on", _("Indicare la data della validazione.")))
    elif validated_on > timezone.localdate():
        errors.append(("validated_on", _("La data della validazione non può essere futura.")))
    if not minutes:
        errors.append(("minutes", _("Riporta il verbale del Nucleo di valutazione.")))
    if errors:
        raise InvalidData(errors)
    with transaction.atomic():
        if has_open_variation(lock_plan(plan.pk)):
            raise DomainError(str(OPEN_VARIATION))
        _move(
            plan,
            actor=actor,
            action="plan.validate",
            source=State.CLOSED,
            target=State.VALIDATED,
            values={
                "validated_on": validated_on,
                "validation_minutes": minutes,
                "validated_by": actor,
            },
        )
    return plan


def add_comment(objective: Objective, *, actor: User, topic: str, body: str) -> Comment:
    """A comment of the Nucleo (or an admin) on a scheda or on its result, logged."""
    require(actor, "planning.comment_objective", objective)
    body = body.strip()
    errors = []
    if topic not in Comment.Topic.values:
        errors.append(("topic", _("Scegliere se il commento riguarda la scheda o il risultato.")))
    if not body:
        errors.append(("body", _("Scrivere il commento.")))
    if errors:
        raise InvalidData(errors)
    with transaction.atomic():
        comment = Comment.objects.create(
            authority_id=objective.authority_id,
            objective=objective,
            topic=topic,
            body=body,
            author=actor,
        )
        log_action(
            actor=actor,
            action="comment.add",
            obj=comment,
            after={"objective": objective.pk, "topic": topic, "body": body},
        )
    return comment


# -- what the pages ask -----------------------------------------------------------------


def open_period_of(plan: Plan) -> MonitoringPeriod | None:
    return MonitoringPeriod.objects.filter(plan=plan, state__in=OPEN_STATES).first()


def scheda_name(objective: "SchedaRef") -> str:
    """«Scheda 10 «Titolo»» by its code, or «Scheda n. 6 (senza codice)»."""
    if not objective.code:
        return _("Scheda n. %(n)s (senza codice)") % {"n": objective.position}
    if objective.title:
        return _("Scheda %(code)s «%(title)s»") % {"code": objective.code, "title": objective.title}
    return _("Scheda %(code)s") % {"code": objective.code}


def sentence(message: str) -> str:
    """A message as one sentence: ending in a full stop, never in two."""
    message = message.strip()
    return message if message.endswith((".", "!", "?")) else f"{message}."


def checked_schede(plan: Plan) -> list[tuple[Objective, list[Anomaly]]]:
    """Every scheda of the plan in order, with its anomalies (what approval checks)."""
    objectives = load_for_scoring(plan.objectives.order_by("position"))
    anomalies = plan_anomalies(plan, objectives)
    return [(o, anomalies[o.pk]) for o in objectives]


def schede_with_errors(
    checked: Iterable[tuple["SchedaRef", Sequence[Anomaly]]],
) -> list[tuple["SchedaRef", str, list[Anomaly]]]:
    """(scheda, its name, its errors) of every scheda with an error; a code that more than one
    scheda has is followed by the scheda's place, so the two can be told apart."""
    checked = list(checked)
    codes = Counter(objective.code for objective, _anomalies in checked if objective.code)
    failing = []
    for objective, anomalies in checked:
        errors = [a for a in anomalies if a.is_error]
        if errors:
            name = scheda_name(objective)
            if codes[objective.code] > 1:
                name = _("%(name)s (scheda n. %(n)s)") % {"name": name, "n": objective.position}
            failing.append((objective, name, errors))
    return failing


def failing_schede(checked: Iterable[tuple[Objective, list[Anomaly]]]) -> list[str]:
    """One line per scheda with an error: «Scheda 10 «Titolo»: Error one. Error two.»."""
    return [
        _("%(scheda)s: %(errors)s")
        % {"scheda": name, "errors": " ".join(sentence(a.message) for a in errors)}
        for _objective, name, errors in schede_with_errors(checked)
    ]


def act_text(plan: Plan) -> str:
    """«Delibera di Giunta n. 17 del 5 febbraio 2019»; blank before approval."""
    if not plan.act_type:
        return ""
    return _("%(type)s n. %(number)s del %(date)s") % {
        "type": plan.act_type,
        "number": plan.act_number,
        "date": date_it(plan.act_date),
    }


def step_for(plan: Plan) -> Step | None:
    """The transition that leaves the plan's current state (None once validated)."""
    return next((step for step in STEPS if step.source == plan.state), None)


def blocker(
    plan: Plan, step: Step, checked: Sequence[tuple["SchedaRef", Sequence[Anomaly]]]
) -> str:
    """Why the step cannot be taken now (blank when it can); ``checked`` pairs each scheda
    with its anomalies, as the plan page already has them."""
    if step.action == "proponi" and not checked:
        return _("Il piano non ha schede.")
    if step.action == "approva":
        count = len(schede_with_errors(checked))
        if count == 1:
            return _("Una scheda non supera i controlli: va corretta prima di approvare.")
        if count:
            return _(
                "%(n)s schede non superano i controlli: vanno corrette prima di approvare."
            ) % {"n": count}
    if step.action == "valida" and has_open_variation(plan):
        return str(OPEN_VARIATION)
    if step.action == "chiudi":
        period = open_period_of(plan)
        if period is not None:
            return _("Il periodo «%(name)s» è ancora aperto.") % {"name": period.name}
    return ""


# -- the one write every transition shares ------------------------------------------------


def _move(plan: Plan, *, actor: User, action: str, source: str, target: str, values=None) -> None:
    """UPDATE … WHERE state = source: 0 rows means someone else moved the plan first."""
    values = values or {}
    moved = Plan.objects.filter(pk=plan.pk, state=source).update(state=target, **values)
    if not moved:
        current = Plan.objects.filter(pk=plan.pk).values_list("state", flat=True).get()
        if current == State.VALIDATED and target == State.VALIDATED:
            raise DomainError(_("Il piano è già validato."))
        raise DomainError(
            _("Il piano è «%(current)s»: questa azione vale per un piano «%(source)s».")
            % {"current": State(current).label, "source": State(source).label}
        )
    logged = {name: getattr(value, "pk", value) for name, value in values.items()}
    log_action(
        actor=actor,
        action=action,
        obj=plan,
        before={"state": plan.state},
        after={"state": target, **logged},
    )
    plan.state = target
    for name, value in values.items():
        setattr(plan, name, value)
