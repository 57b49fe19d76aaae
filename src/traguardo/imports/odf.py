"""What the OpenDocument readers share (Writer schede, ``imports.odt``; Calc workbooks,
``exchange.ods_reading``): the namespaces, the parser of a part, and a paragraph's text.

The parts were already streamed through defusedxml by ``imports.safety``; the parser still
refuses entities, the network and huge trees, so a reader never depends on that order.
"""

from lxml import etree

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
MAX_SPACES = 100  # a text:s of a million spaces is read as a hundred


def q(ns: str, tag: str) -> str:
    """The qualified name lxml uses: ``{namespace}tag``."""
    return f"{{{ns}}}{tag}"


def parse_xml(data: bytes):
    """An ODF part's root element (raises ``etree.LxmlError`` or ``ValueError`` when unreadable)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(data, parser)


def paragraph_text(element) -> str:
    """A paragraph's text: spans and links read through, ``text:s`` spaces, tabs and line
    breaks as the Word reader gives them; notes and annotations left out."""
    parts = [element.text or ""]
    for child in element.iterchildren():
        tag = child.tag
        if tag == q(TEXT, "s"):
            parts.append(" " * _spaces(child.get(q(TEXT, "c"))))
        elif tag == q(TEXT, "tab"):
            parts.append("\t")
        elif tag == q(TEXT, "line-break"):
            parts.append("\n")
        elif tag not in (q(TEXT, "note"), q(OFFICE, "annotation")):
            parts.append(paragraph_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def table_rows(table):
    """A table's rows in order, also those grouped under header, rows or row-group elements."""
    for child in table.iterchildren():
        if child.tag == q(TABLE, "table-row"):
            yield child
        elif child.tag in (
            q(TABLE, "table-header-rows"),
            q(TABLE, "table-rows"),
            q(TABLE, "table-row-group"),
        ):
            yield from table_rows(child)


def _spaces(count: str | None) -> int:
    try:
        return max(0, min(int(count or 1), MAX_SPACES))
    except ValueError:
        return 1
