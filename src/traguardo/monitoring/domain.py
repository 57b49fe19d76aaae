"""Monitoring actions: periods opened and closed, measurements recorded, evidence attached.

Each action takes the acting user, checks the permission, validates and writes in one
transaction; inside it the plan and the period are read again (``_lock``), so an action that
raced a change of state is refused rather than applied to a stale state. A closed or validated
plan's results change only inside a variazione (``planning.guards.check_results_open``).
Scores are not written anywhere: the pages ask the engine again.
"""

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.audit.log import field_values, log_action
from traguardo.core.domain import DomainError, InvalidData, require
from traguardo.core.formats import number_it
from traguardo.monitoring.models import Evidence, Measurement, MonitoringPeriod
from traguardo.monitoring.uploads import Checked, check_upload
from traguardo.planning.checks import final_target, intermediate_target
from traguardo.planning.guards import check_results_open, lock_plan, require_now
from traguardo.planning.models import Activity, Indicator, Objective, Plan
from traguardo.planning.queries import load_for_scoring
from traguardo.planning.rulebook import plan_rules
from traguardo.planning.scores import score_objectives
from traguardo.planning.states import why_label
from traguardo.scoring import (
    DelaySteps,
    Direction,
    ItemState,
    Measure,
    Why,
    activity_state,
    counts_for_closing,
    indicator_state,
)

OPEN_STATES = (MonitoringPeriod.State.OPEN, MonitoringPeriod.State.REOPENED)
VALUE_BY_DELAY = (Measure.RATIO, Measure.NUMBER, Measure.PERCENTAGE)
CENT = Decimal("0.01")
# What the audit log keeps of a measurement (before and after a correction).
MEASUREMENT_FIELDS = (
    "numerator", "denominator", "value", "completed_on", "done", "progress", "not_assessable",
    "not_assessable_reason", "forced_achievement", "forced_reason", "comment",
)  # fmt: skip


# -- periods -------------------------------------------------------------------------------


def create_period(
    plan: Plan, *, actor: User, name: str, kind: str, reference_date: date
) -> MonitoringPeriod:
    """Schedule a period of a plan (it opens later, by ``open_period``)."""
    require(actor, "monitoring.manage_periods", plan)
    name = name.strip()
    if not name:
        raise DomainError(_("Dare un nome al periodo."), field="name")
    if reference_date.year not in plan.years:
        raise DomainError(
            _("La data di riferimento deve cadere negli anni del piano (%(a)s–%(b)s).")
            % {"a": plan.year, "b": plan.last_year},
            field="reference_date",
        )
    with transaction.atomic():
        period = MonitoringPeriod.objects.create(
            authority=plan.authority,
            plan=plan,
            name=name,
            kind=kind,
            reference_date=reference_date,
        )
        log_action(
            actor=actor,
            action="period.create",
            obj=period,
            after=field_values(period, ("plan", "name", "kind", "reference_date", "state")),
        )
        return period


def open_period(period: MonitoringPeriod, *, actor: User) -> MonitoringPeriod:
    """Open a scheduled period, or reopen a closed one; one open period per plan at a time.

    A closed or validated plan's periods open only inside a variazione of the plan.
    """
    require(actor, "monitoring.manage_periods", period.plan)
    with transaction.atomic():
        plan = _lock(period, actor, "monitoring.manage_periods")
        check_results_open(plan)
        others = MonitoringPeriod.objects.filter(plan=period.plan, state__in=OPEN_STATES)
        if others.exclude(pk=period.pk).exists():
            raise DomainError(_("Chiudere prima il periodo aperto: ne può essere aperto uno solo."))
        if period.state in OPEN_STATES:
            raise DomainError(_("Il periodo è già aperto."))
        new = (
            MonitoringPeriod.State.REOPENED
            if period.state == MonitoringPeriod.State.CLOSED
            else MonitoringPeriod.State.OPEN
        )
        MonitoringPeriod.objects.filter(pk=period.pk).update(state=new)
        log_action(
            actor=actor,
            action="period.reopen" if new == MonitoringPeriod.State.REOPENED else "period.open",
            obj=period,
            before={"state": period.state},
            after={"state": new},
        )
        period.state = new
    return period


