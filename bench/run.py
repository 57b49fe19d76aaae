"""Traguardo's benchmarks: figures printed, never asserted (`make bench`).

Runs against a throwaway SQLite database under a temporary TRAGUARDO_VAR_DIR:
- loading the seed plan (11 schede) and scoring it;
- the scoring engine alone on a synthetic plan of 500 schede × 4 indicators × 4 activities;
- rendering the scheda PDF and the whole-plan PDF of the demo plan.
"""

import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

os.environ["TRAGUARDO_VAR_DIR"] = tempfile.mkdtemp(prefix="traguardo-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traguardo.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django_scopes import scope  # noqa: E402

from traguardo import scoring  # noqa: E402
from traguardo.imports.seed import load_seed  # noqa: E402
from traguardo.reports.pdf import render_pdf  # noqa: E402
from traguardo.reports.scheda import plan_pages, scheda_page  # noqa: E402


def measure(label: str, function, repeat: int = 1):
    """Mean wall time over ``repeat`` plain runs, then one traced run for the Python heap peak
    (tracing slows the code down, so it is kept out of the timing)."""
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    elapsed = (time.perf_counter() - started) / repeat
    tracemalloc.start()
    result = function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<56} {elapsed * 1000:>8.1f} ms   Python heap peak {peak / 2**20:>5.1f} MiB")
    return result


def synthetic_plan(n: int) -> list[scoring.ObjectiveSpec]:
    scale = scoring.parse_scale("gg ritardo 5= 90% / gg10=80% / gg15=60%")
    due = date(2019, 6, 30)
    objectives = []
    for i in range(n):
        indicators = tuple(
            scoring.IndicatorSpec(
                key=(i, k),
                weight=Decimal(25),
                measure=scoring.Measure.DEADLINE,
                scale=scale,
                target=Decimal(0),
                due_on=due,
                observation=scoring.Observation(completed_on=due + timedelta(days=(i + k) % 20)),
            )
            for k in range(4)
        )
        activities = tuple(
            scoring.ActivitySpec(
                key=(i, k), weight=Decimal(25), due_on=due, scale=scale, completed_on=due
            )
            for k in range(4)
        )
        objectives.append(
            scoring.ObjectiveSpec(
                key=i,
                indicators=indicators,
                activities=activities,
                weight_score=Decimal(50 + i % 50),
                unit_key=i % 10,
            )
        )
    return objectives


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Traguardo bench — {date.today().isoformat()} — Python {sys.version.split()[0]}")
    started = time.perf_counter()
    report = load_seed()
    elapsed = (time.perf_counter() - started) * 1000
    print(f"{'load_seed (11 schede, one transaction)':<56} {elapsed:>8.1f} ms")
    plan = report.plan
    objectives = synthetic_plan(500)
    policy = scoring.Policy()
    context = scoring.Context(as_of=date(2019, 12, 31), closed=True)
    measure(
        "score_plan, synthetic 500 schede × (4 ind. + 4 att.)",
        lambda: scoring.score_plan(objectives, policy=policy, context=context),
        repeat=5,
    )
    with scope(authority=plan.authority):
        page = measure("plan page data: 11 schede scored and checked", lambda: plan_pages(plan))
        card = page.rows[0]
        measure(
            "scheda PDF (WeasyPrint)",
            lambda: render_pdf(
                "reports/scheda_pdf.html",
                {"card": scheda_page(card.objective), "authority": plan.authority},
            ),
        )
        pdf = measure(
            "plan PDF: cover, index, 11 schede (WeasyPrint)",
            lambda: render_pdf(
                "reports/plan_pdf.html",
                {"plan": plan, "page": plan_pages(plan), "authority": plan.authority},
            ),
        )
    print(f"plan PDF size: {len(pdf) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
