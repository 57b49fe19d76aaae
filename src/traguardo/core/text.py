"""One normaliser for every text a person or a file gives us.

Word pastes a vertical tab (U+000B) for Shift+Enter, Excel keeps CR/LF inside a cell, PDFs
bring U+2028/U+2029 line separators, and some editors leave bidi overrides or NULs. Such
characters break XML (a DOCX, an ODS), split an e-mail header or an iCalendar line, or hide
what a text really says. Every text is therefore cleaned on the way in:

- ``clean_multiline``: a text with lines (risultato atteso, note). Line separators of every
  kind become ``\\n``; every other control or format character goes, tabs become spaces.
- ``clean_line``: a one-line text (denominazione, formula). Line separators become one space.
- ``check_single_line``: a code or a name, which must not carry a line break at all (a code
  ``"1\\r\\nSet-Cookie: x"`` would reach an e-mail and a feed as extra lines): CR/LF are
  refused with a message, the rest is cleaned as ``clean_line``.

``xml_safe`` is for output: whatever an older row holds, a document we write never carries a
character XML refuses. Pure Python: no Django import.
"""

from __future__ import annotations

import re
import unicodedata

# Line breaks as the sources write them: CR/LF, VT (Word's Shift+Enter pasted), FF, NEL,
# LINE SEPARATOR, PARAGRAPH SEPARATOR.
_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_CRLF = re.compile("[\r\n]")


def _keep(char: str) -> bool:
    """Not a control or format character (bidi overrides, zero-width marks, BOM, NUL…)."""
    if char in "\n":
        return True
    category = unicodedata.category(char)
    return category not in ("Cc", "Cf", "Cs", "Co") or char == "\u00ad"


def clean_multiline(text: str) -> str:
    """A text with lines: every kind of line break becomes ``\\n``, tabs become spaces, other
    control and format characters are removed."""
    if not text:
        return ""
    text = _BREAKS.sub("\n", unicodedata.normalize("NFC", str(text)))
    text = text.replace("\t", " ")
    return "".join(char for char in text if _keep(char))


def clean_line(text: str) -> str:
    """A one-line text: line breaks become a space, control characters are removed."""
    return clean_multiline(text).replace("\n", " ")


def has_line_break(text: str) -> bool:
    """A CR or LF inside the text (ends do not count: they are trimmed)."""
    return bool(_CRLF.search(str(text or "").strip()))


def check_single_line(text: str) -> tuple[str, bool]:
    """A code or a name: the cleaned text, and whether it held a CR/LF (to be refused)."""
    return clean_line(str(text or "").strip()).strip(), has_line_break(text)


def xml_safe(text: str) -> str:
    """For output: what XML 1.0 accepts, line separators kept as ``\\n``."""
    return clean_multiline(text)


__all__ = ["check_single_line", "clean_line", "clean_multiline", "has_line_break", "xml_safe"]
