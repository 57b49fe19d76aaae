"""The checks of DESIGN.md §4.5 on stored schede, with their Italian messages.

The rules themselves live in the scoring engine (``scoring.checks``); this module turns rows
into the engine's facts and the engine's issue codes into sentences a person can act on.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from traguardo.planning.models import Objective, Plan, Target
from traguardo.planning.queries import rows
from traguardo.scoring import (
    ActivityFacts,
    IndicatorFacts,
    Issue,
    Measure,
    ObjectiveFacts,
    WeightCheck,
    check_objective,
    check_plan,
    check_weights,
    weight_check_label,
)

# Measures whose target is a date alone: the card writes "0" (days late) or nothing.
DATE_ONLY_MEASURES = frozenset({Measure.DEADLINE, Measure.BOOLEAN})


@dataclass(frozen=True)
class Anomaly:
    """An issue of a scheda, ready for a page: severity, field, Italian message."""

    code: str
    severity: str
    field: str
    position: int | None
    message: str
    # The other schede an issue is about (a repeated code): (id, «code «title»»), to link.
    others: tuple[tuple[int, str], ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def anchor(self) -> str:
        """The id of the editor field to fix: ``campo-<field>`` or ``campo-<field>-<n>``."""
        return f"campo-{self.field}" + (f"-{self.position}" if self.position else "")


@dataclass(frozen=True)
class Check:
    """A table's weights checked, with the badge's words («Pesi: 100%»…)."""

    check: WeightCheck
    label: str

    @property
    def ok(self) -> bool:
        return self.check.state == "ok"


def weights_check(weights) -> Check:
    """The check of one table's weights (indicators or activities of a scheda)."""
    check = check_weights(weights)
    return Check(check=check, label=weight_check_label(check))


def year_targets(indicator, year: int) -> tuple[Target | None, Target | None]:
    """The final target of the card's year (or the only final target there is) and the
    intermediate target of that year, in one pass over the indicator's targets."""
    final = intermediate = only = None
    finals = 0
    for target in rows(indicator, "targets"):
        if target.kind == Target.Kind.FINAL:
            finals += 1
            only = target
            if final is None and target.year == year:
                final = target
        elif (
            intermediate is None and target.kind == Target.Kind.INTERMEDIATE and target.year == year
        ):
            intermediate = target
    if final is None and finals == 1:
        final = only
    return final, intermediate


def final_target(indicator, year: int) -> Target | None:
    """The final target of the card's year, or the only final target there is."""
    return year_targets(indicator, year)[0]


def intermediate_target(indicator, year: int) -> Target | None:
    return year_targets(indicator, year)[1]


def objective_facts(objective: Objective) -> ObjectiveFacts:
    indicators = []
    for indicator in rows(objective, "indicators"):
        final, intermediate = year_targets(indicator, objective.year)
        indicators.append(
            IndicatorFacts(
                position=indicator.position,
                weight=indicator.weight,
                final_value=final is not None
                and (final.value is not None or indicator.measure in DATE_ONLY_MEASURES),
                final_due_on=final.due_date if final else None,
                final_due_text=final.due_text if final else "",
                intermediate_due_on=intermediate.due_date if intermediate else None,
                has_scale=indicator.grading_scale_id is not None,
            )
        )
    activities = tuple(
        ActivityFacts(
            position=activity.position,
            weight=activity.weight,
            start_on=activity.start_date,
            end_on=activity.end_date,
        )
        for activity in rows(objective, "activities")
    )
    return ObjectiveFacts(
        key=objective.pk,
        code=objective.code,
        title=objective.title,
        has_unit=objective.unit_id is not None,
        has_responsible=objective.responsible_id is not None,
        has_weight_score=None
        not in (
            objective.strategic_level_id,
            objective.complexity_level_id,
            objective.kind_level_id,
        ),
        has_areas=bool(rows(objective, "areas")),
        indicators=tuple(indicators),
        activities=activities,
    )


def plan_anomalies(plan: Plan, objectives: list[Objective]) -> dict[int, list[Anomaly]]:
    """Every scheda's anomalies, keyed by objective id (objectives prefetched for scoring)."""
    issues = check_plan(
        [objective_facts(o) for o in objectives], first_year=plan.year, last_year=plan.last_year
    )
    names = {o.pk: scheda_name(o.code, o.title) for o in objectives}
    return {
        objective.pk: [_anomaly(issue, names) for issue in issues.get(objective.pk, [])]
        for objective in objectives
    }


def objective_anomalies(objective: Objective) -> list[Anomaly]:
    """One scheda's anomalies (the scheda prefetched for scoring): what ``plan_anomalies``
    gives it over the plan in position order, from its own rows and the codes alone of the
    plan's schede — one query, whatever the size of the plan."""
    plan = objective.plan
    codes, names = plan_codes_and_names(plan)
    issues = check_objective(
        objective_facts(objective), codes=codes, first_year=plan.year, last_year=plan.last_year
    )
    return [_anomaly(issue, names) for issue in issues]


