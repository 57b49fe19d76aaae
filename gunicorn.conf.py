"""Gunicorn's settings for Traguardo (`make run`; the README's systemd unit uses it too).

The application is loaded once, in the master, before the workers are forked
(``preload_app``): Django, the URLconf and every view module they import (WeasyPrint,
openpyxl…) are imported once and their memory pages shared by the workers, copy-on-write.
Preloading opens no database connection (Django opens them lazily, at a request's first query)
and starts no thread (jobs run in a separate ``db_worker`` process, started beside gunicorn by
``make run``); ``when_ready`` closes any connection all the same, so that no worker inherits a
socket.

Before each fork the master moves every object it holds into the garbage collector's permanent
generation (``gc.freeze()``): a worker's collections then never walk — nor touch, which would
copy their pages — the tens of thousands of objects imported at start-up. In the workers the
first generation collects after ``GC_THRESHOLD[0]`` allocations instead of 700: computing the
kept results of a plan of 2,000 schede (``planning.kept``, once per change) allocates millions
of objects, almost none of them in cycles, and the default threshold runs the collector
thousands of times for it (bench/gc.py measured it on the whole-plan page before the results
were kept: 4.5 s of CPU with Python's default, against 2.7 s with this setting; the price is a
higher memory peak per worker, ~300 → ~500–800 MiB, as cyclic garbage waits longer).

Bind address, workers and the access log are given on the command line (Makefile, README).
"""

import gc

# Import the application in the master, once, before forking the workers.
preload_app = True

# The workers' collector thresholds: (first generation, second, third). See bench/gc.py.
GC_THRESHOLD = (50_000, 20, 10)


def when_ready(server) -> None:
    """The application is loaded: import the URLconf (every view module) and freeze."""
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module, once, in the master)
    connections.close_all()
    gc.collect()
    gc.freeze()
    server.log.info("Traguardo loaded: %d objects frozen for the workers", gc.get_freeze_count())


def pre_fork(server, worker) -> None:
    # Whatever the master allocated since (a worker replaced later): frozen too.
    gc.freeze()


def post_fork(server, worker) -> None:
    gc.set_threshold(*GC_THRESHOLD)
