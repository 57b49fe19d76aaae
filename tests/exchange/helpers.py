"""Read exported files back with their own libraries, and what the database says they hold.

The expected rows are built from the models directly (not from ``exchange.layout``), so a
column that shows the wrong field fails the comparison.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from odf import teletype
from odf.namespaces import OFFICENS, TABLENS
from odf.opendocument import load as load_ods
from odf.table import Table, TableCell, TableRow
from odf.text import P
from openpyxl import load_workbook

from traguardo.monitoring.models import Measurement
from traguardo.planning.models import Target
from traguardo.planning.notes import field_label
from traguardo.reports.scheda import plan_pages

MEASURE_LABELS = {
    "ratio": "Rapporto (numeratore / denominatore × 100)",
    "deadline": "Scadenza (giorni di ritardo sulla data)",
    "delay_days": "Giorni di ritardo rilevati",
    "number": "Numero",
    "percentage": "Percentuale",
    "variation": "Variazione rispetto a un valore di riferimento",
    "boolean": "Sì / no (fatto, non fatto)",
}
DIRECTION_LABELS = {"higher": "più alto è meglio", "lower": "più basso è meglio"}


# --- reading files back -------------------------------------------------------------------


def xlsx_sheets(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets = {s.title: [tuple(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}
    book.close()
    return sheets


def ods_sheets(data: bytes) -> dict[str, list[tuple]]:
    """Each sheet's rows of typed values: str (as written), Decimal, date, None."""
    doc = load_ods(io.BytesIO(data))
    sheets = {}
    for sheet in doc.spreadsheet.getElementsByType(Table):
        rows = []
        for row in sheet.getElementsByType(TableRow):
            values = []
            for cell in row.getElementsByType(TableCell):
                repeat = int(cell.getAttrNS(TABLENS, "number-columns-repeated") or 1)
                values.extend([_ods_value(cell)] * repeat)
            rows.append(tuple(values))
        sheets[sheet.getAttribute("name")] = rows
    return sheets


def ods_cells(data: bytes) -> list[tuple[str, str | None, str]]:
    """Every cell with a text: (office:value-type, table:formula or None, text as written)."""
    doc = load_ods(io.BytesIO(data))
    cells = []
    for cell in doc.spreadsheet.getElementsByType(TableCell):
        paragraphs = cell.getElementsByType(P)
        if paragraphs:
            cells.append(
                (
                    cell.getAttrNS(OFFICENS, "value-type"),
                    cell.getAttrNS(TABLENS, "formula"),
                    _ods_text(cell),
                )
            )
    return cells


def _ods_text(cell) -> str:
    return "\n".join(teletype.extractText(p) for p in cell.getElementsByType(P))


def _ods_value(cell):
    kind = cell.getAttribute("valuetype")
    if kind == "float":
        return Decimal(cell.getAttribute("value"))
    if kind == "date":
        return date.fromisoformat(cell.getAttribute("datevalue")[:10])
    if kind == "string":
        return _ods_text(cell)
    return None


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "manca il BOM UTF-8"
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def as_dicts(rows: list[tuple]) -> list[dict]:
    header = list(rows[0])
    return [
        dict(zip(header, row, strict=False))
        for row in rows[1:]
        if any(v not in (None, "") for v in row)
    ]


# --- canonical values ---------------------------------------------------------------------


def canon(value) -> str:
    """One spelling for a value whatever the file gave: numbers, dates, texts, blanks."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Sì" if value else "No"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        return format(Decimal(value).normalize(), "f")
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def canon_csv(value) -> str:
    """How the CSV writes a value: decimal comma, gg/mm/aaaa."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return canon(value).replace(".", ",") if isinstance(value, (int, Decimal)) else canon(value)


def canon_row(row: dict, to=canon) -> dict:
    return {key: to(value) for key, value in row.items()}


# --- what the database holds --------------------------------------------------------------


def _notes(notes) -> str:
    """The open notes after their field's label, as a person reads them («Ambiti: …»)."""
    return "\n".join(
        f"{field_label(n['field'])}: {n['message']}" if n.get("field") else n["message"]
        for n in notes
        if not n.get("resolved")
    )


