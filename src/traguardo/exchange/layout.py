"""The plan workbook: the tables of a plan as columns, for XLSX, ODS and CSV alike.

One layout serves the export ("Esporta piano in Excel"), the empty import template and the
reader, so that an exported plan imported into an empty plan gives the same rows:

- "Schede", "Indicatori", "Livelli attesi", "Attività" are editable and read back. Schede are
  keyed by "N. scheda" (``Objective.position``: codes may be missing or repeated); indicator and
  activity rows name their scheda by it. "Indicatori" holds the targets of the scheda's own
  year, as the paper card does; "Livelli attesi" holds the targets of the other years of a
  multi-year scheda, so that every Target row survives the round trip.
- "Misurazioni" and "Risultati" are exported only (the importer ignores them); results are the
  scoring engine's (``reports.scheda.plan_pages``), never computed here.
- "Elenchi" lists what the drop-down cells accept (units, people, measures, scales, levels…).

Where the model keeps a verbatim text and a parsed value, both are columns; linked rows
(unit, responsible, involved units, DUP goal, scale, SMVP levels, ambiti) are written by name.
A column without ``field`` is shown only and never read back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from traguardo.monitoring.models import Measurement
from traguardo.organization.models import (
    Authority,
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
)
from traguardo.planning.models import DupGoal, Plan, Target
from traguardo.planning.notes import field_label, open_notes
from traguardo.planning.objective_forms import DIRECTIONS, MEASURES
from traguardo.planning.states import RowState
from traguardo.reports.scheda import PlanView, SchedaView, plan_pages
from traguardo.scoring import format_percent

# How a column's cells are read back (and which number format they are written with).
TEXT = "text"
INT = "int"
DECIMAL = "decimal"
DATE = "date"
BOOL = "bool"
CHOICE = "choice"  # one of ``Column.codes``, written as its Italian label
NAMES = "names"  # names separated by ";"
NUMBERS = "numbers"  # whole numbers separated by ","
NOTES = "notes"  # import notes, one a line: "Etichetta del campo: messaggio"

YES, NO = _("Sì"), _("No")
TARGET_KINDS = tuple(Target.Kind.choices)
NAMES_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    header: str | Promise
    get: Callable[[Any], Any]
    width: int = 14
    kind: str = TEXT
    field: str = ""  # the draft field it is read back into; "" = shown only
    label: str | Promise = ""  # how messages name a value of it ("Peso non numerico")
    choices: str = ""  # the list of the "Elenchi" sheet its drop-down offers
    codes: tuple[tuple[str, Any], ...] = ()  # CHOICE: (code, Italian label)
    number_format: str = ""  # XLSX number format; "" = by kind
    required: bool = False  # the reader refuses the sheet without this column

    @property
    def title(self) -> str:
        return str(self.header)

    @property
    def editable(self) -> bool:
        return bool(self.field)

    @property
    def noun(self) -> str:
        return str(self.label or self.header)

    def label_of(self, code: str) -> str:
        return str(dict(self.codes).get(code, code))


@dataclass(frozen=True)
class Table:
    slug: str  # the CSV file and URL name
    header: str | Promise  # the sheet's name
    columns: tuple[Column, ...]
    rows: Callable[[PlanData], Iterable[Any]]
    editable: bool = False  # read back by the importer
    required: bool = False  # a workbook without this sheet cannot be imported

    @property
    def title(self) -> str:
        return str(self.header)

    def values(self, data: PlanData) -> Iterable[list[Any]]:
        for row in self.rows(data):
            yield [column.get(row) for column in self.columns]


@dataclass(frozen=True)
class Lists:
    """What the drop-down cells accept: the authority's names and the fixed vocabularies."""

    units: list[str]
    people: list[str]
    scales: list[str]
    dup: list[str]
    strategic: list[str]
    complexity: list[str]
    kind: list[str]
    areas: list[tuple[int, str]]

    def columns(self) -> list[tuple[str, str, list[Any]]]:
        """(list key, header, values) of each column of the "Elenchi" sheet."""
        return [
            ("units", str(_("Unità organizzative")), self.units),
            ("people", str(_("Persone")), self.people),
            ("measures", str(_("Misure")), [str(label) for _c, label in MEASURES]),
            ("directions", str(_("Verso")), [str(label) for _c, label in DIRECTIONS]),
            ("scales", str(_("Graduazioni")), self.scales),
            ("strategic", str(_("Strategicità")), self.strategic),
            ("complexity", str(_("Complessità")), self.complexity),
            ("kind", str(_("Tipologia")), self.kind),
            ("target_kinds", str(_("Livelli")), [str(label) for _c, label in TARGET_KINDS]),
            ("yes_no", str(_("Sì / No")), [str(YES), str(NO)]),
            ("dup", str(_("Obiettivi del DUP (codice)")), self.dup),
            ("areas", str(_("Ambiti (numero)")), [number for number, _n in self.areas]),
            ("area_names", str(_("Ambiti (denominazione)")), [name for _n, name in self.areas]),
        ]


