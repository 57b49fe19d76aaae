"""A year's scheme of individual evaluation, its families (components, weights, fund) and
their behaviours' catalogue (admins, ``evaluation.manage_scheme``).

Every setting is checked by the engine's own constructors (``RatingScale``, ``PayBands``,
``DifferentiationSettings``, ``Differentiation``, ``check_family``): what they refuse is an
Italian message next to its field, and nothing is written. Once an evaluation of the year has
been delivered (a state beyond the interview) people have been evaluated on the scheme: the
scheme, its families, components, behaviours, levels and bands are frozen
(``require_scheme_open``), decided inside the write transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.audit.log import field_values, log_action
from traguardo.core.domain import DomainError, InvalidData, require
from traguardo.core.formats import number_it
from traguardo.evaluation.messages import message
from traguardo.evaluation.models import (
    Behaviour,
    BehaviourRating,
    Evaluation,
    Family,
    FamilyComponent,
    Fund,
    PayBand,
    RatingLevel,
    Scheme,
)
from traguardo.organization.models import Authority
from traguardo.scoring import (
    Component,
    ComponentKind,
    DifferentiationRule,
    DifferentiationSettings,
    RatingRule,
    RatingScale,
    check_family,
)
from traguardo.scoring import Family as EngineFamily
from traguardo.scoring import PayBand as EnginePayBand
from traguardo.scoring import PayBands as EnginePayBands
from traguardo.scoring.pay import Differentiation

PERMISSION = "evaluation.manage_scheme"

# The states in which nobody has been evaluated yet: the scheme may still change.
OPEN_STATES = (Evaluation.State.DRAFT, Evaluation.State.INTERVIEW)

SCHEME_FIELDS = (
    "year",
    "rating_min",
    "rating_max",
    "rating_step",
    "rating_rule",
    "differentiation_rule",
    "differentiation_target",
    "top_band",
    "minimum_count",
    "bands_lower_inclusive",
    "pay_basis",
    "franchise_days",
    "increase",
    "increase_max_share",
    "rounding",
    "review_days",
)
FAMILY_FIELDS = ("name", "objectives_rule", "nucleo_reviews", "position")
BEHAVIOUR_FIELDS = ("name", "description", "weight", "position")
KINDS = tuple(kind.value for kind in ComponentKind)


# --- the frozen rule ---------------------------------------------------------------------


def delivered_count(scheme: Scheme) -> int:
    """The evaluations of the year already delivered (or further on)."""
    return (
        Evaluation.objects.filter(assignment__scheme=scheme).exclude(state__in=OPEN_STATES).count()
    )


def is_frozen(scheme: Scheme) -> bool:
    return (
        Evaluation.objects.filter(assignment__scheme=scheme).exclude(state__in=OPEN_STATES).exists()
    )


def frozen_message(year: int) -> str:
    return _(
        "Il sistema di valutazione %(year)s non si può più modificare: almeno una valutazione "
        "di quell'anno è già stata consegnata, e le persone sono state valutate con queste "
        "regole."
    ) % {"year": year}


def lock_scheme(scheme: Scheme) -> Scheme:
    """Inside a write transaction: the scheme read again, locked until the transaction ends
    (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's immediate transactions already serialise
    writers). Every write that depends on whether the year is frozen takes it first: the
    settings' actions here, and the delivery of an evaluation (the conversation's step out of
    the interview), so that a settings save and a delivery never interleave."""
    return Scheme.objects.select_for_update().get(pk=scheme.pk)


def require_scheme_open(scheme: Scheme) -> Scheme:
    """Inside a write transaction: lock the scheme (``lock_scheme``) and refuse if an
    evaluation of its year has been delivered. Returns the scheme as read."""
    current = lock_scheme(scheme)
    if is_frozen(current):
        raise DomainError(frozen_message(current.year))
    return current


# --- the scheme --------------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeData:
    """Every setting of a year's scheme; ``levels`` are (rating, anchor) and ``bands``
    (lower, share), both lowest first."""

    rating_min: Decimal
    rating_max: Decimal
    rating_step: Decimal
    rating_rule: str
    differentiation_rule: str
    differentiation_target: Decimal
    top_band: Decimal
    minimum_count: int
    bands_lower_inclusive: bool
    pay_basis: str
    franchise_days: int
    increase: Decimal | None
    increase_max_share: Decimal
    rounding: str
    review_days: int
    levels: tuple[tuple[Decimal, str], ...] = ()
    bands: tuple[tuple[Decimal, Decimal], ...] = field(default=())


def scheme_data(scheme: Scheme) -> SchemeData:
    """A stored scheme as the data of its form."""
    return SchemeData(
        **{name: getattr(scheme, name) for name in SCHEME_FIELDS if name != "year"},
        levels=tuple((level.rating, level.description) for level in scheme.rating_levels.all()),
        bands=tuple((band.lower, band.share) for band in scheme.pay_bands.all()),
    )


def validate_scheme(data: SchemeData) -> None:
    """The engine's constructors decide; each refusal is an Italian message on its field."""
    errors: list[tuple[str, str]] = []
    try:
        scale = RatingScale(
            data.rating_min, data.rating_max, RatingRule(data.rating_rule), data.rating_step
        )
    except ValueError:
        errors.append(
            (
                "rating_max",
                _(
                    "La scala non è valida: la valutazione minima deve essere inferiore alla "
                    "massima, il passo positivo e tale da portare dalla minima alla massima "
                    "(e con «valutazione / massimo» nessuna valutazione può essere negativa)."
                ),
            )
        )
    else:
        off = [rating for rating, _text in data.levels if not scale.allows(rating)]
        if off:
            errors.append(
                (
                    "levels",
                    _("Questi livelli non sono valutazioni della scala: %(levels)s.")
                    % {"levels": ", ".join(number_it(r) for r in off)},
                )
            )
        ratings = [rating for rating, _text in data.levels]
        if len(set(ratings)) != len(ratings):
            errors.append(("levels", _("Ogni valutazione può avere una sola descrizione.")))
    try:
        DifferentiationSettings(
            DifferentiationRule(data.differentiation_rule),
            data.differentiation_target,
            data.top_band,
            data.minimum_count,
        )
    except (ValueError, TypeError):
        errors.append(
            (
                "differentiation_target",
                _(
                    "La differenziazione non è valida: l'obiettivo deve essere positivo, la "
                    "fascia più alta tra 0 e 100 e le valutazioni minime almeno 2."
                ),
            )
        )
    if not data.bands:
        errors.append(("bands", _("Indicare almeno la fascia che parte da 0.")))
    else:
        try:
            EnginePayBands(
                tuple(EnginePayBand(lower, share) for lower, share in data.bands),
                data.bands_lower_inclusive,
            )
        except ValueError:
            errors.append(
                (
                    "bands",
                    _(
                        "Le fasce non sono valide: la prima parte da 0, ciascuna parte da un "
                        "punteggio più alto della precedente (tra 0 e 100) e una fascia più alta "
                        "non paga una quota minore."
                    ),
                )
            )
    if data.increase is not None:
        try:
            Differentiation(data.increase, data.increase_max_share)
        except ValueError:
            errors.append(
                (
                    "increase",
                    _(
                        "Art. 81 CCNL Funzioni Locali 16.11.2022: la maggiorazione è almeno il "
                        "30 % del premio medio, per al più il 100 % dei valutati."
                    ),
                )
            )
    if errors:
        raise InvalidData(errors)


