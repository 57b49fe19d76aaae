"""The printed scheda and plan, laid out by Typst.

The card's data comes from the view-model the screen card uses (``reports.scheda``: a
``SchedaView`` per scheda); this module turns it into plain JSON — every text already worded
and formatted in Italian here, with the same labels and filters as ``_scheda.html`` — and
hands it to the Typst templates under ``reports/typst/`` as ``sys.inputs.data``. A template
only places strings as text, never as markup, so nothing a person typed is read as Typst.

Typst lays out a plan of 500 schede (about a thousand pages) in seconds, in one pass, with
the index's page numbers and "Pagina x di y" resolved by its own introspection; the PDF is
PDF/A-2a and PDF/UA-1: tagged, fonts embedded (Titillium Web from Bootstrap Italia, DejaVu
Sans for the box glyphs), language ``it``, with a title. Only the fonts given here are used,
never the machine's, so the same data gives the same pages everywhere.
"""

import contextlib
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import typst
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import traguardo
from traguardo.core.formats import date_it, decimal_it, number_it, percent
from traguardo.planning.models import Objective, Plan
from traguardo.reports import copies
from traguardo.reports.join import join
from traguardo.reports.measure import PT_PER_MM, Cell, auto_widths
from traguardo.reports.scheda import PlanView, SchedaView, activity_heads

TEMPLATES = Path(__file__).resolve().parent / "typst"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
# The text's width in points: A4 landscape less print.css's margins and the HTML body's 8px.
WIDTH = (297 - 28) * PT_PER_MM - 12
CELL_EXTRA = 3 * PT_PER_MM + 0.5  # a card table cell's padding (1.5 mm a side) and border
# PDF/A-2a (archivable, tagged) and PDF/UA-1 (accessible): Typst checks both as it writes.
STANDARDS: tuple[Literal["a-2a", "ua-1"], ...] = ("a-2a", "ua-1")
# A plan of more schede is laid out in parts of at most this many, each in a child process
# of its own: Typst's memory grows with what one compile lays out (a child's peak: 100
# schede 265 MiB, 50 schede 163 MiB, for 2 s more CPU on 500 schede than parts of 100).
PART_SCHEDE = 50
# The laid-out parts kept on disk (``_plan_in_parts``): under VAR_DIR unless set here.
CACHE_DIR: Path | None = None
CACHE_BYTES = 256 * 2**20


@cache
def _fonts() -> typst.Fonts:
    """Titillium Web (Bootstrap Italia's static files) and DejaVu Sans, found once."""
    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=True, font_paths=_font_paths()
    )


def compile_pdf(template: str, data: dict) -> bytes:
    """Lay out ``data`` with ``reports/typst/<template>``: a PDF/A-2a, PDF/UA-1 document."""
    if template == "plan.typ":
        return compile_apart(template, data)
    compiler = typst.Compiler(root=str(TEMPLATES), font_paths=_fonts(), ignore_system_fonts=True)
    pdf = compiler.compile(
        input=str(TEMPLATES / template),
        format="pdf",
        sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
        pdf_standards=list(STANDARDS),
        timestamp=datetime.now(UTC).replace(microsecond=0),
    )
    if not isinstance(pdf, bytes):  # a PDF without an output path comes back as its bytes
        raise RuntimeError(f"Typst ({template}): no PDF returned")
    return pdf


def _font_paths() -> list[str]:
    titillium = finders.find("fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.ttf")
    paths = [str(Path(titillium).parent)] if titillium else []
    if DEJAVU.is_dir():
        paths.append(str(DEJAVU))
    return paths


def _child_env() -> dict:
    src = str(Path(traguardo.__file__).resolve().parent.parent)
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
    }


