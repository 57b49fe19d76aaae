"""The results-based pay at scale: CPU time and peak memory of `scoring.distribute`.

Figures are printed, never asserted. Random payees (fixed seed): scores 30–100, 30–365 days
of service, part time 50/83/100 %, up to 20 days of absence; the default bands, the CCNL
increase and largest-remainder rounding, over a fund of 1,234,567.89 €.

    PYTHONPATH=src .venv/bin/python bench/pay.py [--people 100 1000 5000]
"""

import argparse
import random
import time
import tracemalloc
from decimal import Decimal

from traguardo.scoring import (
    AbsenceRule,
    Differentiation,
    Fund,
    PayBand,
    PayBands,
    PayBasis,
    Payee,
    PayRules,
    Service,
    distribute,
)

BANDS = PayBands(
    tuple(
        PayBand(Decimal(lower), Decimal(share))
        for lower, share in ((0, 0), (50, 60), (70, 80), (90, 100))
    )
)
RULES = PayRules(BANDS, PayBasis.SCORE, AbsenceRule(10), Differentiation())


def payees(count: int, seed: int = 1) -> list[Payee]:
    rnd = random.Random(seed)  # noqa: S311 -- reproducible figures, not secrets
    return [
        Payee(
            i,
            Decimal(rnd.randint(3000, 10000)) / 100,
            Service(rnd.randint(30, 365), Decimal(rnd.choice((50, 83, 100))), rnd.randint(0, 20)),
        )
        for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[100, 1000, 5000])
    args = parser.parse_args()
    fund = Fund("bench", 2025, Decimal("1234567.89"))
    with open("/proc/loadavg") as loadavg:
        print(f"load: {loadavg.read().strip()}")
    for count in args.people:
        people = payees(count)
        tracemalloc.start()
        start = time.process_time()
        result = distribute(fund, people, RULES)
        cpu = time.process_time() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"{count:>6} people: cpu {cpu:.3f} s, peak {peak / 2**20:.1f} MiB, "
            f"distributed {result.distributed}, remainder {result.remainder}"
        )


if __name__ == "__main__":
    main()
