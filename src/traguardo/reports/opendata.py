"""Open data of the transparency pages: what is public, the rows, the files and their schema.

D.Lgs. 33/2013 art. 10 c.8 and art. 20 ask for the Piano and the Relazione and for aggregate
results; the Garante (provv. 398/2023) forbids named individual scores online. So the public
data name units (offices) and schede, never a person: not the responsible of a scheda, not who
recorded a measurement, not the Nucleo's comments.

Which plans are public: those at least approved (approved, monitoring, closed, validated); a
draft or a proposal never is. Results are public only once the year is closed (consuntivato)
or validated: intermediate results of a plan still in monitoring are provisional working
figures and stay in the back office.

Units are named only when the scheda is linked to one of the authority's units: the card's
verbatim text ("Settore 3° – dott. Rossi") often holds a person's name, so it is never
published; a scheda without a unit has the field blank (the pages say "non indicata").

The files: one row per scheda (``fields``), as CSV (``;``-separated, UTF-8 with a BOM so that
spreadsheets read the accents, decimal comma, booleans "sì"/"no", and a text that starts with
= + - @ preceded by an apostrophe so that no spreadsheet runs it as a formula: ``exchange.cells``)
and as JSON (the same names, texts as they are, numbers as exact JSON numbers, booleans as
true/false), described by a Frictionless Data Package (``data_package``) under the CC BY 4.0
licence. Scores come from the engine through the plan's kept results (``planning.kept``:
computed once per change of the authority's data), rounded half-up to two decimals, never
recomputed here; the other fields are read with ``values()`` in a fixed number of queries.
"""

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from traguardo.exchange.cells import escape_text
from traguardo.organization.models import Authority, OrgUnit, PerformanceArea
from traguardo.planning.kept import KeptPlan
from traguardo.planning.models import Activity, Indicator, Objective, Plan
from traguardo.planning.states import Coverage, activity_row_state, indicator_row_state
from traguardo.reports.scheda import scheda_state
from traguardo.scoring import Aggregate, round_half_up

PUBLIC_STATES = (
    Plan.State.APPROVED,
    Plan.State.MONITORING,
    Plan.State.CLOSED,
    Plan.State.VALIDATED,
)
RESULT_STATES = (Plan.State.CLOSED, Plan.State.VALIDATED)

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)",
    "path": "https://creativecommons.org/licenses/by/4.0/deed.it",
}
CSV_DIALECT = {"delimiter": ";", "quoteChar": '"', "header": True, "lineTerminator": "\r\n"}
TRUE, FALSE = "sì", "no"
LIST_SEPARATOR = "; "
# The Table Schema types (kept in schema.json) as the open data page names them.
TYPE_LABELS = {
    "integer": gettext_lazy("numero intero"),
    "string": gettext_lazy("testo"),
    "number": gettext_lazy("numero"),
    "boolean": gettext_lazy("sì/no"),
    "date": gettext_lazy("data"),
}


CSV_ESCAPING = gettext_lazy(
    "Nel CSV un testo che inizia con =, +, - o @ è preceduto da un apostrofo ('), perché i "
    "fogli di calcolo non lo eseguano come formula: l'apostrofo non fa parte del dato. Il JSON "
    "riporta i testi senza modifiche."
)


def results_public(plan: Plan) -> bool:
    return plan.state in RESULT_STATES


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Table Schema type: string, integer, number, boolean
    title: str
    description: str
    required: bool = False
    extra: dict | None = None

    @property
    def type_label(self) -> str:
        """The type in Italian, for people (the schema keeps the standard name)."""
        return str(TYPE_LABELS[self.type])

    def describe(self) -> dict:
        described: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "title": self.title,
            "description": self.description,
        }
        if self.type == "number":
            described["decimalChar"] = ","  # in the CSV; the JSON has plain numbers
        if self.type == "boolean":
            described["trueValues"] = [TRUE]  # in the CSV; the JSON has true/false
            described["falseValues"] = [FALSE]
        if self.required:
            described["constraints"] = {"required": True}
        return {**described, **(self.extra or {})}


