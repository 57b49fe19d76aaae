"""Checks of a plan before approval (DESIGN.md §4.5 and the seed's faults in §3).

The engine only names what is wrong with stable codes and parameters; the Django layer turns
them into Italian messages, so a wording can change without touching the rules.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from .italian import format_percent
from .values import HUNDRED, ZERO, as_optional_decimal, exact_sum

WeightState = Literal["ok", "missing", "excess", "empty"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class WeightCheck:
    """The card's "100,00% OK" line; `nonpositive`: 1-based positions of blank or ≤ 0 weights."""

    total: Decimal
    state: WeightState
    difference: Decimal
    nonpositive: tuple[int, ...]


def check_weights(weights: Sequence[Decimal | None]) -> WeightCheck:
    """Do the weights add up to exactly 100? No rounding: 99,999 is not 100."""
    values = [as_optional_decimal(weight, "weight") for weight in weights]
    given = [value for value in values if value is not None]
    total = exact_sum(given)
    nonpositive = tuple(i for i, value in enumerate(values, start=1) if value is None or value <= 0)
    if not given:
        return WeightCheck(total, "empty", HUNDRED, nonpositive)
    if total == HUNDRED:
        return WeightCheck(total, "ok", ZERO, nonpositive)
    if total < HUNDRED:
        return WeightCheck(total, "missing", HUNDRED - total, nonpositive)
    return WeightCheck(total, "excess", total - HUNDRED, nonpositive)


def weight_check_label(check: WeightCheck) -> str:
    """The line printed under the weights column of the card."""
    if check.state == "ok":
        return f"{format_percent(check.total)} OK"
    if check.state == "missing":
        return f"mancano {format_percent(check.difference)}"
    if check.state == "excess":
        return f"eccedenza {format_percent(check.difference)}"
    return "nessun peso"


@dataclass(frozen=True)
class IndicatorFacts:
    """What the checks need to know about one indicator row (`position` is the card's N°)."""

    position: int
    weight: Decimal | None
    final_value: bool
    final_due_on: date | None
    final_due_text: str
    intermediate_due_on: date | None
    has_scale: bool


@dataclass(frozen=True)
class ActivityFacts:
    """What the checks need to know about one row of the piano operativo."""

    position: int
    weight: Decimal | None
    start_on: date | None
    end_on: date | None


@dataclass(frozen=True)
class ObjectiveFacts:
    """What the checks need to know about one card."""

    key: Hashable
    code: str
    title: str
    has_unit: bool
    has_responsible: bool
    has_weight_score: bool
    has_areas: bool
    indicators: tuple[IndicatorFacts, ...]
    activities: tuple[ActivityFacts, ...] = ()


IssueParams = tuple[tuple[str, Hashable], ...]


@dataclass(frozen=True, init=False)
class Issue:
    """One finding. `params` is stored as (name, value) pairs sorted by name so that an Issue is
    hashable; a mapping (or pairs) is passed and `param_dict()` gives it back."""

    code: str
    severity: Severity
    field: str
    position: int | None
    params: IssueParams

    def __init__(
        self,
        code: str,
        severity: Severity,
        field: str,
        position: int | None = None,
        params: Mapping[str, Hashable] | Iterable[tuple[str, Hashable]] = (),
    ) -> None:
        pairs = params.items() if isinstance(params, Mapping) else params
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "severity", severity)
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "position", position)
        object.__setattr__(self, "params", tuple(sorted(pairs, key=lambda pair: pair[0])))

    def param_dict(self) -> dict[str, Hashable]:
        return dict(self.params)


def check_plan(
    objectives: Sequence[ObjectiveFacts], *, first_year: int, last_year: int
) -> dict[Hashable, list[Issue]]:
    """Every objective's issues, by key (an empty list when the card is clean).

    Codes are compared without surrounding blanks and ignoring case: "A1" and "a1 " collide.
    A duplicate code names the other objectives' keys and their 1-based positions in
    `objectives`.
    """
    years = _years(first_year, last_year)
    issues: dict[Hashable, list[Issue]] = {}
    by_code: dict[str, list[tuple[int, Hashable]]] = defaultdict(list)
    for position, objective in enumerate(objectives, start=1):
        if objective.key in issues:
            raise ValueError(f"two objectives with the key {objective.key!r}")
        issues[objective.key] = []
        if code := _code_key(objective.code):
            by_code[code].append((position, objective.key))
    for objective in objectives:
        same_code = by_code.get(_code_key(objective.code), [])
        issues[objective.key] = _objective_issues(objective, same_code, years)
    return issues


