"""The demo year: a second demo authority whose Piano 2019 lives through its whole cycle.

The seed plan (``imports.seed``) stays a draft with its faults, to show the checks. This module
loads the same cards into «Comune di Esempio — anno completo» through the same pipeline, then
walks the year with the business actions a person would use, so the cruscotto, the Relazione,
the Verifica intermedia and the public pages have something to show:

1. the seed's faults corrected in the editor's action (``update_objective``): codes, the title
   of card 6, the missing final levels of cards 9–11, dates where the card had words, activity
   times, gradings, ambiti, Punteggio levels, unit and responsible of cards 1 and 6;
2. proposed, approved with «Delibera di Giunta n. 17 del 05/02/2019», monitoring started;
3. a Verifica intermedia at 30/06/2019 and a Consuntivo at 31/12/2019, each with what was due
   by its date recorded (some late, one «non valutabile» with its reason, one result forced by
   the controllo di gestione with its reason, PDF evidence), then closed;
4. the Nucleo's comments, the year closed and validated on 20/05/2020 with its minutes;
5. the year's individual evaluation (``imports.demo_evaluation``): the 2019 scheme, its
   families, the dirigente and five employees assigned, their evaluations in every state.

Everything is one transaction: a failure leaves nothing, and the next run starts again. A
second run finds the plan and changes nothing.
"""

import io
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TypedDict

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from traguardo.accounts.demo import DemoRefused, create_demo_accounts
from traguardo.accounts.models import User
from traguardo.imports.cardtext import parse_cards
from traguardo.imports.demo_evaluation import load_demo_evaluation
from traguardo.imports.seed import SEED_FILE, _Loader
from traguardo.monitoring.domain import (
    MeasurementData,
    close_period,
    create_period,
    open_period,
    record_activity,
    record_measurement,
    record_with_evidence,
)
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.organization.models import (
    Authority,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
)
from traguardo.planning.checks import final_target, intermediate_target
from traguardo.planning.domain.lifecycle import (
    add_comment,
    approve_plan,
    close_plan,
    start_monitoring,
    submit_plan,
    validate_plan,
)
from traguardo.planning.domain.objectives import (
    ActivityData,
    IndicatorData,
    ObjectiveData,
    TargetData,
    update_objective,
)
from traguardo.planning.models import Comment, Objective, Plan

YEAR_AUTHORITY = {
    "slug": "comune-esempio-anno",
    "name": "Comune di Esempio — anno completo",
    "ipa_code": "c_esempio_anno",
}


class _Act(TypedDict):
    act_type: str
    act_number: str
    act_date: date


ACT: _Act = {"act_type": "Delibera di Giunta", "act_number": "17", "act_date": date(2019, 2, 5)}
MIDYEAR = date(2019, 6, 30)
YEAR_END = date(2019, 12, 31)
VALIDATED_ON = date(2020, 5, 20)
MINUTES = (
    "Verbale n. 3 del 20/05/2020: il Nucleo di valutazione, esaminata la Relazione sulla "
    "performance 2019 e le evidenze delle rilevazioni, valida i risultati del Piano 2019."
)


@dataclass
class YearReport:
    created: bool
    plan: Plan


def load_demo_year() -> YearReport:
    """Load the living demo year, once; a second call changes nothing."""
    if settings.PRODUCTION:
        raise DemoRefused("L'anno dimostrativo non si carica in produzione.")
    cards = parse_cards(SEED_FILE.read_text(encoding="utf-8"))
    files: list = []  # the evidence files written, removed again if the load fails
    try:
        with transaction.atomic():
            authority, _c = Authority.objects.get_or_create(
                slug=YEAR_AUTHORITY["slug"],
                defaults={
                    "name": YEAR_AUTHORITY["name"],
                    "ipa_code": YEAR_AUTHORITY["ipa_code"],
                },
            )
            with scope(authority=authority):
                plan = Plan.objects.filter(year=2019).first()
                if plan is not None:
                    create_demo_accounts(authority)  # an account added since the first load
                    # The individual evaluation, if the year was loaded before it existed.
                    _evaluations(authority, plan)
                    return YearReport(created=False, plan=plan)
                report = _Loader(authority).load(cards, SEED_FILE.name)
                if report.plan is None:  # not so: the seed's cards make a plan
                    raise RuntimeError("the demo year's cards made no plan")
                create_demo_accounts(authority)
                _Year(authority, report.plan, files).live()
                _evaluations(authority, report.plan)
                return YearReport(created=True, plan=report.plan)
    except BaseException:
        for file in files:
            file.delete(save=False)
        raise


