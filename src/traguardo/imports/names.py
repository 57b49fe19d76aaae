"""The names a file uses, read against one authority: units, people, scales, SMVP levels,
ambiti, DUP goals. Loaded once per dry run (a handful of queries), then pure look-ups.

A name matches whatever its case, accents, punctuation and spacing. A unit is also found by
what the authority's schede already read the same text as (a person may have fixed it in the
editor), by the words a card puts before it ("Dirigente Settore II") and without the kind
word a card leaves out ("Turismo" for "Ufficio Turismo", noted).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from traguardo.imports.draft import Where
from traguardo.organization.models import (
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
)
from traguardo.planning.models import DupGoal, Objective
from traguardo.scoring import ScaleParseError, describe_scale, parse_scale, scale_to_dict

# Words before a unit's name on a card ("Dirigente Settore II") and at the start of a unit's
# name that a card leaves out ("Ufficio Turismo" written "Turismo").
_ROLE_PREFIX = re.compile(r"^(dirigente|responsabile|resp\.?)( (del|della|dello|dell'|di))? ")
_KIND_PREFIX = re.compile(r"^(ufficio|servizio|settore|servizi|uffici|area) ")
_INVOLVED_PREFIX = re.compile(r"^\s*(uffici|servizi|unità)\s*:", re.IGNORECASE)
# Titles before a person's name, as ``normalize`` leaves them ("Dott.ssa" → "dott ssa").
_TITLES = re.compile(
    r"^(?:(?:dott|dottssa|dr|dssa|ing|arch|avv|geom|rag|sig|sigra|prof|profssa|p i|per ind)"
    r"(?: ssa| ra)?\s+)+"
)
_LABEL_AND_POINTS = re.compile(r"(.*?\S)\s*\(\s*([x×]?\s*[\d.,]+)\s*\)")
_POINTS = re.compile(r"[x×*]?\s*(\d+(?:[.,]\d+)?)\s*(?:punti|pt\.?)?", re.IGNORECASE)


@dataclass(frozen=True)
class ScaleRef:
    """A grading scale: one of the authority's (``pk``) or one the import will add."""

    pk: int | None
    name: str
    definition: dict
    source_text: str = ""


def normalize(text: str) -> str:
    """Case, accents, punctuation and spacing do not tell two names apart."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[:;,.]", " ", text).split())


def _name_words(text: str) -> list[str]:
    """A person's name as words, without titles: "Ing. Laura Rossi" → ["laura", "rossi"]."""
    key = _TITLES.sub("", normalize(text))
    return key.replace("'", " ").split()


def points_in(text: str):
    """The number a Punteggio cell writes ("50", "0,75", "×1", "30 punti"), else None."""
    match = _POINTS.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return Decimal(match[1].replace(",", "."))
    except InvalidOperation:
        return None