def _typeset(template: str, data: dict, output: Path, *, query: bool = False) -> None:
    """One Typst compile (or first pass, ``query``) in a child process (``reports/typeset.py``)."""
    work = output.parent
    (work / f"{output.name}.data.json").write_text(
        json.dumps(data, ensure_ascii=False), encoding="utf-8"
    )
    task = {
        "input": str(TEMPLATES / template),
        "root": str(TEMPLATES),
        "fonts": _font_paths(),
        "data": str(work / f"{output.name}.data.json"),
        "output": str(output),
        "timestamp": int(datetime.now(UTC).timestamp()),
        "query": query,
    }
    (work / f"{output.name}.task.json").write_text(json.dumps(task), encoding="utf-8")
    done = subprocess.run(  # noqa: S603 (our interpreter, our module, a temp path)
        [sys.executable, "-m", "traguardo.reports.typeset", str(work / f"{output.name}.task.json")],
        capture_output=True,
        text=True,
        env=_child_env(),
        check=False,
    )
    (work / f"{output.name}.data.json").unlink()
    if done.returncode:
        raise RuntimeError(f"Typst ({template}): {done.stderr[-3000:]}")


def compile_apart(template: str, data: dict) -> bytes:
    """The same layout in a process of its own (``reports/typeset.py``), the data in a file.

    Typst keeps what it memoised during a compile until its process ends (about 1 GiB after
    a 500-scheda plan): the job's worker would keep it for good. Here it goes with the child.
    """
    with tempfile.TemporaryDirectory(prefix="traguardo-typeset-") as work:
        out = Path(work) / "out.pdf"
        _typeset(template, data, out)
        return out.read_bytes()


def scheda_pdf(scheda: SchedaView, *, internal: bool = False) -> bytes:
    """One scheda on paper: its authority, plan and unit, then the card.

    ``internal``: the offices' copy (``reports.copies``): the card's Segnalazioni and Note di
    importazione printed, every page marked as not the official one."""
    objective = scheda.objective
    labels = _labels()
    data: dict[str, Any] = {
        "labels": labels,
        "title": copies.titled(f"{_('Scheda obiettivo')} — {objective}", internal),
        "authority": objective.authority.name,
        "marking": copies.mark() if internal else "",
        "card": scheda_data(scheda, objective.plan, labels, internal=internal),
    }
    return compile_pdf("scheda.typ", data)


def plan_pdf(page: PlanView, *, internal: bool = False, layouts: list[str] | None = None) -> bytes:
    """The whole plan: cover with the act, index by unit with page numbers, the schede.

    ``internal``: as for ``scheda_pdf``. A plan of more than ``PART_SCHEDE`` schede is laid
    out in parts (``_plan_in_parts``); ``layouts``, if given, receives a line for every
    Typst compile this print ran: ``query`` or ``pdf``, the part's number (0: the front)
    and its cache key."""
    plan = page.plan
    labels = _labels()
    groups: list[dict] = []
    for scheda in page.rows:
        unit = scheda.objective.unit
        key = f"unita-{unit.pk}" if unit else "unita-nessuna"
        if not groups or groups[-1]["key"] != key:
            name = unit.name if unit else _("Schede senza unità responsabile")
            groups.append({"key": key, "name": name, "heading": True, "cards": []})
        data = scheda_data(scheda, plan, labels, internal=internal)
        data["key"] = f"scheda-{scheda.objective.pk}"
        groups[-1]["cards"].append(data)
    common = {
        "labels": labels,
        "title": copies.titled(f"{plan.title} — {plan.authority.name}", internal),
        "authority": plan.authority.name,
        "marking": copies.mark() if internal else "",
    }
    front = {
        **common,
        "front": True,
        "index_widths": _index_widths(groups, labels),
        "cover": _cover(page),
        "index": [
            {
                "key": g["key"],
                "name": g["name"],
                "cards": [
                    {"key": c["key"], "code": c["code"] or "—", "name": c["name"]}
                    for c in g["cards"]
                ],
            }
            for g in groups
        ],
        "groups": [],
    }
    if len(page.rows) <= PART_SCHEDE:
        return compile_pdf("plan.typ", {**front, "groups": groups})
    parts = [front] + [{**common, "front": False, "groups": p} for p in split(groups)]
    return _plan_in_parts(parts, layouts if layouts is not None else [])