@dataclass(frozen=True)
class ClosureItem:
    """A row of a scheda as the close check sees it: due and not settled (``why`` says what
    is missing), or not yet due at the period's reference date."""

    objective: Objective
    kind: str  # "indicator" | "activity"
    position: int
    name: str
    why: str = ""

    @property
    def scheda(self) -> str:
        """«Scheda 5 «Elezioni Europee 2019»»; a scheda without a code by its position."""
        o = self.objective
        if o.code:
            name = _("Scheda %(code)s") % {"code": o.code}
        else:
            name = _("Scheda n. %(n)s (senza codice)") % {"n": o.position}
        return f"{name} «{o.title}»" if o.title else name

    @property
    def row(self) -> str:
        what = _("indicatore %(n)s") if self.kind == "indicator" else _("attività %(n)s")
        return f"{what % {'n': self.position}} «{self.name}»"

    @property
    def message(self) -> str:
        return f"{self.scheda}, {self.row}: {self.why}."


@dataclass(frozen=True)
class ClosureCheck:
    """What stands between a period and its closing, computed by the engine as of the
    period's reference date (DESIGN.md §4.7)."""

    period: MonitoringPeriod
    missing: list[ClosureItem]
    not_due: list[ClosureItem]
    activities_required: bool

    @property
    def can_close(self) -> bool:
        return not self.missing


def closure_check(period: MonitoringPeriod) -> ClosureCheck:
    """Every indicator due by the period's reference date must be settled: it has a score, or
    a person decided (non valutabile, forced). Activities too, when the SMVP gives them a share
    of the result. What is due after the reference date is not required, and listed apart."""
    plan = period.plan
    objectives = load_for_scoring(plan.objectives.order_by("position"))
    scores = score_objectives(plan, objectives, period=period, today=period.reference_date)
    recorded = set(
        Measurement.objects.filter(period=period).values_list("indicator_id", "activity_id")
    )
    activities_required = scores.rules.policy.activity_share > 0
    missing: list[ClosureItem] = []
    not_due: list[ClosureItem] = []
    for objective in objectives:
        result = scores.result.objectives.get(objective.pk)
        if result is None:
            continue
        indicators = {i.pk: i for i in objective.indicators.all()}
        for row in result.indicators:
            indicator = indicators[row.key]
            item = ClosureItem(objective, "indicator", indicator.position, indicator.name)
            state = indicator_state(row)
            if state is ItemState.NOT_DUE:
                not_due.append(item)
            elif not counts_for_closing(state):
                why = _indicator_why(row, (indicator.pk, None) in recorded)
                missing.append(replace(item, why=why))
        if not activities_required:
            continue
        activities = {a.pk: a for a in objective.activities.all()}
        for row in result.activities:
            activity = activities[row.key]
            item = ClosureItem(objective, "activity", activity.position, activity.title)
            state = activity_state(row)
            if state is ItemState.NOT_DUE:
                not_due.append(item)
            elif not counts_for_closing(state):
                why = (
                    _("né data di completamento né avanzamento")
                    if (None, activity.pk) in recorded
                    else _("nessuna rilevazione")
                )
                missing.append(replace(item, why=why))
    order = {"indicator": 0, "activity": 1}

    def key(i: ClosureItem):
        return (i.objective.position, order[i.kind], i.position)

    return ClosureCheck(
        period=period,
        missing=sorted(missing, key=key),
        not_due=sorted(not_due, key=key),
        activities_required=activities_required,
    )


def _indicator_why(result, recorded: bool) -> str:
    """What a due indicator without a score lacks, said as what to do about it."""
    if not recorded:
        return _("nessuna rilevazione")
    if result.why is Why.NOT_REACHED:
        return _(
            "livello atteso non raggiunto alla data di riferimento: indicare la data di "
            "raggiungimento, segnare non valutabile o chiedere la forzatura"
        )
    if result.why is Why.NO_VALUE or result.why is None:
        return _("rilevazione senza valore")
    if result.why is Why.NO_REACHED_DATE:
        return why_label(result.why)
    # Not computable as recorded or as the card stands (no expected level, no baseline…).
    return _(
        "%(why)s: occorre correggere la rilevazione o la scheda, segnarla non valutabile o "
        "chiedere la forzatura"
    ) % {"why": why_label(result.why)}