def create_scheme(
    authority: Authority, *, actor: User, year: int, copy_from: Scheme | None = None
) -> Scheme:
    """A year's scheme: the defaults, or a copy of ``copy_from`` with its rating levels,
    bands, families, components and behaviours (not its funds nor its assignments: money and
    people are the new year's)."""
    require(actor, PERMISSION, authority)
    if not 2000 <= year <= 2100:
        raise DomainError(_("Indicare un anno tra 2000 e 2100."), field="year")
    with transaction.atomic():
        if Scheme.objects.filter(year=year).exists():
            raise DomainError(
                _("Il sistema di valutazione %(year)s esiste già.") % {"year": year}, field="year"
            )
        scheme = Scheme(authority=authority, year=year)
        if copy_from is not None:
            if copy_from.authority_id != authority.pk:
                raise DomainError(_("Scelta non valida: non appartiene a questo ente."))
            for name in SCHEME_FIELDS:
                if name != "year":
                    setattr(scheme, name, getattr(copy_from, name))
        scheme.save()
        if copy_from is None:
            # The usual bands, so a new scheme is valid from the start.
            for lower, share in ((0, 0), (50, 60), (70, 80), (90, 100)):
                PayBand.objects.create(
                    authority=authority, scheme=scheme, lower=Decimal(lower), share=Decimal(share)
                )
        else:
            _copy_rows(copy_from, scheme)
        log_action(
            actor=actor,
            action="scheme.create",
            obj=scheme,
            after={
                **field_values(scheme, SCHEME_FIELDS),
                "copied_from": copy_from.year if copy_from else None,
            },
        )
    return scheme


