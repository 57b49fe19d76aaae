"""Reader for the text extraction of the paper "schede obiettivo" (the seed and Word exports).

It keeps what each card says, verbatim apart from whitespace and ``**`` bold markers, and records
in ``SourceNote``s what it had to interpret: a loader that silently repairs a card hides the
faults a person must fix in the editor. Pure Python on purpose: no Django import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NoReturn

_Line = tuple[int, str]


class CardTextError(ValueError):
    """Input the reader cannot read; ``line`` is 1-based, ``message`` is Italian."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"riga {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class SourceNote:
    line: int
    field: str
    message: str


@dataclass(frozen=True)
class IndicatorRow:
    line: int
    number: int
    weight_text: str
    weight: Decimal | None
    name: str
    formula: str
    intermediate_value: str
    intermediate_date: str
    final_value: str
    final_date: str
    grading: str


@dataclass(frozen=True)
class ActivityRow:
    line: int
    number: int
    weight_text: str
    weight: Decimal | None
    title: str
    timing: str
    indicator: str
    expected: str
    grading: str
    achieved: str


@dataclass(frozen=True)
class Card:
    line: int
    ordinal: int
    years: tuple[int, ...]
    code: str
    dup_reference: str
    title: str
    unit: str
    responsible: str
    involved_units: str
    objective_type: str
    expected_result: str
    areas_listed: tuple[int, ...]
    strategic: str
    complexity: str
    kind: str
    weight_score: str
    indicators: tuple[IndicatorRow, ...]
    indicator_total: str
    notes: str
    activities: tuple[ActivityRow, ...]
    activity_total: str
    source_notes: tuple[SourceNote, ...]


# Header labels in the order the paper card prints them: a label met out of this order is
# ordinary text (e.g. "Responsabile" inside a risultato atteso).
_HEADER_FIELDS: dict[str, tuple[int, str]] = {
    "Codice obiettivo": (0, "code"),
    "Riferimento DUP": (1, "dup_reference"),
    "Denominazione": (2, "title"),
    "Unità organizzativa responsabile": (3, "unit"),
    "Responsabile": (4, "responsible"),
    "Unità organizzative coinvolte": (5, "involved_units"),
    "Obiettivo": (6, "objective_type"),
    "Risultato atteso": (7, "expected_result"),
    "Risultato atte": (7, "expected_result"),
}
_LABEL_RE = re.compile(
    r"(Codice obiettivo|Riferimento DUP|Denominazione|Unità organizzativa responsabile"
    r"|Unità organizzative coinvolte|Responsabile|Obiettivo|Risultato atte(?:so)?)(?!\w)"
)
_START_RE = re.compile(
    r"^\s*(?:\*\*)?ANN[OI](?![^\W\d_])(?:\*\*)?\s*"
    r"(?P<years>\d{4}(?:\s*[-\u2013/,]\s*\d{4})*)?(?:\*\*)?(?P<rest>.*)$"
)
_YEARS_RE = re.compile(r"\d{4}(?:\s*[-\u2013/,]\s*\d{4})*")
_SCORE_RE = re.compile(
    r"\(\s*Strategicità\s*:(?P<strategic>.*?)\+\s*Complessità\s*:(?P<complexity>.*?)\)"
    r"\s*x\s*Tipologia\s*:(?P<kind>.*?)=\s*Punteggio\s*:(?P<score>.*?)(?P<label>Indicatori)?"
)
_TOTAL_RE = re.compile(r"\d[\d.]*(?:,\d+)?\s*%")
_WEIGHT_RE = re.compile(r"(\d+)(?:,(\d+)|\.(\d{1,2}))?\s*%?")
_TYPE_WORDS = frozenset({"ANNUALE", "PLURIENNALE"})
# table kind -> (columns, how messages name the table, "of the row", "the row")
_TABLES = {
    "indicators": (9, "della tabella «Indicatori»", "dell'indicatore", "l'indicatore"),
    "activities": (8, "del «Piano operativo»", "dell'attività", "l'attività"),
}
_MONTHS = {
    "gennaio": 1, "gen": 1, "febbraio": 2, "feb": 2, "marzo": 3, "mar": 3,
    "aprile": 4, "apr": 4, "maggio": 5, "mag": 5, "giugno": 6, "giu": 6,
    "luglio": 7, "lug": 7, "agosto": 8, "ago": 8, "settembre": 9, "set": 9, "sett": 9,
    "ottobre": 10, "ott": 10, "novembre": 11, "nov": 11, "dicembre": 12, "dic": 12,
}  # fmt: skip
_WORD_DATE_RE = re.compile(r"(\d{1,2})(?:\s*[°º]\s*|\s+)([^\W\d_]+)\.?\s+(\d{4})")
_NUMERIC_DATE_RE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")


def parse_weight(text: str) -> Decimal | None:
    """Read a card weight ("25,00%"); blank means "not given", which is not zero."""
    cleaned = _clean(text)
    if not cleaned:
        return None
    match = _WEIGHT_RE.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"peso non numerico: «{cleaned}»")
    integer, decimals = match[1], match[2] or match[3]
    return Decimal(f"{integer}.{decimals}" if decimals else integer)


