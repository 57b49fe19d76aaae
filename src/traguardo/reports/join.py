"""Join the parts of a plan laid out in parts (``reports/paper.py``) into one tagged PDF.

Each part is a PDF/A-2a, PDF/UA-1 document of Typst's, one after the other in the plan's
page order. They are joined in one pass that holds one part in memory at a time: the part
is opened with pikepdf (qpdf), each of its objects written to the output at once under a new
number (the part's numbers shifted), then the part is closed. What spans the parts is
written last, built from what was kept of each (a few numbers and names a page):

- the catalog, with the first part's XMP metadata, output intent, ``/Lang``, viewer
  preferences and mark information, and the first part's ``/Info`` (title, author, dates);
- one page tree over every part's pages;
- one structure tree: the first part's ``Document`` element takes the top elements of every
  part (the other ``Document`` elements are not written: whatever named them, their
  children's ``/P`` and the parent tree, names the first one), the parent tree's keys and
  the pages' ``/StructParents`` shifted by the keys of the parts before, and the element
  IDs (Typst's table cells, ``U<n>x<c>y<r>``, which restart in each part) prefixed with the
  part's number in the ID tree, in the elements and in every cell's ``/Headers``;
- the outline (bookmarks): the parts' items (each part's are all at its top: every part
  starts with a heading of level 1) in one tree, nested as ``levels`` says (the cover's
  title, its units, their schede, as a plan laid out whole has them);
- the named destinations of every part, in one name tree.

qpdf joining the parts with all of them open held the whole plan's structure tree in memory
(658 MiB on 500 schede); written this way the join stays near one part's size.
"""

import base64
import hashlib
import re
from pathlib import Path
from typing import BinaryIO

import pikepdf

# A reference in qpdf's unparsed syntax, or a string (skipped: its text is never renumbered).
# The element IDs (``/ID`` and the cells' ``/Headers``), to be prefixed, and the keys into
# the parent tree (``/StructParents``, ``/StructParent``), to be shifted, are found as tokens
# too; a string's text is never taken for one of them.
_TOKEN = re.compile(
    rb"/ID \((?:\\.|[^\\)])*\)|/Headers \[[^\]]*\]|/StructParents? \d+"
    rb"|\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|(?<![\w./#-])(\d+) (\d+) R"
)
# An outline item's links to other items: the join writes its own.
_LINKS = {"/Parent", "/Prev", "/Next", "/First", "/Last", "/Count"}
# Numbers of the objects that span the parts, written last.
_CATALOG, _PAGES, _STRUCT, _PARENTS, _OUTLINES, _DOCUMENT, _INFO, _FIRST = range(1, 9)


