"""Loading the living demo year (imports.demo_year) from an empty database: a crash half way
leaves nothing, the audit log verifies after `make run`'s loading, production refuses it.
Apart from tests/imports/test_demo_year.py, whose tests share one loaded year: these need the
database without it (or commit)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from tests.imports.test_demo_year import SLUG, make_run_loading, rows
from traguardo.imports import demo_year
from traguardo.imports.demo_year import load_demo_year
from traguardo.planning.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_crash_half_way_leaves_nothing_and_the_next_run_loads(client, monkeypatch, settings):
    real = demo_year.close_plan

    def crashing(plan, *, actor):
        raise RuntimeError("disco pieno")

    monkeypatch.setattr(demo_year, "close_plan", crashing)
    before = rows()
    with pytest.raises(RuntimeError):
        load_demo_year()
    assert rows() == before
    with scopes_disabled():
        assert not Plan.objects.filter(authority__slug=SLUG).exists()
    # The evidence files written before the crash are gone with their rows.
    assert [f for f in settings.MEDIA_ROOT.rglob("*") if f.is_file()] == []
    monkeypatch.setattr(demo_year, "close_plan", real)
    assert load_demo_year().created
    assert len([f for f in settings.MEDIA_ROOT.rglob("*") if f.is_file()]) == 3


@pytest.mark.django_db(transaction=True)
def test_verify_audit_passes_after_loading():
    make_run_loading()
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "Registro integro" in out.getvalue()


def test_refused_in_production(settings):
    settings.PRODUCTION = True
    before = rows()
    with pytest.raises(CommandError, match="non si carica in produzione"):
        call_command("load_demo_year", stdout=StringIO())
    assert rows() == before
