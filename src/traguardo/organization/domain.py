"""Setting up an authority: units, people, DUP, ambiti, the SMVP and the grading scales.

Every business action takes the acting user keyword-only, checks ``organization.manage_setup``
on the authority, validates (``DomainError`` with an Italian message and the form field it
concerns) and writes in one transaction. The data of a create or an update comes as a frozen
dataclass whose choices are model instances; an instance of another authority is refused
here too, not only by the form's querysets. The queries the setup pages share live at the end.

Call these inside ``scope(authority=…)`` (as the views do) or ``scopes_disabled()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from traguardo.audit.log import field_values, log_action
from traguardo.core.domain import DomainError, require
from traguardo.organization.models import (
    Authority,
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
    ScoringPolicy,
)
from traguardo.planning.models import DupGoal, Objective
from traguardo.scoring import (
    DEFAULT_COMPLEXITY,
    DEFAULT_KIND,
    DEFAULT_STRATEGIC,
    ScaleParseError,
    describe_scale,
    format_decimal,
    parse_scale,
    scale_rows,
    scale_to_dict,
    weight_score,
)
from traguardo.scoring import GradingScale as EngineScale

PERMISSION = "organization.manage_setup"
HUNDRED = Decimal(100)

# What the audit log keeps of each kind of row (before and after a change).
UNIT_FIELDS = ("name", "kind", "parent", "head", "position")
PERSON_FIELDS = ("last_name", "first_name", "job_title", "email")
DUP_FIELDS = ("level", "code", "title", "parent")
AREA_FIELDS = ("number", "name")
POLICY_FIELDS = ("activity_share", "green_from", "amber_from")
LEVEL_FIELDS = ("dimension", "code", "label", "value", "position")
SCALE_FIELDS = ("name", "source_text")


# -- shared checks -------------------------------------------------------------------------


def _required(value: str, field_name: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise DomainError(message, field=field_name)
    return value


def _own(authority_id: int, obj: models.Model | None, field_name: str) -> None:
    """Refuse a choice that belongs to another authority (never say what it is)."""
    if obj is not None and obj.authority_id != authority_id:
        raise DomainError(_("Scelta non valida: non appartiene a questo ente."), field=field_name)


def _refuse_delete(what: str, reasons: list[str]) -> None:
    if reasons:
        raise DomainError(
            _("%(what)s non si può eliminare: %(reasons)s.")
            % {"what": what, "reasons": _join(reasons)}
        )


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    first, last = ", ".join(parts[:-1]), parts[-1]
    # "ed è", not "e è": the reasons start with a verb.
    if last[:1] in ("e", "è"):
        return _("%(first)s ed %(last)s") % {"first": first, "last": last}
    return _("%(first)s e %(last)s") % {"first": first, "last": last}


def _percent_in_range(value: Decimal, field_name: str, label: str) -> None:
    if not Decimal(0) <= value <= HUNDRED:
        raise DomainError(
            _("%(label)s deve essere tra 0 e 100.") % {"label": label}, field=field_name
        )


def _number(value: Decimal) -> str:
    places = 0 if value == value.to_integral_value() else 2
    return format_decimal(value, places)


def _logged_write(action: str, obj, *, actor, fields, write, data):
    """``write(obj, data)`` and its audit entry (before: the row as it was, if it existed)."""
    before = field_values(obj, fields) if obj.pk is not None else None
    obj = write(obj, data)
    log_action(actor=actor, action=action, obj=obj, before=before, after=field_values(obj, fields))
    return obj


def _logged_delete(action: str, obj, *, actor, fields) -> None:
    log_action(actor=actor, action=action, obj=obj, before=field_values(obj, fields))
    obj.delete()


# -- unità organizzative -------------------------------------------------------------------


@dataclass(frozen=True)
class UnitData:
    name: str
    kind: str = OrgUnit.Kind.OFFICE
    parent: OrgUnit | None = None
    head: Person | None = None
    position: int = 0


def create_unit(authority: Authority, *, actor, data: UnitData) -> OrgUnit:
    """Add a unit to the organisation tree (see ``_write_unit`` for the rules)."""
    require(actor, PERMISSION, authority)
    with transaction.atomic():
        return _logged_write(
            "unit.create",
            OrgUnit(authority=authority),
            actor=actor,
            fields=UNIT_FIELDS,
            write=_write_unit,
            data=data,
        )


def update_unit(unit: OrgUnit, *, actor, data: UnitData) -> OrgUnit:
    """Rename, move or change the head of a unit; moving it under itself is refused."""
    require(actor, PERMISSION, unit)
    with transaction.atomic():
        return _logged_write(
            "unit.update", unit, actor=actor, fields=UNIT_FIELDS, write=_write_unit, data=data
        )


def _write_unit(unit: OrgUnit, data: UnitData) -> OrgUnit:
    """1. a name, unique in the authority; 2. a known kind; 3. parent and head of the same
    authority; 4. the parent is not the unit itself nor one of the units below it."""
    authority_id = unit.authority_id
    name = _required(data.name, "name", _("Scrivere la denominazione dell'unità."))
    if (
        OrgUnit.objects.filter(authority_id=authority_id, name__iexact=name)
        .exclude(pk=unit.pk)
        .exists()
    ):
        raise DomainError(
            _("Esiste già un'unità organizzativa «%(name)s».") % {"name": name}, field="name"
        )
    if data.kind not in OrgUnit.Kind.values:
        raise DomainError(_("Scegliere il tipo di unità."), field="kind")
    _own(authority_id, data.parent, "parent")
    _own(authority_id, data.head, "head")
    if data.parent is not None and unit.pk is not None:
        _refuse_cycle(unit, data.parent)
    unit.name = name
    unit.kind = data.kind
    unit.parent = data.parent
    unit.head = data.head
    unit.position = data.position
    unit.save()
    return unit


def _refuse_cycle(unit: OrgUnit, parent: OrgUnit) -> None:
    if parent.pk == unit.pk:
        raise DomainError(
            _("Un'unità non può essere l'unità superiore di sé stessa."), field="parent"
        )
    parents = dict(
        OrgUnit.objects.filter(authority_id=unit.authority_id).values_list("pk", "parent_id")
    )
    node, seen = parents.get(parent.pk), {parent.pk}
    while node is not None and node not in seen:
        if node == unit.pk:
            raise DomainError(
                _(
                    "«%(parent)s» dipende già da «%(unit)s»: come unità superiore "
                    "creerebbe un ciclo. Scegliere un'unità che non stia sotto «%(unit)s»."
                )
                % {"parent": parent.name, "unit": unit.name},
                field="parent",
            )
        seen.add(node)
        node = parents.get(node)


def delete_unit(unit: OrgUnit, *, actor) -> None:
    """Remove a unit no scheda, unit or user refers to."""
    require(actor, PERMISSION, unit)
    with transaction.atomic():
        reasons = []
        schede = (
            Objective.objects.filter(Q(unit=unit) | Q(involved_units=unit))
            .values("pk")
            .distinct()
            .count()
        )
        if schede:
            reasons.append(
                ngettext(
                    "è indicata in %(n)d scheda obiettivo",
                    "è indicata in %(n)d schede obiettivo",
                    schede,
                )
                % {"n": schede}
            )
        if children := unit.children.count():
            reasons.append(
                ngettext(
                    "ha %(n)d unità dipendente (spostala o eliminala prima)",
                    "ha %(n)d unità dipendenti (spostale o eliminale prima)",
                    children,
                )
                % {"n": children}
            )
        if users := unit.memberships.count():
            reasons.append(
                ngettext(
                    "è assegnata a %(n)d utente",
                    "è assegnata a %(n)d utenti",
                    users,
                )
                % {"n": users}
            )
        _refuse_delete(_("L'unità «%(name)s»") % {"name": unit.name}, reasons)
        _logged_delete("unit.delete", unit, actor=actor, fields=UNIT_FIELDS)


# -- persone -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonData:
    last_name: str
    first_name: str = ""
    job_title: str = ""
    email: str = ""


def create_person(authority: Authority, *, actor, data: PersonData) -> Person:
    """Add a person (Dirigente, Responsabile…); the full name is unique in the authority."""
    require(actor, PERMISSION, authority)
    with transaction.atomic():
        return _logged_write(
            "person.create",
            Person(authority=authority),
            actor=actor,
            fields=PERSON_FIELDS,
            write=_write_person,
            data=data,
        )


def update_person(person: Person, *, actor, data: PersonData) -> Person:
    require(actor, PERMISSION, person)
    with transaction.atomic():
        return _logged_write(
            "person.update",
            person,
            actor=actor,
            fields=PERSON_FIELDS,
            write=_write_person,
            data=data,
        )


def _write_person(person: Person, data: PersonData) -> Person:
    last_name = _required(data.last_name, "last_name", _("Scrivere il cognome."))
    first_name = data.first_name.strip()
    same = Person.objects.filter(
        authority_id=person.authority_id, last_name__iexact=last_name, first_name__iexact=first_name
    ).exclude(pk=person.pk)
    if same.exists():
        raise DomainError(
            _("Esiste già una persona di nome «%(name)s».")
            % {"name": f"{first_name} {last_name}".strip()},
            field="last_name",
        )
    person.last_name = last_name
    person.first_name = first_name
    person.job_title = data.job_title.strip()
    person.email = data.email.strip()
    person.save()
    return person


def delete_person(person: Person, *, actor) -> None:
    """Remove a person who heads no unit, is responsible of no scheda and has no login."""
    require(actor, PERMISSION, person)
    with transaction.atomic():
        reasons = []
        if units := person.headed_units.count():
            reasons.append(
                ngettext(
                    "è responsabile di %(n)d unità organizzativa",
                    "è responsabile di %(n)d unità organizzative",
                    units,
                )
                % {"n": units}
            )
        if schede := person.objectives.count():
            reasons.append(
                ngettext(
                    "è responsabile di %(n)d scheda obiettivo",
                    "è responsabile di %(n)d schede obiettivo",
                    schede,
                )
                % {"n": schede}
            )
        if users := person.memberships.count():
            reasons.append(
                ngettext(
                    "è collegata a %(n)d utente",
                    "è collegata a %(n)d utenti",
                    users,
                )
                % {"n": users}
            )
        _refuse_delete(_("«%(name)s»") % {"name": person}, reasons)
        _logged_delete("person.delete", person, actor=actor, fields=PERSON_FIELDS)


# -- DUP -----------------------------------------------------------------------------------

# The level a goal's parent must have (None: no parent).
PARENT_LEVEL = {
    DupGoal.Level.MANDATE: None,
    DupGoal.Level.STRATEGIC: DupGoal.Level.MANDATE,
    DupGoal.Level.OPERATIONAL: DupGoal.Level.STRATEGIC,
}


@dataclass(frozen=True)
class DupGoalData:
    level: str
    code: str
    title: str
    parent: DupGoal | None = None


def create_dup_goal(authority: Authority, *, actor, data: DupGoalData) -> DupGoal:
    """Add a node of the DUP (see ``_write_dup_goal`` for the rules)."""
    require(actor, PERMISSION, authority)
    with transaction.atomic():
        return _logged_write(
            "dup_goal.create",
            DupGoal(authority=authority),
            actor=actor,
            fields=DUP_FIELDS,
            write=_write_dup_goal,
            data=data,
        )


def update_dup_goal(goal: DupGoal, *, actor, data: DupGoalData) -> DupGoal:
    require(actor, PERMISSION, goal)
    with transaction.atomic():
        return _logged_write(
            "dup_goal.update",
            goal,
            actor=actor,
            fields=DUP_FIELDS,
            write=_write_dup_goal,
            data=data,
        )


def _write_dup_goal(goal: DupGoal, data: DupGoalData) -> DupGoal:
    """1. a known level, a code unique in its level, a title; 2. a mandate line has no parent,
    a strategic goal descends from a mandate line, an operational goal from a strategic goal;
    3. a goal with children keeps its level (they would no longer fit)."""
    authority_id = goal.authority_id
    if data.level not in DupGoal.Level.values:
        raise DomainError(_("Scegliere il livello."), field="level")
    level = DupGoal.Level(data.level)
    code = _required(data.code, "code", _("Scrivere il codice."))
    title = _required(data.title, "title", _("Scrivere la denominazione."))
    if (
        DupGoal.objects.filter(authority_id=authority_id, level=level, code__iexact=code)
        .exclude(pk=goal.pk)
        .exists()
    ):
        raise DomainError(
            _("Esiste già un «%(level)s» con il codice «%(code)s».")
            % {"level": level.label, "code": code},
            field="code",
        )
    _own(authority_id, data.parent, "parent")
    _check_dup_parent(level, data.parent)
    if goal.pk is not None and goal.level != level and (children := goal.children.count()):
        raise DomainError(
            ngettext(
                "Ha %(n)d obiettivo collegato: non se ne può cambiare il livello.",
                "Ha %(n)d obiettivi collegati: non se ne può cambiare il livello.",
                children,
            )
            % {"n": children},
            field="level",
        )
    goal.level = level
    goal.code = code
    goal.title = title
    goal.parent = data.parent
    goal.save()
    return goal


def _check_dup_parent(level: DupGoal.Level, parent: DupGoal | None) -> None:
    expected = PARENT_LEVEL[level]
    if expected is None:
        if parent is not None:
            raise DomainError(
                _("Una linea di mandato è il primo livello del DUP: non ha un livello superiore."),
                field="parent",
            )
        return
    if parent is None or parent.level != expected:
        message = {
            DupGoal.Level.STRATEGIC: _(
                "Un obiettivo strategico discende da una linea di mandato: sceglila come "
                "livello superiore."
            ),
            DupGoal.Level.OPERATIONAL: _(
                "Un obiettivo operativo discende da un obiettivo strategico: sceglilo come "
                "livello superiore."
            ),
        }[level]
        raise DomainError(message, field="parent")


def delete_dup_goal(goal: DupGoal, *, actor) -> None:
    """Remove a DUP goal with no goals below it and no scheda referring to it."""
    require(actor, PERMISSION, goal)
    with transaction.atomic():
        reasons = []
        if children := goal.children.count():
            reasons.append(
                ngettext(
                    "ha %(n)d obiettivo collegato",
                    "ha %(n)d obiettivi collegati",
                    children,
                )
                % {"n": children}
            )
        if schede := goal.objectives.count():
            reasons.append(
                ngettext(
                    "è il riferimento DUP di %(n)d scheda obiettivo",
                    "è il riferimento DUP di %(n)d schede obiettivo",
                    schede,
                )
                % {"n": schede}
            )
        _refuse_delete(
            _("«%(level)s %(code)s»") % {"level": goal.get_level_display(), "code": goal.code},
            reasons,
        )
        _logged_delete("dup_goal.delete", goal, actor=actor, fields=DUP_FIELDS)


# -- ambiti della performance --------------------------------------------------------------


@dataclass(frozen=True)
class AreaData:
    number: int
    name: str


def create_area(authority: Authority, *, actor, data: AreaData) -> PerformanceArea:
    """Add an ambito; its number is unique in the authority and sets the order."""
    require(actor, PERMISSION, authority)
    with transaction.atomic():
        return _logged_write(
            "area.create",
            PerformanceArea(authority=authority),
            actor=actor,
            fields=AREA_FIELDS,
            write=_write_area,
            data=data,
        )


def update_area(area: PerformanceArea, *, actor, data: AreaData) -> PerformanceArea:
    require(actor, PERMISSION, area)
    with transaction.atomic():
        return _logged_write(
            "area.update", area, actor=actor, fields=AREA_FIELDS, write=_write_area, data=data
        )


def _write_area(area: PerformanceArea, data: AreaData) -> PerformanceArea:
    if data.number is None or data.number < 1:
        raise DomainError(_("Il numero parte da 1."), field="number")
    name = _required(data.name, "name", _("Scrivere la denominazione dell'ambito."))
    taken = (
        PerformanceArea.objects.filter(authority_id=area.authority_id, number=data.number)
        .exclude(pk=area.pk)
        .first()
    )
    if taken is not None:
        raise DomainError(
            _("Il numero %(n)d è già dell'ambito «%(name)s».")
            % {"n": data.number, "name": taken.name},
            field="number",
        )
    area.number = data.number
    area.name = name
    area.save()
    return area


def delete_area(area: PerformanceArea, *, actor) -> None:
    """Remove an ambito no scheda marks."""
    require(actor, PERMISSION, area)
    with transaction.atomic():
        reasons = []
        if schede := area.objectives.count():
            reasons.append(
                ngettext(
                    "è indicato in %(n)d scheda obiettivo",
                    "è indicato in %(n)d schede obiettivo",
                    schede,
                )
                % {"n": schede}
            )
        _refuse_delete(_("L'ambito %(n)d") % {"n": area.number}, reasons)
        _logged_delete("area.delete", area, actor=actor, fields=AREA_FIELDS)


# -- SMVP ----------------------------------------------------------------------------------

DEFAULT_LEVELS = (
    (PolicyLevel.Dimension.STRATEGIC, DEFAULT_STRATEGIC),
    (PolicyLevel.Dimension.COMPLEXITY, DEFAULT_COMPLEXITY),
    (PolicyLevel.Dimension.KIND, DEFAULT_KIND),
)


def ensure_policy(authority: Authority) -> ScoringPolicy:
    """The authority's SMVP; the first time, created with the engine's default levels.

    Safe to call on every visit: an existing policy is returned untouched (levels an admin
    removed are not brought back).
    """
    with transaction.atomic():
        policy, created = ScoringPolicy.objects.get_or_create(authority=authority)
        if created:
            PolicyLevel.objects.bulk_create(
                PolicyLevel(
                    authority=authority,
                    policy=policy,
                    dimension=dimension,
                    code=code,
                    label=code.capitalize(),
                    value=value,
                    position=position,
                )
                for dimension, levels in DEFAULT_LEVELS
                for position, (code, value) in enumerate(levels.items())
            )
    return policy


@dataclass(frozen=True)
class PolicyData:
    activity_share: Decimal
    green_from: Decimal
    amber_from: Decimal


def update_policy(policy: ScoringPolicy, *, actor, data: PolicyData) -> ScoringPolicy:
    """Change the activity share and the traffic lights (for the plans not yet closed: a
    closed plan keeps the rules it was scored with, ``planning.rulebook``).

    1. every value is a percent between 0 and 100; 2. green starts above amber.
    """
    require(actor, PERMISSION, policy)
    with transaction.atomic():
        _percent_in_range(data.activity_share, "activity_share", _("La quota delle attività"))
        _percent_in_range(data.green_from, "green_from", _("La soglia del verde"))
        _percent_in_range(data.amber_from, "amber_from", _("La soglia del giallo"))
        if data.green_from <= data.amber_from:
            raise DomainError(
                _(
                    "Il verde deve cominciare sopra il giallo: ora il verde parte da "
                    "%(green)s%% e il giallo da %(amber)s%%."
                )
                % {"green": _number(data.green_from), "amber": _number(data.amber_from)},
                field="green_from",
            )
        before = field_values(policy, POLICY_FIELDS)
        policy.activity_share = data.activity_share
        policy.green_from = data.green_from
        policy.amber_from = data.amber_from
        policy.save()
        log_action(
            actor=actor,
            action="policy.update",
            obj=policy,
            before=before,
            after=field_values(policy, POLICY_FIELDS),
        )
    return policy


@dataclass(frozen=True)
class LevelData:
    label: str
    value: Decimal
    position: int = 0


def create_level(policy: ScoringPolicy, *, actor, dimension: str, data: LevelData) -> PolicyLevel:
    """Add a level of strategicità, complessità or tipologia; its code comes from the label."""
    require(actor, PERMISSION, policy)
    if dimension not in PolicyLevel.Dimension.values:
        raise DomainError(_("Dimensione del punteggio sconosciuta."))
    with transaction.atomic():
        level = PolicyLevel(authority_id=policy.authority_id, policy=policy, dimension=dimension)
        return _logged_write(
            "level.create", level, actor=actor, fields=LEVEL_FIELDS, write=_write_level, data=data
        )


def update_level(level: PolicyLevel, *, actor, data: LevelData) -> PolicyLevel:
    """Change label, points or factor, and order; the code stays (imports match on it). A
    closed plan keeps the value it was scored with (``planning.rulebook``)."""
    require(actor, PERMISSION, level)
    with transaction.atomic():
        return _logged_write(
            "level.update", level, actor=actor, fields=LEVEL_FIELDS, write=_write_level, data=data
        )


def _write_level(level: PolicyLevel, data: LevelData) -> PolicyLevel:
    label = _required(data.label, "label", _("Scrivere il nome del livello."))
    siblings = PolicyLevel.objects.filter(policy=level.policy, dimension=level.dimension).exclude(
        pk=level.pk
    )
    if siblings.filter(label__iexact=label).exists():
        raise DomainError(
            _("%(dimension)s ha già un livello «%(label)s».")
            % {"dimension": level.get_dimension_display(), "label": label},
            field="label",
        )
    if data.value is None or data.value < 0:
        raise DomainError(_("Il valore non può essere negativo."), field="value")
    if level.pk is None:
        level.code = _free_code(label, set(siblings.values_list("code", flat=True)))
    level.label = label
    level.value = data.value
    level.position = data.position
    level.save()
    return level


def _free_code(label: str, taken: set[str]) -> str:
    base = (slugify(label) or "livello")[:26]
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def delete_level(level: PolicyLevel, *, actor) -> None:
    """Remove a level no scheda uses."""
    require(actor, PERMISSION, level)
    with transaction.atomic():
        schede = Objective.objects.filter(
            Q(strategic_level=level) | Q(complexity_level=level) | Q(kind_level=level)
        ).count()
        reasons = []
        if schede:
            reasons.append(
                ngettext(
                    "è assegnato a %(n)d scheda obiettivo",
                    "è assegnato a %(n)d schede obiettivo",
                    schede,
                )
                % {"n": schede}
            )
        _refuse_delete(_("Il livello «%(label)s»") % {"label": level.label}, reasons)
        _logged_delete("level.delete", level, actor=actor, fields=LEVEL_FIELDS)


# -- graduazioni ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleReading:
    """A scale as the engine reads it, with its Italian description and table."""

    scale: EngineScale
    description: str
    rows: list[tuple[str, str]] = field(default_factory=list)


def reading_of(scale: EngineScale) -> ScaleReading:
    return ScaleReading(scale, describe_scale(scale), scale_rows(scale))


def read_scale(text: str) -> ScaleReading:
    """Parse a graduation typed as on the card; the parser's message goes on ``source_text``."""
    try:
        return reading_of(parse_scale(text))
    except ScaleParseError as error:
        raise DomainError(error.message, field="source_text") from None


