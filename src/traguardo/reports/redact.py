"""One redactor for every public text: the authority's people's names become "[omissis]".

Every free text that reaches a public page, an open data file or the public Relazione passes
``Redactor`` (D.Lgs. 33/2013; Garante provv. 398/2023: no named person beside a result). The
texts are written by people and name colleagues in every spelling an office uses, so a name
is matched:

- whatever the case and the accents ("Nicolò Sà", "NICOLO SA", "Nicolo Sa");
- whatever the apostrophe (’ ' ‘ ` ´, with or without a space after it: "D’Amico", "D' Amico");
- first name(s) then last name, or last name then first name(s), with or without a comma;
- with an initial for the first name ("L. D’Amico", "D'Amico L.", "L.D'Amico");
- after a title ("dott.ssa Bianca Bertolini", "ing. Rossi", "sig.ra D'Amico", "dott. Sà"): the
  title stays ("dott.ssa [omissis]"), and makes a short last name a name;
- the last name alone when it has at least ``SURNAME_ALONE_FROM`` letters or an apostrophe
  (short surnames such as "Sà" or "Re" are words too: they are matched with a first name or
  an initial only).

Matching runs on a folded copy of the text (accents stripped, apostrophes unified, casefold)
whose every character points back to the original, so what is replaced is exactly the
original's span. Over-matching ("Bianco" as a colour when someone is called Bianco) is the
price of never publishing a name; the admin's "Revisione dei testi pubblici" page shows every
match before a plan's results go public.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from traguardo.accounts.models import User
from traguardo.organization.models import Person

OMISSIS = "[omissis]"
# A last name alone is a name only from this length on ("Re", "Sà" are words too).
SURNAME_ALONE_FROM = 4
APOSTROPHES = "'’‘`´ʼ′"
# Titles before a name, folded (no accents, lower case), each with its optional dot.
TITLES = (
    r"dott(?:\.ssa|ssa|\.|or(?:e|essa)?)?",
    r"dr(?:\.ssa|ssa|\.)?",
    r"prof(?:\.ssa|ssa|\.|essor(?:e|essa))?",
    r"ing(?:\.|egner[ei])?",
    r"avv(?:\.|ocat[oa])?",
    r"arch(?:\.|itett[oa])?",
    r"geom(?:\.|etra)?",
    r"rag(?:\.|ionier[ea])?",
    r"sig(?:\.ra|\.na|ra|na|\.|nor(?:a|ina)?)?",
    r"p\.\s*i\.",
    r"per\.\s*ind\.",
)
_SPACE = r"[\s,]+"
_TITLE = r"(?:(?:" + "|".join(TITLES) + r")(?<=\.)\s*|(?:" + "|".join(TITLES) + r")\s+)"


def fold(text: str) -> tuple[str, list[int]]:
    """The text without accents, with one apostrophe, case-folded; and for each character
    of the result, the index of the original character it comes from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char in APOSTROPHES:
            out = "'"
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            out = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        for piece in out:
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def _words(name: str) -> list[str]:
    folded, _origin = fold(" ".join(name.split()))
    # "D' Amico" and "D'Amico" are one word; a hyphen joins too.
    folded = re.sub(r"'\s+", "'", folded)
    return [w for w in re.split(r"\s+", folded) if w]


def _word_pattern(word: str) -> str:
    parts = [re.escape(part) for part in re.split(r"(['-])", word)]
    return "".join(r"'\s*" if p == "'" else (r"\s*-\s*" if p == r"\-" else p) for p in parts)


def _sequence(words: list[str]) -> str:
    return r"\s+".join(_word_pattern(word) for word in words)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str


