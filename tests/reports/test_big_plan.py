"""A plan of 50 schede (bench/synthetic.py) printed by Typst: its pages, the same laid out in
parts, and the job's memory left as it was. Real PDFs, read back with pdftotext.

The plan and its layout in one compile are made once for the module (tests/conftest.py,
``module_db``): both tests read them, each in a savepoint of its own, rolled back after it.
"""

import os
from types import SimpleNamespace

import pytest
from django_scopes import scopes_disabled

from tests.reports.test_pdf import pdftotext_pages
from traguardo.planning.models import Objective
from traguardo.reports import paper
from traguardo.reports.paper import plan_pdf
from traguardo.reports.scheda import plan_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def big(module_db):
    """The 50-scheda synthetic plan and its pages as pdftotext reads them, the plan laid out
    whole (in one compile, a child process: reports/typeset.py)."""
    from bench.synthetic import build

    with scopes_disabled():
        plan = build(schede=50).plan
        pages = pdftotext_pages(plan_pdf(plan_pages(plan)))
    return SimpleNamespace(plan=plan, pages=pages)


def test_a_plan_of_50_schede_has_todays_pages(big, monkeypatch, tmp_path):
    """The 50-scheda synthetic plan laid out by Typst has the pages the HTML layout gave it
    (WeasyPrint, before Typst): 105, cover and index on 1–5, each scheda on two pages from
    page 6 (figures recorded from the WeasyPrint PDF). Laid out in parts (of 20 schede here,
    joined: reports/join.py) it reads the same, line by line."""
    pages = big.pages
    monkeypatch.setattr(paper, "PART_SCHEDE", 20)
    monkeypatch.setattr(paper, "CACHE_DIR", tmp_path)
    layouts: list[str] = []
    with scopes_disabled():
        in_parts = pdftotext_pages(plan_pdf(plan_pages(big.plan), layouts=layouts))
    assert len(pages) == 105
    starts = [n for n, page in enumerate(pages, start=1) if "Scheda obiettivo" in page]
    assert starts == list(range(6, 106, 2))
    assert all(f"Pagina {n} di 105" in page for n, page in enumerate(pages, start=1))
    assert len(layouts) == 2 * 4  # the front and three parts, two passes each
    assert in_parts == pages


def test_the_plan_is_laid_out_without_keeping_typsts_memory_in_the_job(big):
    """Typst keeps its memoised layout for the life of its process: laid out in the job's
    worker, each new plan of 50 schede left it about 100 MiB larger for good. It is laid out
    in a child process (reports/typeset.py): the worker's resident memory stays put."""

    def rss_mib() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    plan = big.plan
    # The module's plan was laid out once already (``big``): imports, fonts found, first
    # allocations are behind us, as after the warm-up print this test used to make itself.
    with scopes_disabled():
        before = rss_mib()
        # One new layout: a Typst compile in this process would keep about 100 MiB for it
        # (70-100 MiB per 50 schede, measured), five times the bound below; the second round
        # this test used to lay out added nothing the first did not already show.
        Objective.objects.filter(plan=plan).update(expected_result="Risultato atteso 0")
        size = len(plan_pdf(plan_pages(plan)))  # new texts: nothing memoised can be reused
    assert size > 100_000
    assert rss_mib() - before < 20