@dataclass(frozen=True)
class ScaleData:
    name: str
    source_text: str


def create_scale(authority: Authority, *, actor, data: ScaleData) -> GradingScale:
    """Add a graduation: the text is parsed, stored as the engine's data and kept verbatim."""
    require(actor, PERMISSION, authority)
    with transaction.atomic():
        return _logged_write(
            "scale.create",
            GradingScale(authority=authority),
            actor=actor,
            fields=SCALE_FIELDS,
            write=_write_scale,
            data=data,
        )


def update_scale(scale: GradingScale, *, actor, data: ScaleData) -> GradingScale:
    """Rename or retype a graduation; indicators using it are graded by the new one, except
    in closed plans, which keep the version they were scored with (``planning.rulebook``)."""
    require(actor, PERMISSION, scale)
    with transaction.atomic():
        return _logged_write(
            "scale.update", scale, actor=actor, fields=SCALE_FIELDS, write=_write_scale, data=data
        )


def _write_scale(scale: GradingScale, data: ScaleData) -> GradingScale:
    name = _required(data.name, "name", _("Scrivere il nome della graduazione."))
    if (
        GradingScale.objects.filter(authority_id=scale.authority_id, name__iexact=name)
        .exclude(pk=scale.pk)
        .exists()
    ):
        raise DomainError(
            _("Esiste già una graduazione «%(name)s».") % {"name": name}, field="name"
        )
    reading = read_scale(data.source_text)
    scale.name = name
    scale.source_text = data.source_text.strip()
    scale.definition = scale_to_dict(reading.scale)
    scale.save()
    return scale