def authority_lists(authority: Authority) -> Lists:
    """The authority's names for the drop-downs (a fixed number of queries)."""
    levels: dict[str, list[str]] = {"strategic": [], "complexity": [], "kind": []}
    for level in PolicyLevel.objects.filter(authority=authority).order_by("dimension", "position"):
        levels.setdefault(level.dimension, []).append(level.label)
    return Lists(
        units=[u.name for u in OrgUnit.objects.filter(authority=authority)],
        people=[str(p) for p in Person.objects.filter(authority=authority)],
        scales=[s.name for s in GradingScale.objects.filter(authority=authority)],
        dup=[g.code for g in DupGoal.objects.filter(authority=authority).order_by("code")],
        strategic=levels["strategic"],
        complexity=levels["complexity"],
        kind=levels["kind"],
        areas=[
            (a.number, a.name)
            for a in PerformanceArea.objects.filter(authority=authority).order_by("number")
        ],
    )


@dataclass
class PlanData:
    """Everything the tables of one plan show, read once."""

    plan: Plan | None
    lists: Lists
    view: PlanView | None = None
    schede: list[SchedaView] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)


def collect(plan: Plan) -> PlanData:
    """The plan's schede (by N. scheda), scores and measurements, in a fixed number of queries."""
    view = plan_pages(plan)
    schede = sorted(view.rows, key=lambda scheda: scheda.objective.position)
    measurements = list(
        Measurement.objects.filter(period__plan=plan)
        .select_related("period", "indicator__objective", "activity__objective")
        .order_by("period__reference_date", "period_id", "pk")
    )
    return PlanData(
        plan=plan,
        lists=authority_lists(plan.authority),
        view=view,
        schede=schede,
        measurements=measurements,
    )


def empty(authority: Authority, plan: Plan | None = None) -> PlanData:
    """No rows: the import template's tables, with the authority's lists."""
    return PlanData(plan=plan, lists=authority_lists(authority))


# --- cell values --------------------------------------------------------------------------


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(YES if value else NO)


def _names(items: Iterable[Any]) -> str:
    return NAMES_SEPARATOR.join(str(item) for item in items)


def _notes(notes: Sequence[dict]) -> str:
    """The open import notes, one a line, after the label of their field: «Ambiti: …»."""
    lines = []
    for note in open_notes(notes):
        label, message = field_label(note.get("field", "")), note.get("message", "")
        lines.append(f"{label}: {message}" if label else str(message))
    return "\n".join(lines)


def _local_day(moment) -> date | None:
    return timezone.localdate(moment) if moment else None


# --- the editable tables ------------------------------------------------------------------


