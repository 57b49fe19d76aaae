"""Load benchmark: the pages under concurrent clients, through gunicorn (`make bench`).

Figures are printed, never asserted. The script exits non-zero only on a real error: a server
that does not start, a page that answers anything but 200, a two-node check that cannot run.

What it does, per configuration:

1. a throwaway database: SQLite under a temporary TRAGUARDO_VAR_DIR, or a new database on the
   PostgreSQL server named by BENCH_POSTGRES_URL (bench/with-postgres starts one), dropped at
   exit; migrated, static files collected;
2. the data: bench/synthetic.py's plan of N schede (default 2,000; ``--schede 11`` is the small
   case), its admin member covering every unit (so that "Le mie scadenze" lists the whole
   plan), a Nucleo member for the two-node check; with ``--tenants T --per-tenant S``, T
   authorities of S schede each;
3. the servers, started as ``make run`` starts one: ``gunicorn traguardo.wsgi --workers 2``
   (plus ``-c gunicorn.conf.py`` when the repository has one), bound to 127.0.0.1 on a free
   port, with ``--timeout 120`` so that a slow page is measured rather than killed; the script
   waits for /healthz. ``--nodes 2`` starts two of them over the same database and a
   redis-server (a free loopback port, a temporary directory, stopped at exit) that both use
   as their cache (TRAGUARDO_CACHE_URL);
4. the clients (threads, http.client, loopback only) log in through the login form, one
   session each. The pages are measured one after the other: every client asks the same page
   in a loop for the duration (8 clients × 30 s by default), client i through node i mod
   nodes; a client issues no new request after the duration and waits at most the request
   timeout for the one in flight. Before that, one request to the page, not counted, is
   printed as "first" (cold caches: the first view of the page);
5. per page: the queries of one request measured in-process (Django's test client and
   CaptureQueriesContext; two requests, "first/again", since the second may hit a cache),
   the body size of the first answer, first, p50, p95, max, the requests done and the
   1-minute load average (/proc/loadavg) at the end of that page's run.

The back-office pages are measured with the plan "in monitoraggio" (the final period open: Le
mie scadenze lists deadlines, measurements are entered), the public pages (/trasparenza/...)
with the plan "consuntivato" (results public): the state is switched between the two groups,
with an audit entry as every write of Traguardo makes. Public pages are asked without a session
cookie, as an anonymous visitor asks them, and with one Host header on every node (as behind a
proxy), so that the public-page cache is shared.

``--tenants 300 --per-tenant 200`` (PostgreSQL): one authority's pages measured alone, then
again once the other 299 authorities are in the same database; the ratio of the p95s is
printed. ``--nodes 2`` ends with the checks that the two nodes share sessions and the public
cache, and that a write through one is seen on the next request to the other.

Goals (printed next to the figures): p95 ≤ 150 ms with 8 clients at 2,000 schede; ≤ 10 queries a
page, the same at 11 and at 2,000 schede; the first view ≤ 300 KiB of HTML; with 300 authorities
one authority's p95 within 1.2× of the same authority alone.
"""

import argparse
import http.client
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve()
ROOT = BENCH.parent.parent
PASSWORD = "Banco-di-prova-2019!"  # noqa: S105 (a throwaway database's users)
NUCLEO = "banco-nucleo"
# Every request names this host, whichever node it goes to: the public cache key includes the
# host, and behind a proxy both nodes are asked as one site.
HOST = "127.0.0.1"
GOAL_P95_MS = 150
GOAL_QUERIES = 10
GOAL_KIB = 300
GOAL_TENANT_RATIO = 1.2
MEASURED = "banco-di-prova"


# ---------------------------------------------------------------------------------------------
# Options and the whole run.


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schede", type=int, default=2000, help="schede of the plan (2000)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (8)")
    parser.add_argument("--duration", type=float, default=30, help="seconds per page (30)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per request (120)")
    parser.add_argument("--nodes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--tenants", type=int, default=1, help="authorities (PostgreSQL)")
    parser.add_argument("--per-tenant", type=int, default=200, help="schede per authority")
    parser.add_argument("--pages", help="only the pages whose name contains one of these (a,b)")
    parser.add_argument("--pdf", action="store_true", help="also the public Relazione PDF")
    parser.add_argument(
        "--queries",
        type=int,
        choices=(0, 1, 2),
        default=2,
        help="in-process requests counted per page (2: first and again; 0: none)",
    )
    parser.add_argument("--build-only", action="store_true", help="build the data, then stop")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 11 schede, 3 s per page, 4 clients"
    )
    args = parser.parse_args()
    if args.quick:
        args.schede, args.duration, args.clients = 11, 3.0, 4
        args.per_tenant = min(args.per_tenant, 11)
    if args.tenants > 1:
        args.schede = args.per_tenant
    if (args.nodes > 1 or args.tenants > 1) and args.database != "postgres":
        parser.error("--nodes 2 and --tenants need --database postgres")
    return args


