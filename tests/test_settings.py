"""Production posture: secrets required, demo passwords refused, CSP without inline script."""

import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from traguardo.accounts.demo import DEMO_PASSWORD

# Each environment's settings are read by Django's own LazySettings in a fresh import of
# traguardo.settings, all in ONE interpreter: starting Python and Django once per environment
# cost about a second each, a dozen times. The environment of the last case (production, every
# secret from a file) then starts Django for good (django.setup()), as ``make run`` would.
_CHILD = """
import contextlib, io, json, os, sys, traceback
from django.conf import settings
from django.utils.functional import empty

cases, last = json.loads(sys.argv[1]), sys.argv[2]
base = dict(os.environ)
results = {}
for name, (environment, code) in [*((n, c) for n, c in cases.items() if n != last),
                                  (last, cases[last])]:
    os.environ.clear()
    os.environ.update(base, **environment)
    sys.modules.pop("traguardo.settings", None)
    settings._wrapped = empty  # read DJANGO_SETTINGS_MODULE again, in this environment
    out, err, code_ = io.StringIO(), io.StringIO(), 0
    try:
        with contextlib.redirect_stdout(out):
            if name == last:
                import django
                django.setup()
            else:
                settings.LOGGING_CONFIG  # what django.setup() reads first: loads the module
            exec(code, {})
    except Exception:
        err.write(traceback.format_exc())
        code_ = 1
    results[name] = (code_, out.getvalue(), err.getvalue())
print(json.dumps(results))
"""


def run_django(cases: dict, last: str) -> dict:
    """Run each case (name: (environment, code)) with the settings of its environment, the
    TRAGUARDO_ variables of this process left out; ``last`` also starts Django. Each result
    has the returncode, stdout and stderr that case alone would have had."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRAGUARDO_")}
    environment.update(DJANGO_SETTINGS_MODULE="traguardo.settings")
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", _CHILD, json.dumps(cases), last],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {
        name: SimpleNamespace(returncode=code, stdout=out, stderr=err)
        for name, (code, out, err) in json.loads(result.stdout.splitlines()[-1]).items()
    }


PRODUCTION = {"TRAGUARDO_PRODUCTION": "1"}
BASE = {**PRODUCTION, "TRAGUARDO_SECRET_KEY": "s" * 50, "TRAGUARDO_ALLOWED_HOSTS": "x.it"}
PROXY = "from django.conf import settings; print(settings.PROXY_COUNT)"
CACHES = (
    "from django.conf import settings; "
    "print(*(settings.CACHES[a]['BACKEND'] for a in ('default', 'results'))); "
    "print(*(settings.CACHES[a]['LOCATION'] for a in ('default', 'results'))); "
    "print(settings.SESSION_ENGINE)"
)
REDIS_URL = "redis://127.0.0.1:6379/3"


@pytest.fixture(scope="module")
def environments(tmp_path_factory):
    """Every environment the tests below start Django with, read in one subprocess."""
    files = tmp_path_factory.mktemp("secrets")
    (files / "key").write_text("k" * 60 + "\n")
    (files / "audit").write_text("q" * 48 + "\n")
    cases = {
        "no secret": ({**PRODUCTION, "TRAGUARDO_ALLOWED_HOSTS": "x.it"}, "pass"),
        "secret file": (
            {
                **PRODUCTION,
                "TRAGUARDO_SECRET_KEY_FILE": str(files / "key"),
                "TRAGUARDO_AUDIT_KEY": "a" * 40,
                "TRAGUARDO_ALLOWED_HOSTS": "performance.comune.example.it",
            },
            "from django.conf import settings; print(settings.SECRET_KEY, settings.DEBUG)",
        ),
        "no hosts": (
            {**PRODUCTION, "TRAGUARDO_SECRET_KEY_FILE": str(files / "key")},
            "pass",
        ),
        "no audit key": (BASE, "pass"),
        "short audit key": ({**BASE, "TRAGUARDO_AUDIT_KEY": "corta"}, "pass"),
        "same audit key": ({**BASE, "TRAGUARDO_AUDIT_KEY": "s" * 50}, "pass"),
        "audit key file": (
            {**BASE, "TRAGUARDO_AUDIT_KEY_FILE": str(files / "audit")},
            "from django.conf import settings; print(settings.AUDIT_KEY, settings.PROXY_COUNT)",
        ),
        "proxy default": ({}, PROXY),
        "proxy 2": ({"TRAGUARDO_PROXY_COUNT": "2"}, PROXY),
        "behind proxy": ({"TRAGUARDO_BEHIND_PROXY": "1"}, PROXY),
        "proxy -1": ({"TRAGUARDO_PROXY_COUNT": "-1"}, PROXY),
        "malformed boolean": ({"TRAGUARDO_DEBUG": "forse"}, "pass"),
        "cache url": ({"TRAGUARDO_CACHE_URL": REDIS_URL}, CACHES),
        "no cache url": ({}, CACHES),
    }
    return run_django(cases, last="secret file")


def test_production_requires_a_secret_key(environments):
    result = environments["no secret"]
    assert result.returncode != 0
    assert "TRAGUARDO_SECRET_KEY (or TRAGUARDO_SECRET_KEY_FILE) is required" in result.stderr


def test_production_reads_the_secret_from_a_file_and_requires_hosts(environments):
    # Django starts (django.setup()) in this production environment, then reads the settings.
    result = environments["secret file"]
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["k" * 60, "False"]
    no_hosts = environments["no hosts"]
    assert "TRAGUARDO_ALLOWED_HOSTS is required in production" in no_hosts.stderr


def test_production_requires_an_audit_key_of_its_own(environments):
    missing = environments["no audit key"]
    assert "TRAGUARDO_AUDIT_KEY (or TRAGUARDO_AUDIT_KEY_FILE) is required" in missing.stderr
    short = environments["short audit key"]
    assert "TRAGUARDO_AUDIT_KEY must have at least 32 characters" in short.stderr
    same = environments["same audit key"]
    assert "differ from TRAGUARDO_SECRET_KEY" in same.stderr
    read = environments["audit key file"]
    assert read.stdout.split() == ["q" * 48, "1"]


def test_the_proxy_count_follows_the_environment(environments):
    assert environments["proxy default"].stdout.split() == ["0"]
    assert environments["proxy 2"].stdout.split() == ["2"]
    assert environments["behind proxy"].stdout.split() == ["1"]
    assert "TRAGUARDO_PROXY_COUNT must be 0 or more" in environments["proxy -1"].stderr


def test_a_malformed_boolean_fails_loudly(environments):
    result = environments["malformed boolean"]
    assert "TRAGUARDO_DEBUG must be a boolean" in result.stderr


def test_production_refuses_demo_accounts_and_demo_passwords(client, settings, demo):
    settings.PRODUCTION = True
    assert client.login(username="serrao", password=DEMO_PASSWORD) is False
    with pytest.raises(CommandError, match="non si creano in produzione"):
        call_command("create_demo_users")


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_script(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_a_cache_url_puts_both_caches_and_the_sessions_in_redis(environments):
    redis = "django.core.cache.backends.redis.RedisCache"
    shared = environments["cache url"].stdout.splitlines()
    assert shared == [
        f"{redis} {redis}",
        f"{REDIS_URL} {REDIS_URL}",
        "django.contrib.sessions.backends.cached_db",
    ]
    local = environments["no cache url"].stdout.splitlines()
    assert local[0].split() == [
        "django.core.cache.backends.filebased.FileBasedCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    ]
    assert local[2] == "django.contrib.sessions.backends.db"