def expected_tables(plan) -> dict[str, list[dict]]:
    """Sheet name → rows by header, straight from the models and the engine."""
    view = plan_pages(plan)
    cards = {card.objective.pk: card for card in view.rows}
    objectives = list(plan.objectives.order_by("position"))
    schede, indicatori, livelli, attivita, risultati = [], [], [], [], []
    period = view.scores.period
    for o in objectives:
        card = cards[o.pk]
        schede.append(
            {
                "N. scheda": o.position,
                "Codice obiettivo": o.code,
                "Denominazione": o.title,
                "Anno della scheda": o.year,
                "Primo anno": o.first_year,
                "Ultimo anno": o.last_year,
                "Prima scheda dell'obiettivo pluriennale (N. scheda)": (
                    o.series.position if o.series else None
                ),
                "Obiettivo del DUP (codice)": o.dup_goal.code if o.dup_goal else "",
                "Riferimento DUP (testo)": o.dup_text,
                "Unità responsabile": o.unit.name if o.unit else "",
                "Unità responsabile (testo della scheda)": o.unit_text,
                "Responsabile": (
                    f"{o.responsible.first_name} {o.responsible.last_name}".strip()
                    if o.responsible
                    else ""
                ),
                "Responsabile (testo della scheda)": o.responsible_text,
                "Unità coinvolte (separate da ;)": "; ".join(
                    u.name for u in o.involved_units.order_by("position", "name")
                ),
                "Unità coinvolte (testo della scheda)": o.involved_text,
                "Risultato atteso": o.expected_result,
                "Ambiti (numeri separati da virgola)": ", ".join(
                    str(n) for n in o.areas.order_by("number").values_list("number", flat=True)
                ),
                "Strategicità": o.strategic_level.label if o.strategic_level else "",
                "Complessità": o.complexity_level.label if o.complexity_level else "",
                "Tipologia": o.kind_level.label if o.kind_level else "",
                "Punteggio": card.weight_score,
                "Note": o.notes,
                "Note di importazione": _notes(o.import_notes),
            }
        )
        scale_texts = {row.indicator.pk: row.scale_text for row in card.indicators}
        results = {row.indicator.pk: row.result for row in card.indicators}
        for i in o.indicators.order_by("position"):
            own = {t.kind: t for t in i.targets.filter(year=o.year)}
            row = {
                "N. scheda": o.position,
                "Codice obiettivo": o.code,
                "N.": i.position,
                "Peso (%)": i.weight,
                "Denominazione": i.name,
                "Formula di calcolo": i.formula_text,
                "Misura": MEASURE_LABELS[i.measure],
                "Verso": DIRECTION_LABELS[i.direction],
                "Valore di riferimento": i.baseline,
                "Valore di riferimento (testo)": i.baseline_text,
                "Variazione in percentuale": "Sì" if i.variation_percent else "No",
            }
            for kind, noun in (("intermediate", "intermedio"), ("final", "finale")):
                t = own.get(kind)
                row[f"Livello {noun} atteso (testo)"] = t.value_text if t else ""
                row[f"Livello {noun} atteso (valore)"] = t.value if t else None
                row[f"Livello {noun} alla data"] = t.due_date if t else None
                row[f"Livello {noun} alla data (testo)"] = t.due_text if t else ""
            row["Graduazione del conseguimento (testo)"] = i.grading_text
            row["Graduazione (scala)"] = i.grading_scale.name if i.grading_scale else ""
            row["Graduazione (in chiaro)"] = scale_texts[i.pk]
            indicatori.append(row)
            for t in i.targets.exclude(year=o.year).order_by("year", "kind"):
                livelli.append(
                    {
                        "N. scheda": o.position,
                        "Codice obiettivo": o.code,
                        "N. indicatore": i.position,
                        "Indicatore": i.name,
                        "Anno": t.year,
                        "Livello": dict(Target.Kind.choices)[t.kind],
                        "Valore atteso (testo)": t.value_text,
                        "Valore atteso (valore)": t.value,
                        "Alla data": t.due_date,
                        "Alla data (testo)": t.due_text,
                    }
                )
        activity_scales = {row.activity.pk: row.scale_text for row in card.activities}
        for a in o.activities.order_by("position"):
            attivita.append(
                {
                    "N. scheda": o.position,
                    "Codice obiettivo": o.code,
                    "N.": a.position,
                    "Peso (%)": a.weight,
                    "Sub-obiettivo / attività": a.title,
                    "Inizio": a.start_date,
                    "Fine": a.end_date,
                    "Tempi (testo)": a.timing_text,
                    "Indicatori": a.indicator_text,
                    "Livello atteso": a.expected_text,
                    "Graduazione del conseguimento (testo)": a.grading_text,
                    "Graduazione (scala)": a.grading_scale.name if a.grading_scale else "",
                    "Graduazione (in chiaro)": activity_scales[a.pk],
                    "Raggiunto (testo)": a.achieved_text,
                }
            )
        result = card.result
        risultati.append(
            {
                "Periodo": period.name if period else "",
                "N. scheda": o.position,
                "Riga": "Scheda",
                "Raggiungimento (%)": result.achievement if result else None,
                "Raggiungimento degli indicatori (%)": (
                    result.indicator_achievement if result else None
                ),
                "Avanzamento delle attività (%)": result.activity_progress if result else None,
            }
        )
        for i in o.indicators.order_by("position"):
            r = results[i.pk]
            risultati.append(
                {
                    "Periodo": period.name if period else "",
                    "N. scheda": o.position,
                    "Riga": "Indicatore",
                    "N.": i.position,
                    "Denominazione": i.name,
                    "Valore rilevato": r.value if r else None,
                    "Raggiungimento (%)": r.achievement if r else None,
                }
            )
        activity_results = {row.activity.pk: row.result for row in card.activities}
        for a in o.activities.order_by("position"):
            r = activity_results[a.pk]
            risultati.append(
                {
                    "Periodo": period.name if period else "",
                    "N. scheda": o.position,
                    "Riga": "Attività",
                    "N.": a.position,
                    "Denominazione": a.title,
                    "Raggiungimento (%)": r.achievement if r else None,
                }
            )
    misurazioni = []
    for m in Measurement.objects.filter(period__plan=plan).order_by(
        "period__reference_date", "period_id", "pk"
    ):
        subject = m.indicator or m.activity
        misurazioni.append(
            {
                "Periodo": m.period.name,
                "N. scheda": subject.objective.position,
                "Riga": "Indicatore" if m.indicator_id else "Attività",
                "N.": subject.position,
                "Numeratore": m.numerator,
                "Denominatore": m.denominator,
                "Valore": m.value,
                "Data di completamento": m.completed_on,
                "Non valutabile": "Sì" if m.not_assessable else "No",
                "Motivo della non valutabilità": m.not_assessable_reason,
                "Raggiungimento forzato (%)": m.forced_achievement,
                "Motivo della forzatura": m.forced_reason,
                "Commento": m.comment,
            }
        )
    return {
        "Schede": schede,
        "Indicatori": indicatori,
        "Livelli attesi": livelli,
        "Attività": attivita,
        "Misurazioni": misurazioni,
        "Risultati": risultati,
    }