def _scheda_column(get: Callable[[Any], Any]) -> Column:
    """The key naming a row's scheda, on the tables that hang from a scheda."""
    return Column(
        _("N. scheda"), get, 10, INT, "scheda", _("N. scheda"), required=True, number_format="0"
    )


def _code_column(get: Callable[[Any], Any]) -> Column:
    return Column(_("Codice obiettivo"), get, 12)


def _weight_column(get: Callable[[Any], Any]) -> Column:
    """An indicator's or an activity's weight, in percent with two decimals."""
    return Column(_("Peso (%)"), get, 9, DECIMAL, "weight", _("Peso"), number_format="0.00")


def _levels(objective, name: str) -> str:
    level = getattr(objective, name)
    return level.label if level else ""


def _scheda_rows(data: PlanData) -> Iterable[SchedaView]:
    return data.schede


def _o(get: Callable[[Any], Any]) -> Callable[[SchedaView], Any]:
    return lambda scheda: get(scheda.objective)


SCHEDE = Table(
    slug="schede",
    header=_("Schede"),
    editable=True,
    required=True,
    rows=_scheda_rows,
    columns=(
        _scheda_column(_o(lambda o: o.position)),
        Column(_("Codice obiettivo"), _o(lambda o: o.code), 12, TEXT, "code"),
        Column(_("Denominazione"), _o(lambda o: o.title), 50, TEXT, "title"),
        Column(_("Anno della scheda"), _o(lambda o: o.year), 10, INT, "year", _("Anno")),
        Column(_("Primo anno"), _o(lambda o: o.first_year), 10, INT, "first_year"),
        Column(_("Ultimo anno"), _o(lambda o: o.last_year), 10, INT, "last_year"),
        Column(
            _("Prima scheda dell'obiettivo pluriennale (N. scheda)"),
            _o(lambda o: o.series.position if o.series else None),
            16,
            INT,
            "series_ordinal",
            _("N. scheda dell'obiettivo pluriennale"),
        ),
        Column(
            _("Obiettivo del DUP (codice)"),
            _o(lambda o: o.dup_goal.code if o.dup_goal else ""),
            14,
            TEXT,
            "dup_goal_code",
            choices="dup",
        ),
        Column(_("Riferimento DUP (testo)"), _o(lambda o: o.dup_text), 30, TEXT, "dup_text"),
        Column(
            _("Unità responsabile"),
            _o(lambda o: o.unit.name if o.unit else ""),
            24,
            TEXT,
            "unit_name",
            choices="units",
        ),
        Column(
            _("Unità responsabile (testo della scheda)"),
            _o(lambda o: o.unit_text),
            24,
            TEXT,
            "unit_text",
        ),
        Column(
            _("Responsabile"),
            _o(lambda o: str(o.responsible) if o.responsible else ""),
            22,
            TEXT,
            "responsible_name",
            choices="people",
        ),
        Column(
            _("Responsabile (testo della scheda)"),
            _o(lambda o: o.responsible_text),
            22,
            TEXT,
            "responsible_text",
        ),
        Column(
            _("Unità coinvolte (separate da ;)"),
            _o(lambda o: _names(u.name for u in o.involved_units.all())),
            30,
            NAMES,
            "involved_names",
            _("Unità coinvolte"),
        ),
        Column(
            _("Unità coinvolte (testo della scheda)"),
            _o(lambda o: o.involved_text),
            30,
            TEXT,
            "involved_text",
        ),
        Column(_("Risultato atteso"), _o(lambda o: o.expected_result), 60, TEXT, "expected_result"),
        Column(
            _("Ambiti (numeri separati da virgola)"),
            _o(lambda o: ", ".join(str(a.number) for a in sorted(o.areas.all(), key=_number))),
            14,
            NUMBERS,
            "area_numbers",
            _("Ambiti"),
        ),
        Column(
            _("Strategicità"),
            _o(lambda o: _levels(o, "strategic_level")),
            14,
            TEXT,
            "strategic_text",
            choices="strategic",
        ),
        Column(
            _("Complessità"),
            _o(lambda o: _levels(o, "complexity_level")),
            14,
            TEXT,
            "complexity_text",
            choices="complexity",
        ),
        Column(
            _("Tipologia"),
            _o(lambda o: _levels(o, "kind_level")),
            14,
            TEXT,
            "kind_text",
            choices="kind",
        ),
        Column(
            _("Punteggio"), lambda scheda: scheda.weight_score, 11, DECIMAL, number_format="0.00"
        ),
        Column(_("Note"), _o(lambda o: o.notes), 40, TEXT, "notes"),
        Column(
            _("Note di importazione"),
            _o(lambda o: _notes(o.import_notes)),
            40,
            NOTES,
            "import_notes",
        ),
    ),
)