class _Writer:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.offsets: dict[int, int] = {}
        self.position = 0
        self.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)

    def obj(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.position
        self.write(b"%d 0 obj\n" % number + body)
        if stream is not None:
            self.write(b"\nstream\n" + stream + b"\nendstream")
        self.write(b"\nendobj\n")

    def finish(self, root: int, info: int | None, ident: bytes) -> None:
        size = max(self.offsets) + 1
        start = self.position
        rows = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        for number in range(1, size):
            offset = self.offsets.get(number)
            rows.append(b"%010d 00000 n \n" % offset if offset else b"0000000000 65535 f \n")
        self.write(b"".join(rows))
        ident = base64.b64encode(ident)  # as Typst writes it, and the XMP's instance ID
        info_ref = b" /Info %d 0 R" % info if info else b""
        self.write(
            b"trailer\n<< /Size %d /Root %d 0 R%s /ID [(%s) (%s)] >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, root, info_ref, ident, ident, start)
        )


def _name_tree(node: pikepdf.Object, key: str = "/Names") -> list:
    """The pairs of a name (``/Names``) or number (``/Nums``) tree, in order."""
    pairs = []
    if key in node:
        items = list(node[key])
        pairs += [(items[i], items[i + 1]) for i in range(0, len(items), 2)]
    for kid in node.get("/Kids", []):
        pairs += _name_tree(kid, key)
    return pairs


def _tree_objects(node: pikepdf.Object) -> list[tuple[int, int]]:
    """The indirect nodes of a name or number tree (not written: the join writes its own)."""
    found = [node.objgen] if node.is_indirect else []
    for kid in node.get("/Kids", []):
        found += _tree_objects(kid)
    return found


def join(paths: list[Path], output: Path, levels: list[int] | None = None) -> None:
    """Write the parts ``paths``, in order, as one PDF at ``output``.

    ``levels``: the level of each bookmark of the joined file, in order (1: top), when the
    parts' bookmarks, all at the top of each part, nest across them; else they stay flat."""
    pages: list[int] = []
    parents: list[tuple[int, bytes]] = []  # the parent tree: (key, value)
    ids: list[tuple[bytes, bytes]] = []  # the ID tree: (name, element)
    dests: list[tuple[bytes, bytes]] = []  # named destinations: (name, destination)
    kids: list[bytes] = []  # the top structure elements, under the first Document
    next_key = 0  # the parent tree's next key
    items: list[bytes] = []  # the outline's items (title, destination), in order
    catalog = b""
    document = b""
    next_number = _FIRST
    # The file's identifier (trailer /ID and the XMP's instance ID): a digest of the parts.
    digest = hashlib.md5(usedforsecurity=False)
    for path in paths:
        with path.open("rb") as part_file:
            while chunk := part_file.read(2**20):
                digest.update(chunk)
    ident = digest.digest()
    metadata: tuple[int, bytes] | None = None  # the first part's XMP, written last
    old_ident = b""
    with output.open("wb") as file:
        w = _Writer(file)
        for part, path in enumerate(paths):
            with pikepdf.open(path) as pdf:
                offset = next_number - 1
                root = pdf.Root
                tree = root.StructTreeRoot
                doc = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
                remap = {
                    root.objgen[0]: _CATALOG,
                    root.Pages.objgen[0]: _PAGES,
                    tree.objgen[0]: _STRUCT,
                    doc.objgen[0]: _DOCUMENT,
                }
                skip = {root.objgen, root.Pages.objgen, tree.objgen, doc.objgen}
                for node in ("/ParentTree", "/IDTree"):
                    if node in tree:
                        skip.update(_tree_objects(tree[node]))
                if "/Outlines" in root:
                    remap[root.Outlines.objgen[0]] = _OUTLINES
                    skip.add(root.Outlines.objgen)
                info = pdf.trailer.get("/Info")
                if info is not None and info.is_indirect:
                    skip.add(info.objgen)
                if "/Metadata" in root:
                    # The first part's XMP describes the plan: written last, with the
                    # plan's page count and the joined file's identifier.
                    skip.add(root.Metadata.objgen)
                    if part == 0:
                        metadata = (offset + root.Metadata.objgen[0], root.Metadata.read_bytes())
                        old_ident = bytes(pdf.trailer.ID[1]) if "/ID" in pdf.trailer else b""
                if "/Names" in root and "/Dests" in root.Names:
                    skip.update(_tree_objects(root.Names.Dests))
                    if root.Names.is_indirect:
                        skip.add(root.Names.objgen)

                prefix = f"P{part}"
                marked = b"(" + prefix.encode()
                # The parent tree's keys (pages' /StructParents, annotations' /StructParent)
                # follow the parts before.
                shift = next_key
                nums = _name_tree(tree.ParentTree, "/Nums")
                next_key += int(
                    tree.get("/ParentTreeNextKey", max((int(k) for k, _ in nums), default=-1) + 1)
                )

                def renumber(
                    data: bytes, remap=remap, offset=offset, marked=marked, shift=shift
                ) -> bytes:
                    def one(m: re.Match) -> bytes:
                        if m.group(1) is not None:
                            number = int(m.group(1))
                            return b"%d 0 R" % remap.get(number, offset + number)
                        token = m.group(0)
                        if token.startswith((b"/ID ", b"/Headers")):
                            return token.replace(b"(", marked)
                        if token.startswith(b"/StructParent"):
                            key, value = token.rsplit(b" ", 1)
                            return b"%s %d" % (key, int(value) + shift)
                        return token

                    return _TOKEN.sub(one, data)

                # The spanning structures, from this part.
                pages += [offset + page.obj.objgen[0] for page in pdf.pages]
                for key, value in nums:
                    parents.append((int(key) + shift, renumber(_unparse(value))))
                for name, element in _name_tree(tree.get("/IDTree", pikepdf.Dictionary())):
                    new = pikepdf.String(prefix + str(name))
                    ids.append((new.unparse(), b"%d 0 R" % (offset + element.objgen[0])))
                if "/Names" in root and "/Dests" in root.Names:
                    dests += [
                        (name.unparse(), renumber(_unparse(dest)))
                        for name, dest in _name_tree(root.Names.Dests)
                    ]
                top = doc.K if isinstance(doc.K, pikepdf.Array) else [doc.K]
                kids += [renumber(_unparse(kid)) for kid in top]
                if part == 0:
                    catalog = renumber(
                        pikepdf.Dictionary(
                            {
                                k: v
                                for k, v in root.items()
                                if k not in ("/Pages", "/StructTreeRoot", "/Outlines", "/Names")
                            }
                        ).unparse(resolved=True)
                    )
                    document = renumber(
                        pikepdf.Dictionary({k: v for k, v in doc.items() if k != "/K"}).unparse(
                            resolved=True
                        )
                    )
                # The outline: its items are written last, in one tree (``_outline``).
                if "/Outlines" in root and "/First" in root.Outlines:
                    item = root.Outlines.First
                    while True:
                        skip.add(item.objgen)
                        entries = {k: v for k, v in item.items() if k not in _LINKS}
                        items.append(renumber(pikepdf.Dictionary(entries).unparse(resolved=True)))
                        if "/Next" not in item:
                            break
                        item = item.Next
                # Every object of the part, renumbered; the element IDs prefixed.
                highest = 0
                for obj in pdf.objects:
                    highest = max(highest, obj.objgen[0])
                    if obj.objgen in skip or obj.objgen == (0, 0):
                        continue
                    number = offset + obj.objgen[0]
                    if isinstance(obj, pikepdf.Stream):
                        raw = obj.read_raw_bytes()
                        obj.stream_dict.Length = len(raw)
                        w.obj(number, renumber(obj.stream_dict.unparse(resolved=True)), raw)
                        continue
                    w.obj(number, renumber(obj.unparse(resolved=True)))
                if part == 0 and info is not None:
                    w.obj(_INFO, info.unparse(resolved=True))
                next_number = offset + highest + 1
        # What spans the parts.
        if metadata is not None:
            number, xmp = metadata
            xmp = re.sub(rb"<xmpTPg:NPages>\d+<", b"<xmpTPg:NPages>%d<" % len(pages), xmp)
            if old_ident:
                xmp = xmp.replace(old_ident, base64.b64encode(ident))
            w.obj(number, b"<< /Type /Metadata /Subtype /XML /Length %d >>" % len(xmp), xmp)
        w.obj(
            _PAGES,
            b"<< /Type /Pages /Count %d /Kids [%s] >>"
            % (len(pages), b" ".join(b"%d 0 R" % n for n in pages)),
        )
        w.obj(_DOCUMENT, document[:-2] + b" /K [" + b" ".join(kids) + b"] >>")
        parent_nums = b" ".join(b"%d %s" % (key, value) for key, value in sorted(parents))
        w.obj(_PARENTS, b"<< /Nums [" + parent_nums + b"] >>")
        id_tree = b" ".join(b"%s %s" % pair for pair in sorted(ids))
        role_map = _role_map(paths[0])
        w.obj(
            _STRUCT,
            b"<< /Type /StructTreeRoot /K [%d 0 R] /ParentTree %d 0 R /ParentTreeNextKey %d"
            b" /IDTree << /Names [%s] >>%s >>" % (_DOCUMENT, _PARENTS, next_key, id_tree, role_map),
        )
        _outline(w, items, levels, next_number)

        names = b" ".join(b"%s %s" % pair for pair in sorted(dests))
        w.obj(
            _CATALOG,
            catalog[:-2]
            + b" /Pages %d 0 R /StructTreeRoot %d 0 R /Outlines %d 0 R"
            % (_PAGES, _STRUCT, _OUTLINES)
            + b" /Names << /Dests << /Names [%s] >> >> >>" % names,
        )
        w.finish(_CATALOG, _INFO if _INFO in w.offsets else None, ident)


def _role_map(path: Path) -> bytes:
    with pikepdf.open(path) as pdf:
        tree = pdf.Root.StructTreeRoot
        if "/RoleMap" in tree:
            return b" /RoleMap " + tree.RoleMap.unparse(resolved=True)
    return b""


def _unparse(obj: pikepdf.Object) -> bytes:
    """A value as written in its container: a reference if indirect, else its text."""
    if isinstance(obj, pikepdf.Object):
        return obj.unparse(resolved=False)
    return pikepdf.Array([obj]).unparse()[1:-1].strip()


def _outline(w: _Writer, items: list[bytes], levels: list[int] | None, number: int) -> None:
    """The outline's root and its items, from ``number`` on: nested by ``levels``, every
    item with children closed (``/Count`` negative), as Typst writes a plan laid out whole."""
    if not levels or len(levels) != len(items):
        levels = [1] * len(items)
    root: dict = {"number": _OUTLINES, "children": []}
    stack = [(0, root)]
    for offset, (body, level) in enumerate(zip(items, levels, strict=True)):
        node = {"number": number + offset, "body": body, "children": []}
        while stack[-1][0] >= level:
            stack.pop()
        node["parent"] = stack[-1][1]["number"]
        stack[-1][1]["children"].append(node)
        stack.append((level, node))

    def links(node: dict) -> bytes:
        kids = node["children"]
        if not kids:
            return b""
        return b" /First %d 0 R /Last %d 0 R /Count %d" % (
            kids[0]["number"],
            kids[-1]["number"],
            len(kids) if node is root else -len(kids),
        )

    def write(node: dict) -> None:
        for k, kid in enumerate(node["children"]):
            extra = b" /Parent %d 0 R" % node["number"] + links(kid)
            if k > 0:
                extra += b" /Prev %d 0 R" % node["children"][k - 1]["number"]
            if k + 1 < len(node["children"]):
                extra += b" /Next %d 0 R" % node["children"][k + 1]["number"]
            w.obj(kid["number"], kid["body"][:-2] + extra[1:] + b" >>")
            write(kid)

    write(root)
    w.obj(_OUTLINES, b"<< /Type /Outlines" + links(root) + b" >>")
