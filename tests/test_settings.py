"""Production posture: secrets required, demo passwords refused, CSP without inline script."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from traguardo.accounts.demo import DEMO_PASSWORD, create_demo_accounts
from traguardo.imports.seed import load_seed


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRAGUARDO_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="traguardo.settings")
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_requires_a_secret_key():
    result = run_django("pass", TRAGUARDO_PRODUCTION="1", TRAGUARDO_ALLOWED_HOSTS="x.it")
    assert result.returncode != 0
    assert "TRAGUARDO_SECRET_KEY (or TRAGUARDO_SECRET_KEY_FILE) is required" in result.stderr


def test_production_reads_the_secret_from_a_file_and_requires_hosts(tmp_path):
    key = tmp_path / "key"
    key.write_text("k" * 60 + "\n")
    result = run_django(
        "from django.conf import settings; print(settings.SECRET_KEY, settings.DEBUG)",
        TRAGUARDO_PRODUCTION="1",
        TRAGUARDO_SECRET_KEY_FILE=str(key),
        TRAGUARDO_AUDIT_KEY="a" * 40,
        TRAGUARDO_ALLOWED_HOSTS="performance.comune.example.it",
    )
    assert result.stdout.split() == ["k" * 60, "False"]
    no_hosts = run_django("pass", TRAGUARDO_PRODUCTION="1", TRAGUARDO_SECRET_KEY_FILE=str(key))
    assert "TRAGUARDO_ALLOWED_HOSTS is required in production" in no_hosts.stderr


def test_production_requires_an_audit_key_of_its_own(tmp_path):
    base = {
        "TRAGUARDO_PRODUCTION": "1",
        "TRAGUARDO_SECRET_KEY": "s" * 50,
        "TRAGUARDO_ALLOWED_HOSTS": "x.it",
    }
    missing = run_django("pass", **base)
    assert "TRAGUARDO_AUDIT_KEY (or TRAGUARDO_AUDIT_KEY_FILE) is required" in missing.stderr
    short = run_django("pass", **base, TRAGUARDO_AUDIT_KEY="corta")
    assert "TRAGUARDO_AUDIT_KEY must have at least 32 characters" in short.stderr
    same = run_django("pass", **base, TRAGUARDO_AUDIT_KEY="s" * 50)
    assert "differ from TRAGUARDO_SECRET_KEY" in same.stderr
    key = tmp_path / "audit"
    key.write_text("q" * 48 + "\n")
    read = run_django(
        "from django.conf import settings; print(settings.AUDIT_KEY, settings.PROXY_COUNT)",
        **base,
        TRAGUARDO_AUDIT_KEY_FILE=str(key),
    )
    assert read.stdout.split() == ["q" * 48, "1"]


def test_the_proxy_count_follows_the_environment():
    code = "from django.conf import settings; print(settings.PROXY_COUNT)"
    assert run_django(code).stdout.split() == ["0"]
    assert run_django(code, TRAGUARDO_PROXY_COUNT="2").stdout.split() == ["2"]
    assert run_django(code, TRAGUARDO_BEHIND_PROXY="1").stdout.split() == ["1"]
    assert (
        "TRAGUARDO_PROXY_COUNT must be 0 or more"
        in run_django(code, TRAGUARDO_PROXY_COUNT="-1").stderr
    )


def test_a_malformed_boolean_fails_loudly():
    result = run_django("pass", TRAGUARDO_DEBUG="forse")
    assert "TRAGUARDO_DEBUG must be a boolean" in result.stderr


@pytest.mark.django_db
def test_production_refuses_demo_accounts_and_demo_passwords(client, settings):
    report = load_seed()
    create_demo_accounts(report.plan.authority)
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


def test_a_cache_url_puts_both_caches_and_the_sessions_in_redis():
    code = (
        "from django.conf import settings; "
        "print(*(settings.CACHES[a]['BACKEND'] for a in ('default', 'results'))); "
        "print(*(settings.CACHES[a]['LOCATION'] for a in ('default', 'results'))); "
        "print(settings.SESSION_ENGINE)"
    )
    redis = "django.core.cache.backends.redis.RedisCache"
    url = "redis://127.0.0.1:6379/3"
    shared = run_django(code, TRAGUARDO_CACHE_URL=url).stdout.splitlines()
    assert shared == [
        f"{redis} {redis}",
        f"{url} {url}",
        "django.contrib.sessions.backends.cached_db",
    ]
    local = run_django(code).stdout.splitlines()
    assert local[0].split() == [
        "django.core.cache.backends.filebased.FileBasedCache",
        "django.core.cache.backends.filebased.FileBasedCache",
    ]
    assert local[2] == "django.contrib.sessions.backends.db"
