"""List pages bench: the plan page (and a search in it), the cruscotto, Le mie
scadenze, a scheda's rilevazioni, the Relazione, Verifica, Nucleo and documents pages at 2,000
schede, in-process with Django's test client,
single client (bench/load.py measures them under concurrent clients).

A synthetic plan (bench/synthetic.py) in a throwaway SQLite database; each page asked once
(the first request computes the kept results) and then 20 times warm: the median and 95th
percentile of the warm wall time and of its CPU time, the queries of a warm request and the
HTML size. Figures are printed, never asserted. ``python bench/list_pages.py [--schede N]
[--warm N] [--save DIR] [--reuse DIR]`` (``--save`` writes each page's HTML, to compare two
versions; ``--reuse`` keeps the database in DIR and builds it only once, for profiling runs);
``BENCH_PROFILE=cumulative`` (and ``BENCH_FILTER=traguardo``) profiles one warm request of
each page.
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schede", type=int, default=2000)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--save", type=Path, default=None)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--reuse", type=Path, default=None, help="keep the database here")
    args = parser.parse_args()
    if args.reuse:
        var_dir = str(args.reuse.resolve())
        # The database is kept, never the cached results (the code may have changed).
        shutil.rmtree(Path(var_dir) / "cache", ignore_errors=True)
    else:
        var_dir = tempfile.mkdtemp(prefix="traguardo-bench-lists-")
    os.environ["TRAGUARDO_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    try:
        run(args.schede, args.warm, args.save, [n for n in args.only.split(",") if n])
    finally:
        if not args.reuse:
            shutil.rmtree(var_dir, ignore_errors=True)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(schede: int, warm_count: int, save: Path | None, only: list[str]) -> None:
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

    from traguardo.accounts.models import Membership, Role
    from traguardo.monitoring.models import MonitoringPeriod
    from traguardo.organization.models import OrgUnit
    from traguardo.planning.models import Plan

    call_command("migrate", verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    with scopes_disabled():
        plan = Plan.objects.filter(authority__slug=synthetic.SLUG).first()
        if plan is None:
            plan = synthetic.build(schede).plan
        user = Membership.objects.get(authority=plan.authority, role=Role.ADMIN).user
        period = MonitoringPeriod.objects.filter(plan=plan).order_by("reference_date")[0]
        objective = plan.objectives.order_by("position").first()
        # As bench/load.py: the admin heads every unit, so "Le mie scadenze" lists the plan.
        membership = Membership.objects.get(user=user, authority=plan.authority)
        membership.units.set(OrgUnit.objects.filter(authority=plan.authority, parent=None))
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    slug, year = plan.authority.slug, plan.year
    pages = {
        "piano": reverse("plan_detail", args=[slug, year]),
        "ricerca": reverse("plan_detail", args=[slug, year]) + "?q=sintetico+7",
        "cruscotto": reverse("plan_dashboard", args=[slug, year]),
        "scadenze": reverse("my_deadlines", args=[slug]),
        "rilevazioni": reverse("measurements", args=[slug, objective.pk]),
        "relazione": reverse("relazione", args=[slug, year]),
        "verifica": reverse("verifica", args=[slug, year, period.pk]),
        "nucleo": reverse("plan_review", args=[slug, year]),
        "documenti": reverse("plan_documents", args=[slug, year]),
    }
    if only:
        pages = {name: url for name, url in pages.items() if name in only}
    if save:
        save.mkdir(parents=True, exist_ok=True)
    print(
        f"\n{schede} schede — SQLite — {'page':<10} {'first ms':>9} {'warm ms':>8} "
        f"{'p95':>7} {'cpu ms':>7} {'cpu p95':>8} {'queries':>8} {'KiB':>8}"
    )
    for name, url in pages.items():
        started = time.perf_counter()
        response = client.get(url)
        first = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            print(f"{name}: {response.status_code}", flush=True)
            continue
        wall, cpu = [], []
        for _ in range(warm_count):
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        if save:
            # The CSRF token changes with every response; nothing else should.
            html = re.sub(
                rb'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"', b"", response.content
            )
            (save / f"{name}.html").write_bytes(html)
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            client.get(url)
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats(os.environ["BENCH_PROFILE"])
            stats.print_stats(os.environ.get("BENCH_FILTER", ""), 40)
        print(
            f"{'':>26}{name:<10} {first:>9.0f} {statistics.median(wall):>8.1f} "
            f"{p95(wall):>7.1f} {statistics.median(cpu):>7.1f} {p95(cpu):>8.1f} "
            f"{len(queries):>8} {len(response.content) / 1024:>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
