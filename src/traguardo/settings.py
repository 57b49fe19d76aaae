"""Traguardo settings: one module, configured from the environment.

Every variable is parsed strictly and fails loudly. The defaults serve the demo (`make run`):
SQLite under ``var/`` and a generated secret key. ``TRAGUARDO_PRODUCTION=1`` turns on the
production posture: DEBUG off, secrets and hosts required, HTTPS-only cookies, HSTS.
Secrets may also come from ``<NAME>_FILE`` (Docker/systemd credentials).
"""

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.contrib.messages import constants as message_constants
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the file named by NAME_FILE (stripped)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int) -> int:
    value = env(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


PRODUCTION = envbool("TRAGUARDO_PRODUCTION", False)
DEBUG = envbool("TRAGUARDO_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("TRAGUARDO_DEBUG cannot be on with TRAGUARDO_PRODUCTION")

VAR_DIR = Path(env("TRAGUARDO_VAR_DIR", str(PROJECT_DIR / "var")) or "var")


def _secret_key() -> str:
    key = env("TRAGUARDO_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "TRAGUARDO_SECRET_KEY (or TRAGUARDO_SECRET_KEY_FILE) is required"
        )
    # Demo: a key generated once and kept beside the database, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()


ALLOWED_HOSTS = envlist("TRAGUARDO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("TRAGUARDO_ALLOWED_HOSTS is required in production")
CSRF_TRUSTED_ORIGINS = envlist("TRAGUARDO_CSRF_TRUSTED_ORIGINS")


def _audit_key() -> str:
    """The key that authenticates every audit entry and checkpoint (HMAC-SHA256).

    Kept outside the database, so that someone who can write the database but not read this
    key cannot rewrite the log and recompute its hashes. Production requires it (at least 32
    characters, distinct from SECRET_KEY); the demo generates one beside the database.
    """
    key = env("TRAGUARDO_AUDIT_KEY")
    if key:
        if PRODUCTION and (len(key) < 32 or key == SECRET_KEY):
            raise ImproperlyConfigured(
                "TRAGUARDO_AUDIT_KEY must have at least 32 characters and differ from "
                "TRAGUARDO_SECRET_KEY"
            )
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("TRAGUARDO_AUDIT_KEY (or TRAGUARDO_AUDIT_KEY_FILE) is required")
    path = VAR_DIR / "audit_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


AUDIT_KEY = _audit_key()
# The audit log's checkpoints (its head: id, hash, time), appended at every lifecycle step and
# at least daily, outside the database: back this file up apart from the database.
AUDIT_CHECKPOINT_FILE = Path(
    env("TRAGUARDO_AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit" / "checkpoints.jsonl"))
    or VAR_DIR / "audit" / "checkpoints.jsonl"
)
# The same checkpoints also go to syslog at this address ("/dev/log", "host:514"), if set.
AUDIT_SYSLOG = env("TRAGUARDO_AUDIT_SYSLOG", "") or ""

INSTALLED_APPS = [
    "traguardo.core",
    "traguardo.accounts",
    "traguardo.organization",
    "traguardo.planning",
    "traguardo.monitoring",
    "traguardo.evaluation",
    "traguardo.audit",
    "traguardo.imports",
    "traguardo.reports",
    "traguardo.jobs",
    "traguardo.exchange",
    "traguardo.web",
    # Django's task framework (backport) and its database queue, the default backend.
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rules.apps.AutodiscoverRulesConfig",
    "django_scopes",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Only for its static files (Bootstrap Italia 2.x); our own base template is used.
    "bootstrap_italia_template",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every answer but the public pages: Cache-Control: no-store, private (shared office PCs).
    "traguardo.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: request.user.is_verified() (the TOTP code of this session).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication: ends sessions idle too long or older than the absolute limit.
    "traguardo.core.middleware.SessionLimitsMiddleware",
    # After the session limits: a user with a TOTP device gives the code before any page; one
    # whose role requires the second factor and has no device is sent to activate it.
    "traguardo.accounts.middleware.OTPRequiredMiddleware",
    # A GET or HEAD remembers the rows several helpers read (current period, SMVP): core.memo.
    "traguardo.core.middleware.RequestMemoMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "traguardo.urls"
WSGI_APPLICATION = "traguardo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "traguardo.core.context_processors.tenant",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# Database: SQLite (WAL) under var/ unless DATABASE_URL names another one.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "traguardo.sqlite3"),
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
                ),
                # Writers take the lock at BEGIN, so concurrent writers queue instead of failing.
                "transaction_mode": "IMMEDIATE",
            },
            # Tests use a file too, not a shared in-memory database: concurrent requests then
            # meet SQLite's real locking (WAL, busy timeout), as in production.
            "TEST": {"NAME": str(VAR_DIR / "test-traguardo.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
MESSAGE_TAGS = {message_constants.ERROR: "danger"}  # Bootstrap's alert-danger
LOGIN_URL = "login"
# The one-time link an admin sends to choose a new password lasts 24 hours.
PASSWORD_RESET_TIMEOUT = 24 * 3600
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "traguardo.accounts.backends.AuthBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "traguardo.accounts.validators.DemoPasswordValidator"},
]

LANGUAGE_CODE = "it"
LANGUAGES = [("it", "Italiano")]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# The user guide (Markdown and screenshots), served at /guida/: docs/guida/ of a source checkout,
# else where a wheel installs it (pyproject's data-files: <prefix>/share/traguardo/guida).
GUIDE_DIR = Path(
    env("TRAGUARDO_GUIDE_DIR", "")
    or next(
        (
            path
            for path in (PROJECT_DIR / "docs" / "guida", Path(sys.prefix) / "share/traguardo/guida")
            if path.is_dir()
        ),
        PROJECT_DIR / "docs" / "guida",
    )
)
WHITENOISE_MANIFEST_STRICT = True

# Sessions end after 30 minutes without a request and 12 hours after the login whatever happens
# (SessionLimitsMiddleware, against times stored in the session). A page view does not write
# the session: its idle clock is refreshed at most once a minute, and that save renews the
# stored session's and the cookie's expiry (SESSION_COOKIE_AGE from the save), so they stay
# within a minute of the idle limit.
SESSION_IDLE_SECONDS = envint("TRAGUARDO_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_MAX_SECONDS = envint("TRAGUARDO_SESSION_MAX_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Login lockout (django-axes): 5 failures in 15 minutes for one username from one address lock
# that pair for 15 minutes, and 10 failures for one username from any addresses lock the
# username (accounts.lockout): rotating addresses buys no more guesses. A successful login
# clears its failures; an admin can lift a lock (the person's page, or axes_reset_username).
AXES_ENABLED = envbool("TRAGUARDO_LOCKOUT", True)
AXES_FAILURE_LIMIT = 5
LOCKOUT_USERNAME_LIMIT = 10
AXES_VERBOSE = False
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "traguardo.accounts.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
AXES_LOCKOUT_CALLABLE = "traguardo.core.middleware.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The client's address (lockout, audit): behind PROXY_COUNT trusted proxies (nginx: 1, the
# default in production) it is the entry that many places from the end of X-Forwarded-For —
# the one the outermost trusted proxy wrote; with 0 it is REMOTE_ADDR (core.middleware.client_ip).
# TRAGUARDO_BEHIND_PROXY=1/0 is the older spelling of 1/0 proxies.
PROXY_COUNT = envint(
    "TRAGUARDO_PROXY_COUNT", 1 if envbool("TRAGUARDO_BEHIND_PROXY", PRODUCTION) else 0
)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRAGUARDO_PROXY_COUNT must be 0 or more")
AXES_CLIENT_IP_CALLABLE = "traguardo.core.middleware.client_ip"

# Second factor (django-otp, TOTP). A user with a confirmed device gives the 6-digit code after
# the password, at every login. The roles in OTP_REQUIRED_ROLES must have a device: in
# production by default; TRAGUARDO_OTP_REQUIRED=1/0 forces the policy on or off (the demo,
# `make run`, runs without it). Wrong codes are throttled by django-otp (1 s, 2 s, 4 s, …).
OTP_REQUIRED = envbool("TRAGUARDO_OTP_REQUIRED", PRODUCTION)
OTP_REQUIRED_ROLES = ["admin", "evaluator"] if OTP_REQUIRED else []
OTP_TOTP_ISSUER = "Traguardo"
OTP_TOTP_THROTTLE_FACTOR = 1

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("TRAGUARDO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("TRAGUARDO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy (nginx, the Comune's load balancer).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy: everything from our own origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# The address people reach Traguardo at, for links in e-mails (reminders).
BASE_URL = (env("TRAGUARDO_BASE_URL", "") or "").rstrip("/")

EMAIL_BACKEND = env("TRAGUARDO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("TRAGUARDO_FROM_EMAIL", "traguardo@localhost")
EMAIL_HOST = env("TRAGUARDO_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("TRAGUARDO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("TRAGUARDO_EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = env("TRAGUARDO_EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = envbool("TRAGUARDO_EMAIL_TLS", False)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("TRAGUARDO_LOG_LEVEL", "INFO")},
    # The PDF libraries' chatter (pikepdf says at import that its logger bridge is ready).
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        "pikepdf": {"level": "WARNING"},
    },
}
if AUDIT_SYSLOG:
    _host, _, _port = AUDIT_SYSLOG.rpartition(":")
    LOGGING["handlers"]["audit_syslog"] = {
        "class": "logging.handlers.SysLogHandler",
        "address": (_host, int(_port)) if _host and _port.isdigit() else AUDIT_SYSLOG,
        "facility": "auth",
    }
    LOGGING["loggers"]["traguardo.audit"] = {"handlers": ["audit_syslog"], "level": "INFO"}

# Long work (whole-plan documents and workbooks, imports) runs as a task of Django's task
# framework (the django-tasks backport): "database" (default) queues it in this database for
# `python -m traguardo db_worker` (`make run` starts one beside gunicorn); "rq" queues it in
# Redis (TRAGUARDO_TASKS_REDIS_URL) for `python -m traguardo rqworker --job-class
# django_tasks_rq.Job` (pip install django-tasks-rq, see the README).
TASKS_BACKEND = env("TRAGUARDO_TASKS_BACKEND", "database")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "rq":
    TASKS_REDIS_URL = env("TRAGUARDO_TASKS_REDIS_URL", "")
    if not TASKS_REDIS_URL:
        raise ImproperlyConfigured("TRAGUARDO_TASKS_BACKEND=rq needs TRAGUARDO_TASKS_REDIS_URL")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(
        f"TRAGUARDO_TASKS_BACKEND must be database or rq, not {TASKS_BACKEND!r}"
    )
# A running job without a heartbeat for this long is «interrotta» (its worker stopped): it can
# be started again at once. It beats at every progress step and from a timer (window / 4).
TRAGUARDO_JOB_HEARTBEAT_SECONDS = envint("TRAGUARDO_JOB_HEARTBEAT_SECONDS", 120)
# The largest file an import accepts (MB), checked before any parser reads it.
TRAGUARDO_IMPORT_MAX_MB = envint("TRAGUARDO_IMPORT_MAX_MB", 10)
# LibreOffice, to convert old .doc/.xls imports ("" = look for soffice on the PATH; none found:
# such files are refused with how to save them as .docx/.xlsx).
TRAGUARDO_SOFFICE = env("TRAGUARDO_SOFFICE", "")

# Caches. Without TRAGUARDO_CACHE_URL: rendered documents that anonymous visitors ask for (the
# public Relazione PDF) and public answers in files under var/ (shared by every web process of
# the machine), and the plans' kept results likewise, under var/cache/results.
# With TRAGUARDO_CACHE_URL (redis://host:6379/0, Debian's redis-server): both in Redis, shared
# by every web node. Kept results are keyed by the plan's data version (planning.kept), so a
# cache never has to be told that something changed and losing it costs only a recomputation.
CACHE_URL = env("TRAGUARDO_CACHE_URL", "")
# Compute a plan's kept results again right after a change is committed (planning.kept).
TRAGUARDO_KEEP_WARM = envbool("TRAGUARDO_KEEP_WARM", True)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "TIMEOUT": 24 * 3600,
            "KEY_PREFIX": "traguardo",
        },
        "results": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "TIMEOUT": 7 * 24 * 3600,
            "KEY_PREFIX": "traguardo-results",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache",
            "TIMEOUT": 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
        "results": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": VAR_DIR / "cache" / "results",
            "TIMEOUT": 7 * 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 500},
        },
    }
# Rendered fragments of the list pages (the plan page, cruscotto, Le mie scadenze, rilevazioni,
# the Relazione's and the Verifica's lists: thousands of template variables at 2,000 schede),
# keyed by the kept plan's key (which carries the data version), the query and what the user
# may do (web.fragments): in each process's memory, bounded; losing them costs one rendering
# from the kept results.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "traguardo-fragments",
    "TIMEOUT": 3600,
    # A scheda's rilevazioni are two entries per indicator or activity (about 3 KiB each), a
    # list page's one to three (up to ~60 KiB): ~10-20 MiB a process when full.
    "OPTIONS": {"MAX_ENTRIES": 1000},
}
# Sessions live in the database, which every web node shares. With Redis they are also kept in
# the cache ("cached_db"): a page view reads its session from Redis instead of the database,
# while every save still goes to the database too, so a Redis restart logs nobody out. Ending a
# person's sessions needs neither (it changes the user's sessions epoch: accounts.recovery).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)
# Public (transparency) answers are kept this long in the cache above; any write changes their
# key at once, so this only bounds how long an unaudited change could go unseen. 0: off.
TRAGUARDO_PUBLIC_PAGE_CACHE_SECONDS = envint("TRAGUARDO_PUBLIC_PAGE_CACHE_SECONDS", 600)