def main() -> int:
    args = parse_args()
    # Stopped with SIGTERM: the servers, Redis and the database are still cleaned up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    bench = Bench(args)
    try:
        code = bench.run()
    except BenchError as error:
        print(f"\nERRORE: {error}", flush=True)
        code = 1
    finally:
        bench.cleanup()
    print(f"\nload.py: {time.monotonic() - started:.0f} s in tutto, uscita {code}", flush=True)
    return code


class BenchError(Exception):
    """A real error: the run cannot go on (never a figure over its goal)."""


@dataclass
class Site:
    """The measured authority: what the page paths are made of."""

    slug: str
    year: int
    objective: int
    period: int
    plan: int
    username: str


@dataclass
class Row:
    label: str
    path: str
    queries: str = "—"
    query_counts: tuple[int, ...] = ()
    kib: float = 0.0
    first_ms: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    load: str = ""

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.var_dir = tempfile.mkdtemp(prefix="traguardo-bench-load-")
        self.servers: list[Server] = []
        self.redis: subprocess.Popen | None = None
        self.redis_port = 0
        self.pg_admin_url = ""
        self.pg_database = ""
        self.failed = False

    # -- set-up --------------------------------------------------------------------------------

    def run(self) -> int:
        args = self.args
        what = (
            f"{args.tenants} enti × {args.per_tenant} schede"
            if args.tenants > 1
            else f"{args.schede} schede"
        )
        print(
            f"\nTraguardo load bench — {what} — {args.database} — {args.nodes} nodo/i — "
            f"{args.clients} client × {args.duration:g} s per pagina — "
            f"{os.cpu_count()} CPU — Python {sys.version.split()[0]}",
            flush=True,
        )
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        print(f"{'codice':<40} {commit[:80] or '—'}", flush=True)
        self.environment()
        self.django_setup()
        site = self.build(1 if args.tenants > 1 else 0)
        if args.build_only:
            if args.tenants > 1:
                self.build_others()
            return 0
        alone = self.measure(site)
        if args.tenants > 1:
            self.stop_servers()
            self.build_others()
            shared = self.measure(site)
            self.compare(alone, shared)
        if args.nodes > 1:
            self.two_node_checks(site)
        return 1 if self.failed else 0

    def environment(self) -> None:
        os.environ["TRAGUARDO_VAR_DIR"] = self.var_dir
        os.environ.pop("TRAGUARDO_PRODUCTION", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traguardo.settings")
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("TRAGUARDO_CACHE_URL", None)
        if self.args.database == "postgres":
            url = os.environ.get("BENCH_POSTGRES_URL")
            if not url:
                reason = os.environ.get("BENCH_POSTGRES_SKIPPED") or "BENCH_POSTGRES_URL assente"
                raise BenchError(f"PostgreSQL non disponibile ({reason}); usa bench/with-postgres")
            os.environ["DATABASE_URL"] = self.create_database(url)
        if self.args.nodes > 1:
            self.start_redis()
            os.environ["TRAGUARDO_CACHE_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"

    def create_database(self, url: str) -> str:
        """A new database on the server of ``url``, dropped at exit: the run starts empty."""
        import psycopg

        self.pg_admin_url = url
        self.pg_database = f"traguardo_load_{os.getpid()}"
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.pg_database}"')
        parts = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{self.pg_database}"))

    def start_redis(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise BenchError("redis-server assente: scripts/system-deps bench lo installa")
        self.redis_port = free_port()
        folder = Path(self.var_dir) / "redis"
        folder.mkdir()
        command = [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1"]
        command += ["--dir", str(folder), "--save", "", "--appendonly", "no", "--daemonize", "no"]
        log = open(folder / "redis.log", "wb")  # noqa: SIM115 (closed with the process)
        self.redis = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.redis_port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            raise BenchError("redis-server non risponde")
        print(f"{'redis-server':<40} 127.0.0.1:{self.redis_port}", flush=True)

    def django_setup(self) -> None:
        sys.path.insert(0, str(ROOT / "src"))
        sys.path.insert(0, str(ROOT / "bench"))
        import django

        django.setup()
        import logging

        # The in-process requests' log lines (logins, audit checkpoints) would break the table.
        for name in ("", "axes", "traguardo"):
            logging.getLogger(name).setLevel(logging.WARNING)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        vendor = connection.vendor
        if vendor == "postgresql":
            version = connection.pg_version
            vendor = f"PostgreSQL {version // 10000}.{version % 10000}"
        else:
            import sqlite3

            vendor = f"SQLite {sqlite3.sqlite_version}"
        print(f"{'database':<40} {vendor}", flush=True)
        print(f"{'migrate + collectstatic':<40} {time.perf_counter() - started:8.1f} s", flush=True)

    def build(self, number: int) -> Site:
        """The measured authority (``number`` 0: alone; 1: the first of several)."""
        import synthetic
        from django.db import transaction
        from django_scopes import scopes_disabled

        from traguardo.accounts.models import Membership, Role, User
        from traguardo.monitoring.models import MonitoringPeriod
        from traguardo.organization.models import OrgUnit

        started = time.perf_counter()
        with scopes_disabled(), transaction.atomic():
            built = synthetic.build(self.args.schede)
            user = built.user
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            membership = Membership.objects.get(user=user, authority=built.authority)
            membership.units.set(OrgUnit.objects.filter(authority=built.authority, parent=None))
            evaluator = User.objects.create_user(username=NUCLEO, password=PASSWORD)
            Membership.objects.create(
                user=evaluator, authority=built.authority, role=Role.EVALUATOR
            )
            objective = built.plan.objectives.order_by("position").first()
            period = MonitoringPeriod.objects.get(
                plan=built.plan, kind=MonitoringPeriod.Kind.INTERMEDIATE
            )
        counts = ", ".join(f"{v:,} {k}".replace(",", ".") for k, v in built.counts.items())
        print(f"{'dati sintetici':<40} {counts}", flush=True)
        label = "ente misurato" if number else "costruzione (bulk_create)"
        print(f"{label:<40} {time.perf_counter() - started:8.1f} s", flush=True)
        return Site(
            slug=built.authority.slug,
            year=built.plan.year,
            objective=objective.pk,
            period=period.pk,
            plan=built.plan.pk,
            username=user.username,
        )

    def build_others(self) -> None:
        import synthetic
        from django_scopes import scopes_disabled

        others = self.args.tenants - 1
        print(f"altri {others} enti × {self.args.per_tenant} schede…", flush=True)
        started = time.perf_counter()
        with scopes_disabled():
            for n in range(2, self.args.tenants + 1):
                synthetic.build(
                    self.args.per_tenant,
                    slug=f"ente-{n:03d}",
                    name=f"Comune di prova {n:03d}",
                    username=f"admin-{n:03d}",
                )
                if n % 50 == 0:
                    elapsed = time.perf_counter() - started
                    print(f"  {n - 1} enti in {elapsed:.0f} s", flush=True)
        seconds = time.perf_counter() - started
        total = self.args.tenants * self.args.per_tenant
        print(
            f"{f'altri {others} enti (bulk_create)':<40} {seconds:8.1f} s   "
            f"{total:,} schede in tutto".replace(",", "."),
            flush=True,
        )
        from django.db import connection

        if connection.vendor == "postgresql":
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            print(f"{'ANALYZE':<40} {time.perf_counter() - started:8.1f} s", flush=True)

    def set_state(self, site: Site, state: str) -> None:
        """The plan in monitoraggio (final period open) or consuntivato (every period closed),
        written directly (the synthetic data would not pass the closing checks) and recorded
        with an audit entry as every write is, so that caches keyed on the audit log see it."""
        from django.db import transaction
        from django_scopes import scopes_disabled

        from traguardo.accounts.models import User
        from traguardo.audit.log import log_action
        from traguardo.monitoring.models import MonitoringPeriod
        from traguardo.planning.models import Plan
        from traguardo.planning.rulebook import take_snapshot

        with scopes_disabled(), transaction.atomic():
            plan = Plan.objects.get(pk=site.plan)
            before = plan.state
            final = MonitoringPeriod.objects.filter(plan=plan, kind=MonitoringPeriod.Kind.FINAL)
            if state == "closed":
                final.update(state=MonitoringPeriod.State.CLOSED)
                Plan.objects.filter(pk=plan.pk).update(
                    state=Plan.State.CLOSED, rules_snapshot=take_snapshot(plan.authority_id)
                )
            else:
                final.update(state=MonitoringPeriod.State.OPEN)
                Plan.objects.filter(pk=plan.pk).update(
                    state=Plan.State.MONITORING, rules_snapshot=None
                )
            log_action(
                actor=User.objects.get(username=site.username),
                action="plan.close" if state == "closed" else "plan.reopen",
                obj=plan,
                authority=plan.authority,
                before={"state": before},
                after={"state": Plan.State.CLOSED if state == "closed" else Plan.State.MONITORING},
                reason="banco di prova (bench/load.py)",
            )

    # -- the servers ---------------------------------------------------------------------------

    def start_servers(self) -> None:
        self.servers = [Server(self.var_dir, n) for n in range(self.args.nodes)]
        for server in self.servers:
            server.start()
        for server in self.servers:
            server.wait()
        print(f"{'gunicorn':<40} {' '.join(self.servers[0].command[2:])}", flush=True)
        for server in self.servers:
            print(f"{'  nodo ' + server.name:<40} 127.0.0.1:{server.port}", flush=True)

    def stop_servers(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers = []

    def cleanup(self) -> None:
        self.stop_servers()
        if self.redis is not None:
            self.redis.terminate()
            try:
                self.redis.wait(10)
            except subprocess.TimeoutExpired:
                self.redis.kill()
        if self.pg_database:
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
            import psycopg

            try:
                with psycopg.connect(self.pg_admin_url, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{self.pg_database}" (FORCE)')
            except psycopg.Error as error:
                print(f"database {self.pg_database} non eliminato: {error}")
        shutil.rmtree(self.var_dir, ignore_errors=True)

    # -- measuring -----------------------------------------------------------------------------

    def measure(self, site: Site) -> list[Row]:
        """Every page, back office (plan in monitoraggio) then public (plan consuntivato)."""
        self.start_servers()
        sessions = [self.login(n, site.username) for n in range(self.args.clients)]
        rows = []
        self.set_state(site, "monitoring")
        print_header("Pagine riservate (piano in monitoraggio, utente amministratore)")
        for label, path in self.pages(site, public=False):
            rows.append(self.measure_page(label, path, sessions, site))
        self.set_state(site, "closed")
        print_header("Pagine pubbliche (piano consuntivato, senza sessione)")
        for label, path in self.pages(site, public=True):
            rows.append(self.measure_page(label, path, None, site))
        print_goals(rows)
        return rows

    def pages(self, site: Site, public: bool) -> list[tuple[str, str]]:
        plan = f"/enti/{site.slug}/piani/{site.year}"
        scheda = f"/enti/{site.slug}/schede/{site.objective}"
        open_data = f"/trasparenza/{site.slug}/{site.year}/dati"
        if public:
            pages = [
                ("pubblica: home", f"/trasparenza/{site.slug}/"),
                ("pubblica: piano", f"/trasparenza/{site.slug}/{site.year}/"),
                ("pubblica: risultati", f"/trasparenza/{site.slug}/{site.year}/risultati/"),
                (
                    "pubblica: scheda",
                    f"/trasparenza/{site.slug}/{site.year}/schede/{site.objective}/",
                ),
                ("pubblica: open data", f"/trasparenza/{site.slug}/dati/"),
                ("pubblica: dati.csv", f"{open_data}.csv"),
                ("pubblica: dati.json", f"{open_data}.json"),
            ]
            if self.args.pdf:
                pdf = f"/trasparenza/{site.slug}/{site.year}/relazione.pdf"
                pages.append(("pubblica: relazione.pdf", pdf))
        else:
            pages = [
                ("piano", f"{plan}/"),
                ("ricerca nel piano", f"{plan}/?q=sintetico+7"),
                ("cruscotto", f"{plan}/cruscotto/"),
                ("Nucleo", f"{plan}/nucleo/"),
                ("Relazione", f"{plan}/documenti/relazione/"),
                ("Verifica intermedia", f"{plan}/documenti/verifica/{site.period}/"),
                ("documenti", f"{plan}/documenti/"),
                ("Le mie scadenze", f"/enti/{site.slug}/scadenze/"),
                ("periodi", f"{plan}/periodi/"),
                ("scheda", f"{scheda}/"),
                ("rilevazioni", f"{scheda}/rilevazioni/"),
            ]
        if self.args.pages:
            wanted = [w.strip().lower() for w in self.args.pages.split(",") if w.strip()]
            pages = [p for p in pages if any(w in p[0].lower() for w in wanted)]
        return pages

    def login(self, n: int, username: str) -> dict[str, str]:
        """A session through the login form of node n mod nodes: its cookies."""
        server = self.servers[n % len(self.servers)]
        client = HttpClient(server.port, self.args.timeout)
        try:
            status, _, body = client.request("GET", "/accesso/")
            token = csrf_token(body)
            if status != 200 or not token:
                raise BenchError(f"pagina di accesso: HTTP {status}")
            form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
            status, _, _ = client.request("POST", "/accesso/", form=form)
            if status != 302 or "sessionid" not in client.cookies:
                raise BenchError(f"accesso di {username} non riuscito (HTTP {status})")
            return dict(client.cookies)
        finally:
            client.close()

    def measure_page(self, label: str, path: str, sessions, site: Site) -> Row:
        row = Row(label, path)
        args = self.args
        # The first request, not counted: cold caches, the first view.
        client = HttpClient(self.servers[0].port, args.timeout, sessions[0] if sessions else None)
        started = time.perf_counter()
        try:
            status, _, body = client.request("GET", path)
        except OSError as error:
            raise BenchError(f"{label} ({path}): {type(error).__name__}: {error}") from error
        finally:
            client.close()
        row.first_ms = (time.perf_counter() - started) * 1000
        row.kib = len(body) / 1024
        if status != 200:
            row.errors.append(f"prima richiesta: HTTP {status}")
        else:
            self.load_run(row, sessions)
        row.load = read_loadavg()
        self.count_queries(row, public=sessions is None, site=site)
        print_row(row)
        if row.errors:
            self.failed = True
            print(f"    ERRORE {label}: {row.errors[0]} ({len(row.errors)} in tutto)", flush=True)
        return row

    def load_run(self, row: Row, sessions) -> None:
        args = self.args
        deadline = time.monotonic() + args.duration
        lock = threading.Lock()

        def client_loop(n: int) -> None:
            server = self.servers[n % len(self.servers)]
            cookies = sessions[n] if sessions else None
            client = HttpClient(server.port, args.timeout, cookies)
            try:
                while time.monotonic() < deadline:
                    started = time.perf_counter()
                    try:
                        status, _, _ = client.request("GET", row.path)
                    except OSError as error:
                        with lock:
                            row.errors.append(f"{type(error).__name__}: {error}")
                        client.close()
                        continue
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        if status == 200:
                            row.latencies.append(elapsed)
                        else:
                            row.errors.append(f"HTTP {status}")
            finally:
                client.close()

        threads = [
            threading.Thread(target=client_loop, args=(n,), daemon=True)
            for n in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def count_queries(self, row: Row, public: bool, site: Site) -> None:
        """The queries of one request, in-process, twice (the second may hit a cache)."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from traguardo.accounts.models import User

        client = Client()
        if not public:
            client.force_login(User.objects.get(username=site.username))
        counts = []
        if not self.args.queries:
            return
        try:
            for _ in range(self.args.queries):
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(row.path)
                if response.status_code != 200:
                    row.errors.append(f"in-process: HTTP {response.status_code}")
                    return
                counts.append(len(captured))
        except Exception as error:  # reported with the row: the page is broken in-process
            row.errors.append(f"in-process: {type(error).__name__}: {error}")
            return
        row.query_counts = tuple(counts)
        row.queries = "/".join(str(c) for c in counts)

    def compare(self, alone: list[Row], shared: list[Row]) -> None:
        print(
            f"\nStesso ente, da solo e con altri {self.args.tenants - 1} enti "
            f"(obiettivo p95 ≤ {GOAL_TENANT_RATIO}× da solo)"
        )
        print(f"{'pagina':<26} {'p95 solo ms':>12} {'p95 condiviso ms':>17} {'rapporto':>9}")
        for a, s in zip(alone, shared, strict=True):
            pa, ps = a.percentile(95), s.percentile(95)
            ratio = f"{ps / pa:.2f}×" if pa and ps else "—"
            mark = ""
            if pa and ps:
                mark = "  entro" if ps / pa <= GOAL_TENANT_RATIO else "  oltre l'obiettivo"
            print(f"{a.label:<26} {fmt_ms(pa):>12} {fmt_ms(ps):>17} {ratio:>9}{mark}")

    # -- two nodes -----------------------------------------------------------------------------

    def two_node_checks(self, site: Site) -> None:
        """Sessions and the public cache across the nodes; a write through A seen through B.

        The plan is consuntivato here (the public pages were measured last), so the Nucleo can
        validate it: its validation, POSTed through node A, must show on the public home page
        asked through node B."""
        a, b = self.servers[0], self.servers[1]
        print(f"\nVerifiche a due nodi (A :{a.port}, B :{b.port}, Redis :{self.redis_port})")
        timeout = self.args.timeout
        login = HttpClient(a.port, timeout)
        status, _, body = login.request("GET", "/accesso/")
        form = {"username": NUCLEO, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(body)}
        status, _, _ = login.request("POST", "/accesso/", form=form)
        cookies = dict(login.cookies)
        login.close()
        if status != 302 or "sessionid" not in cookies:
            raise BenchError(f"accesso del Nucleo tramite A non riuscito (HTTP {status})")

        review = f"/enti/{site.slug}/piani/{site.year}/nucleo/"
        on_b = HttpClient(b.port, timeout, cookies)
        status, headers, body = on_b.request("GET", review)
        on_b.close()
        self.check(
            status == 200,
            f"sessione aperta tramite A, pagina del Nucleo tramite B: HTTP {status}"
            + (f" → {headers.get('location')}" if status in (301, 302) else ""),
        )
        token = csrf_token(body)

        home = f"/trasparenza/{site.slug}/"
        anonymous_b = HttpClient(b.port, timeout)
        _, _, before = anonymous_b.request("GET", home)
        validated = b"validato dal Nucleo"
        self.check(validated not in before, "home pubblica tramite B prima: piano non validato")

        on_a = HttpClient(a.port, timeout, cookies)
        form = {
            "csrfmiddlewaretoken": token or "",
            "validated_on": date.today().isoformat(),
            "minutes": "Verbale n. 1 del banco di prova (bench/load.py).",
        }
        status, headers, _ = on_a.request(
            "POST", f"/enti/{site.slug}/piani/{site.year}/stato/valida/", form=form
        )
        on_a.close()
        self.check(status == 302, f"validazione del piano POST tramite A: HTTP {status}")

        status, _, after = anonymous_b.request("GET", home)
        anonymous_b.close()
        self.check(
            status == 200 and validated in after,
            f"home pubblica tramite B subito dopo: HTTP {status}, "
            + ("mostra la validazione" if validated in after else "NON la mostra"),
        )
        self.check_shared_cache(site)

    def check_shared_cache(self, site: Site) -> None:
        """A public page computed through A is served to B from Redis: B does not store it
        again (the key's remaining lifetime keeps going down instead of starting over)."""
        import redis

        store = redis.Redis(host="127.0.0.1", port=self.redis_port)
        path = f"/trasparenza/{site.slug}/{site.year}/risultati/"
        pattern = f"*:public:*{path}:*"  # …:<path>:<page number> (web.views.transparency)
        keys_before = set(store.scan_iter(match=pattern))
        a, b = self.servers[0], self.servers[1]
        timings = []
        for server in (a, b):
            client = HttpClient(server.port, self.args.timeout)
            started = time.perf_counter()
            client.request("GET", path)
            timings.append((time.perf_counter() - started) * 1000)
            client.close()
            if server is a:
                new = set(store.scan_iter(match=pattern)) - keys_before
                if len(new) != 1:
                    self.check(False, f"cache pubblica: {len(new)} chiavi nuove in Redis dopo A")
                    return
                key = new.pop()
                ttl_after_a = store.pttl(key)
                time.sleep(1.0)
        ttl_after_b = store.pttl(key)
        more = set(store.scan_iter(match=pattern)) - keys_before - {key}
        shared = not more and 0 < ttl_after_b < ttl_after_a - 500
        self.check(
            shared,
            f"cache pubblica condivisa: risultati calcolati tramite A in {timings[0]:.0f} ms, "
            f"serviti a B dalla stessa chiave Redis in {timings[1]:.0f} ms",
        )

    def check(self, ok: bool, text: str) -> None:
        print(f"  {'OK    ' if ok else 'FAILED'} {text}", flush=True)
        if not ok:
            self.failed = True


# ---------------------------------------------------------------------------------------------
# Servers and clients.


class Server:
    """One gunicorn, started as ``make run`` starts it, on a free loopback port."""

    def __init__(self, var_dir: str, number: int) -> None:
        self.name = "AB"[number]
        self.port = free_port()
        self.log_path = Path(var_dir) / f"gunicorn-{self.name}.log"
        self.process: subprocess.Popen | None = None
        config = ROOT / "gunicorn.conf.py"
        self.command = [sys.executable, "-m", "gunicorn", "traguardo.wsgi"]
        if config.exists():
            self.command += ["-c", str(config)]
        self.command += ["--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--timeout", "120"]

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        self.log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz", headers={"Host": HOST})
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            except OSError:
                pass
            time.sleep(0.2)
        tail = self.log_path.read_text(errors="replace").splitlines()[-15:]
        print("\n".join(tail))
        raise BenchError(f"gunicorn {self.name} non risponde su /healthz (porta {self.port})")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.log.close()
        self.process = None


class HttpClient:
    """One keep-alive connection (reopened when the server closes it) and a cookie jar."""

    def __init__(self, port: int, timeout: float, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies = dict(cookies or {})
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout
                )
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection the server closed meanwhile: one new try.
                self.close()
                if attempt == 2:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.will_close:
            self.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def csrf_token(body: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    return match.group(1).decode() if match else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "—"


# ---------------------------------------------------------------------------------------------
# The table.

COLUMNS = (
    ("pagina", 26),
    ("query", 9),
    ("KiB", 7),
    ("prima ms", 9),
    ("p50 ms", 8),
    ("p95 ms", 8),
    ("max ms", 8),
    ("richieste", 9),
    ("errori", 6),
    ("load 1m", 7),
)


def fmt_ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}".replace(",", ".")


def print_header(title: str) -> None:
    print(f"\n{title}")
    print(
        "query: in-process, prima/seconda richiesta; KiB: corpo della prima risposta; "
        "prima: richiesta non contata; load 1m: /proc/loadavg a fine pagina"
    )
    print(" ".join(name.rjust(w) if i else name.ljust(w) for i, (name, w) in enumerate(COLUMNS)))
    print(" ".join("-" * w for _, w in COLUMNS), flush=True)


def print_row(row: Row) -> None:
    cells = [
        row.label,
        row.queries,
        f"{row.kib:,.0f}".replace(",", "."),
        fmt_ms(row.first_ms),
        fmt_ms(row.percentile(50)),
        fmt_ms(row.percentile(95)),
        fmt_ms(max(row.latencies) if row.latencies else None),
        str(len(row.latencies)),
        str(len(row.errors)),
        row.load,
    ]
    print(
        " ".join(
            cell.rjust(w) if i else cell.ljust(w)
            for i, (cell, (_, w)) in enumerate(zip(cells, COLUMNS, strict=True))
        ),
        flush=True,
    )


def print_goals(rows: list[Row]) -> None:
    """The goals next to the figures; printed, never asserted."""
    p95 = [r for r in rows if r.percentile(95) is not None]
    over = [r.label for r in p95 if r.percentile(95) > GOAL_P95_MS]
    queries = [r.label for r in rows if r.query_counts and r.query_counts[-1] > GOAL_QUERIES]
    heavy = [
        r.label for r in rows if r.kib > GOAL_KIB and not r.path.endswith((".csv", ".json", ".pdf"))
    ]
    print("\nObiettivi (stampati, mai verificati):")
    print(
        f"  p95 goal ≤ {GOAL_P95_MS} ms: {len(p95) - len(over)} pagine su {len(p95)} entro"
        + (f"; oltre: {', '.join(over)}" if over else "")
    )
    print(
        f"  query goal ≤ {GOAL_QUERIES} (seconda richiesta), uguali a 11 e 2.000 schede: "
        f"{len(rows) - len(queries)} su {len(rows)} entro"
        + (f"; oltre: {', '.join(queries)}" if queries else "")
    )
    print(
        f"  prima vista goal ≤ {GOAL_KIB} KiB di HTML: "
        + (f"oltre: {', '.join(heavy)}" if heavy else "tutte entro")
    )


if __name__ == "__main__":
    sys.exit(main())