def _copy_rows(source: Scheme, scheme: Scheme) -> None:
    authority = scheme.authority_id
    RatingLevel.objects.bulk_create(
        RatingLevel(
            authority_id=authority,
            scheme=scheme,
            rating=level.rating,
            description=level.description,
        )
        for level in source.rating_levels.all()
    )
    PayBand.objects.bulk_create(
        PayBand(authority_id=authority, scheme=scheme, lower=band.lower, share=band.share)
        for band in source.pay_bands.all()
    )
    for old in source.families.prefetch_related("components", "behaviours"):
        family = Family.objects.create(
            authority_id=authority,
            scheme=scheme,
            **{name: getattr(old, name) for name in FAMILY_FIELDS},
        )
        FamilyComponent.objects.bulk_create(
            FamilyComponent(authority_id=authority, family=family, kind=c.kind, weight=c.weight)
            for c in old.components.all()
        )
        Behaviour.objects.bulk_create(
            Behaviour(
                authority_id=authority,
                family=family,
                **{name: getattr(b, name) for name in BEHAVIOUR_FIELDS},
            )
            for b in old.behaviours.all()
        )


def update_scheme(scheme: Scheme, *, actor: User, data: SchemeData) -> Scheme:
    """Change the year's settings, its rating levels and its bands at once."""
    require(actor, PERMISSION, scheme)
    validate_scheme(data)
    with transaction.atomic():
        scheme = require_scheme_open(scheme)
        before = {**field_values(scheme, SCHEME_FIELDS), **_rows_of(scheme)}
        for name in SCHEME_FIELDS:
            if name != "year":
                setattr(scheme, name, getattr(data, name))
        scheme.save()
        scheme.rating_levels.all().delete()
        RatingLevel.objects.bulk_create(
            RatingLevel(
                authority_id=scheme.authority_id, scheme=scheme, rating=rating, description=text
            )
            for rating, text in data.levels
        )
        scheme.pay_bands.all().delete()
        PayBand.objects.bulk_create(
            PayBand(authority_id=scheme.authority_id, scheme=scheme, lower=lower, share=share)
            for lower, share in data.bands
        )
        log_action(
            actor=actor,
            action="scheme.update",
            obj=scheme,
            before=before,
            after={**field_values(scheme, SCHEME_FIELDS), **_rows_of(scheme)},
        )
    return scheme


def _rows_of(scheme: Scheme) -> dict[str, list[str]]:
    return {
        "levels": [f"{lv.rating}: {lv.description}" for lv in scheme.rating_levels.all()],
        "bands": [f"{band.lower}: {band.share}" for band in scheme.pay_bands.all()],
    }