def _number(area) -> int:
    return area.number


@dataclass(frozen=True)
class IndicatorLine:
    scheda: SchedaView
    indicator: Any
    targets: dict[str, Target]  # kind → the target of the scheda's own year
    scale_text: str


def _indicator_rows(data: PlanData) -> Iterable[IndicatorLine]:
    for scheda in data.schede:
        year = scheda.objective.year
        for row in scheda.indicators:
            own = {t.kind: t for t in row.indicator.targets.all() if t.year == year}
            yield IndicatorLine(scheda, row.indicator, own, row.scale_text)


def _target(kind: str, attribute: str) -> Callable[[IndicatorLine], Any]:
    def get(line: IndicatorLine) -> Any:
        target = line.targets.get(kind)
        return getattr(target, attribute) if target else None

    return get


def _target_columns(kind: str, headers: tuple) -> tuple[Column, ...]:
    text, value, due, due_text = headers
    prefix = f"{kind}."
    return (
        Column(text, _target(kind, "value_text"), 14, TEXT, prefix + "value_text"),
        Column(value, _target(kind, "value"), 12, DECIMAL, prefix + "value", _("Livello atteso")),
        Column(due, _target(kind, "due_date"), 12, DATE, prefix + "due_date"),
        Column(due_text, _target(kind, "due_text"), 18, TEXT, prefix + "due_text"),
    )


INTERMEDIATE_HEADERS = (
    _("Livello intermedio atteso (testo)"),
    _("Livello intermedio atteso (valore)"),
    _("Livello intermedio alla data"),
    _("Livello intermedio alla data (testo)"),
)
FINAL_HEADERS = (
    _("Livello finale atteso (testo)"),
    _("Livello finale atteso (valore)"),
    _("Livello finale alla data"),
    _("Livello finale alla data (testo)"),
)


def _i(get: Callable[[Any], Any]) -> Callable[[IndicatorLine], Any]:
    return lambda line: get(line.indicator)


def _scale_name(row) -> str:
    return row.grading_scale.name if row.grading_scale else ""


