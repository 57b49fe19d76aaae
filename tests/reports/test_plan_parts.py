"""The plan PDF laid out in parts (reports/paper.py) and joined (reports/join.py): the same
pages and text as the plan laid out whole, one tagged PDF/A document, and a print after one
scheda changed lays out that scheda's part only. Real PDFs, read back with pdftotext,
pdffonts, pypdf and pikepdf.

The demo plan's first print (whole, and in parts from an empty cache) is made once for the
module (``first_print``, tests/conftest.py ``module_db``): both tests read it."""

import errno
import io
import os
import re
import shutil
import subprocess
from types import SimpleNamespace

import pikepdf
import pytest
from django_scopes import scopes_disabled
from pypdf import PdfReader

from tests.demo import write_seed
from traguardo.planning.models import Objective
from traguardo.reports import paper
from traguardo.reports.scheda import plan_pages

pytestmark = pytest.mark.django_db
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PDFFONTS = shutil.which("pdffonts") or "/usr/bin/pdffonts"


@pytest.fixture
def parts(monkeypatch, tmp_path):
    """Parts of at most 4 schede, the parts' cache in a directory of this test only."""
    monkeypatch.setattr(paper, "CACHE_DIR", tmp_path / "typeset-cache")
    monkeypatch.setattr(paper, "PART_SCHEDE", 4)


@pytest.fixture(scope="module")
def first_print(module_db, _seed_rows, tmp_path_factory):
    """The demo plan (the seed's rows, written once for the module: ``module_db``) laid out
    whole, then printed in parts of at most 4 schede from an empty cache of the module's own:
    the first print both tests start from (each test runs in a savepoint: what one changes is
    gone before the next)."""
    cache = tmp_path_factory.mktemp("first-print") / "typeset-cache"
    plan = write_seed(_seed_rows)
    with scopes_disabled(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(paper, "CACHE_DIR", cache)
        patch.setattr(paper, "PART_SCHEDE", 4)
        one = whole(plan)
        layouts: list[str] = []
        joined = paper.plan_pdf(plan_pages(plan), layouts=layouts)
    return SimpleNamespace(plan=plan, one=one, joined=joined, layouts=layouts, cache=cache)


def text(data: bytes) -> list[str]:
    done = subprocess.run(  # noqa: S603 (poppler on the PDF we just rendered)
        [PDFTOTEXT, "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8").split("\f")[:-1]


def whole(plan) -> bytes:
    """The plan laid out in one compile (a plan of up to PART_SCHEDE schede is)."""
    original = paper.PART_SCHEDE
    paper.PART_SCHEDE = 10_000
    try:
        return paper.plan_pdf(plan_pages(plan))
    finally:
        paper.PART_SCHEDE = original


def assert_one_tagged_document(data: bytes, pages: int) -> list[tuple[int, str, int]]:
    """One structure tree over every page, the cells' headers found, the outline chained."""
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    assert str(root.Lang) == "it"
    assert root.MarkInfo.Marked
    assert len(pdf.pages) == pages
    tree = root.StructTreeRoot
    nums = list(tree.ParentTree.Nums)
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    assert [int(page.obj.StructParents) for page in pdf.pages] == list(range(pages))
    assert set(parents) == set(range(pages)) and int(tree.ParentTreeNextKey) == pages
    names = list(tree.IDTree.Names)
    ids = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
    assert list(ids) == sorted(ids)  # a name tree's keys in order
    assert all(str(element.ID) == name for name, element in ids.items())
    document = tree.K[0]
    assert document.S == "/Document"
    seen, headers, stack = 0, [], [document]
    page_objects = {page.obj.objgen for page in pdf.pages}
    while stack:
        element = stack.pop()
        seen += 1
        attributes = element.get("/A", [])
        for a in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
            if isinstance(a, pikepdf.Dictionary) and "/Headers" in a:
                headers += [str(h) for h in a.Headers]
        if "/Pg" in element:
            assert element.Pg.objgen in page_objects
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                assert kid.P.objgen == element.objgen
                stack.append(kid)
    assert headers and all(h in ids for h in headers)
    # Every element the parent tree names for a page's marked content is in the tree.
    for value in parents.values():
        for element in value:
            if element is not None:
                assert element.get("/Type") == "/StructElem"
    return outline(pdf)


def outline(pdf: pikepdf.Pdf) -> list[tuple[int, str, int]]:
    """The bookmarks in reading order: (depth, title, page), every link checked."""
    pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
    found: list[tuple[int, str, int]] = []

    def walk(parent, depth: int) -> None:
        if "/First" not in parent:
            return
        item, count = parent.First, 0
        while True:
            count += 1
            assert item.Parent.objgen == parent.objgen
            found.append((depth, str(item.Title), pages[item.Dest[0].objgen]))
            walk(item, depth + 1)
            if "/Next" not in item:
                break
            assert item.Next.Prev.objgen == item.objgen
            item = item.Next
        assert item.objgen == parent.Last.objgen
        assert abs(int(parent.Count)) == count

    walk(pdf.Root.Outlines, 1)
    return found


def test_the_demo_plan_in_parts_reads_as_laid_out_whole_and_is_one_tagged_pdf_a(first_print):
    one, joined, layouts = first_print.one, first_print.joined, first_print.layouts
    with scopes_disabled():
        schede = first_print.plan.objectives.count()
    # The front (cover, index) and three parts of at most 4 schede: two passes each.
    assert len(layouts) == 2 * 4
    assert text(joined) == text(one)  # every page, line by line, numbers and index included
    pages = text(joined)
    assert all(f"Pagina {n} di {len(pages)}" in page for n, page in enumerate(pages, start=1))

    bookmarks = assert_one_tagged_document(joined, len(pages))
    # The bookmarks of the plan laid out whole: the cover's title, its units, their schede.
    assert bookmarks == outline(pikepdf.open(io.BytesIO(one)))
    assert bookmarks[0] == (1, "Piano 2019", 1)
    assert next(title for depth, title, _ in bookmarks if depth == 3).startswith("Scheda")
    assert sum(depth == 3 for depth, _, _ in bookmarks) == schede
    # The first part's XMP (PDF/A-2a, PDF/UA-1), title and every font embedded.
    reader = PdfReader(io.BytesIO(joined))
    xmp = reader.xmp_metadata.stream.get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")2", xmp) and re.search(r"pdfaid:conformance(>|=\")A", xmp)
    assert re.search(r"pdfuaid:part(>|=\")1", xmp)
    assert reader.metadata.title.startswith("Piano 2019")
    fonts = subprocess.run(  # noqa: S603 (poppler on the PDF we just rendered)
        [PDFFONTS, "-"], input=joined, capture_output=True, check=True
    ).stdout.decode()
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), fonts