def _evaluations(authority: Authority, plan: Plan) -> None:
    load_demo_evaluation(authority, plan, actor=User.objects.get(username="admin"))


class _Year:
    def __init__(self, authority: Authority, plan: Plan, files: list) -> None:
        self.authority = authority
        self.plan = plan
        self.files = files
        self.admin = User.objects.get(username="admin")
        self.manager = User.objects.get(username="serrao")
        self.nucleo = User.objects.get(username="nucleo")

    def live(self) -> None:
        self.correct()
        plan = self.plan
        submit_plan(plan, actor=self.manager)
        approve_plan(plan, actor=self.admin, **ACT)
        start_monitoring(plan, actor=self.admin)
        midyear = create_period(
            plan,
            actor=self.admin,
            name=_("Verifica intermedia al 30/06/2019"),
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=MIDYEAR,
        )
        final = create_period(
            plan,
            actor=self.admin,
            name=_("Consuntivo 2019"),
            kind=MonitoringPeriod.Kind.FINAL,
            reference_date=YEAR_END,
        )
        open_period(midyear, actor=self.admin)
        self.record(midyear)
        close_period(midyear, actor=self.admin)
        open_period(final, actor=self.admin)
        self.record(final)
        close_period(final, actor=self.admin)
        close_plan(plan, actor=self.admin)
        self.comment()
        validate_plan(plan, actor=self.nucleo, validated_on=VALIDATED_ON, minutes=MINUTES)

    # -- 1. the seed's faults corrected ----------------------------------------------------

    def correct(self) -> None:
        sector = OrgUnit.objects.get(name="Settore II")
        tourism = OrgUnit.objects.get(name="Ufficio Turismo")
        director = Person.objects.get(last_name="Serrao")
        areas = {a.number: a.pk for a in PerformanceArea.objects.all()}
        levels = {
            dimension: list(PolicyLevel.objects.filter(dimension=dimension).order_by("position"))
            for dimension in PolicyLevel.Dimension.values
        }
        # card position → (ambiti, strategicità, complessità, tipologia: level indexes)
        header = {
            1: ((2, 6), 1, 1, 0),
            2: ((6, 9), 2, 1, 0),
            3: ((9,), 1, 0, 0),
            4: ((1, 7), 2, 2, 0),
            5: ((7,), 2, 1, 0),
            6: ((5,), 0, 0, 0),
            7: ((9,), 1, 1, 0),
            8: ((9,), 1, 0, 0),
            9: ((4,), 1, 1, 0),
            10: ((4,), 1, 1, 0),
            11: ((4,), 1, 1, 0),
        }

        def level(dimension, index):
            found = levels[dimension]
            return found[min(index, len(found) - 1)].pk if found else None

        # From the last card: card 11 takes «11» before card 10 is saved with «10», card 9
        # gives up «1» before card 1 takes it.
        for objective in self.plan.objectives.order_by("-position"):
            data = data_of(objective)
            n = objective.position
            area_numbers, strategic, complexity, kind = header[n]
            data = replace(
                data,
                code=str(n),
                area_ids=tuple(areas[number] for number in area_numbers),
                strategic_level_id=level(PolicyLevel.Dimension.STRATEGIC, strategic),
                complexity_level_id=level(PolicyLevel.Dimension.COMPLEXITY, complexity),
                kind_level_id=level(PolicyLevel.Dimension.KIND, kind),
            )
            if n == 1:
                data = replace(data, unit_id=sector.pk, responsible_id=director.pk)
            if n == 6:
                data = replace(
                    data,
                    title="Calendario unico degli eventi cittadini",
                    unit_id=tourism.pk,
                    responsible_id=director.pk,
                )
            data = replace(
                data,
                indicators=tuple(_indicator(n, row) for row in data.indicators),
                activities=tuple(_activity(n, i, row) for i, row in enumerate(data.activities)),
            )
            update_objective(objective, actor=self.admin, version=objective.version, data=data)

    # -- 3. what was recorded during the year ----------------------------------------------

    def record(self, period: MonitoringPeriod) -> None:
        final = period.kind == MonitoringPeriod.Kind.FINAL
        for objective in self.plan.objectives.order_by("position"):
            for indicator in objective.indicators.order_by("position"):
                target = final_target(indicator, objective.year)
                due = target.due_date if target else None
                if due is None or due > period.reference_date:
                    continue
                data = MEASUREMENTS[(objective.position, indicator.position)]
                actor = self.admin if data.forced_achievement is not None else self.manager
                if final and (objective.position, indicator.position) in EVIDENCE:
                    name = EVIDENCE[(objective.position, indicator.position)]
                    measurement = record_with_evidence(
                        indicator, period, actor=actor, data=data, upload=_pdf(name)
                    )
                    self.files += [evidence.file for evidence in measurement.evidence.all()]
                else:
                    record_measurement(indicator, period, actor=actor, data=data)
            for index, activity in enumerate(objective.activities.order_by("position")):
                if activity.end_date is None:
                    continue
                if activity.end_date <= period.reference_date:
                    late = LATE_ACTIVITIES.get((objective.position, index + 1), 0)
                    done = date.fromordinal(activity.end_date.toordinal() + late)
                    data = MeasurementData(completed_on=min(done, period.reference_date))
                elif not final and activity.start_date and activity.start_date <= MIDYEAR:
                    data = MeasurementData(progress=Decimal(40))
                else:
                    continue
                record_activity(activity, period, actor=self.manager, data=data)

    # -- 4. the Nucleo ---------------------------------------------------------------------

    def comment(self) -> None:
        objectives = {o.position: o for o in self.plan.objectives.all()}
        for position, topic, body in COMMENTS:
            add_comment(objectives[position], actor=self.nucleo, topic=topic, body=body)