def split(groups: list[dict], size: int | None = None) -> list[list[dict]]:
    """The plan's units in parts of at most ``size`` schede, cut between units where one
    fits; a unit larger than a part is cut inside (its heading only in its first part)."""
    size = size or PART_SCHEDE
    parts: list[list[dict]] = []
    current: list[dict] = []
    count = 0
    for group in groups:
        schede = group["cards"]
        for k in range(0, len(schede), size):
            chunk = schede[k : k + size]
            if count and count + (len(schede) - k if k == 0 else len(chunk)) > size:
                parts.append(current)
                current, count = [], 0
            current.append({**group, "heading": k == 0, "cards": chunk})
            count += len(chunk)
    if current:
        parts.append(current)
    return parts


def _plan_in_parts(parts: list[dict], layouts: list[str]) -> bytes:
    """Lay out each part in a child process of its own, then join them (``reports/join``).

    Two passes: the first (``query``) learns each part's page count and where its units and
    schede start; the second lays each part out with its first page number, the plan's
    page count and, for the front part, the index's numbers. Both are kept in a bounded
    disk cache under a hash of what they depend on, so a print after one scheda changed lays
    out that scheda's part again and no other — unless its page count moved: then the plan's
    total («Pagina x di y») and the index moved, and every part is laid out again (the other
    parts' first passes still come from the cache)."""
    kept = _cache_dir()
    with tempfile.TemporaryDirectory(prefix="traguardo-typeset-") as tmp:
        work = Path(tmp)
        found = []
        for n, part in enumerate(parts):
            key = _key(part)
            out = work / f"{n}.json"
            if not _cached(kept / f"{key}.json", out):
                _typeset("plan.typ", part, out, query=True)
                layouts.append(f"query {n} {key}")
                _store(out, kept / f"{key}.json")
            found.append(json.loads(out.read_text(encoding="utf-8")))
        total = sum(f["pages"] for f in found)
        firsts = [1 + sum(f["pages"] for f in found[:n]) for n in range(len(found))]
        numbers = {
            key: first + page - 1
            for f, first in zip(found, firsts, strict=True)
            for key, page in f["starts"].items()
        }
        files = []
        for n, (part, first) in enumerate(zip(parts, firsts, strict=True)):
            final = {**part, "first": first, "total": total}
            if part["front"]:
                final["pages"] = numbers
            # The front part carries the document's date (XMP, Info): kept for the day.
            key = _key(final, datetime.now(UTC).date().isoformat() if part["front"] else "")
            out = work / f"{n}.pdf"
            if not _cached(kept / f"{key}.pdf", out):
                _typeset("plan.typ", final, out)
                layouts.append(f"pdf {n} {key}")
                _store(out, kept / f"{key}.pdf")
            files.append(out)
        _evict(kept)
        # The bookmarks as a plan laid out whole has them: the cover's title, under it the
        # units, under each its schede (each part's are all of level 1).
        levels = [1] + [
            level
            for part in parts[1:]
            for g in part["groups"]
            for level in [2] * g["heading"] + [3] * len(g["cards"])
        ]
        join(files, work / "plan.pdf", levels)
        return (work / "plan.pdf").read_bytes()


@cache
def _version() -> str:
    """What a cached part also depends on: the templates, Typst's version, the fonts."""
    digest = hashlib.sha256(importlib.metadata.version("typst").encode())
    for path in sorted(TEMPLATES.glob("*.typ")):
        digest.update(path.read_bytes())
    digest.update(json.dumps(_font_paths()).encode())
    return digest.hexdigest()