# --- families ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyData:
    """A family's settings; ``weights`` kind → weight (a kind left out is not a component);
    ``fund`` the year's amount in euro (None: not set yet)."""

    name: str
    objectives_rule: str
    nucleo_reviews: bool
    position: int
    weights: dict[str, Decimal]
    fund: Decimal | None = None


def family_findings(weights: dict[str, Decimal]) -> list[tuple[str, str]]:
    """The engine's ``check_family`` on these weights, as (severity, Italian text)."""
    engine = EngineFamily(
        "family", tuple(Component(ComponentKind(kind), w) for kind, w in weights.items())
    )
    return [(issue.severity, message(issue)) for issue in check_family(engine)]


def _others(rows, row):
    """``rows`` without ``row`` (when it is stored)."""
    return rows.exclude(pk=row.pk) if row is not None and row.pk else rows


def _validate_family(scheme: Scheme, family: Family | None, data: FamilyData) -> str:
    name = data.name.strip()
    errors: list[tuple[str, str]] = []
    if not name:
        errors.append(("name", _("Scrivere il nome della famiglia.")))
    elif _others(Family.objects.filter(scheme=scheme, name__iexact=name), family).exists():
        errors.append(("name", _("Il sistema ha già una famiglia «%(name)s».") % {"name": name}))
    unknown = set(data.weights) - set(KINDS)
    if unknown or not data.weights:
        errors.append(("components", _("Indicare almeno una componente con il suo peso.")))
    else:
        for kind, weight in data.weights.items():
            if not Decimal(0) <= weight <= Decimal(100):
                errors.append((f"weight_{kind}", _("Il peso è tra 0 e 100.")))
        if not errors:
            # Weights not adding up to 100 are refused: the form gives every weight at once,
            # and a family saved so would leave every evaluation of it without a total.
            errors.extend(
                ("components", text)
                for severity, text in family_findings(data.weights)
                if severity == "error"
            )
    if data.fund is not None and data.fund < 0:
        errors.append(("fund", _("Il fondo non può essere negativo.")))
    if errors:
        raise InvalidData(errors)
    return name


def create_family(scheme: Scheme, *, actor: User, data: FamilyData) -> Family:
    require(actor, PERMISSION, scheme)
    with transaction.atomic():
        scheme = require_scheme_open(scheme)
        name = _validate_family(scheme, None, data)
        family = Family(authority_id=scheme.authority_id, scheme=scheme)
        return _write_family(family, name, data, actor=actor, action="family.create")


def update_family(family: Family, *, actor: User, data: FamilyData) -> Family:
    require(actor, PERMISSION, family)
    with transaction.atomic():
        require_scheme_open(family.scheme)
        name = _validate_family(family.scheme, family, data)
        return _write_family(family, name, data, actor=actor, action="family.update")


def _family_values(family: Family) -> dict:
    fund = Fund.objects.filter(family=family).first() if family.pk else None
    return {
        **field_values(family, FAMILY_FIELDS),
        "component_weights": {c.kind: str(c.weight) for c in family.components.all()}
        if family.pk
        else {},
        "fund_amount": str(fund.amount) if fund else None,  # not "fund": the reverse relation
    }


def _write_family(family: Family, name: str, data: FamilyData, *, actor: User, action: str):
    before = _family_values(family) if family.pk else None
    family.name = name
    family.objectives_rule = data.objectives_rule
    family.nucleo_reviews = data.nucleo_reviews
    family.position = data.position
    try:
        with transaction.atomic():
            family.save()
    except IntegrityError as error:
        raise DomainError(
            _("Il sistema ha già una famiglia «%(name)s».") % {"name": name}, field="name"
        ) from error
    family.components.exclude(kind__in=list(data.weights)).delete()
    for kind, weight in data.weights.items():
        FamilyComponent.objects.update_or_create(
            family=family,
            kind=kind,
            defaults={"weight": weight, "authority_id": family.authority_id},
        )
    # The fund as the settings set it; once paid (the «Premi» page, evaluation.domain.funds)
    # its amount is the payroll's and changes only there, after the payment is cleared.
    paid = Fund.objects.filter(family=family, paid_on__isnull=False).first()
    if paid is not None and paid.amount != data.fund:
        raise DomainError(
            _(
                "Il fondo è già liquidato: si modifica dalla pagina Premi, annullando la "
                "liquidazione."
            ),
            field="fund",
        )
    if paid is None and data.fund is None:
        Fund.objects.filter(family=family).delete()
    elif paid is None and data.fund is not None:
        Fund.objects.update_or_create(
            family=family, defaults={"amount": data.fund, "authority_id": family.authority_id}
        )
    log_action(actor=actor, action=action, obj=family, before=before, after=_family_values(family))
    return family


