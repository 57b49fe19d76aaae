"""Monitoring actions: periods opened and closed, measurements recorded, evidence attached.

Each action takes the acting user, checks the permission, validates and writes in one
transaction. Scores are not written anywhere: the pages ask the engine again.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from traguardo.audit.log import field_values, log_action
from traguardo.core.domain import DomainError, InvalidData, require
from traguardo.monitoring.models import Evidence, Measurement, MonitoringPeriod
from traguardo.monitoring.uploads import Checked, check_upload
from traguardo.planning.models import Activity, Indicator, Plan
from traguardo.scoring import Measure

OPEN_STATES = (MonitoringPeriod.State.OPEN, MonitoringPeriod.State.REOPENED)
# What the audit log keeps of a measurement (before and after a correction).
MEASUREMENT_FIELDS = (
    "numerator", "denominator", "value", "completed_on", "done", "progress", "not_assessable",
    "not_assessable_reason", "forced_achievement", "forced_reason", "comment",
)  # fmt: skip


# -- periods -------------------------------------------------------------------------------


def create_period(
    plan: Plan, *, actor, name: str, kind: str, reference_date: date
) -> MonitoringPeriod:
    """Schedule a period of a plan (it opens later, by ``open_period``)."""
    require(actor, "monitoring.manage_periods", plan)
    name = name.strip()
    if not name:
        raise DomainError(_("Dai un nome al periodo."), field="name")
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


def open_period(period: MonitoringPeriod, *, actor) -> MonitoringPeriod:
    """Open a scheduled period, or reopen a closed one; one open period per plan at a time."""
    require(actor, "monitoring.manage_periods", period.plan)
    with transaction.atomic():
        others = MonitoringPeriod.objects.filter(plan=period.plan, state__in=OPEN_STATES)
        if others.exclude(pk=period.pk).exists():
            raise DomainError(_("Chiudi prima il periodo aperto: ne può essere aperto uno solo."))
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


def missing_for_closure(period: MonitoringPeriod) -> list[Indicator]:
    """Indicators of the plan with neither a measurement nor a justification in the period."""
    measured = Measurement.objects.filter(period=period, indicator__isnull=False).values(
        "indicator_id"
    )
    return list(
        Indicator.objects.filter(objective__plan=period.plan)
        .exclude(pk__in=measured)
        .select_related("objective")
        .order_by("objective__position", "position")
    )


def close_period(period: MonitoringPeriod, *, actor) -> MonitoringPeriod:
    """Close an open period, once every indicator has a measurement or a justification."""
    require(actor, "monitoring.manage_periods", period.plan)
    with transaction.atomic():
        if period.state not in OPEN_STATES:
            raise DomainError(_("Si può chiudere solo un periodo aperto."))
        missing = missing_for_closure(period)
        if missing:
            raise InvalidData(
                [
                    (
                        "period",
                        _("Scheda %(code)s «%(title)s», indicatore %(n)s: nessuna rilevazione.")
                        % {
                            "code": i.objective.code or "—",
                            "title": i.objective,
                            "n": i.position,
                        },
                    )
                    for i in missing
                ]
            )
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
    indicator: Indicator, period: MonitoringPeriod, *, actor, data: MeasurementData
) -> Measurement:
    """Record (or correct) the measurement of an indicator in an open period.

    1. the actor records for the scheda's unit (manager, contributor) or is an admin;
    2. the period is open and belongs to the scheda's plan;
    3. the values are those the measure asks for; "non valutabile" needs a reason;
    4. a forced achievement is an admin's, with a reason, between 0 and 100.
    """
    objective = indicator.objective
    require(actor, "monitoring.record_measurement", objective)
    _check_period(period, objective.plan_id)
    errors = _measure_errors(Measure(indicator.measure), data)
    errors += _justification_errors(actor, objective, data)
    if errors:
        raise InvalidData(errors)
    fields = _fields(data)
    if not actor.has_perm("monitoring.force_achievement", objective):
        # A manager correcting the values leaves an admin's forced result as it was.
        del fields["forced_achievement"], fields["forced_reason"]
    with transaction.atomic():
        before = _measurement_values(period, indicator=indicator)
        measurement, _created = Measurement.objects.update_or_create(
            period=period,
            indicator=indicator,
            defaults={**fields, "authority": indicator.authority, "entered_by": actor},
        )
        _log_measurement(measurement, actor, before)
    return measurement


def record_activity(
    activity: Activity, period: MonitoringPeriod, *, actor, data: MeasurementData
) -> Measurement:
    """Record an activity's completion date or progress in an open period."""
    objective = activity.objective
    require(actor, "monitoring.record_measurement", objective)
    _check_period(period, objective.plan_id)
    errors = []
    if data.progress is not None and not Decimal(0) <= data.progress <= Decimal(100):
        errors.append(("progress", _("L'avanzamento è una percentuale tra 0 e 100.")))
    if data.not_assessable and not data.not_assessable_reason.strip():
        errors.append(("not_assessable_reason", _("Spiega perché non è valutabile.")))
    if errors:
        raise InvalidData(errors)
    with transaction.atomic():
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
    measurement: Measurement, upload, *, actor, checked: Checked | None = None
) -> Evidence:
    """Attach a file, checked by its content (unless ``checked`` says it already was), stored
    under a random name."""
    objective = (measurement.indicator or measurement.activity).objective
    require(actor, "monitoring.record_measurement", objective)
    _check_period(measurement.period, objective.plan_id)
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


def _log_measurement(measurement: Measurement, actor, before: dict | None) -> None:
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


def _check_period(period: MonitoringPeriod, plan_id: int) -> None:
    if period.plan_id != plan_id:
        raise DomainError(_("Il periodo non appartiene al piano della scheda."))
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
        (name, _("Indica %(what)s.") % {"what": labels[name]})
        for name in required
        if getattr(data, name) is None
    ]
    if measure == Measure.RATIO and data.denominator is not None and data.denominator <= 0:
        errors.append(("denominator", _("Il denominatore deve essere maggiore di zero.")))
    if measure == Measure.DELAY_DAYS and data.value is not None and data.value < 0:
        errors.append(("value", _("I giorni di ritardo non possono essere negativi.")))
    return errors


def _justification_errors(actor, objective, data: MeasurementData) -> list[tuple[str, str]]:
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
    actor,
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
    _check_period(period, objective.plan_id)
    checked = _check_evidence(upload) if upload else None
    record = record_measurement if isinstance(subject, Indicator) else record_activity
    stored = []
    try:
        with transaction.atomic():
            measurement = record(subject, period, actor=actor, data=data)
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
