"""The authority a file says it belongs to: "Comune di Gallarate" in a document's title lines,
its page headers, or a workbook's instructions. Pure Python."""

from __future__ import annotations

import re


def _clean(text: str) -> str:
    return " ".join(text.replace("**", "").split())


_AUTHORITY_RE = re.compile(
    r"\b(?:Comune|Unione(?:\s+dei\s+Comuni)?|Provincia|Citt[àa]\s+metropolitana|Regione)"
    r"\s+(?:di|del|della|dello|dell'|de)\s*[A-ZÀ-Ý][^\n\t,;:()—–]*",
)


def authority_names(texts: list[str]) -> list[str]:
    """The authorities a document's title lines and page headers name, in order, once each."""
    found: list[str] = []
    for text in texts:
        for match in _AUTHORITY_RE.finditer(_clean(text)):
            name = re.split(r"\s+-\s+|\s{2,}", match[0].strip())[0].strip(" .")
            if name and name not in found:
                found.append(name)
    return found


__all__ = ["authority_names"]