def delete_family(family: Family, *, actor: User) -> None:
    """Remove a family nobody is assigned to."""
    require(actor, PERMISSION, family)
    with transaction.atomic():
        require_scheme_open(family.scheme)
        assigned = family.assignments.count()
        if assigned:
            raise DomainError(
                _("La famiglia «%(name)s» non si può eliminare: vi sono assegnate %(n)d persone.")
                % {"name": family.name, "n": assigned}
            )
        log_action(actor=actor, action="family.delete", obj=family, before=_family_values(family))
        family.delete()


# --- behaviours --------------------------------------------------------------------------


@dataclass(frozen=True)
class BehaviourData:
    name: str
    description: str = ""
    weight: Decimal = Decimal(1)
    position: int = 0


def _write_behaviour(behaviour: Behaviour, data: BehaviourData) -> Behaviour:
    name = data.name.strip()
    if not name:
        raise DomainError(_("Scrivere il nome del comportamento."), field="name")
    if (
        Behaviour.objects.filter(family_id=behaviour.family_id, name__iexact=name)
        .exclude(pk=behaviour.pk)
        .exists()
    ):
        raise DomainError(
            _("La famiglia ha già il comportamento «%(name)s».") % {"name": name}, field="name"
        )
    if data.weight is None or data.weight < 0:
        raise DomainError(_("Il peso non può essere negativo."), field="weight")
    behaviour.name = name
    behaviour.description = data.description.strip()
    behaviour.weight = data.weight
    behaviour.position = data.position
    behaviour.save()
    return behaviour


def create_behaviour(family: Family, *, actor: User, data: BehaviourData) -> Behaviour:
    require(actor, PERMISSION, family)
    with transaction.atomic():
        require_scheme_open(family.scheme)
        behaviour = _write_behaviour(
            Behaviour(authority_id=family.authority_id, family=family), data
        )
        log_action(
            actor=actor,
            action="behaviour.create",
            obj=behaviour,
            after=field_values(behaviour, BEHAVIOUR_FIELDS),
        )
    return behaviour


def update_behaviour(behaviour: Behaviour, *, actor: User, data: BehaviourData) -> Behaviour:
    require(actor, PERMISSION, behaviour)
    with transaction.atomic():
        require_scheme_open(behaviour.family.scheme)
        before = field_values(behaviour, BEHAVIOUR_FIELDS)
        behaviour = _write_behaviour(behaviour, data)
        log_action(
            actor=actor,
            action="behaviour.update",
            obj=behaviour,
            before=before,
            after=field_values(behaviour, BEHAVIOUR_FIELDS),
        )
    return behaviour


def delete_behaviour(behaviour: Behaviour, *, actor: User) -> None:
    require(actor, PERMISSION, behaviour)
    with transaction.atomic():
        require_scheme_open(behaviour.family.scheme)
        rated = BehaviourRating.objects.filter(behaviour=behaviour).count()
        if rated:
            raise DomainError(
                _(
                    "Il comportamento «%(name)s» non si può eliminare: è già valutato in "
                    "%(n)d valutazioni."
                )
                % {"name": behaviour.name, "n": rated}
            )
        log_action(
            actor=actor,
            action="behaviour.delete",
            obj=behaviour,
            before=field_values(behaviour, BEHAVIOUR_FIELDS),
        )
        behaviour.delete()