def parse_italian_date(text: str) -> date | None:
    """Read a date written the Italian way; anything else (a period, a phrase) gives None."""
    cleaned = _clean(text)
    if match := _WORD_DATE_RE.fullmatch(cleaned):
        day, month, year = int(match[1]), _MONTHS.get(match[2].casefold()), int(match[3])
    elif match := _NUMERIC_DATE_RE.fullmatch(cleaned):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
        year += 2000 if len(match[4]) == 2 else 0
    else:
        return None
    if month is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_cards(text: str) -> list[Card]:
    """Split the text at the "ANNO"/"ANNI" lines and read every card in file order."""
    text = text.removeprefix("\ufeff")
    lines = [(number, raw.rstrip("\r")) for number, raw in enumerate(text.split("\n"), start=1)]
    starts = [i for i, (_, raw) in enumerate(lines) if _is_card_start(raw)]
    if not starts:
        raise CardTextError(1, "nessuna scheda trovata: manca l'intestazione «ANNO»/«ANNI»")
    preamble = [
        SourceNote(number, "", f"testo prima della prima scheda, non letto: «{_clean(raw)}»")
        for number, raw in lines[: starts[0]]
        if _clean(raw)
    ]
    bounds = [*starts, len(lines)]
    return [
        _CardReader(lines[bounds[i] : bounds[i + 1]], i + 1, preamble if i == 0 else []).read()
        for i in range(len(starts))
    ]


def _clean(text: str) -> str:
    # "****" is the boundary of two bold runs ("**ANNUALE****PLURIENNALE**"): keep a space there.
    return " ".join(text.replace("****", " ").replace("**", "").split())


def _cells(raw: str) -> list[str]:
    return [_clean(cell) for cell in raw.split("\t")]


def _width(cells: list[str]) -> int:
    """Number of cells up to the last non-empty one."""
    return max((i + 1 for i, cell in enumerate(cells) if cell), default=0)


def _is_card_start(raw: str) -> bool:
    match = _START_RE.match(raw)
    if match is None:
        return False
    rest = _clean(match["rest"])
    return not rest or (match["years"] is not None and _LABEL_RE.match(rest) is not None)


def _is_label_position(raw: str, start: int) -> bool:
    """A label counts at line start, after ":" or "**", or glued to the previous value.

    "...STATO CIVILEObiettivo" is a label; "nomina del Responsabile" is text.
    """
    before = raw[:start]
    stripped = before.rstrip()
    if not stripped or stripped[-1] in ":*":
        return True
    return stripped == before and before[-1].isalnum()


def _table_kind(raw: str) -> str:
    cells = [cell.upper() for cell in _cells(raw)]
    if len(cells) < 3 or cells[0] not in {"N°", "Nº", "N.", "N"} or cells[1] != "PESO":
        return ""
    if cells[2].startswith("DENOMINAZIONE"):
        return "indicators"
    return "activities" if cells[2].startswith("SUB-OBIETTIVO") else ""


