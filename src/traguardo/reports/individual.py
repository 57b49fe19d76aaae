"""The scheda di valutazione individuale on paper, laid out by Typst like the scheda obiettivo.

``evaluation_data`` turns what ``evaluation.scores`` computed for one assignment (an
``IndividualResult``: the engine's components, total and findings, with the lines of schede,
goals and ratings) into plain JSON, every value already worded in Italian here;
``typst/individual.typ`` places those strings as text only. Nothing here decides a number:
scores, weights, the total and the band are the engine's, only formatted.

A draft, an evaluation not final yet, or one whose total is open is marked as such on every
page, so a printed copy is never taken for the final evaluation.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from traguardo.core.formats import date_it, decimal_it, number_it, percent, status_label
from traguardo.evaluation.messages import component_name
from traguardo.evaluation.models import Evaluation
from traguardo.evaluation.scores import IndividualResult
from traguardo.reports import paper
from traguardo.scoring import ComponentKind, DifferentiationRule, ObjectivesRule

TEMPLATE = "individual.typ"
# The states in which the evaluated person has not received it yet: printed as a draft.
_DRAFT_STATES = (Evaluation.State.DRAFT, Evaluation.State.INTERVIEW)


def filename(result: IndividualResult) -> str:
    """valutazione-2025-rossi-mario.pdf"""
    assignment = result.assignment
    person = assignment.person
    name = slugify(f"{person.last_name} {person.first_name}") or str(person.pk)
    return _("valutazione-%(year)s-%(name)s.pdf") % {
        "year": assignment.scheme.year,
        "name": name,
    }


def evaluation_pdf(result: IndividualResult) -> bytes:
    """The scheda di valutazione individuale as a PDF/A-2a, PDF/UA-1 document."""
    return paper.compile_pdf(TEMPLATE, evaluation_data(result))


def _evaluation(result: IndividualResult) -> Evaluation | None:
    try:
        return result.assignment.evaluation
    except Evaluation.DoesNotExist:
        return None


def _mark(result: IndividualResult) -> str:
    """What every page says while the evaluation is not the final one ("" once it is)."""
    state = result.state
    if state in _DRAFT_STATES or result.total is None:
        return _("BOZZA — non definitiva")
    if state != Evaluation.State.FINAL:
        return _("Non definitiva — %(state)s") % {"state": Evaluation.State(state).label.lower()}
    return ""


def _service(result: IndividualResult) -> str:
    assignment = result.assignment
    year = assignment.scheme.year
    start = assignment.service_from or date(year, 1, 1)
    end = assignment.service_to or date(year, 12, 31)
    text = _("dal %(start)s al %(end)s") % {"start": date_it(start), "end": date_it(end)}
    extra = []
    if assignment.part_time != 100:
        extra.append(_("part time %(share)s") % {"share": percent(assignment.part_time)})
    if assignment.absence_days:
        extra.append(
            _("giorni di assenza che riducono il premio: %(days)s")
            % {"days": assignment.absence_days}
        )
    if assignment.protected_days:
        extra.append(
            _("giorni di assenza tutelati (art. 9 c.3): %(days)s")
            % {"days": assignment.protected_days}
        )
    return "; ".join([text, *extra])


def _head(result: IndividualResult, evaluation: Evaluation | None) -> list[list[str]]:
    assignment = result.assignment
    person = assignment.person
    evaluated = str(person) + (f" — {person.job_title}" if person.job_title else "")
    rows = [
        [_("Anno"), str(assignment.scheme.year)],
        [_("Valutato"), evaluated],
    ]
    if assignment.payroll_code:
        rows.append([_("Matricola"), assignment.payroll_code])
    rows += [
        [_("Famiglia di valutazione"), assignment.family.name],
        [_("Valutatore"), str(assignment.evaluator)],
        [_("Periodo di servizio"), _service(result)],
        [
            _("Stato della valutazione"),
            evaluation.get_state_display() if evaluation else str(Evaluation.State.DRAFT.label),
        ],
    ]
    return [[str(label), str(value)] for label, value in rows]


def _components(result: IndividualResult, declared: dict) -> dict[str, Any]:
    engine = result.engine
    model = {c.kind: c.weight for c in result.assignment.family.components.all()}
    rows = []
    for kind, weight in model.items():
        score = result.component(ComponentKind(kind))
        applied = engine.weights.get(ComponentKind(kind))
        if score is not None and not score.applies:
            reason = declared.get(kind, "")
            value = _("non applicabile") + (f": {reason}" if reason else "")
        elif score is None or score.score is None:
            value = _("aperto")
        else:
            value = decimal_it(score.score)
        rows.append(
            [
                component_name(kind),
                percent(weight),
                percent(applied) if applied is not None else "—",
                value,
            ]
        )
    note = ""
    if engine.renormalised:
        note = _(
            "Pesi rinormalizzati: il peso delle componenti non applicabili va alle altre, "
            "in proporzione ai loro pesi."
        )
    return {"rows": rows, "note": note}


def _schede(result: IndividualResult, labels: dict[str, Any]) -> dict[str, Any] | None:
    """The plan's schede of the objectives component; the declared weights only where the
    family weighs the schede by them (else each scheda's Punteggio does)."""
    if ComponentKind.UNIT_OBJECTIVES not in _kinds(result):
        return None
    as_of = ""
    if result.results_as_of is not None:
        when = result.results_as_of
        template = (
            _("Risultati al %(date)s, definitivi")
            if when.final
            else _("Risultati al %(date)s, provvisori")
        )
        as_of = template % {"date": date_it(when.on)}
    plan = result.plan.title if result.plan is not None else ""
    weighted = result.assignment.family.objectives_rule == ObjectivesRule.BY_WEIGHT
    head = list(labels["schede_head"])
    if not weighted:
        del head[3]
    rows = []
    for line in result.schede:
        row = [
            line.code or "—",
            line.title or "—",
            decimal_it(line.punteggio) if line.punteggio is not None else "…",
            percent(line.weight) if line.weight is not None else "—",
            percent(line.achievement) if line.achievement is not None else "—",
            status_label(line.status) if line.status is not None else _("non misurato"),
        ]
        if not weighted:
            del row[3]
        rows.append(row)
    return {
        "plan": _("Schede del piano: %(plan)s") % {"plan": plan} if plan else "",
        "as_of": as_of,
        "head": head,
        "rows": rows,
    }


def _value(value: Decimal | None) -> str:
    return number_it(value) if value is not None else "—"


def _goals(result: IndividualResult) -> dict[str, Any] | None:
    if ComponentKind.INDIVIDUAL_OBJECTIVES not in _kinds(result):
        return None
    return {
        "rows": [
            [
                line.goal.title,
                line.goal.indicator,
                _value(line.goal.target),
                _value(line.goal.actual),
                percent(line.goal.weight) if line.goal.weight is not None else "—",
                percent(line.achievement) if line.achievement is not None else "—",
                status_label(line.status),
            ]
            for line in result.goals
        ]
    }


def _behaviours(result: IndividualResult) -> dict[str, Any] | None:
    if ComponentKind.BEHAVIOURS not in _kinds(result):
        return None
    scheme = result.assignment.scheme
    anchors = {level.rating: level.description for level in scheme.rating_levels.all()}
    scale = _("Scala da %(min)s a %(max)s") % {
        "min": number_it(scheme.rating_min),
        "max": number_it(scheme.rating_max),
    }
    return {
        "scale": scale,
        "rows": [
            [
                line.behaviour.name,
                number_it(line.rating) if line.rating is not None else _("non valutato"),
                anchors.get(line.rating, "") if line.rating is not None else "",
                percent(line.percent) if line.percent is not None else "—",
                line.note,
            ]
            for line in result.ratings
        ],
    }


def _differentiation(result: IndividualResult) -> dict[str, Any] | None:
    if ComponentKind.DIFFERENTIATION not in _kinds(result):
        return None
    scheme = result.assignment.scheme
    count = len(result.given)
    if DifferentiationRule(scheme.differentiation_rule) is DifferentiationRule.OUTSIDE_TOP:
        rule = _(
            "quota di valutazioni sotto la fascia più alta (da %(top)s); vale 100 quando "
            "raggiunge %(target)s"
        ) % {"top": number_it(scheme.top_band), "target": percent(scheme.differentiation_target)}
    else:
        rule = _(
            "coefficiente di variazione delle valutazioni date; vale 100 quando raggiunge "
            "%(target)s"
        ) % {"target": decimal_it(scheme.differentiation_target)}
    lines = [
        _(
            "Valutazioni definitive date: %(count)s; ancora aperte: %(open)s (ne servono "
            "almeno %(minimum)s)."
        )
        % {"count": count, "open": result.given_open, "minimum": scheme.minimum_count},
        f"{_('Regola')}: {rule}.",
    ]
    if result.given:
        totals = "; ".join(decimal_it(total) for total in result.given)
        lines.append(f"{_('Valutazioni date')}: {totals}.")
    score = result.component(ComponentKind.DIFFERENTIATION)
    if score is not None and score.score is not None:
        lines.append(f"{_('Indice di differenziazione')}: {decimal_it(score.score)}")
    return {"lines": lines}


def _total(result: IndividualResult) -> list[list[Any]]:
    if result.total is None:
        return [
            [True, _("Punteggio totale") + ":"],
            [False, " " + _("aperto (vedi le segnalazioni)")],
        ]
    runs: list[list[Any]] = [
        [True, _("Punteggio totale") + ":"],
        [False, " " + decimal_it(result.total)],
    ]
    if result.band is not None and result.band_share is not None:
        lower = [band.lower for band in result.assignment.scheme.pay_bands.all()]
        runs += [
            [False, " — "],
            [True, _("Fascia") + ":"],
            [
                False,
                " "
                + _("%(n)s (da %(lower)s), %(share)s del premio")
                % {
                    "n": result.band,
                    "lower": decimal_it(lower[result.band - 1]),
                    "share": percent(result.band_share),
                },
            ],
        ]
    return runs


def _conversation(evaluation: Evaluation | None) -> list[list[str]]:
    """The conversation's steps that took place, in their order."""
    if evaluation is None:
        return []
    e = evaluation
    steps: list[tuple[str, str]] = []
    if e.evaluator_notes:
        steps.append((_("Note del valutatore"), e.evaluator_notes))
    if e.interview_on:
        steps.append((_("Colloquio"), date_it(e.interview_on)))
    if e.interview_notes:
        steps.append((_("Note del colloquio"), e.interview_notes))
    if e.delivered_on:
        steps.append((_("Consegnata il"), date_it(e.delivered_on)))
    if e.review_until:
        steps.append((_("Revisione richiedibile fino al"), date_it(e.review_until)))
    if e.accepted_on:
        steps.append((_("Accettata il"), date_it(e.accepted_on)))
    if e.review_requested_on:
        steps.append((_("Revisione chiesta il"), date_it(e.review_requested_on)))
    if e.review_reasons:
        steps.append((_("Motivi della richiesta di revisione"), e.review_reasons))
    if e.answered_on:
        steps.append((_("Risposta il"), date_it(e.answered_on)))
    if e.review_answer:
        steps.append((_("Risposta alla richiesta di revisione"), e.review_answer))
    if e.final_on:
        steps.append((_("Definitiva dal"), date_it(e.final_on)))
    if e.revision:
        steps.append((f"{_('Revisione n.')} {e.revision}", e.revision_reason or "—"))
    return [[str(label), str(value)] for label, value in steps]


def _kinds(result: IndividualResult) -> set[str]:
    return {c.kind for c in result.assignment.family.components.all()}


def _labels() -> dict[str, Any]:
    return {
        "heading": _("Scheda di valutazione individuale"),
        "components": _("Componenti della valutazione"),
        "components_head": [
            _("COMPONENTE"),
            _("PESO"),
            _("PESO APPLICATO"),
            _("PUNTEGGIO"),
        ],
        "schede": _("Obiettivi della struttura"),
        "schede_head": [
            _("CODICE"),
            _("SCHEDA"),
            _("PUNTEGGIO"),
            _("PESO DICHIARATO"),
            _("RISULTATO"),
            _("STATO"),
        ],
        "no_schede": _("Nessuna scheda assegnata."),
        "goals": _("Obiettivi individuali"),
        "goals_head": [
            _("OBIETTIVO"),
            _("INDICATORE"),
            _("ATTESO"),
            _("RAGGIUNTO"),
            _("PESO"),
            _("RISULTATO"),
            _("STATO"),
        ],
        "no_goals": _("Nessun obiettivo individuale."),
        "behaviours": _("Comportamenti organizzativi"),
        "behaviours_head": [
            _("COMPORTAMENTO"),
            _("VALUTAZIONE"),
            _("LIVELLO"),
            _("IN %"),
            _("NOTA DEL VALUTATORE"),
        ],
        "no_behaviours": _("Nessun comportamento nel catalogo."),
        "differentiation": _("Capacità di differenziare le valutazioni"),
        "result": _("Risultato"),
        "findings": _("Segnalazioni"),
        "error": _("Errore"),
        "warning": _("Avviso"),
        "conversation": _("Colloquio e consegna"),
        "no_conversation": _("Nessun passaggio registrato."),
        "page": _("Pagina %(page)s di %(pages)s"),
    }


def evaluation_data(result: IndividualResult) -> dict[str, Any]:
    """One evaluation as the paper scheda shows it: every value a string, in the card's order."""
    evaluation = _evaluation(result)
    declared = (evaluation.not_applicable if evaluation else None) or {}
    assignment = result.assignment
    mark = _mark(result)
    heading = f"{_('Scheda di valutazione individuale')} — {assignment.person}"
    labels = _labels()
    return {
        "labels": labels,
        "title": f"{heading} ({assignment.scheme.year})" + (f" — {mark}" if mark else ""),
        "authority": assignment.authority.name,
        "heading": heading,
        "mark": mark,
        "running": f"{assignment.person} · {assignment.scheme.year}",
        "head": _head(result, evaluation),
        "components": _components(result, declared),
        "schede": _schede(result, labels),
        "goals": _goals(result),
        "behaviours": _behaviours(result),
        "differentiation": _differentiation(result),
        "total": _total(result),
        "findings": [[f.severity == "error", f.text] for f in result.findings],
        "conversation": _conversation(evaluation),
    }