def delete_scale(scale: GradingScale, *, actor) -> None:
    """Remove a graduation no indicator or activity uses."""
    require(actor, PERMISSION, scale)
    with transaction.atomic():
        reasons = []
        if indicators := scale.indicators.count():
            reasons.append(
                ngettext(
                    "è usata da %(n)d indicatore",
                    "è usata da %(n)d indicatori",
                    indicators,
                )
                % {"n": indicators}
            )
        if activities := scale.activities.count():
            reasons.append(
                ngettext(
                    "è usata da %(n)d attività",
                    "è usata da %(n)d attività",
                    activities,
                )
                % {"n": activities}
            )
        _refuse_delete(_("La graduazione «%(name)s»") % {"name": scale.name}, reasons)
        _logged_delete("scale.delete", scale, actor=actor, fields=SCALE_FIELDS)


# -- what the setup pages show -------------------------------------------------------------


@dataclass
class TreeNode:
    item: Any
    children: list[TreeNode] = field(default_factory=list)


def _tree(rows: Iterable[Any]) -> list[TreeNode]:
    """Nodes in the rows' order under their parents; a row whose parent is missing is a root."""
    nodes = {row.pk: TreeNode(row) for row in rows}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.item.parent_id)
        (parent.children if parent is not None else roots).append(node)
    return roots