def data_of(objective: Objective) -> ObjectiveData:
    """A scheda as the editor would submit it unchanged."""
    year = objective.year

    def target(found) -> TargetData | None:
        if found is None:
            return None
        return TargetData(found.value, found.value_text, found.due_date, found.due_text)

    return ObjectiveData(
        code=objective.code,
        title=objective.title,
        year=objective.year,
        first_year=objective.first_year,
        last_year=objective.last_year,
        dup_goal_id=objective.dup_goal_id,
        dup_text=objective.dup_text,
        unit_id=objective.unit_id,
        responsible_id=objective.responsible_id,
        involved_unit_ids=tuple(objective.involved_units.values_list("pk", flat=True)),
        expected_result=objective.expected_result,
        notes=objective.notes,
        area_ids=tuple(objective.areas.values_list("pk", flat=True)),
        strategic_level_id=objective.strategic_level_id,
        complexity_level_id=objective.complexity_level_id,
        kind_level_id=objective.kind_level_id,
        indicators=tuple(
            IndicatorData(
                id=i.pk,
                weight=i.weight,
                name=i.name,
                formula_text=i.formula_text,
                measure=i.measure,
                direction=i.direction,
                baseline=i.baseline,
                baseline_text=i.baseline_text,
                variation_percent=i.variation_percent,
                grading_scale_id=i.grading_scale_id,
                grading_text=i.grading_text,
                intermediate=target(intermediate_target(i, year)),
                final=target(final_target(i, year)),
            )
            for i in objective.indicators.order_by("position").prefetch_related("targets")
        ),
        activities=tuple(
            ActivityData(
                id=a.pk,
                weight=a.weight,
                title=a.title,
                start_date=a.start_date,
                end_date=a.end_date,
                indicator_text=a.indicator_text,
                expected_text=a.expected_text,
                grading_scale_id=a.grading_scale_id,
                grading_text=a.grading_text,
                achieved_text=a.achieved_text,
                timing_text=a.timing_text,
            )
            for a in objective.activities.order_by("position")
        ),
    )


# -- the corrections, card by card -----------------------------------------------------------

PROPORTIONAL = "Proporzionale"
# Activities the cards left without times: (card, activity) → (start, end).
ACTIVITY_TIMES = {
    (4, 1): (date(2019, 2, 1), date(2019, 3, 31)),
    (4, 2): (date(2019, 4, 1), date(2019, 4, 30)),
    (4, 3): (date(2019, 5, 1), date(2019, 5, 31)),
    (5, 1): (date(2019, 3, 1), date(2019, 4, 30)),
    (5, 2): (date(2019, 3, 1), date(2019, 4, 30)),
    (5, 3): (date(2019, 5, 26), date(2019, 5, 31)),
    (6, 1): (date(2019, 1, 15), date(2019, 3, 31)),
    (6, 2): (date(2019, 4, 1), date(2019, 12, 31)),
}


