"""Forms of the plan pages: opening a plan, and finding schede on the plan page."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from traguardo.core.forms import StyledForm, choice_field, model_field
from traguardo.organization.models import OrgUnit, PerformanceArea, Person
from traguardo.organization.tree import unit_tree
from traguardo.planning.domain.plans import default_title, year_taken_message
from traguardo.planning.kept import KeptPlan
from traguardo.planning.models import Plan


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Plan) -> str:
        return f"{obj.title} ({obj.year}–{obj.last_year})"


class PlanCreateForm(StyledForm):
    """Year, triennium, title, and the plan to start from (blank: an empty plan)."""

    year = forms.IntegerField(label=gettext_lazy("Anno"), min_value=2000, max_value=2100)
    last_year = forms.IntegerField(
        label=gettext_lazy("Ultimo anno del triennio"),
        required=False,
        min_value=2000,
        max_value=2110,
        help_text=gettext_lazy("Se lasciato vuoto: l'anno del piano più due."),
    )
    title = forms.CharField(
        label=gettext_lazy("Titolo"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Se lasciato vuoto: «Piano» seguito dall'anno."),
    )
    source = PlanChoiceField(
        Plan.objects.none(),
        required=False,
        label=gettext_lazy("Parti da"),
        empty_label=gettext_lazy("Nessun piano: piano vuoto"),
        help_text=gettext_lazy(
            "Le schede del piano scelto entrano come bozze del nuovo anno: le annuali con le "
            "date spostate, le pluriennali ancora in corso con i livelli attesi del nuovo anno."
        ),
    )

    def __init__(self, *args, plans: Sequence[Plan], **kwargs) -> None:
        self.plans = list(plans)
        data = args[0] if args else kwargs.get("data")
        if data is None:
            kwargs.setdefault("initial", self._defaults())
        super().__init__(*args, **kwargs)
        model_field(self, "source").queryset = Plan.objects.filter(
            pk__in=[p.pk for p in self.plans]
        )

    def _defaults(self) -> dict:
        """The year after the latest plan, starting from the previous year's plan if any."""
        years = {p.year: p for p in self.plans}
        year = max(years) + 1 if years else timezone.localdate().year
        previous = years.get(year - 1)
        return {"year": year, "source": previous.pk if previous else None}

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if any(p.year == year for p in self.plans):
            raise forms.ValidationError(year_taken_message(year))
        return year

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        year = data.get("year")
        if year is None:
            return data
        if data.get("last_year") is None:
            data["last_year"] = year + 2
        elif data["last_year"] < year:
            self.add_error(
                "last_year", _("L'ultimo anno del triennio non può precedere l'anno del piano.")
            )
        data["title"] = (data.get("title") or "").strip() or default_title(year)
        return data


STATUS_ERRORS = "errori"
STATUS_WARNINGS = "avvisi"
STATUS_CLEAN = "nessuna"

SORT_UNIT = "unita"
SORT_CODE = "codice"
SORT_RESULT_UP = "risultato-crescente"
SORT_RESULT_DOWN = "risultato-decrescente"