class Names:
    """The authority's names, read once: units, people, scales, levels, ambiti, DUP goals."""

    def __init__(self, authority, aliases: dict[str, tuple[str, bool]]) -> None:
        self.authority = authority
        units = list(OrgUnit.objects.all())
        self.units = {normalize(u.name): u for u in units}
        self.aliases = {normalize(word): target for word, target in aliases.items()}
        short: dict[str, list[OrgUnit]] = {}
        for unit in units:
            stripped = _KIND_PREFIX.sub("", normalize(unit.name))
            short.setdefault(stripped, []).append(unit)
        self.short = {key: found[0] for key, found in short.items() if len(found) == 1}
        self.short_shared = {key: found for key, found in short.items() if len(found) > 1}
        by_id = {u.pk: u for u in units}
        # What the authority's schede already read a text as (a person may have fixed it in
        # the editor): the same text is read the same way again.
        learned: dict[str, set[int]] = {}
        for text, unit_id in (
            Objective.objects.exclude(unit_text="")
            .filter(unit__isnull=False)
            .values_list("unit_text", "unit_id")
        ):
            learned.setdefault(normalize(text), set()).add(unit_id)
        self.learned = {
            key: by_id[ids.pop()]
            for key, ids in learned.items()
            if len(ids) == 1 and next(iter(ids)) in by_id
        }
        involved: dict[int, tuple[str, set[int]]] = {}
        for pk, text, unit_id in Objective.objects.exclude(involved_text="").values_list(
            "pk", "involved_text", "involved_units"
        ):
            involved.setdefault(pk, (normalize(text), set()))[1].update({unit_id} - {None})
        learned_involved: dict[str, set[frozenset[int]]] = {}
        for text, ids in involved.values():
            learned_involved.setdefault(text, set()).add(frozenset(ids))
        self.learned_involved = {
            text: sets.pop() for text, sets in learned_involved.items() if len(sets) == 1
        }
        self.by_id = by_id
        people = list(Person.objects.all())
        self.people = [(frozenset(_name_words(f"{p.first_name} {p.last_name}")), p) for p in people]
        self.scales = {normalize(s.name): s for s in GradingScale.objects.all()}
        levels = list(PolicyLevel.objects.order_by("dimension", "position"))
        self.level_rows = levels
        self.levels = {
            (level.dimension, normalize(key)): level.pk
            for level in levels
            for key in (level.label, level.code)
        }
        self.areas = dict(PerformanceArea.objects.values_list("number", "pk"))
        self.goals: dict[str, int] = {}
        goals = list(DupGoal.objects.all())
        for goal in goals:
            for key in (goal.code, goal.title, f"{goal.code} {goal.title}"):
                self.goals.setdefault(normalize(key), goal.pk)
        # Ids back to what a person reads (the dry run's differences name them).
        self.labels = {
            "unit_id": {u.pk: u.name for u in units},
            "responsible_id": {p.pk: str(p) for p in people},
            "strategic_level_id": {level.pk: level.label for level in levels},
            "complexity_level_id": {level.pk: level.label for level in levels},
            "kind_level_id": {level.pk: level.label for level in levels},
            "dup_goal_id": {g.pk: f"{g.code} {g.title}".strip() for g in goals},
            "areas": {pk: str(number) for number, pk in self.areas.items()},
        }
        self.new_scales: dict[str, ScaleRef] = {}

    def unit(self, text: str) -> tuple[OrgUnit | None, str]:
        """The unit a text names, and a note when it was read from a variant of the name."""
        key = normalize(text)
        if not key:
            return None, ""
        if key in self.aliases:
            name, noted = self.aliases[key]
            unit = self.units.get(normalize(name))
            if unit is not None:
                note = _("«%(t)s» letto come «%(o)s».") % {"t": text.strip(), "o": unit.name}
                return unit, note if noted else ""
        if key in self.learned:
            return self.learned[key], ""
        if key in self.units:
            return self.units[key], ""
        stripped = _ROLE_PREFIX.sub("", key)
        if stripped in self.units:
            return self.units[stripped], ""
        if stripped in self.short:
            unit = self.short[stripped]
            return unit, _("«%(t)s» letto come «%(o)s».") % {"t": text.strip(), "o": unit.name}
        return None, ""

    def units_for(self, text: str) -> list[OrgUnit]:
        """The units a text may name when ``unit`` finds none: several units answering to
        the same short name ("Servizi Sociali" for an Ufficio and a Settore) are asked."""
        stripped = _ROLE_PREFIX.sub("", normalize(text))
        for key in (stripped, _KIND_PREFIX.sub("", stripped)):
            if key in self.short_shared:
                return list(self.short_shared[key])
        return []

    def unit_named(self, name: str) -> OrgUnit | None:
        """A unit by its own name (a workbook names units exactly)."""
        return self.units.get(normalize(name))

    def involved(self, text: str) -> tuple[list[OrgUnit], list[str]]:
        key = normalize(text)
        if key in self.learned_involved:
            ids = self.learned_involved[key]
            return [u for pk, u in self.by_id.items() if pk in ids], []
        body = _INVOLVED_PREFIX.sub("", text)
        parts = body.split(";") if ";" in body else re.split(r"\s*[-,]\s*", body)
        units: list[OrgUnit] = []
        notes: list[str] = []
        for part in parts:
            if not part.strip():
                continue
            unit, note = self.unit(part)
            if unit is None:
                notes.append(_("Unità coinvolta «%(t)s» non riconosciuta.") % {"t": part.strip()})
            elif unit not in units:
                if note:
                    notes.append(note)
                units.append(unit)
        return units, notes

    def person(self, text: str) -> Person | None:
        """ "Nome Cognome" or "Cognome Nome", in any case, accents and spacing, with or without
        a title ("Ing.", "Dott.ssa"); None when no one or more than one person answers."""
        found = self.people_named(text)
        return found[0] if len(found) == 1 else None

    def people_named(self, text: str) -> list[Person]:
        """Everyone the text may name: the same words (any order, case, accents, titles);
        else, for a shortened name ("M. Verdi", "Verdi"), everyone whose surname it gives and
        whose first names its other words or initials fit. Several: the person is asked."""
        words = _name_words(text)
        if not words:
            return []
        exact = [p for name, p in self.people if name == frozenset(words)]
        if exact:
            return exact
        found = []
        for _name, person in self.people:
            surname = _name_words(person.last_name)
            firsts = _name_words(person.first_name)
            rest = [w for w in words if w not in surname]
            if not set(surname) <= set(words) or len(rest) > len(firsts):
                continue
            if all(any(f == w or (len(w) == 1 and f.startswith(w)) for f in firsts) for w in rest):
                found.append(person)
        return found

    @staticmethod
    def same_name(text: str, person: Person) -> bool:
        """The text gives the person's whole name (titles, order, case and accents aside)."""
        return frozenset(_name_words(text)) == frozenset(
            _name_words(f"{person.first_name} {person.last_name}")
        )

    def level(self, dimension: str, text: str) -> int | None:
        """A level by its label, its code or — a number — its points (or factor)."""
        found = self.levels_for(dimension, text)
        return found[0].pk if len(found) == 1 else None

    def levels_for(self, dimension: str, text: str) -> list[PolicyLevel]:
        """The levels of ``dimension`` a text names: by label or code, else by the points (or
        the factor) the SMVP gives them. Empty: no level; several: the person must choose."""
        if not text.strip():
            return []
        pk = self.levels.get((dimension, normalize(text)))
        if pk is not None:
            return [level for level in self.level_rows if level.pk == pk]
        both = _LABEL_AND_POINTS.fullmatch(text.strip())
        if both is not None:  # "Alta (60)": the label, if its points agree
            named = self.levels_for(dimension, both[1])
            return [level for level in named if level.value == points_in(both[2])]
        points = points_in(text)
        if points is None:
            return []
        return [
            level
            for level in self.level_rows
            if level.dimension == dimension and level.value == points
        ]

    def levels_of(self, dimension: str) -> list[PolicyLevel]:
        return [level for level in self.level_rows if level.dimension == dimension]

    def dup_goal(self, text: str) -> int | None:
        return self.goals.get(normalize(text)) if text.strip() else None

    def scale(self, name: str, text: str, where: Where, problem) -> ScaleRef | None:
        """A scale chosen by name, else the one the graduation text describes."""
        if name.strip():
            found = self.scales.get(normalize(name))
            if found is not None:
                return ScaleRef(found.pk, found.name, found.definition)
            problem(_("La graduazione «%(n)s» non è tra quelle dell'ente.") % {"n": name}, where)
        if not text.strip():
            return None
        try:
            scale = parse_scale(text)
        except ScaleParseError as error:
            problem(
                _("Graduazione «%(t)s» non letta: %(e)s") % {"t": text.strip(), "e": error.message},
                where,
            )
            return None
        described = describe_scale(scale)
        found = self.scales.get(normalize(described))
        if found is not None:
            return ScaleRef(found.pk, found.name, found.definition)
        if described not in self.new_scales:
            self.new_scales[described] = ScaleRef(
                None, described, scale_to_dict(scale), text.strip()
            )
        return self.new_scales[described]
