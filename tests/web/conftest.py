"""The web pages' modules that share a world (``module_db``) keep results as a test does."""

import pytest
from django.db import connection


@pytest.fixture(scope="module")
def module_db(module_db):
    """``module_db`` of tests/conftest.py, whose transaction around the module is marked as
    the tests' own, as pytest-django marks each test's: the kept plan and scheda
    (``planning.kept``) are computed, never kept, inside a transaction of the code's own, and
    a page of a module sharing its world must keep them as it does in a test of its own (the
    query counts of a warm page depend on it). Nothing kept outlives a test: every test starts
    with empty caches and an empty memory of kept values (tests/conftest.py)."""
    (block,) = connection.atomic_blocks  # the module's transaction, alone at this point
    block._from_testcase = True