INDICATORI = Table(
    slug="indicatori",
    header=_("Indicatori"),
    editable=True,
    required=True,
    rows=_indicator_rows,
    columns=(
        _scheda_column(lambda line: line.scheda.objective.position),
        _code_column(lambda line: line.scheda.objective.code),
        Column(_("N."), _i(lambda i: i.position), 6, INT, "position", required=True),
        _weight_column(_i(lambda i: i.weight)),
        Column(_("Denominazione"), _i(lambda i: i.name), 40, TEXT, "name"),
        Column(_("Formula di calcolo"), _i(lambda i: i.formula_text), 30, TEXT, "formula_text"),
        Column(
            _("Misura"),
            _i(lambda i: str(dict(MEASURES).get(i.measure, i.measure))),
            26,
            CHOICE,
            "measure",
            choices="measures",
            codes=tuple(MEASURES),
        ),
        Column(
            _("Verso"),
            _i(lambda i: str(dict(DIRECTIONS).get(i.direction, i.direction))),
            18,
            CHOICE,
            "direction",
            choices="directions",
            codes=tuple(DIRECTIONS),
        ),
        Column(_("Valore di riferimento"), _i(lambda i: i.baseline), 12, DECIMAL, "baseline"),
        Column(
            _("Valore di riferimento (testo)"),
            _i(lambda i: i.baseline_text),
            16,
            TEXT,
            "baseline_text",
        ),
        Column(
            _("Variazione in percentuale"),
            _i(lambda i: yes_no(i.variation_percent)),
            12,
            BOOL,
            "variation_percent",
            choices="yes_no",
        ),
        *_target_columns(Target.Kind.INTERMEDIATE, INTERMEDIATE_HEADERS),
        *_target_columns(Target.Kind.FINAL, FINAL_HEADERS),
        Column(
            _("Graduazione del conseguimento (testo)"),
            _i(lambda i: i.grading_text),
            30,
            TEXT,
            "grading_text",
        ),
        Column(
            _("Graduazione (scala)"),
            _i(_scale_name),
            24,
            TEXT,
            "grading_scale_name",
            choices="scales",
        ),
        Column(_("Graduazione (in chiaro)"), lambda line: line.scale_text, 30),
    ),
)


@dataclass(frozen=True)
class TargetLine:
    objective: Any
    indicator: Any
    target: Target


def _other_year_targets(data: PlanData) -> Iterable[TargetLine]:
    for scheda in data.schede:
        for row in scheda.indicators:
            for target in row.indicator.targets.all():
                if target.year != scheda.objective.year:
                    yield TargetLine(scheda.objective, row.indicator, target)


def _t(get: Callable[[Target], Any]) -> Callable[[TargetLine], Any]:
    return lambda line: get(line.target)


LIVELLI = Table(
    slug="livelli-attesi",
    header=_("Livelli attesi"),
    editable=True,
    rows=_other_year_targets,
    columns=(
        _scheda_column(lambda line: line.objective.position),
        _code_column(lambda line: line.objective.code),
        Column(
            _("N. indicatore"),
            lambda line: line.indicator.position,
            10,
            INT,
            "indicator",
            required=True,
        ),
        Column(_("Indicatore"), lambda line: line.indicator.name, 36),
        Column(_("Anno"), _t(lambda t: t.year), 8, INT, "year", required=True),
        Column(
            _("Livello"),
            _t(lambda t: t.get_kind_display()),
            18,
            CHOICE,
            "kind",
            choices="target_kinds",
            codes=TARGET_KINDS,
            required=True,
        ),
        Column(_("Valore atteso (testo)"), _t(lambda t: t.value_text), 14, TEXT, "value_text"),
        Column(
            _("Valore atteso (valore)"),
            _t(lambda t: t.value),
            12,
            DECIMAL,
            "value",
            _("Valore atteso"),
        ),
        Column(_("Alla data"), _t(lambda t: t.due_date), 12, DATE, "due_date"),
        Column(_("Alla data (testo)"), _t(lambda t: t.due_text), 18, TEXT, "due_text"),
    ),
)


@dataclass(frozen=True)
class ActivityLine:
    scheda: SchedaView
    activity: Any
    scale_text: str


def _activity_rows(data: PlanData) -> Iterable[ActivityLine]:
    for scheda in data.schede:
        for row in scheda.activities:
            yield ActivityLine(scheda, row.activity, row.scale_text)


def _a(get: Callable[[Any], Any]) -> Callable[[ActivityLine], Any]:
    return lambda line: get(line.activity)


