"""Documents benchmark: the whole-plan PDF of 500 schede, against LibreOffice.

A synthetic plan of 500 schede (bench/synthetic.py: 5 indicators and 2 activities each, with
measurements) is built in a throwaway SQLite database. Then, each in its own process so that
the memory peak is that work's own:

- Traguardo's whole-plan PDF (cover, index, the schede by unit; Typst), as the
  "Genera PDF" job renders it;
- Traguardo's DOCX export of the same plan (python-docx);
- LibreOffice converting that DOCX to PDF (`libreoffice --headless --convert-to pdf`), which
  is what an office does today with its Word schede.

Printed: wall time, pages, pages per second, peak resident memory (the process's maximum RSS,
interpreter and libraries included, and for LibreOffice the largest of its processes), and the
ratio of the two PDF times. Figures are printed, never asserted.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from steps import build_synthetic, peak_rss_mib, run_step, setup_django, synthetic_plan

BENCH = Path(__file__).resolve()
SCHEDE = 500


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def step_build(out: Path) -> dict:
    started = time.perf_counter()
    built = build_synthetic(SCHEDE)
    return {"seconds": time.perf_counter() - started, "counts": built.counts}


class TreeRss:
    """The resident memory of this process and all its descendants, summed, sampled every
    10 ms from /proc while the work runs: the peak of the whole process tree (the job and
    its Typst children at once), which ``ru_maxrss`` (a maximum per process) cannot give."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss(pid: int) -> float:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return 0.0

    @staticmethod
    def _children(pid: int) -> list[int]:
        found = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    found += [int(c) for c in children.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
        return found

    def _run(self) -> None:
        while not self.done.wait(0.01):
            pids, total = [os.getpid()], 0.0
            while pids:
                pid = pids.pop()
                total += self._rss(pid)
                pids += self._children(pid)
            self.peak = max(self.peak, total)

    def __enter__(self) -> "TreeRss":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()


def step_pdf(out: Path) -> dict:
    from django_scopes import scope

    from traguardo.reports import paper
    from traguardo.reports.scheda import plan_pages

    plan = synthetic_plan()
    # A cold print: the parts' cache (reports/paper.py) in a directory of this run only.
    paper.CACHE_DIR = out / "typeset-cache"
    before = peak_rss_mib()
    layouts: list[str] = []
    started = time.perf_counter()
    cpu = time.process_time()
    with TreeRss() as tree, scope(authority=plan.authority):
        data = paper.plan_pdf(plan_pages(plan), layouts=layouts)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    path = out / "piano-traguardo.pdf"
    path.write_bytes(data)
    # Again with the cache warm, after one scheda changed: its part only is laid out again.
    from traguardo.planning.models import Objective

    with scope(authority=plan.authority):
        changed = Objective.objects.filter(plan=plan).order_by("position")[250]
        changed.expected_result += " (modificato)"
        changed.save(update_fields=["expected_result"])
        again: list[str] = []
        started_again = time.perf_counter()
        with TreeRss() as tree_again:
            paper.plan_pdf(plan_pages(plan), layouts=again)
        seconds_again = time.perf_counter() - started_again
    # Typst lays the plan out in child processes (reports/typeset.py), one at a time: the
    # tree's peak is sampled; the job's own and the largest child's are beside it.
    return {
        "seconds": seconds,
        "cpu": time.process_time() - cpu + children.ru_utime + children.ru_stime,
        "pages": _pages(path),
        "peak": tree.peak,
        "job_peak": peak_rss_mib(),
        "typst_peak": peak_rss_mib(resource.RUSAGE_CHILDREN),
        "base": before,
        "bytes": len(data),
        "layouts": len(layouts),
        "again_seconds": seconds_again,
        "again_layouts": len(again),
        "again_peak": tree_again.peak,
    }


def step_docx(out: Path) -> dict:
    from django_scopes import scope

    from traguardo.exchange.word import plan_docx

    plan = synthetic_plan()
    before = peak_rss_mib()
    started = time.perf_counter()
    with scope(authority=plan.authority):
        data = plan_docx(plan)
    seconds = time.perf_counter() - started
    (out / "piano.docx").write_bytes(data)
    return {"seconds": seconds, "peak": peak_rss_mib(), "base": before, "bytes": len(data)}


def step_libreoffice(out: Path) -> dict:
    """In its own process, so that the children's peak RSS is LibreOffice's only."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    profile = tempfile.mkdtemp(prefix="traguardo-lo-")
    user = f"-env:UserInstallation=file://{profile}"
    # A first start creates the profile: not part of the conversion an office waits for.
    subprocess.run([office, user, "--headless", "--terminate_after_init"], capture_output=True)
    started = time.perf_counter()
    subprocess.run(
        [office, user, "--headless", "--convert-to", "pdf", "--outdir", str(out / "lo"),
         str(out / "piano.docx")],
        check=True,
        capture_output=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    shutil.rmtree(profile, ignore_errors=True)
    path = out / "lo" / "piano.pdf"
    return {
        "seconds": seconds,
        "pages": _pages(path),
        "peak": peak_rss_mib(resource.RUSAGE_CHILDREN),
    }


def step_demo(out: Path) -> dict:
    """The documents of the demo plan (the seed's 11 schede), with their page counts."""
    import csv
    import io
    from datetime import date

    from django_scopes import scope
    from openpyxl import load_workbook

    from traguardo.exchange.csv import table_csv
    from traguardo.exchange.layout import TABLES
    from traguardo.exchange.ods import plan_ods
    from traguardo.exchange.word import plan_docx
    from traguardo.exchange.xlsx import plan_workbook
    from traguardo.imports.seed import load_seed
    from traguardo.monitoring.models import MonitoringPeriod
    from traguardo.reports.paper import plan_pdf
    from traguardo.reports.relazione import render_relazione_pdf
    from traguardo.reports.scheda import plan_pages
    from traguardo.reports.verifica import render_verifica_pdf

    plan = load_seed().plan
    documents = {}
    with scope(authority=plan.authority):
        # The demo has no monitoring period: a scheduled Verifica intermedia at 30 June is
        # opened in this throwaway database only, to show the document.
        period = MonitoringPeriod.objects.create(
            authority=plan.authority,
            plan=plan,
            name="Verifica intermedia al 30/06/2019",
            kind=MonitoringPeriod.Kind.INTERMEDIATE,
            reference_date=date(plan.year, 6, 30),
        )
        pdfs = {
            "Piano (PDF)": lambda: plan_pdf(plan_pages(plan)),
            "Relazione sulla performance (PDF)": lambda: render_relazione_pdf(plan),
            "Verifica intermedia al 30/06 (PDF)": lambda: render_verifica_pdf(plan, period),
        }
        for label, render in pdfs.items():
            started = time.perf_counter()
            path = out / f"demo-{len(documents)}.pdf"
            path.write_bytes(render())
            documents[label] = {"seconds": time.perf_counter() - started, "pages": _pages(path)}
        docx = plan_docx(plan)
        (out / "demo.docx").write_bytes(docx)
        book = load_workbook(io.BytesIO(plan_workbook(plan)), read_only=True)
        sheets = {name: book[name].max_row for name in book.sheetnames}
        ods = plan_ods(plan)
        csv_rows = {
            t.slug: len(
                list(
                    csv.reader(
                        io.StringIO(table_csv(plan, t.slug).decode("utf-8-sig")), delimiter=";"
                    )
                )
            )
            for t in TABLES
        }
    documents["Piano (DOCX)"] = {"bytes": len(docx)}
    return {"documents": documents, "xlsx_rows": sheets, "ods_bytes": len(ods), "csv": csv_rows}


STEPS = {
    "demo": step_demo,
    "build": step_build,
    "pdf": step_pdf,
    "docx": step_docx,
    "libreoffice": step_libreoffice,
}


def main() -> None:
    var = Path(tempfile.mkdtemp(prefix="traguardo-bench-docs-"))
    out = var / "out"
    out.mkdir()
    env = {**os.environ, "TRAGUARDO_VAR_DIR": str(var), "DATABASE_URL": ""}

    def step(name: str) -> dict:
        return run_step(BENCH, env, "--step", name, "--out", str(out))

    built = step("build")  # migrates, then builds the synthetic plan
    demo = step("demo")
    print("\nDocumenti del piano dimostrativo (11 schede del seed)")
    for label, fig in demo["documents"].items():
        if "pages" in fig:
            print(f"{label:<52} {fig['pages']:>5} pagine  {fig['seconds']:>6.1f} s")
        else:
            print(f"{label:<52} {fig['bytes'] / 1024:>5.0f} KiB")
    if shutil.which("libreoffice") or shutil.which("soffice"):
        (out / "piano.docx").write_bytes((out / "demo.docx").read_bytes())
        lo = step("libreoffice")
        print(f"{'Piano (DOCX) aperto da LibreOffice':<52} {lo['pages']:>5} pagine")
    sheets = ", ".join(f"{name} {rows - 1}" for name, rows in demo["xlsx_rows"].items())
    print(f"Piano (XLSX), righe per foglio: {sheets}")
    print("CSV, righe di dati: " + ", ".join(f"{k} {v - 1}" for k, v in demo["csv"].items()))
    print(f"\nDocumenti — piano sintetico di {SCHEDE} schede (5 indicatori, 2 attività ciascuna)")
    print(f"{'costruzione del piano sintetico (bulk_create)':<52} {built['seconds']:>7.1f} s")
    pdf = step("pdf")
    docx = step("docx")
    if shutil.which("libreoffice") or shutil.which("soffice"):
        lo = step("libreoffice")
    else:
        lo = "LibreOffice non installato (scripts/system-deps bench lo installa, da root)"

    def line(label, fig):
        rate = fig["pages"] / fig["seconds"] if fig.get("pages") else 0
        pages = f"{fig['pages']:>5} pagine  {rate:>6.1f} pagine/s" if fig.get("pages") else " " * 27
        print(f"{label:<52} {fig['seconds']:>7.1f} s  {pages}  picco RSS {fig['peak']:>6.0f} MiB")

    line("Traguardo: PDF del piano (Typst)", pdf)
    line("Traguardo: DOCX del piano (python-docx)", docx)
    if isinstance(lo, str):
        print(f"LibreOffice: {lo}")
    else:
        line("LibreOffice: DOCX di Traguardo → PDF", lo)
        ratio = pdf["seconds"] / lo["seconds"]
        rates = pdf["pages"] / pdf["seconds"], lo["pages"] / lo["seconds"]
        label = "rapporto tempi PDF Traguardo / LibreOffice"
        print(f"{label:<52} {ratio:>7.2f}   (pagine/s: {rates[0]:.1f} contro {rates[1]:.1f})")
    print(
        f"(PDF Typst: picco RSS dell'albero dei processi, lavoro e figli insieme, campionato"
        f" ogni 10 ms: {pdf['peak']:.0f} MiB; del processo del lavoro {pdf['job_peak']:.0f} MiB,"
        f" del più grande dei figli di Typst {pdf['typst_peak']:.0f} MiB; prima del lavoro,"
        f" interprete e Django: {pdf['base']:.0f} MiB; tempo CPU di lavoro e figli"
        f" {pdf['cpu']:.1f} s; {pdf['layouts']} impaginazioni Typst)"
    )
    print(
        f"(PDF Typst di nuovo dopo la modifica di una scheda: {pdf['again_seconds']:.1f} s,"
        f" {pdf['again_layouts']} impaginazioni Typst, picco RSS {pdf['again_peak']:.0f} MiB)"
    )
    shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.step:
        setup_django()
        print(json.dumps(STEPS[args.step](args.out), default=str))
    else:
        main()