def _key(data: dict, extra: str = "") -> str:
    digest = hashlib.sha256(_version().encode() + extra.encode())
    digest.update(json.dumps(data, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()[:32]


def _cache_dir() -> Path:
    path = Path(CACHE_DIR or settings.VAR_DIR / "typeset-cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cached(path: Path, out: Path) -> bool:
    """Link (or, across file systems, copy) the cached file as ``out``; another process may
    evict it meanwhile: then it is not cached."""
    try:
        os.link(path, out)
    except FileNotFoundError:
        return False
    except OSError:  # the cache and the temporary directory on different file systems
        try:
            shutil.copyfile(path, out)
        except FileNotFoundError:
            return False
    with contextlib.suppress(FileNotFoundError):
        os.utime(path)  # the eviction keeps the most recently used
    return True


def _store(out: Path, path: Path) -> None:
    """Keep ``out`` in the cache, written under a temporary name then renamed."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    shutil.copyfile(out, temporary)
    with contextlib.suppress(FileNotFoundError):  # evicted by another process meanwhile
        temporary.replace(path)


def _evict(cache: Path) -> None:
    """Keep the cache under ``CACHE_BYTES``, the least recently used files going first."""
    files = []
    for path in cache.iterdir():
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        files.append((stat.st_mtime, stat.st_size, path))
    size = sum(f[1] for f in files)
    for _mtime, bytes_, path in sorted(files):
        if size <= CACHE_BYTES:
            break
        path.unlink(missing_ok=True)
        size -= bytes_


def _index_widths(groups: list[dict], labels: dict) -> list[float]:
    """The index's columns: code, scheda, page (its page numbers as wide as the last's)."""
    last = str(2 + 2 * sum(len(g["cards"]) for g in groups))
    cells = [Cell(k, s, "bold", 9) for k, s in enumerate(labels["index_head"])]
    for group in groups:
        cells += [Cell(0, group["name"], "bold", 9, span=2), Cell(2, last, "bold", 9)]
        for scheda in group["cards"]:
            cells += [Cell(0, scheda["code"] or "—", size=9), Cell(1, scheda["name"], size=9)]
            cells.append(Cell(2, last, size=9))
    return auto_widths(WIDTH, 3, cells, 3 * PT_PER_MM)


def _cover(page: PlanView) -> dict:
    plan = page.plan
    lines = [
        _("Piano esecutivo di gestione — Piano degli obiettivi"),
        _("Triennio %(first)s–%(last)s") % {"first": plan.year, "last": plan.last_year},
    ]
    small = [f"{_('Stato')}: {plan.get_state_display()}"]
    if plan.act_type:
        small.append(
            _("Piano approvato con %(type)s n. %(number)s del %(date)s")
            % {"type": plan.act_type, "number": plan.act_number, "date": date_it(plan.act_date)}
        )
    count = len(page.rows)
    small.append(ngettext("%(n)s scheda obiettivo", "%(n)s schede obiettivo", count) % {"n": count})
    if page.scores.period:
        cov = page.coverage()
        small.append(
            _("Risultati del periodo «%(name)s» %(when)s (%(status)s): %(counted)s.")
            % {
                "name": page.scores.period.name,
                "when": cov.when,
                "status": cov.status,
                "counted": cov.counted,
            }
        )
    return {
        "authority": plan.authority.name,
        "title": plan.title,
        "subtitles": lines,
        "lines": small,
    }


def _labels() -> dict:
    """The card's fixed words, translated: the same message ids as ``_scheda.html``."""
    return {
        "year": _("ANNO"),
        "years": _("ANNI"),
        "code": _("Codice obiettivo"),
        "dup": _("Riferimento DUP"),
        "title": _("Denominazione"),
        "unit": _("Unità organizzativa responsabile"),
        "responsible": _("Responsabile"),
        "involved": _("Unità organizzative coinvolte"),
        "objective": _("Obiettivo"),
        "annual": _("ANNUALE"),
        "multi_year": _("PLURIENNALE"),
        "expected": _("Risultato atteso"),
        "areas": _("Ambiti della performance organizzativa"),
        "indicators": _("Indicatori"),
        "notes": _("Note"),
        "activities": _("Piano operativo"),
        "anomalies": _("Segnalazioni"),
        "import_notes": _("Note di importazione"),
        "error": _("Errore"),
        "warning": _("Avviso"),
        "no_indicators": _("Nessun indicatore."),
        "no_activities": _("Nessuna attività."),
        "indicator_head": [
            _("N°"),
            _("PESO"),
            _("DENOMINAZIONE"),
            _("FORMULA DI CALCOLO"),
            _("LIVELLO INTERMEDIO"),
            _("LIVELLO FINALE"),
            _("GRADUAZIONE CONSEGUIMENTO"),
        ],
        "expected_at": [_("ATTESO"), _("ALLA DATA")],
        "activity_head": activity_heads(),
        "result_head": [
            _("N°"),
            _("DENOMINAZIONE"),
            _("VALORE RILEVATO"),
            _("STATO"),
            _("RAGGIUNTO"),
        ],
        "index": _("Indice"),
        "index_head": [_("Codice"), _("Scheda"), _("Pagina")],
        "page": _("Pagina %(page)s di %(pages)s"),
        "scheda": _("Scheda obiettivo"),
    }


def _due(target) -> str:
    if target is None:
        return ""
    return date_it(target.due_date) if target.due_date else target.due_text


def _timing(activity) -> str:
    start = f"{date_it(activity.start_date)} – " if activity.start_date else ""
    end = date_it(activity.end_date) if activity.end_date else activity.timing_text
    return start + end


def _level(level, *, times: bool = False) -> str:
    if level is None:
        return "…"
    return f"{level.label} ({'×' if times else ''}{number_it(level.value)})"


def unit_line(objective: Objective, plan: Plan) -> str:
    """«Piano 2019 · Settore II»: the running header of a scheda's pages."""
    unit = objective.unit.name if objective.unit else _("Unità non indicata")
    return f"{plan.title} · {unit}"


def scheda_data(
    scheda: SchedaView, plan: Plan, labels: dict | None = None, *, internal: bool = False
) -> dict:
    """One scheda as the paper card shows it: every value a string, in the card's order,
    and the column widths of its tables. The card's Segnalazioni and Note di importazione
    are the offices' working notes: only the ``internal`` copy carries them."""
    labels = labels or _labels()
    o = scheda.objective
    if o.is_multi_year:
        year = f"{o.first_year}-{o.last_year}"
        if o.series_id or o.series_cards.all():
            year += " (" + _("scheda dell'anno %(y)s") % {"y": o.year} + ")"
    else:
        year = str(o.year)
    involved = "; ".join(u.name for u in o.involved_units.all()) or o.involved_text
    weight_score = decimal_it(scheda.weight_score) if scheda.weight_score is not None else "…"
    as_of = scheda.as_of
    result = [
        [True, _("Raggiungimento dell'obiettivo") + ":"],
        [False, " " + scheda.result_text],
    ]
    if scheda.forced:
        result.append([False, " — " + _("comprende un risultato forzato")])
    if as_of and as_of.period:
        final = _("definitivo") if as_of.final else _("provvisorio")
        result.append([False, f" · {final} " + _("al %(date)s") % {"date": date_it(as_of.on)}])
    data: dict[str, Any] = {
        "id": o.pk,
        "code": o.code,
        "name": str(o),
        "unit_line": unit_line(o, plan),
        "year_label": "years" if o.is_multi_year else "year",
        "multi_year": o.is_multi_year,
        "head": [
            year,
            o.code,
            str(o.dup_goal) if o.dup_goal else o.dup_text,
            o.title,
            o.unit.name if o.unit else o.unit_text,
            str(o.responsible) if o.responsible else o.responsible_text,
            involved,
        ],
        "expected": o.expected_result,
        "areas": [
            [[left[1], str(left[0].number), left[0].name]]
            + ([[right[1], str(right[0].number), right[0].name]] if right else [])
            for left, right in scheda.area_rows
        ],
        "punteggio": [
            [False, "("],
            [True, _("Strategicità") + ":"],
            [False, " " + _level(o.strategic_level) + " + "],
            [True, _("Complessità") + ":"],
            [False, " " + _level(o.complexity_level) + ") × "],
            [True, _("Tipologia") + ":"],
            [False, " " + _level(o.kind_level, times=True) + " = "],
            [True, _("Punteggio") + ":"],
            [False, " " + weight_score],
        ],
        "indicators": [
            [
                str(row.indicator.position),
                percent(row.indicator.weight),
                row.indicator.name,
                row.indicator.formula_text,
                row.intermediate.value_text if row.intermediate else "",
                _due(row.intermediate),
                row.final.value_text if row.final else "",
                _due(row.final),
                row.indicator.grading_text,
            ]
            for row in scheda.indicators
        ],
        "indicator_check": {"label": scheda.indicator_check.label, "ok": scheda.indicator_check.ok},
        "notes": o.notes,
        "activities": [
            [
                str(row.activity.position),
                percent(row.activity.weight),
                row.activity.title,
                _timing(row.activity),
                row.activity.indicator_text,
                row.activity.expected_text,
                row.activity.grading_text,
                row.result_text if as_of and as_of.period else row.activity.achieved_text,
            ]
            for row in scheda.activities
        ],
        "activity_check": (
            {"label": scheda.activity_check.label, "ok": scheda.activity_check.ok}
            if scheda.activity_check
            else None
        ),
        "result": result,
        "results": None,
        "anomalies": [[a.is_error, a.message] for a in scheda.anomalies] if internal else [],
        "import_notes": [note.message for note in scheda.import_notes] if internal else [],
    }
    data["widths"] = _widths(data, labels)
    if as_of and as_of.period and scheda.indicators:
        data["results"] = {
            "title": _("Risultati degli indicatori al %(date)s") % {"date": date_it(as_of.on)},
            "rows": [
                [
                    str(row.indicator.position),
                    row.indicator.name,
                    number_it(row.result.value)
                    if row.result and row.result.value is not None
                    else "—",
                    row.state.label + (f" — {row.state.why}" if row.state.why else ""),
                    row.state.delay
                    or (
                        percent(row.state.achievement) if row.state.achievement is not None else "—"
                    ),
                ]
                for row in scheda.indicators
            ],
        }
        head = [Cell(k, s, "bold", 8) for k, s in enumerate(labels["result_head"])]
        body = [
            Cell(k, s, size=9, nowrap=k in (0, 2, 4))
            for row in data["results"]["rows"]
            for k, s in enumerate(row)
        ]
        data["widths"]["results"] = auto_widths(WIDTH, 5, head + body, CELL_EXTRA)
    return data


def _widths(data: dict, labels: dict) -> dict:
    """The column widths of the card's tables, in points (``reports.measure``)."""
    areas = [
        cell
        for row in data["areas"]
        for k, (marked, number, name) in enumerate(row)
        for cell in (
            Cell(3 * k, "☒" if marked else "☐", size=7.5, nowrap=True),
            Cell(3 * k + 1, number, size=7.5, nowrap=True),
            Cell(3 * k + 2, name, size=7.5),
        )
    ]
    h = labels["indicator_head"]
    atteso, alla = labels["expected_at"]
    indicators = [
        *(Cell(k, h[k], "bold") for k in range(4)),
        Cell(4, h[4], "bold", span=2),
        Cell(6, h[5], "bold", span=2),
        Cell(8, h[6], "bold"),
        *(Cell(4 + k, s, "bold") for k, s in enumerate((atteso, alla, atteso, alla))),
        Cell(1, data["indicator_check"]["label"], "bold", span=8),
        *(Cell(k, s, nowrap=k < 2) for row in data["indicators"] for k, s in enumerate(row)),
    ]
    if not data["indicators"]:
        indicators.append(Cell(0, labels["no_indicators"], span=9))
    activities = [Cell(k, s, "bold") for k, s in enumerate(labels["activity_head"])]
    activities += [
        Cell(k, s, nowrap=k in (0, 1, 7)) for row in data["activities"] for k, s in enumerate(row)
    ]
    if data["activity_check"]:
        activities.append(Cell(1, data["activity_check"]["label"], "bold", span=7))
    if not data["activities"]:
        activities.append(Cell(0, labels["no_activities"], span=8))
    return {
        "areas": auto_widths(WIDTH, 6, areas, CELL_EXTRA),
        "indicators": auto_widths(WIDTH, 9, indicators, CELL_EXTRA),
        "activities": auto_widths(WIDTH, 8, activities, CELL_EXTRA),
    }