ATTIVITA = Table(
    slug="attivita",
    header=_("Attività"),
    editable=True,
    required=True,
    rows=_activity_rows,
    columns=(
        _scheda_column(lambda line: line.scheda.objective.position),
        _code_column(lambda line: line.scheda.objective.code),
        Column(_("N."), _a(lambda a: a.position), 6, INT, "position", required=True),
        _weight_column(_a(lambda a: a.weight)),
        Column(_("Sub-obiettivo / attività"), _a(lambda a: a.title), 40, TEXT, "title"),
        Column(_("Inizio"), _a(lambda a: a.start_date), 12, DATE, "start_date"),
        Column(_("Fine"), _a(lambda a: a.end_date), 12, DATE, "end_date"),
        Column(_("Tempi (testo)"), _a(lambda a: a.timing_text), 18, TEXT, "timing_text"),
        Column(_("Indicatori"), _a(lambda a: a.indicator_text), 24, TEXT, "indicator_text"),
        Column(_("Livello atteso"), _a(lambda a: a.expected_text), 16, TEXT, "expected_text"),
        Column(
            _("Graduazione del conseguimento (testo)"),
            _a(lambda a: a.grading_text),
            30,
            TEXT,
            "grading_text",
        ),
        Column(
            _("Graduazione (scala)"),
            _a(_scale_name),
            24,
            TEXT,
            "grading_scale_name",
            choices="scales",
        ),
        Column(_("Graduazione (in chiaro)"), lambda line: line.scale_text, 30),
        Column(_("Raggiunto (testo)"), _a(lambda a: a.achieved_text), 14, TEXT, "achieved_text"),
    ),
)


# --- the tables shown only ----------------------------------------------------------------

INDICATOR, ACTIVITY, SCHEDA = _("Indicatore"), _("Attività"), _("Scheda")


def _subject(m: Measurement):
    return m.indicator or m.activity


MISURAZIONI = Table(
    slug="misurazioni",
    header=_("Misurazioni"),
    rows=lambda data: data.measurements,
    columns=(
        Column(_("Periodo"), lambda m: m.period.name, 22),
        Column(_("Tipo di periodo"), lambda m: m.period.get_kind_display(), 16),
        Column(_("Data di riferimento"), lambda m: m.period.reference_date, 12, DATE),
        Column(_("Stato del periodo"), lambda m: m.period.get_state_display(), 12),
        Column(_("N. scheda"), lambda m: _subject(m).objective.position, 10, INT),
        _code_column(lambda m: _subject(m).objective.code),
        Column(_("Riga"), lambda m: str(INDICATOR if m.indicator_id else ACTIVITY), 11),
        Column(_("N."), lambda m: _subject(m).position, 6, INT),
        Column(_("Denominazione"), lambda m: str(_subject(m)), 36),
        Column(_("Numeratore"), lambda m: m.numerator, 12, DECIMAL),
        Column(_("Denominatore"), lambda m: m.denominator, 12, DECIMAL),
        Column(_("Valore"), lambda m: m.value, 12, DECIMAL),
        Column(_("Data di completamento"), lambda m: m.completed_on, 12, DATE),
        Column(_("Realizzato"), lambda m: yes_no(m.done), 10),
        Column(_("Avanzamento (%)"), lambda m: m.progress, 12, DECIMAL, number_format="0.00"),
        Column(_("Non valutabile"), lambda m: yes_no(m.not_assessable), 10),
        Column(_("Motivo della non valutabilità"), lambda m: m.not_assessable_reason, 30),
        Column(
            _("Raggiungimento forzato (%)"),
            lambda m: m.forced_achievement,
            12,
            DECIMAL,
            number_format="0.00",
        ),
        Column(_("Motivo della forzatura"), lambda m: m.forced_reason, 30),
        Column(_("Commento"), lambda m: m.comment, 40),
        Column(_("Inserita il"), lambda m: _local_day(m.entered_at), 12, DATE),
    ),
)


