"""The garbage collector on a realistic request: default vs. frozen start-up and a higher
first-generation threshold, as gunicorn.conf.py sets them in the workers.

Figures are printed, never asserted. A synthetic plan of 2,000 schede (bench/synthetic.py) is
built once in a throwaway SQLite database; then, for each collector setting, a fresh process
does what a gunicorn worker does — Django set up and every view module imported (in the
master, with ``preload_app``), ``gc.freeze()`` where the setting says so (before the fork),
``gc.set_threshold`` (after it) — and times the plan page and the cruscotto with Django's test
client: one warm-up request each, then the best and the median of ``--runs`` requests, with the
time the cyclic collector ran inside them and its collections per generation.

    .venv/bin/python bench/gc.py [--schede 2000] [--runs 3]
"""

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from monitoring import GcTimer  # bench/monitoring.py: the collector's time in a block

BENCH = Path(__file__).resolve()
ROOT = BENCH.parent.parent

# (label, freeze before the requests, thresholds in the worker or None for Python's default)
SETTINGS = [
    ("default (700, 10, 10)", False, None),
    ("freeze", True, None),
    ("freeze + (10000, 10, 10)", True, (10_000, 10, 10)),
    ("freeze + (50000, 20, 10)", True, (50_000, 20, 10)),
    ("freeze + (100000, 20, 10)", True, (100_000, 20, 10)),
]
PAGES = (("plan", "plan_detail"), ("cruscotto", "plan_dashboard"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schede", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--settings", default="", help="which settings, by number (0 = default), e.g. 0,3"
    )
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=int, metavar="SETTING", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build(args.schede)
        return
    if args.measure is not None:
        print(json.dumps(measure(SETTINGS[args.measure], args.runs)))
        return

    print(f"\nTraguardo GC bench — {args.schede} schede — Python {sys.version.split()[0]}")
    var_dir = tempfile.mkdtemp(prefix="traguardo-bench-gc-")
    env = {**os.environ, "TRAGUARDO_VAR_DIR": var_dir, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    try:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(BENCH), "--build", "--schede", str(args.schede)],
            env=env,
            check=True,
        )
        print(f"database built in {time.perf_counter() - started:.1f} s (SQLite)\n")
        rows = []
        chosen = [int(n) for n in args.settings.split(",") if n] or range(len(SETTINGS))
        for n in chosen:
            label = SETTINGS[n][0]
            done = subprocess.run(
                [sys.executable, str(BENCH), "--measure", str(n), "--runs", str(args.runs)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(f"  {label}: done", flush=True)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print_table(rows, args.runs)


def print_table(rows: list[dict], runs: int) -> None:
    # Compared by CPU time: the wall time of a shared machine moves with its other work.
    base = {page: rows[0][page]["cpu"] for page, _ in PAGES}
    header = f"{'setting':<27}"
    for page, _ in PAGES:
        header += f" {page + ' best s':>15} {'median s':>9} {'CPU s':>6} {'vs default':>10}"
        header += f" {'GC s':>6}"
        header += f" {'gen0/1/2':>13}"
    header += f" {'frozen':>8} {'max RSS MiB':>12}"
    print(
        f"\nSummary (best and median of {runs} requests after a warm-up; CPU: the process's, "
        "best; GC: the best request's)"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        line = f"{row['label']:<27}"
        for page, _ in PAGES:
            figures = row[page]
            collections = "/".join(str(c) for c in figures["collections"])
            line += (
                f" {figures['best']:>15.3f} {figures['median']:>9.3f} {figures['cpu']:>6.2f}"
                f" {figures['cpu'] / base[page]:>9.2f}× {figures['gc_seconds']:>6.3f}"
                f" {collections:>13}"
            )
        line += f" {row['frozen']:>8} {row['max_rss_mib']:>12.0f}"
        print(line)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traguardo.settings")
    sys.path[:0] = [str(ROOT / "src"), str(BENCH.parent)]
    import django

    django.setup()


def build(schede: int) -> None:
    setup_django()
    import synthetic
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    with scopes_disabled():
        synthetic.build(schede)


def measure(setting: tuple, runs: int) -> dict:
    label, freeze, threshold = setting
    setup_django()
    import synthetic
    from django.conf import settings
    from django.db import connections
    from django.test import Client
    from django.urls import get_resolver, reverse
    from django_scopes import scopes_disabled

    from traguardo.accounts.models import User
    from traguardo.organization.models import Authority

    # What the master does with preload_app (gunicorn.conf.py), then the fork.
    get_resolver().url_patterns  # noqa: B018 (every view module imported)
    connections.close_all()
    gc.collect()
    if freeze:
        gc.freeze()
    if threshold:
        gc.set_threshold(*threshold)

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with scopes_disabled():
        authority = Authority.objects.get(slug=synthetic.SLUG)
        user = User.objects.filter(memberships__authority=authority).first()
    client = Client()
    client.force_login(user)
    row = {"label": label, "frozen": gc.get_freeze_count()}
    for key, name in PAGES:
        url = reverse(name, kwargs={"authority": authority.slug, "year": synthetic.YEAR})
        _ok(client.get(url), url)  # warm-up: templates compiled
        times, cpu, timers = [], [], []
        for _ in range(runs):
            with GcTimer() as timer:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
            _ok(response, url)
            timers.append(timer)
        best = min(range(runs), key=times.__getitem__)
        row[key] = {
            "best": times[best],
            "median": statistics.median(times),
            "cpu": min(cpu),
            "gc_seconds": timers[best].seconds,
            "collections": timers[best].collections,
        }
    row["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def _ok(response, url: str) -> None:
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")


if __name__ == "__main__":
    main()