def fields() -> list[Field]:
    states = [str(label) for value, label in Plan.State.choices if value in PUBLIC_STATES]
    return [
        Field("anno_piano", "integer", _("Anno del piano"),
              _("Il primo anno del piano della performance (PEG / PIAO sezione 2.2)."),
              required=True),
        Field("piano", "string", _("Piano"), _("Il titolo del piano."), required=True),
        Field("stato_piano", "string", _("Stato del piano"),
              _("A che punto è il ciclo: approvato, in monitoraggio, consuntivato, validato "
                "dal Nucleo di valutazione."),
              required=True, extra={"constraints": {"required": True, "enum": states}}),
        Field("scheda", "integer", _("Identificativo della scheda"),
              _("Il numero che identifica la scheda nel sistema; non cambia nel tempo."),
              required=True),
        Field("posizione", "integer", _("Numero d'ordine"),
              _("La posizione della scheda nel piano."), required=True),
        Field("codice_obiettivo", "string", _("Codice obiettivo"),
              _("Il codice dell'obiettivo come lo riporta la scheda (può mancare).")),
        Field("denominazione", "string", _("Denominazione"), _("Il titolo dell'obiettivo.")),
        Field("anno_scheda", "integer", _("Anno della scheda"),
              _("L'anno a cui si riferiscono i livelli attesi della scheda."), required=True),
        Field("primo_anno", "integer", _("Primo anno"),
              _("Il primo anno dell'obiettivo."), required=True),
        Field("ultimo_anno", "integer", _("Ultimo anno"),
              _("L'ultimo anno dell'obiettivo (uguale al primo se annuale)."), required=True),
        Field("pluriennale", "boolean", _("Pluriennale"),
              _("«sì» se l'obiettivo copre più anni, «no» se è annuale."), required=True),
        Field("riferimento_dup", "string", _("Riferimento DUP"),
              _("L'obiettivo del Documento unico di programmazione da cui discende.")),
        Field("unita_responsabile", "string", _("Unità organizzativa responsabile"),
              _("Il settore o l'ufficio responsabile dell'obiettivo, come lo elenca "
                "l'organigramma dell'ente (mai il nome di una persona); vuoto se la scheda non "
                "indica un'unità dell'organigramma.")),
        Field("unita_coinvolte", "string", _("Unità organizzative coinvolte"),
              _("Le altre unità dell'organigramma che partecipano, separate da «; »; vuoto se "
                "la scheda non ne indica.")),
        Field("risultato_atteso", "string", _("Risultato atteso"),
              _("Il risultato che l'obiettivo si propone, come lo descrive la scheda.")),
        Field("ambiti", "string", _("Ambiti della performance organizzativa"),
              _("I numeri degli ambiti (art. 8 D.Lgs. 150/2009) a cui l'obiettivo "
                "contribuisce, separati da «; »; l'elenco degli ambiti è nella pagina dei "
                "dati aperti.")),
        Field("numero_indicatori", "integer", _("Numero di indicatori"),
              _("Quanti indicatori misurano l'obiettivo."), required=True),
        Field("punteggio", "number", _("Punteggio"),
              _("(Strategicità + Complessità) × Tipologia, secondo il Sistema di misurazione "
                "e valutazione dell'ente; vuoto se la scheda non lo indica.")),
        Field("raggiungimento", "number", _("Raggiungimento (%)"),
              _("Quanto l'obiettivo è stato raggiunto, da 0 a 100, arrotondato a due "
                "decimali. Vuoto finché il piano non è consuntivato o se l'obiettivo non è "
                "stato misurato."),
              extra={"constraints": {"minimum": 0, "maximum": 100}}),
        Field("stato_risultato", "string", _("Stato del risultato"),
              _("Misurato, parziale, non misurata, non valutabile, forzato, non ancora dovuta "
                "(i livelli attesi della scheda scadono dopo la data dei risultati: la scheda è "
                "esclusa dal calcolo)…; le stesse parole delle pagine e dei documenti; vuoto "
                "finché il piano non è consuntivato.")),
        Field("stato_indicatori", "string", _("Stato degli indicatori"),
              _("Lo stato di ogni indicatore alla data dei risultati, nell'ordine della scheda: "
                "«numero: stato», separati da «; » (ad esempio «1: raggiunto con 3 giorni di "
                "ritardo; 2: non misurato; 3: non ancora dovuto»); le stesse parole delle "
                "pagine e dei documenti; vuoto finché il piano non è consuntivato.")),
        Field("stato_attivita", "string", _("Stato delle attività"),
              _("Lo stato di ogni attività del piano operativo alla data dei risultati "
                "(«completata in tempo», «in ritardo di 12 giorni», «non misurata», «non ancora "
                "dovuta»…), come per gli indicatori; vuoto se la scheda non ha attività o "
                "finché il piano non è consuntivato.")),
        Field("risultato_forzato", "boolean", _("Comprende un risultato forzato"),
              _("«sì» se il risultato di qualche indicatore è stato stabilito d'ufficio, con "
                "una motivazione registrata; vuoto finché il piano non è consuntivato.")),
        Field("risultati_al", "date", _("Risultati alla data"),
              _("La data a cui i risultati sono calcolati (AAAA-MM-GG): la data di riferimento "
                "del periodo di monitoraggio; vuoto finché il piano non è consuntivato.")),
        Field("risultati_provvisori", "boolean", _("Risultati provvisori"),
              _("«sì» finché il periodo di monitoraggio è aperto o qualche scheda dovuta non ha "
                "ancora tutti i suoi valori: i risultati possono cambiare; «no» quando sono "
                "definitivi; vuoto finché il piano non è consuntivato.")),
        Field("copertura", "string", _("Schede contate"),
              _("Quante schede dovute alla data hanno un risultato, quante sono parziali e "
                "quante non sono ancora dovute, per l'intero piano (ad esempio «9 schede su 11 "
                "misurate · 2 non ancora dovute»); vuoto finché il piano non è consuntivato.")),
        Field("pagina", "string", _("Pagina della scheda"),
              _("L'indirizzo della pagina pubblica della scheda."), extra={"format": "uri"}),
    ]  # fmt: skip