class Redactor:
    """Replaces the names of a list of people (first name, last name) with [omissis]."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        alternatives: set[str] = set()
        surnames: set[str] = set()  # after a title, a last name of any length is a name
        for first, last in names:
            last_words = _words(last or "")
            if not last_words:
                continue
            first_words = _words(first or "")
            surname = _sequence(last_words)
            surnames.add(surname)
            forenames = []
            if first_words:
                forenames.append(_sequence(first_words))
                if len(first_words) > 1:
                    forenames.extend(_word_pattern(w) for w in first_words)
                initials = {w[0] for w in first_words if w[0].isalpha()}
                forenames.extend(re.escape(initial) + r"\." for initial in sorted(initials))
            for forename in forenames:
                between = r"\s*" if forename.endswith(r"\.") else r"\s+"
                alternatives.add(forename + between + surname)
                alternatives.add(surname + _SPACE + forename)
            letters = sum(ch.isalpha() for ch in "".join(last_words))
            if letters >= SURNAME_ALONE_FROM or "'" in "".join(last_words):
                alternatives.add(surname)
        # Longest first: "Mario Rossi" is replaced whole, not as "Mario [omissis]".
        ordered = sorted(alternatives, key=len, reverse=True)
        titled = sorted(alternatives | surnames, key=len, reverse=True)
        # A title stays ("dott. [omissis]"): only the name is replaced, but a title makes a
        # short last name ("dott. Sà") a name.
        self.pattern = (
            re.compile(
                r"(?<![\w'])(?:"
                + _TITLE
                + r"(?P<titled>"
                + "|".join(titled)
                + r")|(?P<name>"
                + "|".join(ordered)
                + r"))(?![\w'])",
                re.IGNORECASE,
            )
            if titled
            else None
        )

    @classmethod
    def for_authority(cls, authority) -> "Redactor":
        """The authority's people and the users who are its members."""
        people = Person.objects.filter(authority=authority).values_list("first_name", "last_name")
        users = User.objects.filter(memberships__authority=authority).values_list(
            "first_name", "last_name"
        )
        return cls([*people, *users])

    def matches(self, text: str) -> list[Match]:
        """The spans of ``text`` that name someone, in order."""
        if not text or self.pattern is None:
            return []
        folded, origin = fold(text)
        found = []
        for hit in self.pattern.finditer(folded):
            group = "titled" if hit.group("titled") is not None else "name"
            start = origin[hit.start(group)]
            end = origin[hit.end(group) - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1  # a decomposed accent belongs to its letter
            found.append(Match(start, end, text[start:end]))
        return found

    def __call__(self, text: str) -> str:
        if not text:
            return text or ""
        spans = self.matches(text)
        if not spans:
            return text
        out, at = [], 0
        for span in spans:
            out.append(text[at : span.start])
            out.append(OMISSIS)
            at = span.end
        out.append(text[at:])
        return "".join(out)


# -- the public texts of a scheda: redacted in memory, for one page ------------------------

OBJECTIVE_TEXTS = ("title", "code", "dup_text", "expected_result", "notes")
INDICATOR_TEXTS = ("name", "formula_text", "grading_text")
TARGET_TEXTS = ("value_text", "due_text")
ACTIVITY_TEXTS = ("title", "timing_text", "indicator_text", "expected_text", "grading_text")


def public_texts(scheda) -> list[tuple[object, str, str]]:
    """Every free text of a scheda (``reports.scheda.SchedaView``) that a public page or file
    shows: (row, field, label) — the label in Italian, for the review page."""
    from django.utils.translation import gettext as _

    o = scheda.objective
    texts = [(o, name, str(o._meta.get_field(name).verbose_name)) for name in OBJECTIVE_TEXTS]
    for row in scheda.indicators:
        i = row.indicator
        label = _("indicatore %(n)s") % {"n": i.position}
        texts += [(i, f, f"{label}: {i._meta.get_field(f).verbose_name}") for f in INDICATOR_TEXTS]
        for target in (row.intermediate, row.final):
            if target is not None:
                texts += [
                    (target, f, f"{label}: {target._meta.get_field(f).verbose_name}")
                    for f in TARGET_TEXTS
                ]
    for row in scheda.activities:
        a = row.activity
        label = _("attività %(n)s") % {"n": a.position}
        texts += [(a, f, f"{label}: {a._meta.get_field(f).verbose_name}") for f in ACTIVITY_TEXTS]
    return texts


def redact_scheda(scheda, redactor: Callable[[str], str]) -> None:
    """Replace the names in the public texts of ``scheda``'s rows, in memory (for the page or
    file being built; the rows are never saved from here)."""
    seen: set[tuple[int, str]] = set()
    for row, field, _label in public_texts(scheda):
        key = (id(row), field)
        if key not in seen:
            seen.add(key)
            setattr(row, field, redactor(getattr(row, field) or ""))
