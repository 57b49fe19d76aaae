"""Imports benchmark: the dry run of a 10,000-row workbook (1,250 schede) and
the apply of 500 schede, each with its split; 500 schede from DOCX; hostile files refused.

A synthetic plan of 500 schede (bench/synthetic.py) is exported with Traguardo's own
"Esporta piano in Excel" and "Piano in Word", then each file is imported into an empty plan of
the same authority, as the import page does it: the safety checks, the reader, the dry run
(names resolved, schede compared with the plan) and the apply in one transaction. Each import
runs in its own process, so its memory peak is its own.

Then every hostile file of the safety tests, made here: the time to refusal and the memory the
refusal took (Python heap peak under tracemalloc, and the growth of the process's peak RSS).
Goal: under 1 s and 100 MB each. Figures are printed, never asserted.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from steps import build_synthetic, peak_rss_mib, run_step, setup_django, synthetic_plan

BENCH = Path(__file__).resolve()
SCHEDE = 500
# 1,250 schede × (1 scheda + 5 indicators + 2 activities) = 10,000 rows of the workbook.
DRY_RUN_SCHEDE = 1250
MB = 1024 * 1024


def step_build(out: Path) -> dict:
    from django_scopes import scope

    from traguardo.exchange.word import plan_docx
    from traguardo.exchange.xlsx import plan_workbook

    plan = build_synthetic(SCHEDE).plan
    figures = {}
    with scope(authority=plan.authority):
        for name, export in (("piano.xlsx", plan_workbook), ("piano.docx", plan_docx)):
            started = time.perf_counter()
            data = export(plan)
            figures[name] = {"seconds": time.perf_counter() - started, "bytes": len(data)}
            (out / name).write_bytes(data)
    big = build_synthetic_more(DRY_RUN_SCHEDE)
    with scope(authority=big.authority):
        (out / "piano-10000.xlsx").write_bytes(plan_workbook(big))
    return figures


def build_synthetic_more(schede: int):
    from django_scopes import scopes_disabled
    from synthetic import build

    with scopes_disabled():
        built = build(schede, slug="banco-grande", name="Comune Grande", username="banco-grande")
    return built.plan


def _dry_run_phases(data: bytes, plan, actor, keep: bool = False):
    from traguardo.imports.pipeline import prepare
    from traguardo.imports.safety import check_import_file, max_import_bytes
    from traguardo.imports.stored import dump
    from traguardo.imports.tasks import read_file, review_data

    phases = {}
    started = time.perf_counter()
    kind = check_import_file("piano.xlsx", data, max_bytes=max_import_bytes())
    phases["controlli"] = time.perf_counter() - started
    started = time.perf_counter()
    draft = read_file("piano.xlsx", kind, data)
    phases["lettura"] = time.perf_counter() - started
    started = time.perf_counter()
    dry_run = prepare(draft, plan, actor)
    phases["convalida"] = time.perf_counter() - started
    started = time.perf_counter()
    dump(draft), review_data(dry_run)
    phases["esito"] = time.perf_counter() - started
    return draft if keep else phases


def step_dry_run(out: Path) -> dict:
    """The dry-run job's work on the 10,000-row workbook: checks, reader, ``prepare`` and the
    job's result (the stored draft and the review), with the Python heap's peak."""
    from django_scopes import scope, scopes_disabled

    from traguardo.accounts.models import User
    from traguardo.planning.models import Plan

    with scopes_disabled():
        actor = User.objects.get(username="banco-grande")
        source = Plan.objects.select_related("authority").get(authority__slug="banco-grande")
    data = (out / "piano-10000.xlsx").read_bytes()
    with scope(authority=source.authority):
        plan = Plan.objects.create(
            authority=source.authority, year=2022, last_year=2024, title="Piano 2022"
        )
        phases = _dry_run_phases(data, plan, actor)
        # Again under tracemalloc for the heap's peak (which slows it: not timed).
        tracemalloc.start()
        draft = _dry_run_phases(data, plan, actor, keep=True)
        _, heap = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "phases": phases,
        "seconds": sum(phases.values()),
        "schede": len(draft.schede),
        "heap": heap / MB,
        "peak": peak_rss_mib(),
    }


def proposed_answers(dry_run) -> dict:
    """Each open question answered with its first choice."""
    return {
        s.draft.ordinal: {q.key: q.options[0][0] for q in s.open_questions}
        for s in dry_run.schede
        if s.open_questions
    }


def write_split(queries: list[dict]) -> dict:
    """The apply's database time by what it writes: schede, versions, audit (SQL time only)."""
    split = {"  di cui schede (SQL)": 0.0, "  versioni (SQL)": 0.0, "  registro (SQL)": 0.0}
    for query in queries:
        sql, seconds = query["sql"], float(query["time"])
        if "planning_objectiveversion" in sql:
            split["  versioni (SQL)"] += seconds
        elif "audit_auditentry" in sql:
            split["  registro (SQL)"] += seconds
        else:
            split["  di cui schede (SQL)"] += seconds
    split["  query"] = len(queries)
    return split


