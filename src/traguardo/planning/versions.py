"""A scheda as a flat list of labelled, readable values, and the differences between two.

Used to show a person what someone else changed (the editor's conflict page); the same shape
serves any side-by-side comparison of versions.
"""

from django.core import signing
from django.utils.translation import gettext as _

from traguardo.core.diff import differences
from traguardo.core.formats import date_it, percent
from traguardo.planning.models import Objective

SALT = "traguardo.objective-state"


def objective_state(objective: Objective) -> dict[str, str]:
    o = objective
    state = {
        _("Codice obiettivo"): o.code,
        _("Denominazione"): o.title,
        _("Anni"): f"{o.first_year}–{o.last_year} ({o.year})",
        _("Riferimento DUP"): str(o.dup_goal) if o.dup_goal else o.dup_text,
        _("Unità organizzativa responsabile"): o.unit.name if o.unit else o.unit_text,
        _("Responsabile"): str(o.responsible) if o.responsible else o.responsible_text,
        _("Unità organizzative coinvolte"): "; ".join(u.name for u in o.involved_units.all()),
        _("Risultato atteso"): o.expected_result,
        _("Ambiti"): ", ".join(str(a.number) for a in o.areas.all()),
        _("Strategicità"): o.strategic_level.label if o.strategic_level else "",
        _("Complessità"): o.complexity_level.label if o.complexity_level else "",
        _("Tipologia"): o.kind_level.label if o.kind_level else "",
        _("Note"): o.notes,
    }
    for i in o.indicators.all():
        label = _("Indicatore %(n)s") % {"n": i.position}
        targets = "; ".join(
            f"{t.get_kind_display()} {t.value_text} {date_it(t.due_date) or t.due_text}".strip()
            for t in i.targets.all()
            if t.year == o.year
        )
        state[label] = " · ".join(
            part
            for part in (percent(i.weight), i.name, i.formula_text, targets, i.grading_text)
            if part
        )
    for a in o.activities.all():
        label = _("Attività %(n)s") % {"n": a.position}
        times = " – ".join(date_it(d) for d in (a.start_date, a.end_date) if d) or a.timing_text
        state[label] = " · ".join(
            part for part in (percent(a.weight), a.title, times, a.expected_text) if part
        )
    return {label: str(value or "") for label, value in state.items()}


def sign_state(state: dict[str, str]) -> str:
    return signing.dumps(state, salt=SALT, compress=True)


def unsign_state(token: str) -> dict[str, str] | None:
    try:
        return signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None


__all__ = ["differences", "objective_state", "sign_state", "unsign_state"]
