"""Documents benchmark (issue 6): the whole-plan PDF of 500 schede, against LibreOffice.

A synthetic plan of 500 schede (bench/synthetic.py: 5 indicators and 2 activities each, with
measurements) is built in a throwaway SQLite database. Then, each in its own process so that
the memory peak is that work's own:

- Traguardo's whole-plan PDF (cover, index, the schede by unit; WeasyPrint), as the
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
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve()
ROOT = BENCH.parent.parent
SCHEDE = 500


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traguardo.settings")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(BENCH.parent))
    import django

    django.setup()


def _peak_mib(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def _plan():
    from django_scopes import scopes_disabled
    from synthetic import SLUG

    from traguardo.planning.models import Plan

    with scopes_disabled():
        return Plan.objects.select_related("authority").get(authority__slug=SLUG)


def step_build(out: Path) -> dict:
    from django.core.management import call_command
    from django_scopes import scopes_disabled
    from synthetic import build

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    with scopes_disabled():
        built = build(schede=SCHEDE)
    return {"seconds": time.perf_counter() - started, "counts": built.counts}


def step_pdf(out: Path) -> dict:
    from django_scopes import scope

    from traguardo.reports.pdf import render_pdf
    from traguardo.reports.scheda import plan_pages

    plan = _plan()
    before = _peak_mib()
    started = time.perf_counter()
    with scope(authority=plan.authority):
        data = render_pdf(
            "reports/plan_pdf.html",
            {"plan": plan, "page": plan_pages(plan), "authority": plan.authority},
        )
    seconds = time.perf_counter() - started
    path = out / "piano-traguardo.pdf"
    path.write_bytes(data)
    return {
        "seconds": seconds,
        "pages": _pages(path),
        "peak": _peak_mib(),
        "base": before,
        "bytes": len(data),
    }


def step_docx(out: Path) -> dict:
    from django_scopes import scope

    from traguardo.exchange.word import plan_docx

    plan = _plan()
    before = _peak_mib()
    started = time.perf_counter()
    with scope(authority=plan.authority):
        data = plan_docx(plan)
    seconds = time.perf_counter() - started
    (out / "piano.docx").write_bytes(data)
    return {"seconds": seconds, "peak": _peak_mib(), "base": before, "bytes": len(data)}


def run_step(name: str, out: Path, env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--step", name, "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"passo «{name}» non riuscito:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


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
    return {"seconds": seconds, "pages": _pages(path), "peak": _peak_mib(resource.RUSAGE_CHILDREN)}


STEPS = {
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
    print(f"\nDocumenti — piano sintetico di {SCHEDE} schede (5 indicatori, 2 attività ciascuna)")
    built = run_step("build", out, env)
    print(f"{'costruzione del piano sintetico (bulk_create)':<52} {built['seconds']:>7.1f} s")
    pdf = run_step("pdf", out, env)
    docx = run_step("docx", out, env)
    if shutil.which("libreoffice") or shutil.which("soffice"):
        lo = run_step("libreoffice", out, env)
    else:
        lo = "LibreOffice non installato (scripts/system-deps bench lo installa, da root)"

    def line(label, fig):
        rate = fig["pages"] / fig["seconds"] if fig.get("pages") else 0
        pages = f"{fig['pages']:>5} pagine  {rate:>6.1f} pagine/s" if fig.get("pages") else " " * 27
        print(f"{label:<52} {fig['seconds']:>7.1f} s  {pages}  picco RSS {fig['peak']:>6.0f} MiB")

    line("Traguardo: PDF del piano (WeasyPrint)", pdf)
    line("Traguardo: DOCX del piano (python-docx)", docx)
    if isinstance(lo, str):
        print(f"LibreOffice: {lo}")
    else:
        line("LibreOffice: DOCX di Traguardo → PDF", lo)
        ratio = pdf["seconds"] / lo["seconds"]
        rates = pdf["pages"] / pdf["seconds"], lo["pages"] / lo["seconds"]
        label = "rapporto tempi PDF Traguardo / LibreOffice"
        print(f"{label:<52} {ratio:>7.2f}   (pagine/s: {rates[0]:.1f} contro {rates[1]:.1f})")
    print(f"(picco RSS prima del lavoro, interprete e Django: {pdf['base']:.0f} MiB)")
    shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.step:
        _setup_django()
        print(json.dumps(STEPS[args.step](args.out), default=str))
    else:
        main()