def table_schema() -> dict:
    return {
        "fields": [f.describe() for f in fields()],
        "primaryKey": ["scheda"],
        "missingValues": [""],
    }


def scheda_rows(
    plan: Plan, kept: KeptPlan, page_url: Callable[[int], str], redact: Callable[[str], str]
) -> Iterator[dict]:
    """One row per scheda of a public plan, in the order of the plan page (by unit).

    The results, states and Punteggio come from the plan's kept results (``planning.kept``);
    the few texts the kept rows do not carry are read with ``values()`` in a fixed number of
    queries, whatever the number of schede; every free text passes ``redact``. The rows are
    made one at a time, so a file of thousands of schede can be written as it is made."""
    public = results_public(plan)
    cover = kept.coverage() if public and kept.scores.period is not None else None
    labels: dict = {}  # equal results (most rows of a plan) are worded once per file
    texts: dict[int, Mapping[str, Any]] = {
        row["pk"]: row
        for row in Objective.objects.filter(plan=plan).values(
            "pk", "dup_text", "expected_result", "dup_goal_id", "dup_goal__code", "dup_goal__title"
        )
    }
    involved: dict[int, list[str]] = {}
    through = Objective.involved_units.through
    for objective_id, name in (
        through.objects.filter(objective__plan=plan)
        .order_by("orgunit__position", "orgunit__name", "orgunit_id")
        .values_list("objective_id", "orgunit__name")
    ):
        involved.setdefault(objective_id, []).append(name)
    area_numbers = dict(PerformanceArea.objects.values_list("pk", "number"))
    indicators = _positions(Indicator.objects.filter(objective__plan=plan))
    activities = _positions(Activity.objects.filter(objective__plan=plan)) if public else {}
    plan_state = str(plan.get_state_display())
    for row in kept.rows:
        o = row.objective
        text = texts.get(o.pk, {})
        result = row.result if public else None
        mine = indicators.get(o.pk, [])
        yield {
            "anno_piano": plan.year,
            "piano": plan.title,
            "stato_piano": plan_state,
            "scheda": o.pk,
            "posizione": o.position,
            "codice_obiettivo": redact(o.code),
            "denominazione": redact(o.title),
            "anno_scheda": o.year,
            "primo_anno": o.first_year,
            "ultimo_anno": o.last_year,
            "pluriennale": o.is_multi_year,
            "riferimento_dup": _dup(text, redact),
            # Only the authority's units: the card's own text may name a person.
            "unita_responsabile": o.unit_name if o.unit_id else "",
            "unita_coinvolte": LIST_SEPARATOR.join(involved.get(o.pk, [])),
            "risultato_atteso": redact(text.get("expected_result") or ""),
            "ambiti": LIST_SEPARATOR.join(
                str(number) for number in sorted(area_numbers[pk] for pk in o.area_ids)
            ),
            "numero_indicatori": len(mine),
            "punteggio": _rounded(row.weight_score),
            "raggiungimento": _rounded(result.achievement) if result else None,
            "stato_risultato": scheda_state(result) if result else None,
            "stato_indicatori": _row_states(mine, result.indicators, indicator_row_state, labels)
            if result
            else None,
            "stato_attivita": _row_states(
                activities.get(o.pk, []), result.activities, activity_row_state, labels
            )
            if result
            else None,
            "risultato_forzato": row.forced if public else None,
            "risultati_al": cover.as_of.on.isoformat() if cover else None,
            "risultati_provvisori": (not cover.final) if cover else None,
            "copertura": cover.counted if cover else None,
            "pagina": page_url(o.pk),
        }