def unit_tree(authority: Authority) -> list[TreeNode]:
    """Settori → servizi → uffici, each with its head, in one query."""
    return _tree(OrgUnit.objects.filter(authority=authority).select_related("head"))


def dup_tree(authority: Authority) -> list[TreeNode]:
    """Linee di mandato → obiettivi strategici → obiettivi operativi, in one query."""
    return _tree(DupGoal.objects.filter(authority=authority).order_by("code", "pk"))


@dataclass(frozen=True)
class PunteggioExample:
    strategic: PolicyLevel
    complexity: PolicyLevel
    kind: PolicyLevel
    score: Decimal


@dataclass(frozen=True)
class PolicyLevels:
    strategic: list[PolicyLevel]
    complexity: list[PolicyLevel]
    kind: list[PolicyLevel]
    example: PunteggioExample | None


def policy_levels(policy: ScoringPolicy) -> PolicyLevels:
    """The levels of each dimension, in order, and the Punteggio of the highest three."""
    by_dimension: dict[str, list[PolicyLevel]] = {d: [] for d in PolicyLevel.Dimension.values}
    for level in policy.levels.order_by("position", "value", "pk"):
        by_dimension[level.dimension].append(level)
    strategic, complexity, kind = (by_dimension[d] for d in ("strategic", "complexity", "kind"))
    example = None
    if strategic and complexity and kind:
        top = [max(levels, key=attrgetter("value")) for levels in (strategic, complexity, kind)]
        example = PunteggioExample(*top, score=weight_score(*(level.value for level in top)))
    return PolicyLevels(strategic, complexity, kind, example)


def setup_counts(authority: Authority) -> dict[str, int]:
    """How many rows each setup section holds, for the landing page."""
    return {
        "units": OrgUnit.objects.filter(authority=authority).count(),
        "people": Person.objects.filter(authority=authority).count(),
        "dup": DupGoal.objects.filter(authority=authority).count(),
        "areas": PerformanceArea.objects.filter(authority=authority).count(),
        "levels": PolicyLevel.objects.filter(authority=authority).count(),
        "scales": GradingScale.objects.filter(authority=authority).count(),
    }
