"""Personas and fixtures shared by the whole suite.

Personas (as in healthchecks): ``admin`` of the demo Comune, ``manager_a`` heading unit A,
``manager_b`` heading unit B, ``evaluator`` (Nucleo), ``viewer``, ``contributor``,
``dipendente`` (an employee: their own individual evaluations only), ``valutatore`` (a manager
whose person gives an individual evaluation), and ``outsider``, the admin of another authority.
Every one logs in with PASSWORD.
"""

import copy
import threading
import uuid
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.cache import caches
from django.db import connections, transaction
from django.test import Client, override_settings
from django_scopes import scopes_disabled
from hypothesis import settings as hypothesis_settings

from tests.demo import write_seed
from tests.factories import (
    AuthorityFactory,
    MembershipFactory,
    OrgUnitFactory,
    PersonFactory,
    UserFactory,
)
from traguardo.accounts.demo import create_demo_accounts
from traguardo.accounts.models import Role
from traguardo.imports.seed import load_seed
from traguardo.planning import kept

# Property tests bound their work (examples, sizes), never their time: hypothesis's deadline
# (200 ms an example) fails on a busy machine for no fault of the code.
hypothesis_settings.register_profile("traguardo", deadline=None)
hypothesis_settings.load_profile("traguardo")

IMMEDIATE = "django_tasks.backends.immediate.ImmediateBackend"
DATABASE_QUEUE = "django_tasks_db.DatabaseBackend"
DUMMY = "django_tasks.backends.dummy.DummyBackend"


# A test that commits (a browser test against the live server, a race between threads, a
# worker killed) costs about ten times a test of the Django client in its rolled-back
# transaction: the weight of such a test in the order below.
COMMITTING_WEIGHT = 10


