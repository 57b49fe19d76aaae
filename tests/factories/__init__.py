"""factory_boy factories. Create them inside ``scopes_disabled()`` (or the ``unscoped`` fixture)."""

from datetime import date
from decimal import Decimal

import factory

from traguardo.accounts.models import Membership, Role, User
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.organization.models import (
    Authority,
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
)
from traguardo.planning.models import Activity, DupGoal, Indicator, Objective, Plan, Target
from traguardo.scoring import DelayStep, DelaySteps, Measure, scale_to_dict

PASSWORD = "una-password-di-prova-lunga"


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Comune {n}")
    slug = factory.Sequence(lambda n: f"comune-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utente{n}")
    password = factory.django.Password(PASSWORD)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    authority = factory.SubFactory(AuthorityFactory)
    first_name = factory.Sequence(lambda n: f"Nome{n}")
    last_name = factory.Sequence(lambda n: f"Cognome{n}")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Settore {n}")
    kind = OrgUnit.Kind.SECTOR


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    authority = factory.SubFactory(AuthorityFactory)
    role = Role.VIEWER


class GradingScaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradingScale

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Ritardo {n}")
    definition = factory.LazyFunction(
        lambda: scale_to_dict(
            DelaySteps(
                steps=(
                    DelayStep(5, Decimal(90)),
                    DelayStep(10, Decimal(80)),
                    DelayStep(15, Decimal(60)),
                )
            )
        )
    )


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    authority = factory.SubFactory(AuthorityFactory)
    year = 2019
    last_year = factory.LazyAttribute(lambda o: o.year + 2)
    title = factory.LazyAttribute(lambda o: f"Piano {o.year}")


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(PlanFactory)
    authority = factory.SelfAttribute("plan.authority")
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Obiettivo {n}")
    year = factory.SelfAttribute("plan.year")
    first_year = factory.SelfAttribute("plan.year")
    last_year = factory.SelfAttribute("plan.year")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    objective = factory.SubFactory(ObjectiveFactory)
    authority = factory.SelfAttribute("objective.authority")
    position = factory.Sequence(lambda n: n + 1)
    weight = Decimal(100)
    name = factory.Sequence(lambda n: f"Indicatore {n}")
    formula_text = "Giorni di ritardo"
    measure = Measure.DEADLINE


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    authority = factory.SelfAttribute("indicator.authority")
    kind = Target.Kind.FINAL
    year = 2019
    value = Decimal(0)
    value_text = "0"
    due_date = date(2019, 12, 31)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    objective = factory.SubFactory(ObjectiveFactory)
    authority = factory.SelfAttribute("objective.authority")
    position = factory.Sequence(lambda n: n + 1)
    weight = Decimal(100)
    title = factory.Sequence(lambda n: f"Attività {n}")
    end_date = date(2019, 12, 31)


class PerformanceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PerformanceArea

    authority = factory.SubFactory(AuthorityFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"Ambito {o.number}")


class DupGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DupGoal

    authority = factory.SubFactory(AuthorityFactory)
    level = DupGoal.Level.OPERATIONAL
    code = factory.Sequence(lambda n: f"1.{n + 1}")
    title = factory.Sequence(lambda n: f"Obiettivo DUP {n}")


class MonitoringPeriodFactory(factory.django.DjangoModelFactory):
    """An open Consuntivo at the end of the plan's first year."""

    class Meta:
        model = MonitoringPeriod

    plan = factory.SubFactory(PlanFactory)
    authority = factory.SelfAttribute("plan.authority")
    name = "Consuntivo"
    kind = MonitoringPeriod.Kind.FINAL
    reference_date = factory.LazyAttribute(lambda o: date(o.plan.year, 12, 31))
    state = MonitoringPeriod.State.OPEN


class MeasurementFactory(factory.django.DjangoModelFactory):
    """A measurement of ``indicator`` (or of ``activity``) in ``period``; the values are the
    caller's (``value``, ``numerator``/``denominator``, ``completed_on``, ``done``…)."""

    class Meta:
        model = Measurement

    period = factory.SubFactory(MonitoringPeriodFactory)
    authority = factory.SelfAttribute("period.authority")


# --- Individual performance (traguardo.evaluation) ----------------------------------------


class SchemeFactory(factory.django.DjangoModelFactory):
    """A year's scheme with the usual bands: < 50 → 0 %, 50 → 60 %, 70 → 80 %, 90 → 100 %."""

    class Meta:
        model = "evaluation.Scheme"
        skip_postgeneration_save = True

    authority = factory.SubFactory(AuthorityFactory)
    year = 2025

    @factory.post_generation
    def bands(obj, create, extracted, **kwargs):
        if not create:
            return
        from traguardo.evaluation.models import PayBand

        for lower, share in extracted or ((0, 0), (50, 60), (70, 80), (90, 100)):
            PayBand.objects.create(
                authority=obj.authority, scheme=obj, lower=Decimal(lower), share=Decimal(share)
            )


class FamilyFactory(factory.django.DjangoModelFactory):
    """A family; ``components`` (kind → weight) and ``behaviours`` (names) build its rows."""

    class Meta:
        model = "evaluation.Family"
        skip_postgeneration_save = True

    scheme = factory.SubFactory(SchemeFactory)
    authority = factory.SelfAttribute("scheme.authority")
    name = factory.Sequence(lambda n: f"Famiglia {n}")

    @factory.post_generation
    def components(obj, create, extracted, **kwargs):
        from traguardo.evaluation.models import FamilyComponent

        weights = extracted or {"unit_objectives": 60, "behaviours": 40}
        for kind, weight in weights.items():
            FamilyComponent.objects.create(
                authority=obj.authority, family=obj, kind=kind, weight=Decimal(weight)
            )

    @factory.post_generation
    def behaviours(obj, create, extracted, **kwargs):
        from traguardo.evaluation.models import Behaviour

        names = extracted if extracted is not None else ("Collaborazione", "Iniziativa")
        for position, name in enumerate(names):
            Behaviour.objects.create(
                authority=obj.authority, family=obj, name=name, position=position
            )


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "evaluation.Assignment"

    family = factory.SubFactory(FamilyFactory)
    scheme = factory.SelfAttribute("family.scheme")
    authority = factory.SelfAttribute("family.authority")
    person = factory.SubFactory(PersonFactory, authority=factory.SelfAttribute("..authority"))
    evaluator = factory.SubFactory(PersonFactory, authority=factory.SelfAttribute("..authority"))


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "evaluation.Evaluation"

    assignment = factory.SubFactory(AssignmentFactory)
    authority = factory.SelfAttribute("assignment.authority")


def final_staff(scheme, evaluator, totals, family: str = "Dipendenti") -> None:
    """A family of staff evaluated by ``evaluator``, one final evaluation per total: each on
    one individual goal of target 100, reached at that total (so that total is its score)."""
    from traguardo.evaluation.models import Evaluation, IndividualGoal

    staff = FamilyFactory(
        scheme=scheme, name=family, components={"individual_objectives": 100}, behaviours=()
    )
    for total in totals:
        assignment = AssignmentFactory(family=staff, evaluator=evaluator)
        IndividualGoal.objects.create(
            authority=scheme.authority,
            assignment=assignment,
            title="Pratiche evase",
            indicator="pratiche evase",
            target=Decimal(100),
            actual=Decimal(total),
        )
        Evaluation.objects.create(
            authority=scheme.authority, assignment=assignment, state=Evaluation.State.FINAL
        )
