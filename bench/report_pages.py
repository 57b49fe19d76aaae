"""Report pages bench (issue 14): the Relazione, Verifica, Nucleo and Documenti pages at
2,000 schede, in-process with Django's test client.

A synthetic plan (bench/synthetic.py) in a throwaway SQLite database; each page asked once
(the first request computes the kept results) and then 5 times warm: the median and worst
warm time, the queries of a warm request, and its HTML size. Figures are printed, never
asserted. ``python bench/report_pages.py [--schede N]``; ``BENCH_PROFILE=cumulative`` (and
``BENCH_FILTER=traguardo``) profiles one warm request of each page.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schede", type=int, default=2000)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="traguardo-bench-reports-")
    os.environ["TRAGUARDO_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    try:
        run(args.schede)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run(schede: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traguardo.settings")
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    import synthetic
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from traguardo.monitoring.models import MonitoringPeriod

    call_command("migrate", verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    with scopes_disabled():
        built = synthetic.build(schede)
        period = MonitoringPeriod.objects.filter(plan=built.plan).order_by("reference_date")[0]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(built.user)
    slug, year = built.authority.slug, built.plan.year
    pages = {
        "relazione": reverse("relazione", args=[slug, year]),
        "verifica": reverse("verifica", args=[slug, year, period.pk]),
        "nucleo": reverse("plan_review", args=[slug, year]),
        "documenti": reverse("plan_documents", args=[slug, year]),
    }
    print(
        f"\n{schede} schede — SQLite — {'page':<10} {'first ms':>9} {'warm ms':>8} "
        f"{'worst':>7} {'queries':>8} {'KiB':>8}"
    )
    for name, url in pages.items():
        started = time.perf_counter()
        response = client.get(url)
        first = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            print(f"{name}: {response.status_code}", flush=True)
            continue
        warm = []
        for _ in range(WARM):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            warm.append((time.perf_counter() - started) * 1000)
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            client.get(url)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(os.environ["BENCH_PROFILE"])
            stats.print_stats(os.environ.get("BENCH_FILTER", ""), 30)
        print(
            f"{'':>26}{name:<10} {first:>9.0f} {statistics.median(warm):>8.1f} "
            f"{max(warm):>7.1f} {len(queries):>8} {len(response.content) / 1024:>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
