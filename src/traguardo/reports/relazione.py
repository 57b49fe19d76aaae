"""The Relazione sulla performance of a plan (art. 10 D.Lgs. 150/2009), for screen and PDF.

Everything comes from ``plan_pages`` (the engine's results, computed once) and from the rows
recorded during the year: the measurements of the period scored (justifications, reasons for
"non valutabile", forced results), the variazioni, the ambiti, the Nucleo's validation.

The Relazione is published (D.Lgs. 33/2013; Garante provv. 398/2023): it shows results by
unit, by scheda and by ambito, and never a person's name beside a score. Justifications are
the unit's ("Motivazione del responsabile"), not a named person's.

Its free texts (the comments and reasons recorded with the measurements, the variazioni's
reasons, the Nucleo's minutes) are written by people and may name a colleague: the public
variant (``public=True``, the transparency page) replaces every name of the authority's people
and users in them with "[omissis]"; the back-office Relazione keeps them as written.

Two entry points, one module: ``relazione_data`` assembles the whole document (every scheda's
card, every deviation with its justification) for the PDF, and ``relazione_summary`` what the
screen shows of it, from the kept results (``planning.kept``): the same summaries, the schede
listed in pages, and the rows behind the deviations read for the shown page only. A plan of
thousands of schede would otherwise load and print every card on every request; both decide
what a deviation is with the same ``finding`` below, so screen and document agree.

Laying out a PDF takes seconds: ``render_relazione_pdf`` keeps each PDF in the cache under
a hash of its HTML, so the same document is laid out once however many times it is asked for.
"""

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import CharField, Count, F, FilteredRelation, Q, Value
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from traguardo.audit.checkpoint import Checkpoint, last_checkpoint
from traguardo.core.formats import date_it
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.organization.models import OrgUnit, PerformanceArea
from traguardo.planning.asof import AsOf
from traguardo.planning.domain.lifecycle import act_text
from traguardo.planning.kept import KeptPlan, KeptRow, OnKeptRow
from traguardo.planning.models import Activity, Indicator, Objective, Plan, Variation
from traguardo.planning.rulebook import Thresholds, plan_rules
from traguardo.planning.states import (
    Coverage,
    RowState,
    kept_row_state,
)
from traguardo.reports import redact
from traguardo.reports.charts import Chart, achievement_distribution, unit_bars
from traguardo.reports.pdf import html_to_pdf, render_html
from traguardo.reports.scheda import PlanView, SchedaView, plan_pages
from traguardo.scoring import (
    ActivityResult,
    Aggregate,
    IndicatorResult,
    ItemState,
    Status,
    activity_state,
    indicator_state,
    score_areas,
)

HUNDRED = Decimal(100)
# A due row without a figure: listed apart as «non misurato», never as a deviation at 0.
UNMEASURED = frozenset({ItemState.NOT_MEASURED, ItemState.NOT_MEASURABLE})
# The sections of the document, for its index (anchor, title).
SECTIONS = (
    ("sintesi", gettext_lazy("1. Sintesi dei risultati")),
    ("unita", gettext_lazy("2. Risultati per unità organizzativa")),
    ("schede", gettext_lazy("3. Risultati per scheda")),
    ("scostamenti", gettext_lazy("4. Scostamenti e motivazioni")),
    ("forzature", gettext_lazy("5. Risultati forzati")),
    ("variazioni", gettext_lazy("6. Variazioni del piano nell'anno")),
    ("ambiti", gettext_lazy("7. Risultati per ambito della performance organizzativa")),
    ("validazione", gettext_lazy("8. Validazione del Nucleo di valutazione / OIV")),
)
# What replaces a person's name in the public Relazione.
OMISSIS = redact.OMISSIS
# A last name alone is a name only from this length on ("Re", "Po" are words too).
SURNAME_ALONE_FROM = redact.SURNAME_ALONE_FROM
# A laid-out PDF is kept this long (seconds) under the hash of its HTML.
PDF_CACHE_SECONDS = 24 * 60 * 60


class Silent:
    """The progress of a document built outside a job: nobody is watching."""

    def set_total(self, total: int, message: str = "") -> None:
        pass

    def advance(self, steps: int = 1, message: str = "") -> None:
        pass