def close_period(period: MonitoringPeriod, *, actor: User) -> MonitoringPeriod:
    """Close an open period, once every row due by its reference date is settled
    (``closure_check``)."""
    require(actor, "monitoring.manage_periods", period.plan)
    with transaction.atomic():
        _lock(period, actor, "monitoring.manage_periods")
        if period.state not in OPEN_STATES:
            raise DomainError(_("Si può chiudere solo un periodo aperto."))
        check = closure_check(period)
        if check.missing:
            raise InvalidData([("period", item.message) for item in check.missing])
        MonitoringPeriod.objects.filter(pk=period.pk).update(state=MonitoringPeriod.State.CLOSED)
        log_action(
            actor=actor,
            action="period.close",
            obj=period,
            before={"state": period.state},
            after={"state": MonitoringPeriod.State.CLOSED},
        )
        period.state = MonitoringPeriod.State.CLOSED
    return period


# -- measurements --------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementData:
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    completed_on: date | None = None
    done: bool | None = None
    progress: Decimal | None = None
    not_assessable: bool = False
    not_assessable_reason: str = ""
    forced_achievement: Decimal | None = None
    forced_reason: str = ""
    comment: str = ""


def record_measurement(
    indicator: Indicator, period: MonitoringPeriod, *, actor: User, data: MeasurementData
) -> Measurement:
    """Record (or correct) the measurement of an indicator in an open period.

    1. the actor records for the scheda's unit (manager, contributor) or is an admin;
    2. the period is open and belongs to the scheda's plan;
    3. the values are those the measure asks for; "non valutabile" needs a reason;
    4. a forced achievement is an admin's, with a reason, between 0 and 100;
    5. inside the transaction, with the plan and the period read again: still permitted, the
       period still open, and the plan not closed (or else under an open variazione).
    """
    objective = indicator.objective
    require(actor, "monitoring.record_measurement", objective)
    _check_period(period, objective.plan)
    errors = _measure_errors(Measure(indicator.measure), data)
    errors += _justification_errors(actor, objective, data)
    if not errors:
        errors += _reached_date_errors(indicator, period, data)
    if errors:
        raise InvalidData(errors)
    fields = _fields(data)
    if not actor.has_perm("monitoring.force_achievement", objective):
        # A manager correcting the values leaves an admin's forced result as it was.
        del fields["forced_achievement"], fields["forced_reason"]
    with transaction.atomic():
        _lock(period, actor, "monitoring.record_measurement", objective)
        before = _measurement_values(period, indicator=indicator)
        measurement, _created = Measurement.objects.update_or_create(
            period=period,
            indicator=indicator,
            defaults={**fields, "authority": indicator.authority, "entered_by": actor},
        )
        _log_measurement(measurement, actor, before)
    return measurement


def record_activity(
    activity: Activity, period: MonitoringPeriod, *, actor: User, data: MeasurementData
) -> Measurement:
    """Record an activity's completion date or progress in an open period (checked as
    ``record_measurement``, again inside the transaction)."""
    objective = activity.objective
    require(actor, "monitoring.record_measurement", objective)
    _check_period(period, objective.plan)
    errors = []
    if data.progress is not None and not Decimal(0) <= data.progress <= Decimal(100):
        errors.append(("progress", _("L'avanzamento è una percentuale tra 0 e 100.")))
    if data.not_assessable and not data.not_assessable_reason.strip():
        errors.append(("not_assessable_reason", _("Spiega perché non è valutabile.")))
    if errors:
        raise InvalidData(errors)
    with transaction.atomic():
        _lock(period, actor, "monitoring.record_measurement", objective)
        before = _measurement_values(period, activity=activity)
        measurement, _created = Measurement.objects.update_or_create(
            period=period,
            activity=activity,
            defaults={
                "authority": activity.authority,
                "entered_by": actor,
                "completed_on": data.completed_on,
                "progress": data.progress,
                "not_assessable": data.not_assessable,
                "not_assessable_reason": data.not_assessable_reason.strip(),
                "comment": data.comment,
            },
        )
        _log_measurement(measurement, actor, before)
    return measurement