def step_import(out: Path, name: str, year: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope

    from traguardo.accounts.models import User
    from traguardo.imports.pipeline import apply, prepare
    from traguardo.imports.safety import check_import_file, max_import_bytes
    from traguardo.imports.tasks import read_file
    from traguardo.planning.models import Plan

    source = synthetic_plan()
    actor = User.objects.get(username="banco-admin")
    data = (out / name).read_bytes()
    base = peak_rss_mib()
    phases = {}
    with scope(authority=source.authority):
        plan = Plan.objects.create(
            authority=source.authority, year=year, last_year=year + 2, title=f"Piano {year}"
        )
        started = time.perf_counter()
        kind = check_import_file(name, data, max_bytes=max_import_bytes())
        phases["controlli"] = time.perf_counter() - started
        started = time.perf_counter()
        draft = read_file(name, kind, data)
        phases["lettura"] = time.perf_counter() - started
        started = time.perf_counter()
        dry_run = prepare(draft, plan, actor)
        phases["anteprima"] = time.perf_counter() - started
        answers = proposed_answers(dry_run)
        if answers:  # the review page's proposals, as a person confirming them would
            dry_run = prepare(draft, plan, actor, answers=answers)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            outcome = apply(dry_run, {}, actor)
        phases["scrittura"] = time.perf_counter() - started
        phases.update(write_split(queries.captured_queries))
        written = plan.objectives.count()
    return {
        "phases": phases,
        "seconds": sum(v for k, v in phases.items() if not k.startswith(" ")),
        "schede": written,
        "outcome": outcome.as_dict(),
        "peak": peak_rss_mib(),
        "base": base,
    }


HOSTILE_LABELS = (
    "contenuto diverso dall'estensione (PDF come .xlsx)",
    "file con macro (.xlsm)",
    "macro dentro un .docx (vbaProject.bin)",
    "ZIP che dichiara 3 GB per parte",
    "ZIP con 50 MB di zeri compressi (rapporto anomalo)",
    "ZIP con 5.000 elementi",
    "espansione di entità XML (billion laughs)",
    "entità esterna XML (file:///etc/passwd)",
    "file oltre il limite (12 MB)",
    "ZIP danneggiato (troncato)",
    "testo con caratteri NUL",
)


def hostile_files() -> dict[str, tuple[str, bytes]]:
    """Each hostile or broken file of tests/imports/test_safety.py, made the same way."""
    from tests.imports import test_safety as made

    zeros = b"\x00" * (50 * MB)
    return {
        "contenuto diverso dall'estensione (PDF come .xlsx)": ("piano.xlsx", b"%PDF-1.4\n" * 1000),
        "file con macro (.xlsm)": ("piano.xlsm", made.rebuilt(made.xlsx())),
        "macro dentro un .docx (vbaProject.bin)": (
            "schede.docx",
            made.rebuilt(made.docx(), add={"word/vbaProject.bin": b"\x00" * 512}),
        ),
        "ZIP che dichiara 3 GB per parte": (
            "piano.xlsx",
            made.declared_size(made.xlsx(), 3_000_000_000),
        ),
        "ZIP con 50 MB di zeri compressi (rapporto anomalo)": (
            "piano.xlsx",
            made.rebuilt(made.xlsx(), add={"xl/media/zeri.bin": zeros}),
        ),
        "ZIP con 5.000 elementi": (
            "piano.xlsx",
            made.rebuilt(made.xlsx(), add={f"xl/vuoto{n}.txt": b"" for n in range(5000)}),
        ),
        "espansione di entità XML (billion laughs)": (
            "piano.xlsx",
            made.rebuilt(made.xlsx(), {"xl/workbook.xml": made.BILLION_LAUGHS}),
        ),
        "entità esterna XML (file:///etc/passwd)": (
            "schede.docx",
            made.rebuilt(made.docx(), {"word/document.xml": made.EXTERNAL_ENTITY}),
        ),
        "file oltre il limite (12 MB)": ("piano.xlsx", b"PK\x03\x04" + b"x" * (12 * MB)),
        "ZIP danneggiato (troncato)": ("piano.xlsx", made.xlsx()[:3000]),
        "testo con caratteri NUL": ("schede.txt", b"ANNO 2019\x00" * 10_000),
    }


def step_hostile(out: Path, label: str) -> dict:
    """Refuse one hostile file, read from disk as an upload is: the memory figures start once
    the file's bytes are in memory (as the upload's are)."""
    from traguardo.core.domain import DomainError
    from traguardo.imports.safety import check_import_file, max_import_bytes

    index = list(HOSTILE_LABELS).index(label)
    path = next((out / "ostili").glob(f"{index:02d}-*"))
    name, data = path.name.split("-", 1)[1], path.read_bytes()
    base = peak_rss_mib()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        check_import_file(name, data, max_bytes=max_import_bytes())
        message = "ACCETTATO (non doveva esserlo)"
    except DomainError as error:
        message = error.message
    seconds = time.perf_counter() - started
    _, heap = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": seconds,
        "heap": heap / MB,
        "growth": peak_rss_mib() - base,
        "peak": peak_rss_mib(),
        "bytes": len(data),
        "message": message,
    }