@dataclass(frozen=True)
class Deviation:
    """A due indicator or activity below its target (or left out as «non valutabile»), with
    what the unit wrote about it; also a due row without a figure («non misurato»), which the
    Relazione lists apart."""

    card: SchedaView | KeptRow
    kind: str  # "indicator" | "activity"
    position: int
    name: str
    achievement: Decimal | None
    status: str
    justification: str
    not_assessable_reason: str
    state: RowState | None = None

    @property
    def kind_label(self) -> str:
        return _("indicatore") if self.kind == "indicator" else _("attività")

    @property
    def counts_as_zero(self) -> bool:
        """An indicator without a figure once the period is closed counts as 0 (DESIGN.md
        §4.3); an activity nobody reported on never does."""
        # Only a card knows its as-of date (the PDF's deviations); a kept row, the page's,
        # is never asked (the page's template reads the Relazione's own date).
        scheda = self.card
        return self.kind == "indicator" and isinstance(scheda, SchedaView) and scheda.as_of.final


@dataclass(frozen=True)
class ForcedResult:
    card: SchedaView | KeptRow
    position: int
    name: str
    achievement: Decimal | None
    reason: str


@dataclass(frozen=True)
class UnitSection:
    unit: OrgUnit
    level: int
    parent: OrgUnit | None  # the unit it depends on, said in words (not only by indentation)
    result: Aggregate
    cards: list[SchedaView]  # the schede the unit itself is responsible for
    coverage: Coverage | None = None

    @property
    def label(self) -> str:
        return unit_label(self.unit, self.parent)


def _unit_chart(units, levels, parents, result, thresholds: Thresholds) -> Chart:
    """The units' bars, in tree order and named as in their table (paper and screen)."""
    return unit_bars(
        [
            (unit_label(unit, parent), result.units[unit.pk].achievement)
            for unit, parent in zip(units, parents, strict=True)
        ],
        levels=levels,
        chart_id="relazione-unita",
        **thresholds,
    )


def unit_sections(units, levels, parents, result, by_unit: dict, coverage) -> list[UnitSection]:
    """The units in tree order with their roll-up, their own schede (cards on paper, kept rows
    on screen) and its coverage."""
    return [
        UnitSection(
            unit,
            level,
            parent,
            result.units[unit.pk],
            by_unit.get(unit.pk, []),
            coverage(result.units[unit.pk]),
        )
        for unit, level, parent in zip(units, levels, parents, strict=True)
    ]


@dataclass(frozen=True)
class AreaResult:
    area: PerformanceArea
    result: Aggregate
    cards: list[SchedaView]
    coverage: Coverage | None = None


@dataclass(frozen=True)
class VariationEntry:
    variation: Variation
    act: str
    reason: str
    schede: list[Objective]


@dataclass(frozen=True)
class Relazione:
    plan: Plan
    page: PlanView
    period: MonitoringPeriod | None
    act: str
    authority_result: Aggregate
    units: list[UnitSection]
    unassigned: list[SchedaView]
    deviations: list[Deviation]
    unmeasured: list[Deviation]
    forced: list[ForcedResult]
    areas: list[AreaResult]
    variations: list[VariationEntry]
    distribution: Chart
    unit_chart: Chart
    thresholds: Thresholds
    validation_minutes: str
    public: bool = False
    # The audit log's newest checkpoint, printed on the validation page: the log's head as of
    # the document, for anyone to hold the installation's ``verify_audit`` against later.
    audit_checkpoint: Checkpoint | None = None

    @property
    def title(self) -> str:
        return _("Relazione sulla performance %(year)s") % {"year": self.plan.year}

    @property
    def coverage(self) -> Coverage:
        """The authority's roll-up: how many schede it counts, as of when, final or not."""
        return self.page.coverage(self.authority_result)

    @property
    def provisional(self) -> bool:
        """Provisional while the period is open, and while a due scheda is partial or
        unmeasured: a partial figure is never presented as the final one."""
        return not self.coverage.final

    @property
    def not_due(self) -> list[SchedaView]:
        """The schede with nothing due as of the date: out of the period's score."""
        return [c for c in self.page.rows if c.result and c.result.status == Status.NOT_DUE]


