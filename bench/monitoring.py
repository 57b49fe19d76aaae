"""Monitoring benchmark: a plan of 2,000 schede rescored, fetched and shown (`make bench`).

Figures are printed, never asserted. A synthetic plan (bench/synthetic.py: 2,000 schede,
10,000 indicators with final targets, 4,000 activities, 20,000 measurements in two periods) is
built with bulk_create in a throwaway database, then:

- fetch: the queries ``score_objectives`` needs, materialised and nothing else — the
  ``load_for_scoring`` list, the plan's periods, the current period's measurements, the
  policy and the unit tree;
- rescore: ``load_for_scoring``'s list and ``score_objectives(plan, objectives)``, i.e.
  the fetch plus the engine specs and the engine. The goal is rescore ≤ 1.5 × fetch; when it is
  over, cProfile says where the time goes;
- the dashboard (``plan_dashboard``) and the plan page (``plan_detail``): one request each with
  Django's test client, logged in as an admin member, queries counted.

Best of 3 runs for fetch and rescore. Run on SQLite (a temporary TRAGUARDO_VAR_DIR) and, when
``BENCH_POSTGRES_URL`` names a throwaway server (bench/with-postgres starts one), on
PostgreSQL: each database in its own process, so that memory peaks are per database.
"""

import argparse
import gc
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
SCHEDE = 2000
RUNS = 3
GOAL = 1.5


# ---------------------------------------------------------------------------------------------
# The parent: one worker per database, then the table.


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", metavar="DATABASE", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--schede", type=int, default=SCHEDE)
    parser.add_argument(
        "--profile", action="store_true", help="profile a rescore even when within the goal"
    )
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.result, args.schede, args.profile)
        return

    print()
    print(f"Traguardo monitoring bench — {args.schede} schede — Python {sys.version.split()[0]}")
    # Shared by the workers: the secret key and the collected static files.
    var_dir = tempfile.mkdtemp(prefix="traguardo-bench-monitoring-")
    try:
        options = ["--schede", str(args.schede), *(["--profile"] if args.profile else [])]
        rows = [run_worker("SQLite", options, var_dir, url=None)]
        postgres = os.environ.get("BENCH_POSTGRES_URL")
        if postgres:
            rows.append(run_worker("PostgreSQL", options, var_dir, url=postgres))
        else:
            reason = os.environ.get("BENCH_POSTGRES_SKIPPED") or "BENCH_POSTGRES_URL non impostato"
            print(f"\n== PostgreSQL: saltato ({reason})")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print_table([row for row in rows if row])