def add_evidence(
    measurement: Measurement, upload, *, actor: User, checked: Checked | None = None
) -> Evidence:
    """Attach a file, checked by its content (unless ``checked`` says it already was), stored
    under a random name, while the period is open and the plan's results are (checked again
    inside the transaction)."""
    objective = measurement.subject.objective
    require(actor, "monitoring.record_measurement", objective)
    _check_period(measurement.period, objective.plan)
    checked = checked or _check_evidence(upload)
    upload.seek(0)
    content = upload.read()
    evidence = Evidence(
        authority=measurement.authority,
        measurement=measurement,
        stored_name=f"{secrets.token_hex(16)}{checked.extension}",
        original_name=_safe_name(upload.name),
        content_type=checked.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    with transaction.atomic():
        _lock(measurement.period, actor, "monitoring.record_measurement", objective)
        evidence.file.save(evidence.stored_name, ContentFile(content), save=False)
        evidence.save()
        log_action(
            actor=actor,
            action="evidence.add",
            obj=evidence,
            after={
                "measurement_id": measurement.pk,
                "name": evidence.original_name,
                "size": evidence.size,
                "sha256": evidence.sha256,
                "content_type": evidence.content_type,
            },
        )
    return evidence


def _measurement_values(period: MonitoringPeriod, **subject) -> dict | None:
    found = Measurement.objects.filter(period=period, **subject).first()
    return field_values(found, MEASUREMENT_FIELDS) if found is not None else None


def _log_measurement(measurement: Measurement, actor: User, before: dict | None) -> None:
    """One entry per recording; a forced result or "non valutabile" gives its reason."""
    reason = measurement.forced_reason or measurement.not_assessable_reason
    log_action(
        actor=actor,
        action="measurement.record" if before is None else "measurement.update",
        obj=measurement,
        before=before,
        after=field_values(measurement, MEASUREMENT_FIELDS),
        reason=reason,
    )


def _safe_name(name: str) -> str:
    """The name shown and offered on download: no path, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable() and ch not in '"<>')[:200] or "allegato"


def _lock(period: MonitoringPeriod, actor: User, permission: str, objective=None) -> Plan:
    """Inside the write transaction: the plan and the period as they are now.

    The plan is locked and the permission checked again on it; the period's state is read
    again (into ``period``). With an ``objective`` (recording), the period must still be open
    and the plan's results open to changes.
    """
    plan = lock_plan(period.plan_id)
    require_now(actor, permission, plan if objective is None else objective, plan)
    period.state = (
        MonitoringPeriod.objects.with_scopes_disabled()
        .select_for_update()
        .values_list("state", flat=True)
        .get(pk=period.pk)
    )
    if objective is not None:
        _check_period(period, plan)
    return plan


def _check_period(period: MonitoringPeriod, plan: Plan) -> None:
    """The period is the plan's and open, and the plan's results are open to changes."""
    if period.plan_id != plan.pk:
        raise DomainError(_("Il periodo non appartiene al piano della scheda."))
    check_results_open(plan)
    if period.state not in OPEN_STATES:
        raise DomainError(
            _("Il periodo «%(name)s» non è aperto: le rilevazioni non si possono modificare.")
            % {"name": period.name}
        )


def _measure_errors(measure: Measure, data: MeasurementData) -> list[tuple[str, str]]:
    if data.not_assessable or data.forced_achievement is not None:
        return []
    required = {
        Measure.RATIO: ("numerator", "denominator"),
        Measure.DELAY_DAYS: ("value",),
        Measure.NUMBER: ("value",),
        Measure.PERCENTAGE: ("value",),
        Measure.VARIATION: ("value",),
        Measure.BOOLEAN: ("done",),
    }.get(measure, ())
    labels = {
        "numerator": _("il numeratore"),
        "denominator": _("il denominatore"),
        "value": _("il valore"),
        "done": _("se è stato fatto"),
    }
    errors = [
        (name, _("Indicare %(what)s.") % {"what": labels[name]})
        for name in required
        if getattr(data, name) is None
    ]
    if measure == Measure.RATIO and data.denominator is not None and data.denominator <= 0:
        errors.append(("denominator", _("Il denominatore deve essere maggiore di zero.")))
    if measure == Measure.DELAY_DAYS and data.value is not None and data.value < 0:
        errors.append(("value", _("I giorni di ritardo non possono essere negativi.")))
    return errors


def graded_by_delay(indicator: Indicator, scale) -> bool:
    """A value (ratio, number, percentage) graded by days of delay: its delay runs from the
    due date to the day the value reached its expected level (DESIGN.md §4.6, card 1)."""
    return isinstance(scale, DelaySteps) and indicator.measure in VALUE_BY_DELAY


def measured_value(measure: str, data: MeasurementData) -> Decimal | None:
    """The value the engine grades: numerator/denominator × 100 for a ratio."""
    if measure == Measure.RATIO:
        if data.numerator is None or not data.denominator:
            return None
        return data.numerator * Decimal(100) / data.denominator
    return data.value


def _reached_date_errors(
    indicator: Indicator, period: MonitoringPeriod, data: MeasurementData
) -> list[tuple[str, str]]:
    """A day the expected level was reached, for a value graded by delay, only once the
    recorded value reaches that level (in the indicator's direction), against the target the
    engine uses for this period (the intermediate one in a verifica intermedia)."""
    if data.completed_on is None or data.not_assessable or data.forced_achievement is not None:
        return []
    objective = indicator.objective
    if not graded_by_delay(indicator, plan_rules(objective.plan).scale(indicator)):
        return []
    intermediate = period.kind == MonitoringPeriod.Kind.INTERMEDIATE
    target = (intermediate and intermediate_target(indicator, objective.year)) or final_target(
        indicator, objective.year
    )
    value = measured_value(indicator.measure, data)
    if target is None or target.value is None or value is None:
        return []
    higher = indicator.direction != Direction.LOWER
    reached = value >= target.value if higher else value <= target.value
    if reached:
        return []
    return [
        (
            "completed_on",
            _(
                "Il livello atteso (%(target)s) non è raggiunto: il valore rilevato è "
                "%(value)s. Indicare la data di raggiungimento solo quando il livello è "
                "raggiunto; finché non lo è, il ritardo si conta fino alla data di riferimento "
                "del periodo."
            )
            % {"target": number_it(target.value), "value": number_it(value.quantize(CENT))},
        )
    ]


def _justification_errors(actor: User, objective, data: MeasurementData) -> list[tuple[str, str]]:
    errors = []
    if data.not_assessable and not data.not_assessable_reason.strip():
        errors.append(("not_assessable_reason", _("Spiega perché l'indicatore non è valutabile.")))
    if data.forced_achievement is not None:
        if not actor.has_perm("monitoring.force_achievement", objective):
            errors.append(
                ("forced_achievement", _("Solo il controllo di gestione può forzare un risultato."))
            )
        if not Decimal(0) <= data.forced_achievement <= Decimal(100):
            errors.append(("forced_achievement", _("Il risultato forzato va da 0 a 100.")))
        if not data.forced_reason.strip():
            errors.append(("forced_reason", _("Un risultato forzato richiede una motivazione.")))
    return errors


def _fields(data: MeasurementData) -> dict:
    return {
        "numerator": data.numerator,
        "denominator": data.denominator,
        "value": data.value,
        "completed_on": data.completed_on,
        "done": data.done,
        "not_assessable": data.not_assessable,
        "not_assessable_reason": data.not_assessable_reason.strip(),
        "forced_achievement": data.forced_achievement,
        "forced_reason": data.forced_reason.strip(),
        "comment": data.comment,
    }


def record_with_evidence(
    subject: Indicator | Activity,
    period: MonitoringPeriod,
    *,
    actor: User,
    data: MeasurementData,
    upload=None,
) -> Measurement:
    """Record a measurement of an indicator or an activity and attach its evidence as one
    action: the file is judged before anything is written, then the measurement, the file's
    row and their audit entries are written in one transaction, so a refused file (or any
    other refusal) leaves nothing behind.

    The permission is checked first, outside the transaction, so that a refusal's own audit
    entry is kept."""
    objective = subject.objective
    require(actor, "monitoring.record_measurement", objective)
    _check_period(period, objective.plan)
    checked = _check_evidence(upload) if upload else None
    stored = []
    try:
        with transaction.atomic():
            if isinstance(subject, Indicator):
                measurement = record_measurement(subject, period, actor=actor, data=data)
            else:
                measurement = record_activity(subject, period, actor=actor, data=data)
            if upload:
                stored.append(add_evidence(measurement, upload, actor=actor, checked=checked))
    except BaseException:
        for evidence in stored:  # written to disk before the transaction failed
            evidence.file.delete(save=False)
        raise
    return measurement


def _check_evidence(upload) -> Checked:
    max_bytes = getattr(settings, "EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
    return check_upload(upload, max_bytes=max_bytes)