# The one redactor of public texts (reports.redact): names matched whatever their case,
# accents, apostrophes, initials, order and titles.
Redactor = redact.Redactor


def _as_written(text: str) -> str:
    return text or ""


def unit_label(unit: OrgUnit, parent: OrgUnit | None) -> str:
    """A unit's name, with the unit it depends on: «Ufficio tributi (dipende da Settore II)»."""
    if parent is None:
        return unit.name
    return _("%(unit)s (dipende da %(parent)s)") % {"unit": unit.name, "parent": parent.name}


def relazione_data(plan: Plan, progress=None, *, public: bool = False) -> Relazione:
    """Assemble the Relazione: one progress step for the scores, then one per scheda.

    ``public``: the published variant, whose free texts name nobody (see ``Redactor``)."""
    progress = progress or Silent()
    clean = Redactor.for_authority(plan.authority) if public else _as_written
    progress.set_total(plan.objectives.count() + 2, _("Calcolo dei risultati…"))
    page = plan_pages(plan)
    if public:  # the schede's own texts (titles, expected results…) name nobody either
        for scheda in page.rows:
            redact.redact_scheda(scheda, clean)
    period = page.scores.period
    measurements = _measurements(period)
    progress.advance(message=_("Esame delle schede…"))
    deviations: list[Deviation] = []
    unmeasured: list[Deviation] = []
    forced: list[ForcedResult] = []
    for number, scheda in enumerate(page.rows, start=1):
        _examine(scheda, measurements, deviations, unmeasured, forced, clean)
        progress.advance(
            message=_("Scheda %(n)s di %(total)s esaminata.")
            % {"n": number, "total": len(page.rows)}
        )
    thresholds = plan_rules(plan).thresholds
    result = page.scores.result
    units, levels = unit_tree(result.units)
    # A listed unit's parent is listed too.
    listed: dict[int | None, OrgUnit] = {unit.pk: unit for unit in units}
    parents = [listed.get(unit.parent_id) for unit in units]
    by_unit: dict[int | None, list[SchedaView]] = {}
    for scheda in page.rows:
        by_unit.setdefault(scheda.objective.unit_id, []).append(scheda)
    relazione = Relazione(
        plan=plan,
        page=page,
        period=period,
        act=act_text(plan),
        authority_result=result.authority,
        units=unit_sections(units, levels, parents, result, by_unit, page.coverage),
        unassigned=by_unit.get(None, []),
        deviations=deviations,
        unmeasured=unmeasured,
        forced=forced,
        areas=_areas(page),
        variations=_variations(plan, clean),
        distribution=achievement_distribution(
            due_achievements(page),
            chart_id="relazione-distribuzione",
            **thresholds,
        ),
        unit_chart=_unit_chart(units, levels, parents, result, thresholds),
        thresholds=thresholds,
        validation_minutes=clean(plan.validation_minutes),
        public=public,
        audit_checkpoint=last_checkpoint(),
    )
    progress.advance(message=_("Impaginazione del documento…"))
    return relazione


def due_achievements(page: PlanView) -> list[Decimal | None]:
    """The achievement of every scheda due as of the page's date, for the distribution chart
    (a scheda not yet due is not «non misurata»)."""
    return [
        scheda.result.achievement if scheda.result else None
        for scheda in page.rows
        if not (scheda.result and scheda.result.status == Status.NOT_DUE)
    ]


def relazione_context(plan: Plan, progress=None, *, public: bool = False) -> dict:
    return {
        "plan": plan,
        "authority": plan.authority,
        "rel": relazione_data(plan, progress, public=public),
        "sections": SECTIONS,
    }


def relazione_html(plan: Plan, progress=None, *, public: bool = False) -> str:
    """The HTML the Relazione's PDF is laid out from (every word of the PDF but the page
    numbers the layout adds); ``public``: the variant of the transparency page."""
    return render_html("reports/relazione.html", relazione_context(plan, progress, public=public))


