"""The column widths of the printed card's tables, decided as the HTML card's were.

The card was first printed from HTML, whose tables take CSS's automatic layout: each column
between the widest word and the longest line of its cells, the room left shared in proportion
to the longest lines. The paper card (``reports/paper.py``, Typst) keeps those widths so that
it wraps and breaks across pages as before. They are computed here, from the fonts' own
advance widths and kerning (fontTools), because measuring every cell inside Typst cost more
than laying out the whole document: a width here is a few dictionary look-ups, and a text
seen before (the headers, a scale repeated on every scheda) is not measured again.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from fontTools.ttLib import TTFont

TITILLIUM = "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-{}.ttf"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
WEIGHTS = {"regular": ("regular", "DejaVuSans"), "semibold": ("600", "DejaVuSans-Bold"),
           "bold": ("700", "DejaVuSans-Bold")}  # fmt: skip
PT_PER_MM = 72 / 25.4


class _Font:
    """Advance widths and pair kerning of one font file, in font units."""

    def __init__(self, path: str):
        font = TTFont(path, lazy=True)
        self.units = font["head"].unitsPerEm
        self.cmap = font.getBestCmap()
        self.advance = {name: adv for name, (adv, _lsb) in font["hmtx"].metrics.items()}
        self.pairs: dict[tuple[str, str], int] = {}
        # Pair adjustment by class: (covered glyphs, first classes, second classes, matrix).
        self.classes: list[tuple[set[str], dict[str, int], dict[str, int], list[list[int]]]] = []
        if "GPOS" in font:
            self._read_kerning(font["GPOS"].table)

    def _read_kerning(self, gpos) -> None:
        kern = [
            index
            for record in gpos.FeatureList.FeatureRecord
            if record.FeatureTag == "kern"
            for index in record.Feature.LookupListIndex
        ]
        for index in kern:
            for sub in gpos.LookupList.Lookup[index].SubTable:
                if sub.Format == 1:
                    for first, pair_set in zip(sub.Coverage.glyphs, sub.PairSet, strict=True):
                        for record in pair_set.PairValueRecord:
                            value = getattr(record.Value1, "XAdvance", 0) or 0
                            self.pairs.setdefault((first, record.SecondGlyph), value)
                elif sub.Format == 2:
                    matrix = [
                        [getattr(c.Value1, "XAdvance", 0) or 0 for c in row.Class2Record]
                        for row in sub.Class1Record
                    ]
                    self.classes.append(
                        (
                            set(sub.Coverage.glyphs),
                            sub.ClassDef1.classDefs,
                            sub.ClassDef2.classDefs,
                            matrix,
                        )
                    )

    def kerning(self, left: str, right: str) -> int:
        if (left, right) in self.pairs:
            return self.pairs[(left, right)]
        for coverage, first, second, matrix in self.classes:
            if left in coverage:
                return matrix[first.get(left, 0)][second.get(right, 0)]
        return 0


@cache
def _fonts(weight: str) -> tuple[_Font, _Font | None]:
    main, fallback = WEIGHTS[weight]
    titillium = finders.find(TITILLIUM.format(main))
    if not isinstance(titillium, str):  # the bundled font is part of the static files
        raise FileNotFoundError(TITILLIUM.format(main))
    dejavu = DEJAVU / f"{fallback}.ttf"
    return _Font(titillium), (_Font(str(dejavu)) if dejavu.is_file() else None)


@lru_cache(maxsize=65536)
def text_width(text: str, weight: str = "regular", size: float = 9) -> float:
    """The width in points of one line of ``text`` (Titillium Web, DejaVu Sans for what it
    lacks: the box glyphs ☐ ☒)."""
    main, fallback = _fonts(weight)
    total = 0.0
    previous = None
    for char in text:
        glyph = main.cmap.get(ord(char))
        if glyph is not None:
            units = main.advance[glyph]
            if previous is not None:
                units += main.kerning(previous, glyph)
            total += units / main.units
            previous = glyph
        else:
            previous = None
            other = fallback.cmap.get(ord(char)) if fallback else None
            if fallback is not None and other is not None:
                total += fallback.advance[other] / fallback.units
    return total * size


def min_content(text: str, weight: str, size: float) -> float:
    """The widest word: where a column cannot be narrower without overflowing."""
    words = text.split()
    return max((text_width(w, weight, size) for w in words), default=0.0)


def max_content(text: str, weight: str, size: float) -> float:
    """The longest line: how wide a column is when nothing wraps."""
    return max((text_width(line, weight, size) for line in text.split("\n")), default=0.0)


@dataclass(frozen=True)
class Cell:
    col: int
    text: str
    weight: str = "regular"
    size: float = 8
    span: int = 1
    nowrap: bool = False


def auto_widths(available: float, columns: int, cells: Iterable[Cell], extra: float) -> list[float]:
    """CSS 2.1's automatic table layout as WeasyPrint does it, in points: ``extra`` is a
    cell's padding and border. When the longest lines fit, every column gets its longest
    line and the room left in proportion to it; when they do not, each column gets its widest
    word and a share of the rest in proportion to what it would need to wrap nothing."""
    cells = list(cells)
    maxs = _spread(columns, cells, lambda c: max_content(c.text, c.weight, c.size) + extra)
    if sum(maxs) <= available:
        total = sum(maxs) or 1
        return [w + (available - sum(maxs)) * w / total for w in maxs]

    def minimum(c: Cell) -> float:
        if c.nowrap:
            return max_content(c.text, c.weight, c.size) + extra
        return min_content(c.text, c.weight, c.size) + extra

    mins = _spread(columns, cells, minimum)
    maxs = [max(a, b) for a, b in zip(maxs, mins, strict=True)]
    if sum(mins) >= available:
        return mins
    ratio = (available - sum(mins)) / (sum(maxs) - sum(mins))
    return [lo + (hi - lo) * ratio for lo, hi in zip(mins, maxs, strict=True)]


def _spread(columns: int, cells: list[Cell], width) -> list[float]:
    """Each column's widest cell; a cell over several columns widens them evenly if needed."""
    widths = [0.0] * columns
    spanning = []
    for cell in cells:
        if cell.span == 1:
            widths[cell.col] = max(widths[cell.col], width(cell))
        else:
            spanning.append(cell)
    for cell in spanning:
        need = width(cell)
        have = sum(widths[cell.col : cell.col + cell.span])
        if need > have:
            for i in range(cell.col, cell.col + cell.span):
                widths[i] += (need - have) / cell.span
    return widths