def _dup(text: Mapping[str, Any], redact: Callable[[str], str]) -> str:
    """The DUP goal as ``DupGoal.__str__`` writes it, else the card's own text (redacted)."""
    if text.get("dup_goal_id") is not None:
        return f"{text['dup_goal__code']} {text['dup_goal__title']}"
    return redact(text.get("dup_text") or "")


def _positions(rows) -> dict[int, list[tuple[int, int]]]:
    """(pk, position) of each indicator or activity of a plan, by scheda, in the card's order."""
    found: dict[int, list[tuple[int, int]]] = {}
    for objective_id, pk, position in rows.order_by("objective_id", "position", "pk").values_list(
        "objective_id", "pk", "position"
    ):
        found.setdefault(objective_id, []).append((pk, position))
    return found


def _row_states(rows: list[tuple[int, int]], results, state_of, labels: dict) -> str:
    """«1: raggiunto in tempo; 2: non misurato» — each row's words from ``planning.states``."""
    by_key = {r.key: r for r in results}
    return LIST_SEPARATOR.join(
        f"{position}: {_label(state_of, by_key.get(pk), labels)}" for pk, position in rows
    )


def _label(state_of, result, labels: dict) -> str:
    """The words of a row's state, from ``labels`` when an equal result was worded before."""
    # The words follow every field of a result but its key (the row's id).
    memo = (state_of, None if result is None else replace(result, key=None))
    try:
        return labels[memo]
    except KeyError:
        label = labels[memo] = str(state_of(result).label)
        return label
    except TypeError:  # a result that cannot be a key
        return str(state_of(result).label)


def _rounded(value) -> Decimal | None:
    return None if value is None else round_half_up(Decimal(value), 2)


# --- the files ----------------------------------------------------------------------------


def to_csv(rows: Iterable[dict], columns: list[Field] | None = None) -> bytes:
    """``;``-separated, UTF-8 with a BOM, decimal comma, "sì"/"no", blank for no value, and
    texts that a spreadsheet would run as a formula escaped with an apostrophe. ``columns``:
    the fields of another public table (default: the schede's)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    names = [f.name for f in (columns or fields())]
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_value(row[name]) for name in names])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return escape_text(str(value))


def to_json(document: dict) -> bytes:
    """JSON with every Decimal written as an exact JSON number (never through a float)."""
    numbers: list[str] = []

    def mark(value):
        if isinstance(value, Decimal):
            numbers.append(format(value, "f"))
            return f"\x00{len(numbers) - 1}\x00"
        if isinstance(value, dict):
            return {key: mark(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [mark(item) for item in value]
        return value

    text = json.dumps(mark(document), ensure_ascii=False, indent=2)
    text = re.sub(r'"\\u0000(\d+)\\u0000"', lambda m: numbers[int(m[1])], text)
    return text.encode("utf-8")


def results_summary(plan: Plan, kept: KeptPlan) -> dict:
    """The authority's roll-up with what it counts and as of when (public results only)."""
    if not results_public(plan) or kept.scores.period is None:
        return {}
    cover = kept.coverage()
    return {
        "raggiungimento_ente": _rounded(kept.scores.result.authority.achievement),
        "risultati_al": cover.as_of.on.isoformat(),
        "risultati_provvisori": not cover.final,
        "copertura": cover.counted,
    }