class SchedaFilterForm(StyledForm):
    """Find and sort schede on the plan page. Every field is optional; an invalid one is
    ignored.

    Rows are the plan's kept rows (``planning.kept.KeptRow``: ``objective`` an ObjectiveRef,
    ``errors``, ``anomalies``, ``result``); everything is filtered in memory except the text,
    which is matched in the database with one query (the expected result is not kept).
    """

    unit = forms.TypedChoiceField(
        label=gettext_lazy("Unità organizzativa"),
        coerce=int,
        required=False,
        help_text=gettext_lazy("Comprese le unità che ne dipendono."),
    )
    responsible = forms.TypedChoiceField(
        label=gettext_lazy("Responsabile"), coerce=int, required=False
    )
    area = forms.TypedChoiceField(
        label=gettext_lazy("Ambito della performance"), coerce=int, required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Segnalazioni"),
        required=False,
        choices=[
            ("", gettext_lazy("Tutte")),
            (STATUS_ERRORS, gettext_lazy("Con errori")),
            (STATUS_WARNINGS, gettext_lazy("Con avvisi")),
            (STATUS_CLEAN, gettext_lazy("Senza segnalazioni")),
        ],
        help_text=gettext_lazy("«Con avvisi»: schede con avvisi e nessun errore."),
    )
    q = forms.CharField(
        label=gettext_lazy("Testo"),
        required=False,
        max_length=200,
        widget=forms.SearchInput,
        help_text=gettext_lazy("Cerca in codice, denominazione e risultato atteso."),
    )
    ordine = forms.ChoiceField(
        label=gettext_lazy("Ordina per"),
        required=False,
        choices=[
            ("", gettext_lazy("Unità responsabile")),
            (SORT_CODE, gettext_lazy("Codice")),
            (SORT_RESULT_UP, gettext_lazy("Raggiungimento, dal più basso")),
            (SORT_RESULT_DOWN, gettext_lazy("Raggiungimento, dal più alto")),
        ],
        help_text=gettext_lazy("Le schede senza raggiungimento sono elencate per ultime."),
    )

    def __init__(self, data=None, *, kept: KeptPlan | None = None, **kwargs) -> None:
        """``kept``: the plan's kept results, on which the choices and the schede's texts are
        kept (``KeptPlan.derived``), so that a search reads nothing once they are."""
        super().__init__(data, **kwargs)
        self.kept = kept
        choices = self.choices = search_choices(kept)
        self.children: dict[int | None, list[tuple[int, int | None, str]]] = {}
        for unit in choices.units:
            self.children.setdefault(unit[1], []).append(unit)
        choice_field(self, "unit").choices = [("", _("Tutte")), *unit_tree(choices.units)]
        choice_field(self, "responsible").choices = [("", _("Tutti")), *choices.persons]
        choice_field(self, "area").choices = [("", _("Tutti")), *choices.areas]

    def _with_subunits(self, unit_id: int) -> set[int]:
        found, todo = set(), [unit_id]
        while todo:
            pk = todo.pop()
            if pk not in found:
                found.add(pk)
                todo += [u[0] for u in self.children.get(pk, [])]
        return found

    @property
    def criteria(self) -> dict:
        """The valid, non-blank filters (an invalid field is shown with its error, not used)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "") and k != "ordine"}

    @property
    def sort(self) -> str:
        """The order asked for (default: by responsible unit, as the documents)."""
        if not self.is_bound:
            return SORT_UNIT
        self.is_valid()
        return self.cleaned_data.get("ordine") or SORT_UNIT

    @property
    def sort_label(self) -> str:
        """«ordinate per codice»: how the list is sorted, in words."""
        labels = {
            SORT_UNIT: _("ordinate per unità responsabile"),
            SORT_CODE: _("ordinate per codice"),
            SORT_RESULT_UP: _("ordinate per raggiungimento, dal più basso"),
            SORT_RESULT_DOWN: _("ordinate per raggiungimento, dal più alto"),
        }
        return labels[self.sort]

    def apply(self, rows: Iterable, plan: Plan) -> list:
        """The rows matching the criteria, in the order asked for."""
        criteria = self.criteria
        rows = list(rows)
        if "unit" in criteria:
            units = self._with_subunits(criteria["unit"])
            rows = [r for r in rows if r.objective.unit_id in units]
        if "responsible" in criteria:
            rows = [r for r in rows if r.objective.responsible_id == criteria["responsible"]]
        if "area" in criteria:
            area = criteria["area"]
            rows = [r for r in rows if area in r.objective.area_ids]
        if "status" in criteria:
            rows = [r for r in rows if _status(r) == criteria["status"]]
        if "q" in criteria and rows:
            words = criteria["q"].casefold().split()
            texts = search_texts(plan, self.kept)
            for word in words:  # one pass a word: no generator per row
                rows = [r for r in rows if word in texts.get(r.objective.pk, "")]
        return sort_rows(rows, self.sort)


def sort_rows(rows: list, order: str) -> list:
    """Rows by unit (as given), by code, or by achievement; no achievement goes last."""
    if order == SORT_CODE:
        return sorted(rows, key=lambda r: (not r.objective.code, _natural(r.objective.code)))
    if order in (SORT_RESULT_UP, SORT_RESULT_DOWN):
        scored = [r for r in rows if r.result is not None and r.result.achievement is not None]
        unscored = [r for r in rows if r.result is None or r.result.achievement is None]
        scored.sort(key=lambda r: r.result.achievement, reverse=order == SORT_RESULT_DOWN)
        return scored + unscored
    return rows


def _natural(code: str) -> tuple:
    """«2» before «10»: digits compared as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", code)
        if part
    )


@dataclass(frozen=True)
class SearchChoices:
    """The choices of the schede search: units (pk, parent, name) in tree order, people and
    ambiti (pk, label)."""

    units: tuple[tuple[int, int | None, str], ...]
    persons: tuple[tuple[int, str], ...]
    areas: tuple[tuple[int, str], ...]

    @property
    def tree(self) -> list[tuple[int, int | None]]:
        """(pk, parent) of every unit: what ``accounts.rules.covered_units`` walks."""
        return [(pk, parent) for pk, parent, _name in self.units]


def search_choices(kept: KeptPlan | None = None) -> SearchChoices:
    """The search's choices (3 queries), kept on the kept plan when given: units, people and
    ambiti move the data version it is keyed by, so a hit reads nothing."""
    if kept is not None:
        return kept.derived("search-choices", search_choices)
    return SearchChoices(
        units=tuple(
            OrgUnit.objects.order_by("position", "name").values_list("pk", "parent_id", "name")
        ),
        persons=tuple((p.pk, str(p)) for p in Person.objects.all()),
        areas=tuple((a.pk, _short(f"{a.number}. {a.name}")) for a in PerformanceArea.objects.all()),
    )


def search_texts(plan: Plan, kept: KeptPlan | None = None) -> dict[int, str]:
    """Each scheda's code, title and expected result, casefolded, for the text search (one
    query, or none when kept on the kept plan, as ``search_choices``)."""
    if kept is not None:
        return kept.derived("search-texts", lambda: search_texts(plan))
    rows = plan.objectives.values_list("pk", "code", "title", "expected_result")
    return {pk: " ".join(texts).casefold() for pk, *texts in rows}


def _status(row) -> str:
    if row.errors:
        return STATUS_ERRORS
    return STATUS_WARNINGS if row.anomalies else STATUS_CLEAN


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
