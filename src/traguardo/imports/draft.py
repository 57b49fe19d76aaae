"""What an import read from a file, before anything is written: the contract between readers.

Every reader (the Excel template, a Word document, the card text) turns its file into an
``ImportDraft``: plain dataclasses, no Django, no database. Values are kept twice where the
source is free text — the verbatim text, and the parsed value (None when it could not be
read) — exactly as the models keep them. ``Where`` says where in the source each scheda, row
and problem came from, so that every message can name the sheet, row and column (Excel), the
scheda and table (Word) or the line (card text).

The pipeline (``imports.pipeline``) then resolves names against the authority (units, people,
scales, SMVP levels), compares the drafts with the plan (dry run) and writes them in one
transaction once the user confirms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Where:
    """A place in the source file; the fields that do not apply stay empty."""

    sheet: str = ""  # Excel: the sheet's name. Word: "scheda 3". Text: "".
    table: str = ""  # Word: "Indicatori" / "Piano operativo". Excel: "".
    row: int | None = None  # Excel: the sheet's row number. Word: the table's row (1-based).
    column: str = ""  # Excel/Word: the column's header, as the file prints it.
    line: int | None = None  # card text: the line (1-based).

    def __str__(self) -> str:
        parts = []
        if self.sheet:
            parts.append(
                self.sheet if self.sheet.startswith("scheda") else f"foglio «{self.sheet}»"
            )
        if self.table:
            parts.append(f"tabella «{self.table}»")
        if self.row is not None:
            parts.append(f"riga {self.row}")
        if self.column:
            parts.append(f"colonna «{self.column}»")
        if self.line is not None:
            parts.append(f"riga {self.line} del testo")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """Something a person must know about the source. ``blocking``: that scheda (or, at file
    level, the whole file) cannot be imported until the file is fixed."""

    where: Where
    message: str  # Italian, names what is wrong ("peso non numerico: «dieci»")
    blocking: bool = False


@dataclass
class TargetDraft:
    kind: str  # "intermediate" | "final" (planning.Target.Kind)
    year: int
    value: Decimal | None = None
    value_text: str = ""
    due_date: date | None = None
    due_text: str = ""


@dataclass
class IndicatorDraft:
    position: int
    name: str
    weight: Decimal | None = None
    weight_text: str = ""
    formula_text: str = ""
    # A scoring.Measure value ("ratio", "deadline", …); "" = not said, to be read from the
    # formula and target text (imports.interpret.read_measure).
    measure: str = ""
    direction: str = ""  # scoring.Direction value, "" = not said
    baseline: Decimal | None = None
    baseline_text: str = ""
    variation_percent: bool = False
    grading_text: str = ""  # the scale as the source writes it; parsed by the pipeline
    grading_scale_name: str = ""  # Excel: a named scale of the authority, if chosen
    targets: list[TargetDraft] = field(default_factory=list)
    where: Where = field(default_factory=Where)


@dataclass
class ActivityDraft:
    position: int
    title: str
    weight: Decimal | None = None
    weight_text: str = ""
    start_date: date | None = None
    end_date: date | None = None
    timing_text: str = ""
    indicator_text: str = ""
    expected_text: str = ""
    grading_text: str = ""
    grading_scale_name: str = ""
    achieved_text: str = ""
    where: Where = field(default_factory=Where)


@dataclass
class SchedaDraft:
    ordinal: int  # 1-based order in the source file
    year: int | None = None  # the year of the targets; None when the source does not say
    first_year: int | None = None
    last_year: int | None = None
    code: str = ""
    title: str = ""
    dup_text: str = ""
    unit_text: str = ""
    responsible_text: str = ""
    involved_text: str = ""
    expected_result: str = ""
    notes: str = ""
    area_numbers: list[int] = field(default_factory=list)  # ambiti ticked (1-based numbers)
    strategic_text: str = ""  # SMVP levels by label or code, as the source writes them
    complexity_text: str = ""
    kind_text: str = ""
    score_text: str = ""  # the Punteggio as the source writes it ("80"), checked, not stored
    # The plan workbook (Excel) names the linked rows apart from the card's verbatim text, so
    # that an export imported again keeps both; "" / [] / None = not said (the pipeline then
    # resolves the text fields above, as for Word and card text).
    unit_name: str = ""  # OrgUnit.name
    responsible_name: str = ""  # "Nome Cognome"
    involved_names: list[str] = field(default_factory=list)  # OrgUnit names
    dup_goal_code: str = ""  # DupGoal.code
    series_ordinal: int | None = None  # ordinal of the first scheda of its multi-year objective
    indicators: list[IndicatorDraft] = field(default_factory=list)
    activities: list[ActivityDraft] = field(default_factory=list)
    # What the reader interpreted (kept on the scheda as "Note di importazione", like the seed).
    import_notes: list[dict] = field(default_factory=list)  # {"field": …, "message": …}
    problems: list[Problem] = field(default_factory=list)
    where: Where = field(default_factory=Where)

    @property
    def label(self) -> str:
        """How messages name this scheda: "scheda 3 (10 – Gare telematiche)"."""
        name = " – ".join(part for part in (self.code, self.title[:60]) if part)
        return f"scheda {self.ordinal}" + (f" ({name})" if name else "")


@dataclass
class ImportDraft:
    source_name: str  # the uploaded file's name, for messages
    source_kind: str  # "xlsx" | "docx" | "text"
    schede: list[SchedaDraft] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # about the file as a whole
    # The authorities the file names in its title or page headers ("Comune di Gallarate"),
    # as written: the pipeline warns when none is the authority imported into.
    authority_names: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return any(p.blocking for p in self.problems)