def check_objective(
    objective: ObjectiveFacts,
    *,
    codes: Sequence[tuple[Hashable, str]],
    first_year: int,
    last_year: int,
) -> list[Issue]:
    """One objective's issues, from its own facts and the codes alone of the plan's schede.

    `codes` is every scheda of the plan as (key, code), in the order `check_plan` would be
    given them: positions are 1-based positions in `codes`. The objective's own entry, if
    there, is skipped (its code is `objective.code`). The result is what `check_plan` gives
    for the objective over the full facts of the same list, so showing or saving one card
    reads one card plus the plan's codes.
    """
    years = _years(first_year, last_year)
    mine = _code_key(objective.code)
    seen: set[Hashable] = set()
    same_code: list[tuple[int, Hashable]] = []
    for position, (key, code) in enumerate(codes, start=1):
        if key in seen:
            raise ValueError(f"two objectives with the key {key!r}")
        seen.add(key)
        if mine and _code_key(code) == mine:
            same_code.append((position, key))
    return _objective_issues(objective, same_code, years)


def _years(first_year: int, last_year: int) -> range:
    if first_year > last_year:
        raise ValueError("first_year must not come after last_year")
    return range(first_year, last_year + 1)


def _code_key(code: str) -> str:
    """What two codes are compared by: no surrounding blanks, any case ("" for no code)."""
    return code.strip().casefold()


def _objective_issues(
    objective: ObjectiveFacts, same_code: Sequence[tuple[int, Hashable]], years: range
) -> list[Issue]:
    """One card's issues; `same_code`: (position, key) of the plan's schede with its code."""
    found: list[Issue] = []
    code = objective.code.strip()
    if not code:
        found.append(Issue("missing_code", "warning", "code"))
    else:
        others = [(p, k) for p, k in same_code if k != objective.key]
        if others:
            params: dict[str, Hashable] = {
                "code": code,
                "others": tuple(k for _, k in others),
                "positions": tuple(p for p, _ in others),
            }
            found.append(Issue("duplicate_code", "error", "code", params=params))
    if not objective.title.strip():
        found.append(Issue("missing_title", "error", "title"))
    for present, code_name, field in (
        (objective.has_unit, "missing_unit", "unit"),
        (objective.has_responsible, "missing_responsible", "responsible"),
        (objective.has_weight_score, "missing_weight_score", "weight_score"),
        (objective.has_areas, "no_areas", "areas"),
    ):
        if not present:
            found.append(Issue(code_name, "warning", field))
    found.extend(_indicator_issues(objective.indicators, years))
    found.extend(_activity_issues(objective.activities, years))
    return found


def _weight_issues(
    rows: Sequence[IndicatorFacts] | Sequence[ActivityFacts],
    field: str,
    total_code: str,
    nonpositive_code: str,
) -> list[Issue]:
    check = check_weights([row.weight for row in rows])
    found = []
    if check.state != "ok":
        params: dict[str, Hashable] = {
            "state": check.state,
            "difference": check.difference,
            "total": check.total,
        }
        found.append(Issue(total_code, "error", field, params=params))
    for index in check.nonpositive:
        row = rows[index - 1]
        params = {"weight": row.weight}
        found.append(Issue(nonpositive_code, "error", field, row.position, params))
    return found


def _outside(day: date | None, years: range) -> bool:
    return day is not None and day.year not in years


def _indicator_issues(rows: Sequence[IndicatorFacts], years: range) -> list[Issue]:
    field = "indicators"
    if not rows:
        return [Issue("no_indicators", "error", field)]
    found = _weight_issues(rows, field, "indicator_weights", "nonpositive_weight")
    for row in rows:
        at = row.position
        if not row.final_value:
            found.append(Issue("missing_final_target", "error", field, at))
        if row.final_due_on is None:
            text = row.final_due_text.strip()
            found.append(
                Issue("missing_final_date", "warning", field, at, {"text": text} if text else {})
            )
        if not row.has_scale:
            found.append(Issue("missing_scale", "warning", field, at))
        final, intermediate = row.final_due_on, row.intermediate_due_on
        if final is not None and intermediate is not None and intermediate > final:
            params: dict[str, Hashable] = {"intermediate": intermediate, "final": final}
            found.append(Issue("intermediate_after_final", "error", field, at, params))
        for which, day in (("intermediate", intermediate), ("final", final)):
            if _outside(day, years):
                params = {"which": which, "date": day}
                found.append(Issue("date_outside_plan", "warning", field, at, params))
    return found


def _activity_issues(rows: Sequence[ActivityFacts], years: range) -> list[Issue]:
    field = "activities"
    if not rows:
        return []
    found = _weight_issues(rows, field, "activity_weights", "activity_nonpositive_weight")
    for row in rows:
        at = row.position
        # The paper card's "TEMPI (I/F)" usually holds only the end: a start is optional,
        # an activity without an end cannot be followed.
        missing = tuple(
            name for name, day in (("start", row.start_on), ("end", row.end_on)) if day is None
        )
        if row.end_on is None:
            found.append(
                Issue("activity_missing_dates", "warning", field, at, {"missing": missing})
            )
        if row.start_on is not None and row.end_on is not None and row.start_on > row.end_on:
            params: dict[str, Hashable] = {"start": row.start_on, "end": row.end_on}
            found.append(Issue("activity_dates_reversed", "error", field, at, params))
        for which, day in (("start", row.start_on), ("end", row.end_on)):
            if _outside(day, years):
                params = {"which": which, "date": day}
                found.append(Issue("date_outside_plan", "warning", field, at, params))
    return found