def main() -> None:
    var = Path(tempfile.mkdtemp(prefix="traguardo-bench-imports-"))
    out = var / "out"
    out.mkdir()
    env = {**os.environ, "TRAGUARDO_VAR_DIR": str(var), "DATABASE_URL": ""}
    step = ("--out", str(out), "--step")
    print(f"\nImportazioni — piano sintetico di {SCHEDE} schede (5 indicatori, 2 attività)")
    exports = run_step(BENCH, env, *step, "build")
    for name, fig in exports.items():
        label = f"esportazione {name} (il file da importare)"
        print(f"{label:<52} {fig['seconds']:>7.1f} s  {fig['bytes'] / MB:>6.1f} MiB")
    fig = run_step(BENCH, env, *step, "dry-run")
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in fig["phases"].items())
    print(
        f"{'anteprima di 10.000 righe (' + str(fig['schede']) + ' schede, xlsx)':<52}"
        f" {fig['seconds']:>7.2f} s  heap Python picco {fig['heap']:>5.0f} MiB"
        f"  picco RSS {fig['peak']:>5.0f} MiB   (obiettivo ≤ 3 s, ≤ 100 MiB)"
    )
    print(f"{'':<4}{phases}")
    for name, year in (("piano.xlsx", 2020), ("piano.docx", 2021)):
        fig = run_step(BENCH, env, *step, "import", "--file", name, "--year", str(year))
        phases = ", ".join(
            f"{k.strip()} {v:.2f} s" if isinstance(v, float) else f"{k.strip()} {v}"
            for k, v in fig["phases"].items()
        )
        label = f"importazione {name} → piano {year} vuoto"
        print(
            f"{label:<52} {fig['seconds']:>7.1f} s  {fig['schede']} schede"
            f"  picco RSS {fig['peak']:>5.0f} MiB (prima: {fig['base']:.0f})"
        )
        print(f"{'':<4}{phases}")
    print("\nFile ostili: tempo fino al rifiuto e memoria (obiettivo: < 1 s e < 100 MB)")
    os.environ["TRAGUARDO_VAR_DIR"] = str(var)
    setup_django()
    (out / "ostili").mkdir()
    files = hostile_files()
    if tuple(files) != HOSTILE_LABELS:
        sys.exit("HOSTILE_LABELS e hostile_files() non elencano gli stessi file")
    for index, (name, data) in enumerate(files.values()):
        (out / "ostili" / f"{index:02d}-{name}").write_bytes(data)
    for label in HOSTILE_LABELS:
        fig = run_step(BENCH, env, *step, "hostile", "--label", label)
        print(
            f"{label:<52} {fig['seconds'] * 1000:>7.1f} ms  heap {fig['heap']:>5.1f} MiB"
            f"  RSS +{fig['growth']:>4.1f} (picco {fig['peak']:.0f}) MiB"
            f"  file {fig['bytes'] / MB:>5.2f} MiB"
        )
        print(f"{'':<4}→ {fig['message']}")
    shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", choices=("build", "dry-run", "import", "hostile"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--file")
    parser.add_argument("--year", type=int)
    parser.add_argument("--label")
    args = parser.parse_args()
    if args.step:
        setup_django()
        if args.step == "build":
            result = step_build(args.out)
        elif args.step == "dry-run":
            result = step_dry_run(args.out)
        elif args.step == "import":
            result = step_import(args.out, args.file, args.year)
        else:
            result = step_hostile(args.out, args.label)
        print(json.dumps(result, default=str))
    else:
        main()