def render_relazione_pdf(plan: Plan, progress=None, *, public: bool = False) -> bytes:
    """The Relazione as a PDF; ``public``: the variant of the transparency page.

    The HTML is cheap, the layout is not: a PDF is laid out only when no PDF of the very same
    HTML is in the cache (an anonymous visitor asking again gets the stored bytes)."""
    html = relazione_html(plan, progress, public=public)
    key = "relazione-pdf:" + hashlib.sha256(html.encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = html_to_pdf(html)
        cache.set(key, data, PDF_CACHE_SECONDS)
    return data


def relazione_filename(plan: Plan) -> str:
    return _("relazione-performance-%(year)s.pdf") % {"year": plan.year}


def unit_tree(aggregates: dict) -> tuple[list[OrgUnit], list[int]]:
    """Units with schede (their own or their children's), each followed by its children,
    and the depth of each (0 = top level)."""
    units = list(OrgUnit.objects.all())
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[OrgUnit] = []
    levels: list[int] = []
    pending = [(unit, 0) for unit in reversed(children.get(None, []))]
    while pending:
        unit, level = pending.pop()
        aggregate = aggregates.get(unit.pk)
        if aggregate is None or aggregate.objectives == 0:
            continue
        ordered.append(unit)
        levels.append(level)
        pending.extend((child, level + 1) for child in reversed(children.get(unit.pk, [])))
    return ordered, levels


def _measurements(
    period: MonitoringPeriod | None,
) -> dict[tuple[str, int | None], Measurement]:
    if period is None:
        return {}
    found: dict[tuple[str, int | None], Measurement] = {}
    for m in Measurement.objects.filter(period=period):
        if m.indicator_id:
            found[("indicator", m.indicator_id)] = m
        else:
            found[("activity", m.activity_id)] = m
    return found


DEVIATION = "deviation"
UNMEASURED_ROW = "unmeasured"


def finding(state: ItemState, achievement: Decimal | None) -> str:
    """What a row scored as of the date is for the Relazione: a deviation (due, measured
    below its target or left out as «non valutabile»), an unmeasured row (due, no figure),
    or nothing ("": in line, or not yet due). The one rule of the document and the page."""
    if state is ItemState.NOT_DUE:
        return ""
    if state in UNMEASURED:
        return UNMEASURED_ROW
    if state is ItemState.EXCLUDED or (achievement is not None and achievement < HUNDRED):
        return DEVIATION
    return ""


def _examine(scheda: SchedaView, measurements, deviations, unmeasured, forced, clean) -> None:
    """The deviations, unmeasured rows and forced results of one scheda, from the rows'
    states (``planning.states``); their free texts pass through ``clean``.

    A deviation is a due row measured below its target, or left out as «non valutabile». A
    due row without a figure is «non misurato» (listed apart, never at 0,00%); a row not yet
    due as of the date is neither."""
    rows: list[
        tuple[str, Indicator | Activity, str, IndicatorResult | ActivityResult | None, RowState]
    ] = [("indicator", r.indicator, r.indicator.name, r.result, r.state) for r in scheda.indicators]
    rows += [
        ("activity", r.activity, r.activity.title, r.result, r.state) for r in scheda.activities
    ]
    for kind, item, name, result, state in rows:
        m = measurements.get((kind, item.pk))
        if result is None or state.not_due:
            continue
        if result.status == Status.FORCED and m is not None:
            forced.append(
                ForcedResult(
                    scheda, item.position, name, result.achievement, clean(m.forced_reason)
                )
            )
        kind_of_finding = finding(state.state, result.achievement)
        if kind_of_finding == UNMEASURED_ROW:
            target = unmeasured
        elif kind_of_finding == DEVIATION:
            target = deviations
        else:
            continue
        target.append(
            Deviation(
                card=scheda,
                kind=kind,
                position=item.position,
                name=name,
                achievement=result.achievement,
                status=str(result.status),
                justification=clean(m.comment) if m else "",
                not_assessable_reason=clean(m.not_assessable_reason) if m else "",
                state=state,
            )
        )


def _areas(page: PlanView) -> list[AreaResult]:
    """Each ambito with at least one scheda, and the engine's roll-up of its schede."""
    members: list[tuple[Decimal | None, Decimal | None, list[int], Status]] = []
    schede_of: dict[Hashable, list[SchedaView]] = {}
    areas: dict[Hashable, PerformanceArea] = {}
    for scheda in page.rows:
        keys = []
        for pair in scheda.area_rows:
            for area, selected in (p for p in pair if p is not None):
                if selected:
                    keys.append(area.pk)
                    areas[area.pk] = area
                    schede_of.setdefault(area.pk, []).append(scheda)
        achievement = scheda.result.achievement if scheda.result else None
        status = scheda.result.status if scheda.result else Status.MISSING
        members.append((scheda.weight_score, achievement, keys, status))
    rolled = score_areas(members)
    return [
        AreaResult(areas[key], rolled[key], schede_of[key], page.coverage(rolled[key]))
        for key in sorted(rolled, key=lambda k: areas[k].number)
    ]


def _variations(plan: Plan, clean) -> list[VariationEntry]:
    variations = list(plan.variations.prefetch_related("versions__objective").order_by("number"))
    entries = []
    for variation in variations:
        schede = {v.objective_id: v.objective for v in variation.versions.all()}
        entries.append(
            VariationEntry(
                variation=variation,
                act=_("%(type)s n. %(number)s del %(date)s")
                % {
                    "type": variation.act_type,
                    "number": variation.act_number,
                    "date": date_it(variation.act_date),
                },
                reason=clean(variation.reason),
                schede=sorted(schede.values(), key=lambda o: o.position),
            )
        )
    return entries


# --- The screen: the summaries from the kept results, the schede in pages -----------------


@dataclass(frozen=True)
class Findings:
    """How many of a scheda's due rows deviate, have no figure, or were forced."""

    deviations: int = 0
    unmeasured: int = 0
    forced: int = 0

    def __bool__(self) -> bool:
        return bool(self.deviations or self.unmeasured or self.forced)


NO_FINDINGS = Findings()


def row_findings(result) -> Findings:
    """A scheda's findings from its result alone (``finding``, as the document decides)."""
    if result is None:
        return NO_FINDINGS
    deviations = unmeasured = forced = 0
    rows = [(indicator_state(r), r) for r in result.indicators]
    rows += [(activity_state(r), r) for r in result.activities]
    for state, r in rows:
        if state is ItemState.NOT_DUE:
            continue
        if r.status == Status.FORCED:
            forced += 1
        kind = finding(state, r.achievement)
        if kind == DEVIATION:
            deviations += 1
        elif kind == UNMEASURED_ROW:
            unmeasured += 1
    if not (deviations or unmeasured or forced):
        return NO_FINDINGS
    return Findings(deviations, unmeasured, forced)


@dataclass(frozen=True)
class PlanFindings:
    """Every scheda's findings and the totals, derived once per kept plan."""

    by_pk: dict[int, Findings]
    deviations: int
    unmeasured: int
    forced: int
    schede_with_deviations: int
    schede_with_forced: int


def derived(kept, name: str, build):
    """``build(kept)`` kept on the kept plan itself: computed once per kept plan (a new data
    version is a new kept plan), never shared with another one."""
    return kept.derived(name, lambda: build(kept))


def plan_findings(kept) -> PlanFindings:
    return derived(kept, "relazione-findings", _plan_findings)


def _plan_findings(kept) -> PlanFindings:
    by_pk = {row.pk: row_findings(row.result) for row in kept.rows}
    return PlanFindings(
        by_pk=by_pk,
        deviations=sum(f.deviations for f in by_pk.values()),
        unmeasured=sum(f.unmeasured for f in by_pk.values()),
        forced=sum(f.forced for f in by_pk.values()),
        schede_with_deviations=sum(1 for f in by_pk.values() if f.deviations or f.unmeasured),
        schede_with_forced=sum(1 for f in by_pk.values() if f.forced),
    )


@dataclass(frozen=True)
class ListedRow(OnKeptRow):
    """A scheda in the screen's paged list: its kept row and its findings."""

    row: KeptRow
    findings: Findings


@dataclass(frozen=True)
class VariationSummary:
    variation: Variation
    act: str
    reason: str
    schede: int  # how many schede it changed


@dataclass(frozen=True)
class RelazioneSummary:
    """What the Relazione page shows before its paged list of schede."""

    plan: Plan
    kept: KeptPlan
    act: str
    authority_result: Aggregate
    units: list[UnitSection]  # ``cards``: the unit's kept rows
    unassigned: int
    areas: list[AreaResult]  # ``cards``: the ambito's kept rows
    findings: PlanFindings
    variations: list[VariationSummary]
    distribution: Chart
    unit_chart: Chart
    thresholds: Thresholds
    validation_minutes: str
    audit_checkpoint: Checkpoint | None = None

    @property
    def title(self) -> str:
        return _("Relazione sulla performance %(year)s") % {"year": self.plan.year}

    @property
    def period(self) -> MonitoringPeriod | None:
        return self.kept.period

    @property
    def as_of(self) -> AsOf:
        return self.kept.as_of

    @property
    def coverage(self) -> Coverage:
        return self.kept.coverage(self.authority_result)

    @property
    def not_due(self) -> int:
        return derived(self.kept, "relazione-not-due", _not_due)


def _not_due(kept) -> int:
    return sum(1 for row in kept.rows if row.not_due)


def relazione_summary(plan: Plan, kept) -> RelazioneSummary:
    """The Relazione's summaries from the kept results: a constant number of queries (the
    units, the ambiti, the variazioni) whatever the number of schede, read and arranged once
    per kept plan (``derived``)."""
    parts = derived(kept, f"relazione-summary:{get_language()}", _summary_parts)
    return RelazioneSummary(
        plan=plan,
        kept=kept,
        act=act_text(plan),
        validation_minutes=plan.validation_minutes,
        audit_checkpoint=last_checkpoint(),
        **parts,
    )


def _summary_parts(kept) -> dict:
    """What ``RelazioneSummary`` takes from the kept plan alone."""
    rules = kept.scores.rules
    thresholds = rules.thresholds
    result = kept.scores.result
    setting = derived(kept, f"relazione-setting:{get_language()}", _setting)
    units, levels, parents, areas = setting.units, setting.levels, setting.parents, setting.areas
    by_unit: dict[int | None, list] = {}
    by_area: dict[int, list] = {}
    for row in kept.rows:
        by_unit.setdefault(row.objective.unit_id, []).append(row)
        for area_id in row.objective.area_ids:
            by_area.setdefault(area_id, []).append(row)
    return {
        "authority_result": result.authority,
        "units": unit_sections(units, levels, parents, result, by_unit, kept.coverage),
        "unassigned": len(by_unit.get(None, [])),
        "areas": [
            AreaResult(
                areas[key], kept.areas[key], by_area.get(key, []), kept.coverage(kept.areas[key])
            )
            for key in sorted((k for k in kept.areas if k in areas), key=lambda k: areas[k].number)
        ],
        "findings": plan_findings(kept),
        "variations": setting.variations,
        "distribution": achievement_distribution(
            [
                row.result.achievement if row.result else None
                for row in kept.rows
                if not row.not_due
            ],
            chart_id="relazione-distribuzione",
            **thresholds,
        ),
        "unit_chart": _unit_chart(units, levels, parents, result, thresholds),
        "thresholds": thresholds,
    }


@dataclass(frozen=True)
class _Setting:
    units: list[OrgUnit]
    levels: list[int]
    parents: list[OrgUnit | None]
    areas: dict[int, PerformanceArea]
    variations: list[VariationSummary]


def _setting(kept) -> _Setting:
    """The units, ambiti and variazioni the summaries name: read once per kept plan (units
    and ambiti move the data version; every variazione is a business action, audited, which
    moves it too; see ``planning.versioning``)."""
    units, levels = unit_tree(kept.scores.result.units)
    listed: dict[int | None, OrgUnit] = {unit.pk: unit for unit in units}
    areas = (
        {a.pk: a for a in PerformanceArea.objects.filter(pk__in=list(kept.areas))}
        if kept.areas
        else {}
    )
    return _Setting(
        units=units,
        levels=levels,
        parents=[listed.get(unit.parent_id) for unit in units],
        areas=areas,
        variations=_variation_summaries(kept.plan_id),
    )


def listed_rows(kept, *, unit: int | None = None, with_findings: bool = False) -> list[ListedRow]:
    """The schede of the paged list, narrowed on the server (a unit; only those with a
    deviation or an unmeasured row), in the documents' order; once per kept plan and filter
    (the units are the plan's, so these are bounded)."""
    return derived(
        kept,
        f"relazione-listed:{unit}:{with_findings}",
        lambda kept: _listed_rows(kept, unit, with_findings),
    )


def _listed_rows(kept, unit: int | None, with_findings: bool) -> list[ListedRow]:
    findings = plan_findings(kept).by_pk
    rows = []
    for row in kept.rows:
        if unit is not None and row.objective.unit_id != unit:
            continue
        f = findings.get(row.pk, NO_FINDINGS)
        if with_findings and not (f.deviations or f.unmeasured):
            continue
        rows.append(ListedRow(row, f))
    return rows


@dataclass(frozen=True)
class PageDeviations:
    deviations: list[Deviation]
    unmeasured: list[Deviation]
    forced: list[ForcedResult]


def page_deviations(kept, listed: list[ListedRow]) -> PageDeviations:
    """The deviations, unmeasured rows and forced results of the shown schede, with what the
    unit wrote: one query (their indicators and activities with the period's texts)."""
    shown = [item for item in listed if item.findings]
    found = PageDeviations([], [], [])
    if not shown:
        return found
    period = kept.period
    texts = ("comment", "not_assessable_reason", "forced_reason")

    def rows_of(model, kind: str, name: str):
        # The period's measurement of each row joined once (LEFT JOIN), not one subquery
        # per text.
        fields: dict[str, Value | F]
        if period is None:
            fields = {field: Value("", output_field=CharField()) for field in texts}
            joined = model.objects.all()
        else:
            joined = model.objects.annotate(
                m=FilteredRelation("measurements", condition=Q(measurements__period=period))
            )
            fields = {field: F(f"m__{field}") for field in texts}
        return (
            joined.filter(objective_id__in=[item.objective.pk for item in shown])
            .order_by()
            .annotate(kind=Value(kind, output_field=CharField()), label=F(name), **fields)
            .values_list("objective_id", "kind", "pk", "position", "label", *texts)
        )

    lines = rows_of(Indicator, "indicator", "name").union(
        rows_of(Activity, "activity", "title"), all=True
    )
    by_key = {
        (kind, pk): (position, label, *rest) for _o, kind, pk, position, label, *rest in lines
    }
    for item in shown:
        result = item.result
        if result is None:  # a scheda with findings has a result
            continue
        rows: list[tuple[str, IndicatorResult | ActivityResult, RowState]] = [
            ("indicator", r, kept_row_state(kept, "indicator", r)) for r in result.indicators
        ]
        rows += [("activity", r, kept_row_state(kept, "activity", r)) for r in result.activities]
        for kind, r, state in rows:
            line = by_key.get((kind, r.key))
            if line is None or state.not_due:
                continue
            position, label, comment, reason, forced_reason = line
            if r.status == Status.FORCED:
                found.forced.append(
                    ForcedResult(item.row, position, label, r.achievement, forced_reason or "")
                )
            kind_of_finding = finding(state.state, r.achievement)
            if not kind_of_finding:
                continue
            target = found.deviations if kind_of_finding == DEVIATION else found.unmeasured
            target.append(
                Deviation(
                    card=item.row,
                    kind=kind,
                    position=position,
                    name=label,
                    achievement=r.achievement,
                    status=str(r.status),
                    justification=comment or "",
                    not_assessable_reason=reason or "",
                    state=state,
                )
            )
    return found


def _variation_summaries(plan_id: int) -> list[VariationSummary]:
    variations = (
        Variation.objects.filter(plan_id=plan_id)
        .annotate(schede=Count("versions__objective", distinct=True))
        .order_by("number")
    )
    return [
        VariationSummary(
            variation=variation,
            act=_("%(type)s n. %(number)s del %(date)s")
            % {
                "type": variation.act_type,
                "number": variation.act_number,
                "date": date_it(variation.act_date),
            },
            reason=variation.reason,
            schede=variation.schede,
        )
        for variation in variations
    ]
