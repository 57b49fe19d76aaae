"""The dashboard's modules that share a world keep results as a test does (see
tests/web/conftest.py)."""

from tests.web.conftest import module_db  # noqa: F401  (the override of tests/conftest.py's)