def plan_codes(plan: Plan, *, excluding: int | None = None) -> list[tuple[int, str]]:
    """The plan's schede as (id, code), by position: what the duplicate-code check reads of
    the schede not checked in full (``scoring.check_objective``). One query."""
    return plan_codes_and_names(plan, excluding=excluding)[0]


def plan_codes_and_names(
    plan: Plan, *, excluding: int | None = None
) -> tuple[list[tuple[int, str]], dict[int, str]]:
    """``plan_codes`` and each scheda's name for the messages (``scheda_name``). One query."""
    objectives = plan.objectives.order_by("position")
    if excluding is not None:
        objectives = objectives.exclude(pk=excluding)
    found = list(objectives.values_list("pk", "code", "title"))
    return [(pk, code) for pk, code, _title in found], {
        pk: scheda_name(code, title) for pk, code, title in found
    }


def scheda_name(code: str, title: str) -> str:
    """How a message names a scheda: its code and title, «10 «Eventi»»."""
    title = title.strip() or _("Scheda senza denominazione")
    return f"{code.strip()} «{title}»" if code.strip() else f"«{title}»"


def _others(issue: Issue) -> tuple[int, ...]:
    """The schede sharing a duplicate code, by id (the keys the plan's schede were checked by)."""
    others = issue.param_dict().get("others", ())
    return tuple(key for key in others if isinstance(key, int)) if isinstance(others, tuple) else ()


def _anomaly(issue: Issue, names: Mapping[int, str] | None = None) -> Anomaly:
    others = tuple((key, names[key]) for key in _others(issue) if names and key in names)
    return Anomaly(
        issue.code,
        issue.severity,
        issue.field,
        issue.position,
        describe_issue(issue, names),
        others,
    )


def describe_issue(issue: Issue, names: Mapping[int, str] | None = None) -> str:
    """The Italian sentence for an engine issue code; ``names`` (id → ``scheda_name``) lets a
    repeated code name the other schede."""
    params = dict(issue.params)
    n = issue.position
    if issue.code == "duplicate_code" and names:
        others = [names[key] for key in _others(issue) if key in names]
        if others:
            return ngettext(
                "Il codice «%(code)s» è usato anche dalla scheda %(others)s.",
                "Il codice «%(code)s» è usato anche dalle schede %(others)s.",
                len(others),
            ) % {"code": params.get("code", ""), "others": ", ".join(others)}
    if issue.code == "indicator_weights":
        return _("Pesi degli indicatori: %(label)s.") % {"label": _weights_label(params)}
    if issue.code == "activity_weights":
        return _("Pesi del piano operativo: %(label)s.") % {"label": _weights_label(params)}
    # Only the issue's own sentence is translated (an import checks thousands of rows).
    messages = {
        "missing_code": lambda: _("Codice obiettivo mancante."),
        "duplicate_code": lambda: (
            _("Il codice «%(code)s» è usato anche da altre schede del piano.")
            % {"code": params.get("code", "")}
        ),
        "missing_title": lambda: _("Denominazione mancante."),
        "missing_unit": lambda: _("Unità organizzativa responsabile non indicata."),
        "missing_responsible": lambda: _("Responsabile non indicato."),
        "missing_weight_score": lambda: _(
            "Punteggio non compilato: mancano strategicità, complessità o tipologia."
        ),
        "no_areas": lambda: _("Nessun ambito della performance organizzativa selezionato."),
        "no_indicators": lambda: _("La scheda non ha indicatori."),
        "nonpositive_weight": lambda: (
            _("Indicatore %(n)s: il peso deve essere maggiore di zero.") % {"n": n}
        ),
        "activity_nonpositive_weight": lambda: (
            _("Attività %(n)s: il peso deve essere maggiore di zero.") % {"n": n}
        ),
        "missing_final_target": lambda: (
            _("Indicatore %(n)s: manca il livello finale atteso.") % {"n": n}
        ),
        "missing_final_date": lambda: (
            (
                _("Indicatore %(n)s: la data del livello finale «%(text)s» non è una data.")
                if params.get("text")
                else _("Indicatore %(n)s: manca la data del livello finale.")
            )
            % {"n": n, "text": params.get("text", "")}
        ),
        "missing_scale": lambda: (
            _("Indicatore %(n)s: manca la graduazione del conseguimento.") % {"n": n}
        ),
        "intermediate_after_final": lambda: (
            _("Indicatore %(n)s: la data intermedia è successiva a quella finale.") % {"n": n}
        ),
        "date_outside_plan": lambda: (
            _("Indicatore %(n)s: la data è fuori dagli anni del piano.") % {"n": n}
        ),
        "activity_missing_dates": lambda: (
            _("Attività %(n)s: mancano i tempi (inizio/fine).") % {"n": n}
        ),
        "activity_dates_reversed": lambda: (
            _("Attività %(n)s: la data di inizio è successiva alla fine.") % {"n": n}
        ),
    }
    message = messages.get(issue.code)
    return message() if message is not None else issue.code


def _weights_label(params: dict) -> str:
    """The card's weight line, from the issue's figures (the engine writes it)."""
    check = WeightCheck(params["total"], params["state"], params["difference"], ())
    return weight_check_label(check)
