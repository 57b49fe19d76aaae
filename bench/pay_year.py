"""The year's premiums through the database: `evaluation.pay.year_pay`, the payroll files and
the public aggregates, for one family of N people with final evaluations.

Figures are printed, never asserted: queries, CPU time (process_time), the tracemalloc peak
of each step and the files' sizes. A throwaway SQLite database; each person has one individual
goal (target 100, reached 30–100), random service (fixed seed).

    PYTHONPATH=src .venv/bin/python bench/pay_year.py [--people 100 1000]
"""

import argparse
import os
import random
import shutil
import tempfile
import time
import tracemalloc
from datetime import date
from decimal import Decimal

from steps import setup_django


def measure(label: str, work) -> object:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    traced = not os.environ.get("BENCH_PROFILE")
    if traced:
        tracemalloc.start()
    start = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        result = work()
    cpu = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    if traced:
        tracemalloc.stop()
    size = f", {len(result) / 1024:.0f} KiB" if isinstance(result, bytes) else ""
    memory = f"peak {peak / 2**20:6.1f} MiB"
    print(f"  {label:<22} {len(queries):>4} queries, cpu {cpu:6.3f} s, {memory}{size}")
    return result


def build(people: int, name: str):
    from tests.factories import (
        AssignmentFactory,
        AuthorityFactory,
        FamilyFactory,
        PersonFactory,
        SchemeFactory,
    )
    from traguardo.evaluation.models import Evaluation, Fund, IndividualGoal

    rnd = random.Random(people)  # noqa: S311 -- reproducible figures, not secrets
    authority = AuthorityFactory(name=f"Comune {name}", slug=f"comune-{name}")
    scheme = SchemeFactory(authority=authority, year=2025, increase=Decimal(30), franchise_days=10)
    family = FamilyFactory(
        scheme=scheme, name="Dipendenti", components={"individual_objectives": 100}, behaviours=()
    )
    Fund.objects.create(authority=authority, family=family, amount=Decimal("1234567.89"))
    evaluator = PersonFactory(authority=authority)
    for n in range(people):
        assignment = AssignmentFactory(
            family=family,
            evaluator=evaluator,
            payroll_code=f"M{n:05}",
            service_from=date(2025, rnd.randint(1, 12), 1) if rnd.random() < 0.1 else None,
            part_time=Decimal(rnd.choice((50, 83, 100))),
            absence_days=rnd.randint(0, 20),
        )
        IndividualGoal.objects.create(
            authority=authority, assignment=assignment, title="Obiettivo", indicator="i",
            target=Decimal(100), actual=Decimal(rnd.randint(3000, 10000)) / 100,
        )  # fmt: skip
        Evaluation.objects.create(authority=authority, assignment=assignment, state="final")
    return scheme


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="traguardo-bench-pay-")
    os.environ["TRAGUARDO_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    try:
        setup_django()
        from django.core.management import call_command
        from django_scopes import scopes_disabled

        from traguardo.evaluation.pay import year_pay
        from traguardo.exchange.payroll import payroll_csv, payroll_xlsx
        from traguardo.reports.premiums import public_families

        call_command("migrate", verbosity=0)
        with open("/proc/loadavg") as loadavg:
            print(f"load: {loadavg.read().strip()}")
        for count in args.people:
            with scopes_disabled():
                scheme = build(count, f"p{count}")
                print(f"{count} people, SQLite")
                pay = measure("year_pay", lambda s=scheme: year_pay(s))
                measure("payroll CSV", lambda p=pay: payroll_csv(p))
                measure("payroll XLSX", lambda p=pay: payroll_xlsx(p))
                measure("public aggregates", lambda s=scheme: public_families(s))
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