def data_document(
    authority: Authority,
    plan: Plan,
    rows: list[dict],
    *,
    schema_url: str,
    info_url: str,
    kept: KeptPlan | None = None,
) -> dict:
    """The JSON file of a plan: who publishes it, under which licence, and the rows."""
    return {
        "titolo": _("Schede del %(plan)s — %(authority)s")
        % {"plan": plan.title, "authority": authority.name},
        "editore": publisher(authority, info_url),
        "licenza": LICENCE,
        "schema": schema_url,
        "anno_piano": plan.year,
        "stato_piano": str(plan.get_state_display()),
        "risultati_pubblicati": results_public(plan),
        **(results_summary(plan, kept) if kept is not None else {}),
        "schede": rows,
    }


def publisher(authority: Authority, url: str) -> dict:
    described = {"title": authority.name, "path": url}
    if authority.ipa_code:
        described["codice_ipa"] = authority.ipa_code
    if authority.tax_code:
        described["codice_fiscale"] = authority.tax_code
    return described


def citation(authority: Authority) -> str:
    return _(
        "Fonte: %(authority)s, Amministrazione trasparente › Performance, dati rilasciati con "
        "licenza CC BY 4.0."
    ) % {"authority": authority.name}


def data_package(
    authority: Authority,
    plans: list[Plan],
    *,
    info_url: str,
    data_url: Callable[[Plan, str], str],
    more_resources: Iterable[dict] = (),
) -> dict:
    """The Frictionless Data Package describing every public plan's files (and
    ``more_resources``: the premiums', ``reports.premiums.resources``)."""
    schema = table_schema()
    resources = []
    for plan in plans:
        for fmt, media, extra in (
            (
                "csv",
                "text/csv",
                {"encoding": "utf-8", "dialect": CSV_DIALECT, "description": str(CSV_ESCAPING)},
            ),
            ("json", "application/json", {"encoding": "utf-8", "jsonPath": "$.schede"}),
        ):
            resources.append(
                {
                    "name": f"schede-{plan.year}-{fmt}",
                    "title": _("Schede del %(plan)s (%(fmt)s)")
                    % {"plan": plan.title, "fmt": fmt.upper()},
                    "path": data_url(plan, fmt),
                    "format": fmt,
                    "mediatype": media,
                    **extra,
                    "schema": schema,
                }
            )
    resources.extend(more_resources)
    return {
        "profile": "tabular-data-package",
        "name": f"performance-{authority.slug}",
        "title": _("Performance — %(authority)s") % {"authority": authority.name},
        "description": _(
            "Le schede obiettivo dei piani della performance approvati e, per i piani "
            "consuntivati o validati, il loro raggiungimento (D.Lgs. 33/2013, art. 10 c. 8 e "
            "art. 20). Una riga per scheda; i dati indicano unità organizzative e schede, mai "
            "persone. %(escaping)s"
        )
        % {"escaping": CSV_ESCAPING},
        "language": "it",
        "homepage": info_url,
        "publisher": publisher(authority, info_url),
        "licenses": [LICENCE],
        "citation": citation(authority),
        "schema": schema,
        "resources": resources,
    }


# --- results by unit ----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitResult:
    unit: OrgUnit
    level: int
    result: Aggregate
    coverage: Coverage


def unit_results(kept: KeptPlan) -> list[UnitResult]:
    """Units with schede (their own or their children's), each followed by its children."""
    aggregates = kept.scores.result.units
    units = list(OrgUnit.objects.all())
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[UnitResult] = []
    pending = [(unit, 0) for unit in reversed(children.get(None, []))]
    while pending:
        unit, level = pending.pop()
        aggregate = aggregates.get(unit.pk)
        if aggregate is None or aggregate.objectives == 0:
            continue
        ordered.append(UnitResult(unit, level, aggregate, kept.coverage(aggregate)))
        pending.extend((child, level + 1) for child in reversed(children.get(unit.pk, [])))
    return ordered