def _commits(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        item.get_closest_marker("browser")  # also those reaching the live server from a fixture
        or {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The files in the order of their cost, the costliest first (their tests in their order).

    pytest-xdist hands out whole files (``--dist loadfile``) in the order of this list
    (``--no-loadscope-reorder``, Makefile): the costly files go first, so that the last ones
    are short and both processes finish at about the same time. Its own order, by number of
    tests, would leave the browser files and the races (few tests, each of seconds) for the end.
    """
    weight: dict[str, int] = {}
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        path = str(item.path)
        first.setdefault(path, index)
        weight[path] = weight.get(path, 0) + (COMMITTING_WEIGHT if _commits(item) else 1)
    # Ties by first appearance: a file's tests stay together (pytest-django has moved its
    # transactional tests after the others of the whole session).
    items.sort(key=lambda item: (-weight[str(item.path)], first[str(item.path)]))


def _overrides(tmp_path) -> dict:
    """The settings every test runs with (and the demo is seeded with, see ``_seeded``)."""
    return {
        # A fast hasher: the personas log in hundreds of times.
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        # The login lockout (django-axes) needs the request in authenticate(), which the test
        # client's login() does not pass; tests/test_security.py turns it back on.
        "AXES_ENABLED": False,
        # Jobs (documents, imports) run inline (the task framework's immediate backend); the
        # browser tests run them in a worker reading the database queue (``job_worker``), as
        # served.
        "TASKS": {"default": {"BACKEND": IMMEDIATE}},
        # Public pages are computed for each request, unless a test turns their cache on: tests
        # change rows directly, without the audit entry that renews the cache key in production.
        "TRAGUARDO_PUBLIC_PAGE_CACHE_SECONDS": 0,
        # Each test starts with empty caches of its own (the "results" alias keeps the plans'
        # computed results: see _empty_caches).
        "CACHES": {
            alias: {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"test-{alias}-{uuid.uuid4()}",
            }
            for alias in ("default", "results", "fragments")
        },
        # Kept results are computed when a page asks (no thread after each commit of a
        # live-server test).
        "TRAGUARDO_KEEP_WARM": False,
        # Each test appends the audit log's checkpoints to a file of its own.
        "AUDIT_CHECKPOINT_FILE": tmp_path / "audit-checkpoints.jsonl",
        # The manifest needs collectstatic; tests use the files where the apps keep them.
        "STORAGES": {
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    for name, value in _overrides(tmp_path).items():
        setattr(settings, name, value)
    # Kept results are keyed by the data version, which every test's rollback brings back.
    kept.forget_local()


@pytest.fixture(autouse=True)
def _empty_caches(_test_settings):
    """No result kept by one test is read by another: every cache starts empty (also for a
    cache a module looked up before the settings changed)."""
    for alias in ("default", "results", "fragments"):
        caches[alias].clear()


@pytest.fixture
def unscoped():
    """Tests set up data across authorities; views still run inside their own scope."""
    with scopes_disabled():
        yield


@pytest.fixture(scope="session")
def _seed_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """The rows that ``load_seed`` and ``create_demo_accounts`` write, read once per session
    (loading the seed parses its text and costs more than most tests) inside a transaction
    that is rolled back; ``demo`` writes them again, as they were, for each test."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    overrides = _overrides(tmp_path_factory.mktemp("seed"))
    unblocked = django_db_blocker.unblock()
    with unblocked, override_settings(**overrides), scopes_disabled(), transaction.atomic():
        before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}
        report = load_seed()
        create_demo_accounts(report.plan.authority)
        rows = []
        for model in models:
            new = [row for row in model._base_manager.all() if row.pk not in before[model]]
            if new:
                rows.append((model, new))
        transaction.set_rollback(True)
    kept.forget_local()
    return report.plan.pk, rows


@pytest.fixture
def demo(_seed_rows, db):
    """Piano 2019 of the demo Comune (the seed: 11 schede, a draft) and the demo accounts
    (``DEMO_PASSWORD``), as ``load_seed`` and ``create_demo_accounts`` leave them. Committed
    in a test that commits (``transactional_db``, ``live_server``)."""
    return write_seed(_seed_rows)


# --- the personas ------------------------------------------------------------------------
# Built by plain functions, so that a module sharing one world among its tests (``module_db``)
# makes them exactly as the function-scoped fixtures below do.


def make_authority(other: bool = False):
    if other:
        return AuthorityFactory(name="Comune Altro", slug="comune-altro")
    return AuthorityFactory(name="Comune di Prova", slug="comune-prova")


def make_unit(authority, name: str, first_name: str, last_name: str):
    with scopes_disabled():
        head = PersonFactory(authority=authority, first_name=first_name, last_name=last_name)
        return OrgUnitFactory(authority=authority, name=name, head=head)


def make_unit_a(authority):
    return make_unit(authority, "Settore A", "Alice", "Alberti")


def make_unit_b(authority):
    return make_unit(authority, "Settore B", "Bruno", "Bassi")


def _member(authority, username, role, units=(), person=None):
    user = UserFactory(username=username)
    with scopes_disabled():
        membership = MembershipFactory(user=user, authority=authority, role=role, person=person)
        membership.units.set(units)
    return user


def make_dipendente(authority):
    """An employee (Role.EMPLOYEE) linked to Daniela Duca, whom ``valutatore`` evaluates in
    the URL matrix's world: she sees only her own individual evaluation, once delivered."""
    with scopes_disabled():
        person = PersonFactory(authority=authority, first_name="Daniela", last_name="Duca")
    return _member(authority, "dipendente", Role.EMPLOYEE, person=person)


def make_valutatore(authority):
    """A manager heading no unit, linked to Vittorio Verdi: the evaluator of the world's
    individual evaluation (``evaluation.write_evaluation`` follows the person, not the role)."""
    with scopes_disabled():
        person = PersonFactory(authority=authority, first_name="Vittorio", last_name="Verdi")
    return _member(authority, "valutatore", Role.MANAGER, person=person)


def make_personas(authority, unit_a, unit_b, other_authority) -> dict:
    """Every persona of this module's docstring, as the ``personas`` fixture gives them."""
    return {
        "admin": _member(authority, "admin", Role.ADMIN),
        "manager_a": _member(authority, "manager_a", Role.MANAGER, [unit_a], unit_a.head),
        "manager_b": _member(authority, "manager_b", Role.MANAGER, [unit_b], unit_b.head),
        "contributor": _member(authority, "contributor", Role.CONTRIBUTOR, [unit_a]),
        "evaluator": _member(authority, "evaluator", Role.EVALUATOR),
        "viewer": _member(authority, "viewer", Role.VIEWER),
        "dipendente": make_dipendente(authority),
        "valutatore": make_valutatore(authority),
        "outsider": _member(other_authority, "outsider", Role.ADMIN),
        "anonymous": None,
    }


@pytest.fixture
def authority(db):
    return make_authority()


@pytest.fixture
def other_authority(db):
    return make_authority(other=True)


@pytest.fixture
def unit_a(authority):
    return make_unit_a(authority)


@pytest.fixture
def unit_b(authority):
    return make_unit_b(authority)


@pytest.fixture
def admin(authority):
    return _member(authority, "admin", Role.ADMIN)


@pytest.fixture
def manager_a(unit_a):
    return _member(unit_a.authority, "manager_a", Role.MANAGER, [unit_a], unit_a.head)


@pytest.fixture
def manager_b(unit_b):
    return _member(unit_b.authority, "manager_b", Role.MANAGER, [unit_b], unit_b.head)


@pytest.fixture
def contributor(unit_a):
    return _member(unit_a.authority, "contributor", Role.CONTRIBUTOR, [unit_a])


@pytest.fixture
def evaluator(authority):
    return _member(authority, "evaluator", Role.EVALUATOR)


@pytest.fixture
def viewer(authority):
    return _member(authority, "viewer", Role.VIEWER)


@pytest.fixture
def outsider(other_authority):
    return _member(other_authority, "outsider", Role.ADMIN)


@pytest.fixture
def dipendente(authority):
    return make_dipendente(authority)


@pytest.fixture
def valutatore(authority):
    return make_valutatore(authority)


@pytest.fixture
def personas(
    admin, manager_a, manager_b, contributor, evaluator, viewer, dipendente, valutatore, outsider
):
    return {
        "admin": admin,
        "manager_a": manager_a,
        "manager_b": manager_b,
        "contributor": contributor,
        "evaluator": evaluator,
        "viewer": viewer,
        "dipendente": dipendente,
        "valutatore": valutatore,
        "outsider": outsider,
        "anonymous": None,
    }


# --- a world shared by a module ------------------------------------------------------------


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """One transaction around a whole module, for the rows all its tests read.

    A module whose tests share a costly world (the URL matrix: two authorities, ten personas,
    a row of every kind) builds it once, in a module-scoped fixture that depends on this one;
    each test still runs in a savepoint of its own (pytest-django's ``db``) rolled back after
    it, so what one test writes is gone before the next, and the module's rows are rolled back
    after its last test. The settings are every test's (``_overrides``), with a media directory
    of the module's own for the files its rows point to. Not for a module with transactional
    or live-server tests: they would empty the database inside this transaction.
    """
    overrides = {
        **_overrides(tmp_path_factory.mktemp("module")),
        "MEDIA_ROOT": tmp_path_factory.mktemp("media"),
    }
    with django_db_blocker.unblock(), override_settings(**overrides), transaction.atomic():
        # Marked as Django's TestCase marks its own transactions: the code tells its own
        # transactions from the tests' by this mark (a durable block may open inside the
        # tests' ones; results read inside the code's own are not kept, planning.kept).
        (block,) = connections["default"].atomic_blocks
        block._from_testcase = True
        kept.forget_local()
        yield
        transaction.set_rollback(True)
    kept.forget_local()


@pytest.fixture(scope="module")
def module_people(module_db):
    """The two authorities, units A and B and the personas, made once for the module
    (``module_db``): a module uses them by naming its own fixtures after them."""
    with scopes_disabled():
        authority, other_authority = make_authority(), make_authority(other=True)
        unit_a, unit_b = make_unit_a(authority), make_unit_b(authority)
        personas = make_personas(authority, unit_a, unit_b, other_authority)
    return SimpleNamespace(
        authority=authority,
        other_authority=other_authority,
        unit_a=unit_a,
        unit_b=unit_b,
        personas=personas,
    )


def shared_people():
    """``authority``, ``other_authority``, ``unit_a``, ``unit_b``, ``personas`` and
    ``logged_in`` made once for a module (``module_people``, ``LoggedIn``), in place of the
    function-scoped fixtures of the same names; a module takes them with
    ``authority, other_authority, unit_a, unit_b, personas, logged_in = shared_people()``
    (pytest finds a fixture by the name it was defined with)."""

    @pytest.fixture(scope="module")
    def authority(module_people):
        return module_people.authority

    @pytest.fixture(scope="module")
    def other_authority(module_people):
        return module_people.other_authority

    @pytest.fixture(scope="module")
    def unit_a(module_people):
        return module_people.unit_a

    @pytest.fixture(scope="module")
    def unit_b(module_people):
        return module_people.unit_b

    @pytest.fixture(scope="module")
    def personas(module_people):
        return module_people.personas

    @pytest.fixture(scope="module")
    def logged_in(module_people):
        """The personas' sessions, made once for the module."""
        return LoggedIn(module_people.personas)

    return authority, other_authority, unit_a, unit_b, personas, logged_in


class LoggedIn:
    """A test client per persona, logged in once for the whole module (``module_db``): each
    test gets a new client carrying the module's session cookie, so nothing one test's
    answers set (a message, a cookie) reaches the next, and the session rows are the module's
    as every test's rollback leaves them."""

    def __init__(self, personas: dict):
        self._cookies = {}
        for name, user in personas.items():
            client = Client()
            if user is not None:
                client.force_login(user)
            self._cookies[name] = copy.deepcopy(client.cookies)
        self.users = personas

    def client(self, persona: str) -> Client:
        client = Client()
        client.cookies = copy.deepcopy(self._cookies[persona])
        return client


@pytest.fixture
def job_worker(settings):
    """Jobs queued in the database and run by django-tasks-db's worker in a thread of this
    process, as ``db_worker`` runs them beside the web server (tests that commit: live server,
    ``transaction=True``)."""
    from django_tasks_db.management.commands.db_worker import Worker

    settings.TASKS = {"default": {"BACKEND": DATABASE_QUEUE}}
    worker = Worker(
        queue_names=["default"],
        interval=0.05,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )

    def run():
        try:
            worker.run()
        finally:
            connections.close_all()  # the thread's own connection

    thread = threading.Thread(target=run, name="job-worker", daemon=True)
    thread.start()
    yield worker
    worker.running = False
    thread.join(timeout=60)