def run_worker(name: str, options: list[str], var_dir: str, url: str | None) -> dict | None:
    print(f"\n== {name}", flush=True)
    env = {**os.environ, "TRAGUARDO_VAR_DIR": var_dir, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    if url:
        env["DATABASE_URL"] = url
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as result:
        path = Path(result.name)
    command = [sys.executable, str(BENCH), "--worker", name, "--result", str(path)]
    done = subprocess.run([*command, *options], env=env, check=False)
    try:
        if done.returncode != 0:
            print(f"{name}: the bench failed (exit {done.returncode})")
            return None
        return json.loads(path.read_text())
    finally:
        path.unlink(missing_ok=True)


def print_table(rows: list[dict]) -> None:
    columns = [
        ("database", "database", "{}"),
        ("build s", "build", "{:.2f}"),
        ("fetch s", "fetch", "{:.3f}"),
        ("rescore s", "rescore", "{:.3f}"),
        ("ratio", "ratio", "{:.2f}×"),
        ("dash. q", "dashboard_queries", "{}"),
        ("dash. s", "dashboard_seconds", "{:.3f}"),
        ("plan q", "plan_queries", "{}"),
        ("plan s", "plan_seconds", "{:.3f}"),
        ("max RSS MiB", "max_rss_mib", "{:.0f}"),
    ]
    cells = [[title for title, _, _ in columns]]
    for row in rows:
        cells.append(
            ["—" if row.get(key) is None else form.format(row[key]) for _, key, form in columns]
        )
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    print(f"\nSummary ({RUNS} runs, best; goal rescore ≤ {GOAL}× fetch; RSS: whole process)")
    for n, line in enumerate(cells):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if n == 0:
            print("  ".join("-" * w for w in widths))


# ---------------------------------------------------------------------------------------------
# A worker: one database, in its own process.


def worker(name: str, result_path: str, schede: int, always_profile: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traguardo.settings")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))

    import django

    django.setup()

    import synthetic
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scope, scopes_disabled

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    line("migrate (and collectstatic, once)", time.perf_counter() - started)
    print(f"{'database':<44} {_database_version(connection)}")

    started = time.perf_counter()
    with scopes_disabled():
        built = synthetic.build(schede)
    build = time.perf_counter() - started
    counts = ", ".join(f"{v:,} {k}".replace(",", ".") for k, v in built.counts.items())
    print(f"{'synthetic plan':<44} {counts}")
    line("build (bulk_create, one transaction)", build)

    row = {"database": name, "build": build}
    with scope(authority=built.authority):
        row |= scoring_figures(built, always_profile)
    row |= page_figures(built)
    row["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(result_path).write_text(json.dumps(row))


def _database_version(connection) -> str:
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def line(label: str, seconds: float, extra: str = "") -> None:
    print(f"{label:<44} {seconds:>8.3f} s{('   ' + extra) if extra else ''}", flush=True)


class GcTimer:
    """The time the cyclic garbage collector runs inside the block, and its collections."""

    def __enter__(self) -> "GcTimer":
        self.seconds, self.collections, self._started = 0.0, [0, 0, 0], 0.0
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1

    def __str__(self) -> str:
        return f"of which cyclic GC {self.seconds:.3f} s ({self.collections[2]} full collections)"


def best_of(function, runs: int = RUNS) -> tuple[float, int, GcTimer, object]:
    """The best wall time of ``runs`` runs, with the collector's share of that run.

    Each run starts from the same heap: the previous result released and collected (what is
    alive decides how long a full collection takes). The queries are counted in the first run.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, best_gc, result, queries = float("inf"), None, None, 0
    for n in range(runs):
        result = None
        gc.collect()
        with GcTimer() as collector:
            started = time.perf_counter()
            if n == 0:
                with CaptureQueriesContext(connection) as captured:
                    result = function()
                queries = len(captured)
            else:
                result = function()
            elapsed = time.perf_counter() - started
        if elapsed < best:
            best, best_gc = elapsed, collector
    return best, queries, best_gc, result


def scoring_figures(built, always_profile: bool = False) -> dict:
    from traguardo.monitoring.models import Measurement
    from traguardo.organization.models import OrgUnit, ScoringPolicy
    from traguardo.planning.asof import current_period
    from traguardo.planning.models import Plan
    from traguardo.planning.queries import load_for_scoring
    from traguardo.planning.scores import score_objectives

    plan = Plan.objects.get(pk=built.plan.pk)

    def fetch():
        objectives = load_for_scoring(plan.objectives.all())
        period = current_period(plan)
        measurements = list(Measurement.objects.filter(period=period))
        policy = ScoringPolicy.objects.filter(authority_id=plan.authority_id).first()
        units = list(
            OrgUnit.objects.filter(authority_id=plan.authority_id).values_list("pk", "parent_id")
        )
        return objectives, measurements, policy, units

    def rescore():
        return score_objectives(plan, load_for_scoring(plan.objectives.all()))

    fetch_seconds, fetch_queries, fetch_gc, _ = best_of(fetch)
    del _  # released before the rescore runs: a bigger heap makes every collection slower
    rescore_seconds, rescore_queries, rescore_gc, scores = best_of(rescore)
    ratio = rescore_seconds / fetch_seconds
    verdict = "entro l'obiettivo 1,5×" if ratio <= GOAL else "oltre l'obiettivo"
    line(f"fetch ({fetch_queries} queries, best of {RUNS})", fetch_seconds, str(fetch_gc))
    line(f"rescore ({rescore_queries} queries, best of {RUNS})", rescore_seconds, str(rescore_gc))
    print(f"{'rescore / fetch':<44} {ratio:>8.2f} ×   {verdict}")
    achievement = scores.result.authority.achievement
    print(f"{'authority achievement (sanity check)':<44} {achievement} % — {scores.period}")
    if ratio > GOAL or always_profile:
        profile(rescore)
    return {"fetch": fetch_seconds, "rescore": rescore_seconds, "ratio": ratio}


def profile(rescore) -> None:
    """Where a rescore spends its time: the phases of score_objectives, then the top functions."""
    import cProfile
    import pstats

    gc.collect()
    profiler = cProfile.Profile()
    with GcTimer() as collector:
        profiler.enable()
        rescore()
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    entries = stats.stats  # (file, line, function) → (cc, nc, tottime, cumtime, callers)

    def cumulative(module_suffix: str, function: str) -> tuple[float, int]:
        found = [
            (value[3], value[1])
            for (file, _, name), value in entries.items()
            if name == function and file.endswith(module_suffix)
        ]
        return (sum(t for t, _ in found), sum(n for _, n in found)) if found else (0.0, 0)

    print(f"\nprofile of one rescore (cProfile, {total:.2f} s under the profiler):")
    print(
        f"  {'cyclic GC (charged by cProfile to whatever allocates)':<55}"
        f" {collector.seconds:>7.3f} s  {100 * collector.seconds / total:>5.1f} %"
        f"  {sum(collector.collections):>7} runs"
    )
    phases = [
        ("every queryset materialised (_fetch_all)", "django/db/models/query.py", "_fetch_all"),
        ("score_objectives, whole", "planning/scores.py", "score_objectives"),
        ("  _objective_spec (rows → engine specs)", "planning/scores.py", "_objective_spec"),
        ("    GradingScale.scale (scale_from_dict)", "organization/models.py", "scale"),
        ("    year_targets", "planning/checks.py", "year_targets"),
        ("  score_plan (the engine)", "scoring/engine.py", "score_plan"),
        ("  _unit_parents", "planning/scores.py", "_unit_parents"),
    ]
    for label, module, function in phases:
        seconds, calls = cumulative(module, function)
        print(f"  {label:<55} {seconds:>7.3f} s  {100 * seconds / total:>5.1f} %  {calls:>7} calls")
    print("  top functions by own time:")
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:12]
    for (file, number, function), (_, calls, own, cum, _) in ranked:
        where = _short(file)
        print(
            f"    {100 * own / total:>5.1f} % own {100 * cum / total:>5.1f} % cum"
            f" {calls:>8} calls  {function} ({where}:{number})"
        )
    print()


def _short(file: str) -> str:
    for marker in ("site-packages/", "src/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def page_figures(built) -> dict:
    """One request to the dashboard and one to the plan page (after a warm-up request each)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(built.user)
    kwargs = {"authority": built.authority.slug, "year": built.plan.year}
    figures = {}
    for key, url_name, label in (
        ("dashboard", "plan_dashboard", "dashboard (plan_dashboard)"),
        ("plan", "plan_detail", "plan page (plan_detail)"),
    ):
        figures[f"{key}_queries"] = figures[f"{key}_seconds"] = None
        try:
            url = reverse(url_name, kwargs=kwargs)
        except NoReverseMatch:
            if key == "dashboard":
                print("cruscotto non ancora disponibile", flush=True)
            else:
                print(f"{label}: URL not found", flush=True)
            continue
        try:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)  # also the warm-up: templates compiled, caches
            # Counted now: the next request clears the connection's query log.
            count = len(queries)
            started = time.perf_counter()
            response = client.get(url)
            seconds = time.perf_counter() - started
        except Exception as error:  # a page being built: reported, not fatal
            print(f"{label}: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
            continue
        if response.status_code != 200:
            print(f"{label}: HTTP {response.status_code}")
            continue
        size = len(response.content) / 1024
        line(f"{label}, {count} queries", seconds, f"{size:,.0f} KiB of HTML")
        figures[f"{key}_queries"] = count
        figures[f"{key}_seconds"] = seconds
    return figures


if __name__ == "__main__":
    main()
