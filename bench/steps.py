"""What the step-by-step benchmarks share (documents.py, imports.py).

Each measured step runs in its own process (``run_step``), so that the process's peak RSS
(``peak_rss_mib``) is that step's own; steps print one JSON line, which the parent reads.
"""

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def setup_django() -> None:
    """Django with the project's settings; ``synthetic`` and ``tests`` importable."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traguardo.settings")
    sys.path[:0] = [str(ROOT / "src"), str(BENCH_DIR), str(ROOT)]
    import django

    django.setup()


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run_step(script: Path, env: dict, *args: str) -> dict:
    """Run ``script`` with ``args`` in a new process; its last output line, as JSON."""
    done = subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"passo {args} di {script.name} non riuscito:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_synthetic(schede: int):
    """Migrate the step's database and build the synthetic plan of ``schede`` schede."""
    from django.core.management import call_command
    from django_scopes import scopes_disabled
    from synthetic import build

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    with scopes_disabled():
        return build(schede=schede)


def synthetic_plan():
    """The synthetic plan built by an earlier step, in this step's process."""
    from django_scopes import scopes_disabled
    from synthetic import SLUG, YEAR

    from traguardo.planning.models import Plan

    with scopes_disabled():
        return Plan.objects.select_related("authority").get(authority__slug=SLUG, year=YEAR)