def project(found: list[dict], expected: list[dict]) -> list[dict]:
    """The found rows cut to the expected columns (every expected column must exist)."""
    if not expected:
        return found
    for key in expected[0]:
        assert not found or key in found[0], f"manca la colonna «{key}»"
    return [{key: row.get(key) for key in expected[0]} for row in found]


def draft_differences(plan, draft) -> list[str]:
    """Every field where the drafts read back differ from the plan's rows (empty: equal)."""
    diffs = []

    def same(where, name, found, wanted):
        if found != wanted:
            diffs.append(f"{where} {name}: {found!r} != {wanted!r}")

    schede = {s.ordinal: s for s in draft.schede}
    objectives = list(plan.objectives.order_by("position"))
    same("piano", "schede", sorted(schede), [o.position for o in objectives])
    for o in objectives:
        s = schede.get(o.position)
        if s is None:
            continue
        where = f"scheda {o.position}"
        for name in (
            "code", "title", "year", "first_year", "last_year", "dup_text", "unit_text",
            "responsible_text", "involved_text", "expected_result", "notes", "import_notes",
        ):  # fmt: skip
            same(where, name, getattr(s, name), getattr(o, name))
        same(where, "series", s.series_ordinal, o.series.position if o.series else None)
        same(where, "dup_goal", s.dup_goal_code, o.dup_goal.code if o.dup_goal else "")
        same(where, "unit", s.unit_name, o.unit.name if o.unit else "")
        same(where, "responsible", s.responsible_name, str(o.responsible or ""))
        same(
            where,
            "involved",
            s.involved_names,
            [u.name for u in o.involved_units.order_by("position", "name")],
        )
        same(
            where,
            "areas",
            s.area_numbers,
            list(o.areas.order_by("number").values_list("number", flat=True)),
        )
        for name, level in (
            ("strategic_text", o.strategic_level),
            ("complexity_text", o.complexity_level),
            ("kind_text", o.kind_level),
        ):
            same(where, name, getattr(s, name), level.label if level else "")
        same(where, "problems", s.problems, [])
        indicators = list(o.indicators.order_by("position"))
        same(
            where,
            "indicatori",
            [i.position for i in s.indicators],
            [i.position for i in indicators],
        )
        for i, d in zip(indicators, s.indicators, strict=False):
            at = f"{where} indicatore {i.position}"
            for name in (
                "name", "weight", "formula_text", "measure", "direction", "baseline",
                "baseline_text", "variation_percent", "grading_text",
            ):  # fmt: skip
                same(at, name, getattr(d, name), getattr(i, name))
            same(at, "scale", d.grading_scale_name, i.grading_scale.name if i.grading_scale else "")
            wanted = sorted(
                (t.kind, t.year, t.value, t.value_text, t.due_date, t.due_text)
                for t in i.targets.all()
            )
            found = sorted(
                (t.kind, t.year, t.value, t.value_text, t.due_date, t.due_text) for t in d.targets
            )
            same(at, "targets", found, wanted)
        activities = list(o.activities.order_by("position"))
        same(
            where, "attività", [a.position for a in s.activities], [a.position for a in activities]
        )
        for a, d in zip(activities, s.activities, strict=False):
            at = f"{where} attività {a.position}"
            for name in (
                "title", "weight", "start_date", "end_date", "timing_text", "indicator_text",
                "expected_text", "grading_text", "achieved_text",
            ):  # fmt: skip
                same(at, name, getattr(d, name), getattr(a, name))
            same(at, "scale", d.grading_scale_name, a.grading_scale.name if a.grading_scale else "")
    return diffs
