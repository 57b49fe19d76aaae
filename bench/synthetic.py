"""A synthetic plan for the monitoring benchmark, written with bulk_create.

One authority with a tree of 20 units (4 settori × 4 servizi beneath each) and their heads,
the default SMVP levels, 8 ambiti, two grading scales (delay steps and proportional), a plan
2019 of N schede × 5 indicators (deadline, ratio, number) with their final targets × 2
activities, two monitoring periods (the intermediate one closed, the final one open) and one
measurement per indicator per period. An admin member to open the pages.

Deterministic (no randomness): every figure is a function of the row's index, so two runs and
two databases build the same plan. Call inside ``scopes_disabled()``.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from traguardo.accounts.models import Membership, Role, User
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import (
    Authority,
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
)
from traguardo.planning.models import Activity, DupGoal, Indicator, Objective, Plan, Target
from traguardo.scoring import Measure, parse_scale, scale_to_dict

YEAR = 2019
SLUG = "banco-di-prova"
DELAY_TEXT = "gg ritardo 5 = 90% / 10 = 80% / 15 = 60%"
PROPORTIONAL_TEXT = "Proporzionale con soglia 50%"
# Indicator k of a scheda: two deadlines, two ratios, one number.
MEASURES = (Measure.DEADLINE, Measure.RATIO, Measure.DEADLINE, Measure.NUMBER, Measure.RATIO)


@dataclass(frozen=True)
class Built:
    authority: Authority
    plan: Plan
    user: User
    counts: dict[str, int]


def build(
    schede: int = 2000,
    indicators: int = 5,
    activities: int = 2,
    *,
    slug: str = SLUG,
    name: str = "Comune di Banco di Prova",
    username: str = "banco-admin",
) -> Built:
    """One authority and its plan; ``slug``, ``name`` and ``username`` tell several apart."""
    with transaction.atomic():
        return _build(schede, indicators, activities, slug, name, username)


def _build(
    schede: int, per_scheda: int, activities_per_scheda: int, slug: str, name: str, username: str
) -> Built:
    authority = Authority.objects.create(name=name, slug=slug)
    a = {"authority": authority}
    policy = ensure_policy(authority)
    levels = {
        dimension: list(PolicyLevel.objects.filter(policy=policy, dimension=dimension))
        for dimension in PolicyLevel.Dimension.values
    }

    people = Person.objects.bulk_create(
        Person(**a, first_name=f"Nome{n}", last_name=f"Cognome{n}", job_title="Dirigente")
        for n in range(20)
    )
    sectors = OrgUnit.objects.bulk_create(
        OrgUnit(**a, name=f"Settore {s + 1}", kind=OrgUnit.Kind.SECTOR, head=people[s], position=s)
        for s in range(4)
    )
    services = OrgUnit.objects.bulk_create(
        OrgUnit(
            **a,
            name=f"Servizio {s + 1}.{k + 1}",
            kind=OrgUnit.Kind.SERVICE,
            parent=sectors[s],
            head=people[4 + 4 * s + k],
            position=4 + 4 * s + k,
        )
        for s in range(4)
        for k in range(4)
    )
    units = sectors + services
    areas = PerformanceArea.objects.bulk_create(
        PerformanceArea(**a, number=n + 1, name=f"Ambito {n + 1}") for n in range(8)
    )
    dup = DupGoal.objects.bulk_create(
        DupGoal(**a, level=DupGoal.Level.OPERATIONAL, code=f"1.{n + 1}", title=f"Operativo {n}")
        for n in range(10)
    )
    delay = GradingScale.objects.create(
        **a,
        name="Ritardo",
        definition=scale_to_dict(parse_scale(DELAY_TEXT)),
        source_text=DELAY_TEXT,
    )
    proportional = GradingScale.objects.create(
        **a,
        name="Proporzionale",
        definition=scale_to_dict(parse_scale(PROPORTIONAL_TEXT)),
        source_text=PROPORTIONAL_TEXT,
    )

    plan = Plan.objects.create(
        **a, year=YEAR, last_year=YEAR + 2, title=f"Piano {YEAR}", state=Plan.State.MONITORING
    )
    objectives = Objective.objects.bulk_create(
        Objective(
            **a,
            plan=plan,
            position=i + 1,
            code=f"{i + 1}",
            title=f"Obiettivo sintetico {i + 1}",
            year=YEAR,
            first_year=YEAR,
            last_year=YEAR,
            dup_goal=dup[i % len(dup)],
            unit=units[i % len(units)],
            responsible=units[i % len(units)].head,
            expected_result="Risultato atteso della scheda sintetica.",
            strategic_level=_level(levels, "strategic", i),
            complexity_level=_level(levels, "complexity", i // 3),
            kind_level=_level(levels, "kind", i // 7),
        )
        for i in range(schede)
    )
    through = Objective.areas.through
    through.objects.bulk_create(
        through(objective_id=o.pk, performancearea_id=areas[(i + k) % len(areas)].pk)
        for i, o in enumerate(objectives)
        for k in range(1 + i % 2)
    )
    involved = Objective.involved_units.through
    involved.objects.bulk_create(
        involved(objective_id=o.pk, orgunit_id=units[(i + 1) % len(units)].pk)
        for i, o in enumerate(objectives)
        if i % 4 == 0
    )

    weight = Decimal(100) / per_scheda
    # Deadlines are graded by the delay steps, ratios and numbers proportionally.
    grading = {
        measure: (DELAY_TEXT, delay)
        if measure is Measure.DEADLINE
        else (PROPORTIONAL_TEXT, proportional)
        for measure in MEASURES
    }
    indicators = Indicator.objects.bulk_create(
        Indicator(
            **a,
            objective=o,
            position=k + 1,
            weight=weight,
            name=f"Indicatore {k + 1} della scheda {i + 1}",
            formula_text="Formula sintetica",
            measure=MEASURES[k % len(MEASURES)],
            grading_text=grading[MEASURES[k % len(MEASURES)]][0],
            grading_scale=grading[MEASURES[k % len(MEASURES)]][1],
        )
        for i, o in enumerate(objectives)
        for k in range(per_scheda)
    )
    Target.objects.bulk_create(
        _final_target(a, n, indicator) for n, indicator in enumerate(indicators)
    )
    activity_weight = Decimal(100) / activities_per_scheda
    Activity.objects.bulk_create(
        Activity(
            **a,
            objective=o,
            position=k + 1,
            weight=activity_weight,
            title=f"Attività {k + 1} della scheda {i + 1}",
            start_date=date(YEAR, 1, 1),
            end_date=date(YEAR, 6 * (k + 1) if k < 2 else 12, 30),
            timing_text="gen-giu" if k == 0 else "lug-dic",
            grading_text=DELAY_TEXT,
            grading_scale=delay,
        )
        for i, o in enumerate(objectives)
        for k in range(activities_per_scheda)
    )

    user = User.objects.create_user(username=username, password=None)
    Membership.objects.create(user=user, authority=authority, role=Role.ADMIN)
    intermediate = MonitoringPeriod.objects.create(
        **a,
        plan=plan,
        name="Verifica intermedia 2019",
        kind=MonitoringPeriod.Kind.INTERMEDIATE,
        reference_date=date(YEAR, 6, 30),
        state=MonitoringPeriod.State.CLOSED,
    )
    final = MonitoringPeriod.objects.create(
        **a,
        plan=plan,
        name="Consuntivo 2019",
        kind=MonitoringPeriod.Kind.FINAL,
        reference_date=date(YEAR, 12, 31),
        state=MonitoringPeriod.State.OPEN,
    )
    Measurement.objects.bulk_create(
        _measurement(a, period, n, indicator, user)
        for period in (intermediate, final)
        for n, indicator in enumerate(indicators)
    )
    counts = {
        "schede": len(objectives),
        "indicators": len(indicators),
        "activities": activities_per_scheda * len(objectives),
        "measurements": 2 * len(indicators),
    }
    return Built(authority=authority, plan=plan, user=user, counts=counts)


def _level(levels: dict, dimension: str, i: int):
    options = levels[dimension]
    return options[i % len(options)] if options else None


def _due(n: int) -> date:
    """Deadlines spread over the year, one a fortnight."""
    return date(YEAR, 1, 15) + timedelta(days=14 * (n % 25))


def _final_target(a: dict, n: int, indicator: Indicator) -> Target:
    if indicator.measure == Measure.DEADLINE:
        due = _due(n)
        return Target(
            **a,
            indicator=indicator,
            kind=Target.Kind.FINAL,
            year=YEAR,
            value_text="entro la scadenza",
            due_date=due,
            due_text=due.strftime("%d/%m/%Y"),
        )
    value = Decimal(100) if indicator.measure == Measure.RATIO else Decimal(40 + n % 60)
    return Target(
        **a,
        indicator=indicator,
        kind=Target.Kind.FINAL,
        year=YEAR,
        value=value,
        value_text=str(value),
        due_date=date(YEAR, 12, 31),
        due_text="31/12/2019",
    )


def _measurement(a: dict, period: MonitoringPeriod, n: int, indicator: Indicator, user):
    m = Measurement(**a, period=period, indicator=indicator, entered_by=user)
    final = period.kind == MonitoringPeriod.Kind.FINAL
    if n % 97 == 0:
        m.not_assessable = True
        m.not_assessable_reason = "Dato non disponibile per cause esterne."
        return m
    if n % 89 == 0:
        m.forced_achievement = Decimal(75)
        m.forced_reason = "Valutazione del Nucleo."
    if indicator.measure == Measure.DEADLINE:
        # Most completed, some late (0–24 days), a few still open.
        if n % 7 != 3 and (final or _due(n) <= period.reference_date):
            m.completed_on = _due(n) + timedelta(days=(n * 5) % 25)
    elif indicator.measure == Measure.RATIO:
        m.denominator = Decimal(100 + n % 50)
        m.numerator = Decimal((100 + n % 50) * (60 + n % 45) // 100) / (1 if final else 2)
    else:
        m.value = Decimal(20 + n % 90) / (1 if final else 2)
    return m