def cross_device(source, target):
    raise OSError(errno.EXDEV, "Invalid cross-device link")


def test_a_changed_scheda_is_laid_out_again_with_its_part_alone(parts, monkeypatch, first_print):
    plan, before = first_print.plan, first_print.joined
    # This test's cache as the module's first print left it (the parts of the plan as it is).
    shutil.copytree(first_print.cache, paper.CACHE_DIR)
    with scopes_disabled():
        again: list[str] = []
        assert paper.plan_pdf(plan_pages(plan), layouts=again) and again == []
        # The cache on another file system than the temporary files: copied, not linked.
        with monkeypatch.context() as patch:
            patch.setattr(paper.os, "link", cross_device)
            assert text(paper.plan_pdf(plan_pages(plan), layouts=again)) == text(before)
        assert again == []

        # A few words more on the seventh scheda (the third part): same pages.
        changed = plan.objectives.order_by("position")[6]
        changed.expected_result += " Verifica trimestrale."
        changed.save(update_fields=["expected_result"])
        one: list[str] = []
        after = paper.plan_pdf(plan_pages(plan), layouts=one)
        assert [line.split()[:2] for line in one] == [["query", "2"], ["pdf", "2"]]
        pages_before, pages_after = text(before), text(after)
        assert len(pages_after) == len(pages_before)
        assert "Verifica trimestrale." in "".join(pages_after)
        assert "Verifica trimestrale." not in "".join(pages_before)
        assert text(whole(plan)) == pages_after

        # Enough text for a page more: that part is measured again alone, but the plan's
        # page count («Pagina x di y») and the index moved: every part is laid out again.
        Objective.objects.filter(pk=changed.pk).update(expected_result="Una riga di testo.\n" * 60)
        moved: list[str] = []
        longer = paper.plan_pdf(plan_pages(plan), layouts=moved)
        assert len(text(longer)) > len(pages_after)
        assert [line.split()[:2] for line in moved] == [
            ["query", "2"], ["pdf", "0"], ["pdf", "1"], ["pdf", "2"], ["pdf", "3"]
        ]  # fmt: skip
        assert text(whole(plan)) == text(longer)


def test_parts_are_cut_between_units_and_inside_a_unit_larger_than_a_part():
    def unit(key, n):
        return {"key": key, "name": key, "heading": True, "cards": [f"{key}{i}" for i in range(n)]}

    parts = paper.split([unit("a", 3), unit("b", 2), unit("c", 9), unit("d", 1)], size=4)
    assert [[(g["key"], len(g["cards"]), g["heading"]) for g in part] for part in parts] == [
        [("a", 3, True)],
        [("b", 2, True)],
        [("c", 4, True)],
        [("c", 4, False)],
        [("c", 1, False), ("d", 1, True)],
    ]


def test_the_parts_cache_keeps_the_most_recently_used_within_its_bound(monkeypatch, tmp_path):
    monkeypatch.setattr(paper, "CACHE_BYTES", 2500)
    for n, name in enumerate(["old.pdf", "used.pdf", "new.pdf"]):
        (tmp_path / name).write_bytes(b"x" * 1000)
        os.utime(tmp_path / name, (n, n))
    assert paper._cached(tmp_path / "old.pdf", tmp_path / "copy.pdf")  # used: now the newest
    (tmp_path / "copy.pdf").unlink()
    paper._evict(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.pdf", "old.pdf"]