@dataclass(frozen=True)
class ResultLine:
    scheda: SchedaView
    what: Any  # SCHEDA, INDICATOR or ACTIVITY
    subject: Any  # the Indicator or Activity; None for the scheda
    result: Any  # the engine's result, or None
    period: str  # the monitoring period the result is computed on
    row_state: RowState | None = None  # the row's state in words; None for the scheda
    on: date | None = None  # the date the results are computed as of
    outcome: str = ""  # «provvisorio» or «definitivo», as the plan's coverage says

    @property
    def state(self) -> str:
        """The same words as every page: «non misurata», «non ancora dovuto», «in ritardo
        di 12 giorni»…; for the scheda, «non ancora dovuta», «parziale»…"""
        return self.row_state.label if self.row_state else self.scheda.state

    @property
    def why(self) -> str:
        return self.row_state.why if self.row_state else ""

    @property
    def delay(self) -> str:
        return self.row_state.delay if self.row_state else ""

    @property
    def days_late(self) -> int | None:
        """Days of delay only where they grade the row (never for an unreported activity)."""
        if self.row_state is None or not self.row_state.delay or self.result is None:
            return None
        return self.result.days_late


def _result_rows(data: PlanData) -> Iterable[ResultLine]:
    view = data.view
    period = view.scores.period if view else None
    name = period.name if period else ""
    on = view.as_of.on if view and period else None
    outcome = view.coverage().status if view and period else ""
    for scheda in data.schede:
        yield ResultLine(scheda, SCHEDA, None, scheda.result, name, None, on, outcome)
        for row in scheda.indicators:
            yield ResultLine(
                scheda, INDICATOR, row.indicator, row.result, name, row.state, on, outcome
            )
        for activity_row in scheda.activities:
            yield ResultLine(
                scheda,
                ACTIVITY,
                activity_row.activity,
                activity_row.result,
                name,
                activity_row.state,
                on,
                outcome,
            )


def _r(get: Callable[[Any], Any]) -> Callable[[ResultLine], Any]:
    return lambda line: get(line.result) if line.result is not None else None


def _scheda_only(get: Callable[[Any], Any]) -> Callable[[ResultLine], Any]:
    return lambda line: get(line.result) if line.subject is None and line.result else None


PERCENT = "0.00"

RISULTATI = Table(
    slug="risultati",
    header=_("Risultati"),
    rows=_result_rows,
    columns=(
        Column(_("Periodo"), lambda line: line.period, 22),
        Column(_("Riferiti al"), lambda line: line.on, 12, DATE),
        Column(_("Esito"), lambda line: line.outcome, 12),
        Column(_("N. scheda"), lambda line: line.scheda.objective.position, 10, INT),
        _code_column(lambda line: line.scheda.objective.code),
        Column(_("Scheda"), lambda line: line.scheda.objective.title, 36),
        Column(
            _("Unità responsabile"),
            lambda line: line.scheda.objective.unit.name if line.scheda.objective.unit else "",
            22,
        ),
        Column(_("Riga"), lambda line: str(line.what), 11),
        Column(_("N."), lambda line: line.subject.position if line.subject else None, 6, INT),
        Column(_("Denominazione"), lambda line: str(line.subject) if line.subject else "", 36),
        Column(_("Stato"), lambda line: line.state, 22),
        Column(_("Cosa manca"), lambda line: line.why, 24),
        Column(_("Valore rilevato"), _r(lambda r: getattr(r, "value", None)), 12, DECIMAL),
        Column(_("Giorni di ritardo"), lambda line: line.days_late, 10, INT),
        Column(_("Ritardo e graduazione"), lambda line: line.delay, 26),
        Column(
            _("Raggiungimento (%)"),
            _r(lambda r: r.achievement),
            12,
            DECIMAL,
            number_format=PERCENT,
        ),
        Column(
            _("Raggiungimento degli indicatori (%)"),
            _scheda_only(lambda r: r.indicator_achievement),
            14,
            DECIMAL,
            number_format=PERCENT,
        ),
        Column(
            _("Avanzamento delle attività (%)"),
            _scheda_only(lambda r: r.activity_progress),
            14,
            DECIMAL,
            number_format=PERCENT,
        ),
    ),
)