class _CardReader:
    """Reads one card: header, ambiti, punteggio, indicators, note, piano operativo."""

    def __init__(self, block: list[_Line], ordinal: int, notes: list[SourceNote]) -> None:
        self.block = block
        self.ordinal = ordinal
        self.line = block[0][0]
        self.notes = list(notes)
        filled = [number for number, raw in block if _clean(raw)]
        self.last_line = filled[-1] if filled else self.line

    def read(self) -> Card:
        years, header_from = self._years()
        ambiti = self._find(header_from, lambda raw: _clean(raw).startswith("Ambiti della"))
        if ambiti is None:
            self._truncated("degli «Ambiti della performance organizzativa»")
        first = _START_RE.match(self.block[0][1])
        segments = [(self.line, first["rest"] if first else "")]
        header = self._header(segments + self.block[header_from:ambiti])
        table = self._find(ambiti, lambda raw: _table_kind(raw) == "indicators")
        if table is None:
            self._truncated("della tabella «Indicatori»")
        areas, score = self._areas_and_score(ambiti + 1, table)
        plan = self._find(table, lambda raw: _clean(raw) == "Piano operativo")
        note = self._find(table, lambda raw: re.match(r"Note\b", _clean(raw)) is not None)
        if note is not None and plan is not None and note > plan:
            note = None
        table_end = next((i for i in (note, plan) if i is not None), len(self.block))
        indicators, indicator_total = self._table(table, table_end, "indicators")
        if plan is None:
            self._truncated("del «Piano operativo»")
        notes = self._notes(note, plan)
        activity_table = self._find(plan, lambda raw: _table_kind(raw) == "activities")
        if activity_table is None:
            self._truncated("della tabella del «Piano operativo»")
        self._unexpected(plan + 1, activity_table)
        activities, activity_total = self._table(activity_table, len(self.block), "activities")
        return Card(
            line=self.line,
            ordinal=self.ordinal,
            years=years,
            **header,
            areas_listed=areas,
            **score,
            indicators=tuple(IndicatorRow(*row) for row in indicators),
            indicator_total=indicator_total,
            notes=notes,
            activities=tuple(ActivityRow(*row) for row in activities),
            activity_total=activity_total,
            source_notes=tuple(sorted(self.notes, key=lambda note: note.line)),
        )

    def _truncated(self, what: str) -> NoReturn:
        message = f"la scheda {self.ordinal} (riga {self.line}) termina prima {what}"
        raise CardTextError(self.last_line, message)

    def _find(self, start: int, test: Callable[[str], bool]) -> int | None:
        return next((i for i in range(start, len(self.block)) if test(self.block[i][1])), None)

    def _note(self, line: int, field: str, message: str) -> None:
        self.notes.append(SourceNote(line, field, message))

    def _years(self) -> tuple[tuple[int, ...], int]:
        """Years on the "ANNO"/"ANNI" line or on the next non-empty one."""
        match = _START_RE.match(self.block[0][1])
        years_text, header_from = (match["years"] if match else None), 1
        if years_text is None:
            nxt = self._find(1, lambda raw: bool(_clean(raw)))
            if nxt is None or not _YEARS_RE.fullmatch(_clean(self.block[nxt][1])):
                message = f"la scheda {self.ordinal} non indica l'anno dopo «ANNO»/«ANNI»"
                raise CardTextError(self.line, message)
            years_text, header_from = _clean(self.block[nxt][1]), nxt + 1
        years = tuple(int(year) for year in re.findall(r"\d{4}", years_text))
        if list(years) != sorted(set(years)):
            raise CardTextError(
                self.line, f"gli anni della scheda {self.ordinal} non sono in ordine"
            )
        return years, header_from

    def _header(self, segments: list[_Line]) -> dict[str, str]:
        """Cut the header at the known labels, whether run together on a line or not."""
        pieces: dict[str, list[_Line]] = {}
        current, last = "", -1
        for number, raw in segments:
            position, after_label = 0, False
            for match in _LABEL_RE.finditer(raw):
                order, field = _HEADER_FIELDS[match[1]]
                if order <= last or not _is_label_position(raw, match.start()):
                    continue
                self._piece(pieces, current, number, raw[position : match.start()], after_label)
                if match[1] == "Risultato atte":
                    self._note(
                        number, field, "etichetta «Risultato atte» letta come «Risultato atteso»"
                    )
                current, last, position, after_label = field, order, match.end(), True
                pieces[field] = []
            self._piece(pieces, current, number, raw[position:], after_label)
        for label, (_, field) in _HEADER_FIELDS.items():
            if field not in pieces and label != "Risultato atte":
                self._note(self.line, field, f"manca l'etichetta «{label}»")
        values = {
            field: " ".join(text for _, text in pieces.get(field, []))
            for _, field in _HEADER_FIELDS.values()
        }
        self._move_expected_result(pieces.get("objective_type", []), values)
        return values

    def _piece(
        self, pieces: dict[str, list[_Line]], field: str, number: int, raw: str, after: bool
    ) -> None:
        text = _clean(raw)
        text = text.removeprefix(":").strip() if after else text
        if text and not field:
            self._note(number, "", f"testo prima di «Codice obiettivo», non letto: «{text}»")
        elif text:
            pieces[field].append((number, text))

    def _move_expected_result(self, objective: list[_Line], values: dict[str, str]) -> None:
        """The extraction sometimes moves the risultato atteso above its label (cards 6, 10)."""
        stray = [(n, t) for n, t in objective if not set(t.upper().split()) <= _TYPE_WORDS]
        if not stray or values["expected_result"]:
            return
        values["objective_type"] = " ".join(t for n, t in objective if (n, t) not in stray)
        values["expected_result"] = " ".join(text for _, text in stray)
        message = (
            "testo trovato tra «Obiettivo» e «Risultato atteso», che è vuoto: "
            "letto come risultato atteso"
        )
        self._note(stray[0][0], "expected_result", message)

    def _areas_and_score(self, start: int, end: int) -> tuple[tuple[int, ...], dict[str, str]]:
        """The ambiti rows (their marks are lost in the text) and the Punteggio line."""
        score = dict.fromkeys(("strategic", "complexity", "kind", "weight_score"), "")
        areas: set[int] = set()
        in_areas, score_seen = True, False
        for number, raw in self.block[start:end]:
            text = _clean(raw)
            if text.startswith("(Strategicità"):
                match = _SCORE_RE.fullmatch(text)
                if match is None:
                    raise CardTextError(number, f"riga del punteggio non leggibile: «{text}»")
                values = (_clean(match[group]) for group in range(1, 5))
                score = dict(zip(score, values, strict=True))
                in_areas, score_seen = False, True
            elif text in {"Indicatori", "Indicatori:"}:
                in_areas = False
            elif text and in_areas:
                cells = _cells(raw)
                found = [
                    int(cell)
                    for cell, nxt in zip(cells, [*cells[1:], ""], strict=True)
                    if re.fullmatch(r"\d{1,2}", cell) and nxt
                ]
                areas.update(found)
                if not found:
                    self._note(number, "areas_listed", f"riga degli ambiti non letta: «{text}»")
            elif text:
                self._note(number, "", f"testo inatteso: «{text}»")
        if not score_seen:
            message = "manca la riga «(Strategicità + Complessità) x Tipologia = Punteggio»"
            self._note(self.line, "weight_score", message)
        return tuple(sorted(areas)), score

    def _table(self, header: int, end: int, kind: str) -> tuple[list[tuple], str]:
        """Rows of a table (empty paper rows dropped) and the text of its weight check."""
        columns, name, _, _ = _TABLES[kind]
        head_line, head_raw = self.block[header]
        if (width := _width(_cells(head_raw))) != columns:
            message = f"l'intestazione {name} ha {width} colonne invece di {columns}"
            raise CardTextError(head_line, message)
        rows: list[tuple] = []
        total: list[str] = []
        total_line = self.last_line
        for number, raw in self.block[header + 1 : end]:
            cells = _cells(raw)
            if not any(cells):
                continue
            if not rows and not total and not cells[0] and "ATTESO" in cells:
                continue  # second line of the indicator header
            if not re.fullmatch(r"\d+", cells[0]):
                total_line = total_line if total else number
                total.extend(cell for cell in cells if cell)
            elif total:
                raise CardTextError(number, f"riga di tabella dopo il totale dei pesi {name}")
            else:
                rows.extend(self._row(number, cells, kind))
        self._check_total(" ".join(total), total_line, end, name)
        return rows, " ".join(total)

    def _row(self, number: int, cells: list[str], kind: str) -> list[tuple]:
        columns, _, of_row, the_row = _TABLES[kind]
        ordinal = int(cells[0])
        if (width := _width(cells)) > columns:
            message = f"{the_row} {ordinal} ha {width} celle, più delle {columns} dell'intestazione"
            raise CardTextError(number, message)
        cells = cells[:columns] + [""] * (columns - len(cells))
        if not any(cells[1:]):
            return []  # an empty row of the paper template
        try:
            weight = parse_weight(cells[1])
        except ValueError:
            message = f"peso «{cells[1]}» {of_row} {ordinal} non è un numero"
            raise CardTextError(number, message) from None
        return [(number, ordinal, cells[1], weight, *cells[2:])]

    def _check_total(self, total: str, line: int, end: int, name: str) -> None:
        if not total and end >= len(self.block):
            self._truncated(f"del totale dei pesi {name}")
        if not total:
            raise CardTextError(self.block[end][0], f"manca il totale dei pesi {name}")
        if not _TOTAL_RE.match(total):
            message = f"il totale dei pesi {name} non è una percentuale: «{total}»"
            self._note(line, "", message)

    def _notes(self, note: int | None, plan: int) -> str:
        if note is None:
            self._note(self.block[plan][0], "notes", "manca l'etichetta «Note»")
            return ""
        first = _clean(self.block[note][1]).removeprefix("Note").removeprefix(":").strip()
        rest = (_clean(raw) for _, raw in self.block[note + 1 : plan])
        return " ".join(text for text in (first, *rest) if text)

    def _unexpected(self, start: int, end: int) -> None:
        for number, raw in self.block[start:end]:
            if text := _clean(raw):
                self._note(number, "activities", f"testo inatteso: «{text}»")
