"""The settings of a test run: the project's own, with a var directory of each xdist worker.

Under pytest-xdist every worker is a process of its own with its own test database
(pytest-django suffixes its name with the worker id, on SQLite and PostgreSQL alike); the var
directory (secret and audit keys, media, the SQLite test file) is made the worker's own here,
before the project's settings read it, as ``TRAGUARDO_VAR_DIR`` would for a second server.
"""

import os
from pathlib import Path

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    _base = os.environ.get("TRAGUARDO_VAR_DIR") or str(Path(__file__).resolve().parents[1] / "var")
    os.environ["TRAGUARDO_VAR_DIR"] = str(Path(_base) / "xdist" / _worker)

from traguardo.settings import *  # noqa: E402, F403