# The tables of a plan, in the order of the workbook's sheets.
TABLES: tuple[Table, ...] = (SCHEDE, INDICATORI, LIVELLI, ATTIVITA, MISURAZIONI, RISULTATI)
EDITABLE: tuple[Table, ...] = tuple(t for t in TABLES if t.editable)
BY_SLUG: dict[str, Table] = {t.slug: t for t in TABLES}

INSTRUCTIONS_SHEET = _("Istruzioni")
LISTS_SHEET = _("Elenchi")


def results_period(data: PlanData) -> str:
    """Which measurements the results are computed on, as of when, and what the authority's
    roll-up counts, in words: «… Ente: 77,00% — 2 schede su 9 misurate · … · provvisorio al
    31 dicembre 2019.»"""
    if data.view is None:
        return ""
    period = data.view.scores.period
    if period is None:
        return str(_("Nessun periodo di monitoraggio: i risultati non sono ancora misurati."))
    authority = data.view.scores.result.authority
    achievement = authority.achievement
    return str(
        _(
            "Risultati del periodo «%(name)s» (%(state)s, riferiti al %(date)s). "
            "Raggiungimento dell'ente: %(value)s — %(coverage)s."
        )
        % {
            "name": period.name,
            "state": period.get_state_display().lower(),
            "date": period.reference_date.strftime("%d/%m/%Y"),
            "value": format_percent(achievement) if achievement is not None else _("non misurato"),
            "coverage": data.view.coverage(),
        }
    )


def instructions(data: PlanData) -> list[str]:
    """The "Istruzioni" sheet, one paragraph a line."""
    plan = data.plan
    lines = [str(_("Piano della performance — modello di scambio")), ""]
    if plan is not None:
        lines.append(
            str(
                _("%(title)s (%(first)s–%(last)s), %(authority)s.")
                % {
                    "title": plan.title,
                    "first": plan.year,
                    "last": plan.last_year,
                    "authority": plan.authority.name,
                }
            )
        )
    lines += [
        str(
            _(
                "I fogli «Schede», «Indicatori», «Livelli attesi» e «Attività» si compilano e "
                "si caricano con «Importa»; i fogli «Misurazioni» e «Risultati» sono solo da "
                "leggere e l'importazione li ignora."
            )
        ),
        str(
            _(
                "Ogni scheda ha un «N. scheda» (un numero intero, diverso per ogni scheda): le "
                "righe di «Indicatori», «Livelli attesi» e «Attività» indicano con esso la "
                "scheda a cui appartengono. Il codice obiettivo può mancare o ripetersi."
            )
        ),
        str(
            _(
                "«Indicatori» riporta i livelli attesi dell'anno della scheda (intermedio e "
                "finale); i livelli degli altri anni di una scheda pluriennale vanno in «Livelli "
                "attesi», una riga per indicatore, anno e livello."
            )
        ),
        str(
            _(
                "Dove c'è una colonna «(testo)» accanto al valore, il testo è quello della "
                "scheda come scritto, il valore è quello che conta per il calcolo: numeri come "
                "numeri, date come date (gg/mm/aaaa)."
            )
        ),
        str(
            _(
                "Unità, responsabili, graduazioni, livelli del punteggio e obiettivi del DUP si "
                "scelgono dagli elenchi del foglio «Elenchi» (menu a tendina); le unità "
                "coinvolte si separano con «;», gli ambiti (numeri) con la virgola."
            )
        ),
        str(
            _(
                "Le colonne «Codice obiettivo» dei fogli collegati, «Punteggio», «Graduazione "
                "(in chiaro)» e «Indicatore» sono calcolate e non vengono lette."
            )
        ),
        str(
            _("Un testo che inizia con =, +, - o @ è sempre trattato come testo, mai come formula.")
        ),
    ]
    period = results_period(data)
    if period:
        lines += ["", period]
    return lines