def _indicator(card: int, row: IndicatorData) -> IndicatorData:
    final = row.final or TargetData()
    if card in (9, 10, 11) and final.value is None:
        final = replace(final, value=Decimal(100), value_text="100%")
    if final.due_date is None and final.due_text:
        # «entro la fine di ogni anno»: the words kept, the date of the card's year given.
        final = replace(final, due_date=YEAR_END)
    grading = row.grading_text
    if not grading.strip() and row.grading_scale_id is None:
        grading = PROPORTIONAL
    return replace(row, final=final, grading_text=grading)


def _activity(card: int, index: int, row: ActivityData) -> ActivityData:
    times = ACTIVITY_TIMES.get((card, index + 1))
    if times is None or (row.start_date or row.end_date):
        return row
    return replace(row, start_date=times[0], end_date=times[1])


# -- the year's measurements ------------------------------------------------------------------

MEASUREMENTS = {
    (1, 1): MeasurementData(
        numerator=Decimal(1240),
        denominator=Decimal(1240),
        completed_on=date(2019, 12, 20),
        comment="Inseriti tutti i 1.240 immobili del patrimonio comunale.",
    ),
    (2, 1): MeasurementData(completed_on=date(2019, 12, 12)),
    (2, 2): MeasurementData(
        completed_on=date(2019, 10, 4),
        comment="Prima gara pubblicata su SINTEL il 4 ottobre, dopo l'abilitazione dei RUP.",
    ),
    (3, 1): MeasurementData(
        forced_achievement=Decimal(80),
        forced_reason=(
            "Bando pubblicato il 17/01/2020: il ritardo dipende dall'attesa del parere "
            "dell'ANAC sul regolamento degli incarichi legali, non dall'ufficio. Risultato "
            "riconosciuto all'80% dal controllo di gestione."
        ),
    ),
    (4, 1): MeasurementData(completed_on=date(2019, 11, 25)),
    (4, 2): MeasurementData(
        not_assessable=True,
        not_assessable_reason=(
            "Il numero di eventi fuori programma del 2018, da cui misurare la riduzione del "
            "20%, non è stato rilevato: l'indicatore non si può valutare per il 2019."
        ),
    ),
    (5, 1): MeasurementData(completed_on=date(2019, 4, 26)),
    (5, 2): MeasurementData(
        completed_on=date(2019, 5, 3),
        comment="Revisione chiusa il 3 maggio per il ritardo della Commissione elettorale.",
    ),
    (5, 3): MeasurementData(completed_on=date(2019, 5, 27)),
    (6, 1): MeasurementData(value=Decimal(3), comment="Media dei giorni di anticipo mancato."),
    (7, 1): MeasurementData(
        numerator=Decimal(18),
        denominator=Decimal(20),
        comment="Due misure rinviate al 2020 con il nuovo PTPCT.",
    ),
    (8, 1): MeasurementData(numerator=Decimal(25), denominator=Decimal(25)),
    (9, 1): MeasurementData(numerator=Decimal(4), denominator=Decimal(4)),
}
EVIDENCE = {
    (2, 2): "verbale-prima-gara-sintel.pdf",
    (5, 3): "trasmissione-scrutinio-prefettura.pdf",
    (7, 1): "relazione-rpct-2019.pdf",
}
# (card, activity) → days late
LATE_ACTIVITIES = {(2, 1): 0, (5, 2): 3, (6, 1): 10}
COMMENTS = (
    (
        3,
        Comment.Topic.RESULT,
        "Il Nucleo prende atto della motivazione del risultato forzato: il ritardo del bando "
        "non è imputabile all'ufficio.",
    ),
    (
        4,
        Comment.Topic.SCHEDA,
        "Per il 2020 va indicato il valore di partenza degli eventi fuori programma, senza il "
        "quale la riduzione non si misura.",
    ),
    (
        7,
        Comment.Topic.RESULT,
        "Risultato coerente con la relazione annuale del RPCT allegata.",
    ),
)


def _pdf(name: str) -> SimpleUploadedFile:
    """A small valid PDF, as an office would attach."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": name})
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


__all__ = ["YEAR_AUTHORITY", "YearReport", "load_demo_year"]
