"""Load the card text of a plan (the seed document) into a demo authority.

Reads the whole file first (``cardtext.parse_cards``), then writes everything in one
transaction: a malformed file raises ``CardTextError`` naming the line and nothing is written.
Loading the same file again changes nothing: rows are found before they are created, and a
plan that already exists is left as it is (people may have fixed it in the editor since).
Whatever the card says is kept verbatim; what the loader read into it (a unit from a typo, a
multi-year series) is written down as an import note on the scheda.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from traguardo.audit.log import log_action
from traguardo.imports.cardtext import Card, parse_cards, parse_italian_date
from traguardo.imports.interpret import read_measure, read_number
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import (
    Authority,
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
)
from traguardo.planning.models import Activity, Indicator, Objective, Plan, Target
from traguardo.scoring import (
    ScaleParseError,
    describe_scale,
    parse_scale,
    scale_to_dict,
)

SEED_FILE = Path(__file__).parent / "data" / "seed_2019.txt"

DEMO_AUTHORITY = {
    "slug": "comune-esempio",
    "name": "Comune di Esempio",
    "ipa_code": "c_esempio",
}
SECTOR = "Settore II"
DIRECTOR = ("Giancarlo", "Serrao")

# The ten ambiti of art. 8 D.Lgs. 150/2009 as the seed card lists them.
AREAS = [
    "Attuazione delle politiche attivate sulla soddisfazione finale dei bisogni della collettività",
    "Attuazione di piani e programmi, ovvero misurazione dell'effettivo grado di attuazione dei "
    "medesimi, nel rispetto delle fasi e dei tempi previsti, degli standard qualitativi e "
    "quantitativi definiti, del livello previsto di assorbimento delle risorse",
    "Rilevazione del grado di soddisfazione dei destinatari delle attività e dei servizi anche "
    "attraverso modalità interattive",
    "Modernizzazione e miglioramento qualitativo dell'organizzazione e delle competenze "
    "professionali e la capacità di attuazione di piani e programmi",
    "Sviluppo qualitativo e quantitativo delle relazioni con i cittadini, i soggetti interessati, "
    "gli utenti e i destinatari dei servizi, anche attraverso lo sviluppo di forme di "
    "partecipazione e collaborazione",
    "Efficienza nell'impiego delle risorse, con particolare riferimento al contenimento ed alla "
    "riduzione dei costi, nonché all'ottimizzazione dei tempi dei procedimenti amministrativi",
    "Qualità e quantità delle prestazioni e dei servizi erogati",
    "Raggiungimento degli obiettivi di promozione delle pari opportunità",
    "Implementazione o miglioramento delle politiche e delle pratiche anticorruzione e trasparenza",
    "Implementazione o miglioramento di sistemi di monitoraggio delle dinamiche finanziarie "
    "interne",
]

# Offices of the Settore II named in the cards, and the words the cards use for them.
OFFICES = {
    "Ufficio Contratti e Appalti": ("UFFICIO CONTRATTI E APPALTI", "APPALTI", "PPALTI"),
    "Ufficio Legale e Contenzioso": ("UFFICIO LEGALE E CONTENZIOSO", "LEGALE"),
    "Ufficio Turismo": ("TURISMO",),
    "Ufficio Cultura": ("CULTURA",),
    "Ufficio Sport": ("SPORT",),
    "Servizio Elettorale": ("SERVIZI ELETTORALI", "ELETTORALE"),
    "Servizi Demografici e Anagrafe": ("DEMOGRAFICI", "ANAGRAFE"),
    "Stato Civile": ("STATO CIVILE",),
}
SECTOR_WORDS = ("DIRIGENTE SETTORE II", "SETTORE II", "SETTORE 2")


@dataclass
class LoadReport:
    created: bool
    plan: Plan | None
    cards: int = 0
    notes: list[str] = field(default_factory=list)


def load_seed(path: Path = SEED_FILE) -> LoadReport:
    """Load the card text at ``path`` into the demo authority; safe to run twice."""
    cards = parse_cards(path.read_text(encoding="utf-8"))
    with transaction.atomic():
        authority, _created = Authority.objects.get_or_create(
            slug=DEMO_AUTHORITY["slug"],
            defaults={"name": DEMO_AUTHORITY["name"], "ipa_code": DEMO_AUTHORITY["ipa_code"]},
        )
        with scope(authority=authority):
            report = _Loader(authority).load(cards)
        if report.created:
            # Written by the system (a command, a demo set-up): one entry for the whole load.
            log_action(
                actor=None,
                action="seed.load",
                obj=report.plan,
                after={"file": path.name, "cards": report.cards, "plan": str(report.plan)},
            )
        return report


class _Loader:
    def __init__(self, authority: Authority) -> None:
        self.authority = authority
        self.scales: dict[str, GradingScale] = {}

    def load(self, cards: list[Card]) -> LoadReport:
        self._structure()
        years = [year for card in cards for year in card.years]
        first_year, last_year = min(years), max(years)
        plan = Plan.objects.filter(year=first_year).first()
        if plan is not None:
            return LoadReport(created=False, plan=plan, cards=plan.objectives.count())
        plan = Plan.objects.create(
            authority=self.authority,
            year=first_year,
            last_year=last_year,
            title=_("Piano %(year)s") % {"year": first_year},
        )
        objectives = [self._objective(plan, card) for card in cards]
        self._link_series(objectives, cards)
        return LoadReport(created=True, plan=plan, cards=len(objectives))

    # -- the authority's structure ---------------------------------------------------------

    def _structure(self) -> None:
        a = self.authority
        self.director, _c = Person.objects.get_or_create(
            authority=a,
            first_name=DIRECTOR[0],
            last_name=DIRECTOR[1],
            defaults={"job_title": _("Dirigente")},
        )
        self.sector, _c = OrgUnit.objects.get_or_create(
            authority=a,
            name=SECTOR,
            defaults={"kind": OrgUnit.Kind.SECTOR, "head": self.director, "position": 2},
        )
        self.offices = {}
        for position, name in enumerate(OFFICES, start=1):
            self.offices[name], _c = OrgUnit.objects.get_or_create(
                authority=a,
                name=name,
                defaults={"kind": OrgUnit.Kind.OFFICE, "parent": self.sector, "position": position},
            )
        for number, name in enumerate(AREAS, start=1):
            PerformanceArea.objects.get_or_create(
                authority=a, number=number, defaults={"name": name}
            )
        ensure_policy(a)

    # -- one card ------------------------------------------------------------------------

    def _objective(self, plan: Plan, card: Card) -> Objective:
        notes = [{"field": n.field, "message": n.message} for n in card.source_notes]
        unit = self._unit(card.unit)
        if card.unit and unit is None:
            notes.append(_note("unit", _("Unità «%(t)s» non riconosciuta.") % {"t": card.unit}))
        responsible = self._person(card.responsible)
        if card.responsible and responsible is None:
            notes.append(
                _note(
                    "responsible",
                    _("Responsabile «%(t)s» non riconosciuto.") % {"t": card.responsible},
                )
            )
        involved, involved_notes = self._involved(card.involved_units)
        notes += involved_notes
        if card.areas_listed:
            notes.append(
                _note(
                    "areas",
                    _(
                        "Il documento elenca gli ambiti ma non si legge quali fossero "
                        "selezionati: nessun ambito è stato assegnato."
                    ),
                )
            )
        year = _card_year(card)
        objective = Objective.objects.create(
            authority=self.authority,
            plan=plan,
            position=card.ordinal,
            code=card.code,
            title=card.title,
            year=year,
            first_year=min(card.years),
            last_year=max(card.years),
            dup_text=card.dup_reference,
            unit=unit,
            unit_text=card.unit,
            responsible=responsible,
            responsible_text=card.responsible,
            involved_text=card.involved_units,
            expected_result=card.expected_result,
            notes=card.notes,
            import_notes=notes,
        )
        objective.involved_units.set(involved)
        for row in card.indicators:
            self._indicator(objective, row, year)
        for row in card.activities:
            self._activity(objective, row)
        return objective

    def _indicator(self, objective: Objective, row, year: int) -> None:
        reading = read_measure(row.formula, row.final_value)
        indicator = Indicator.objects.create(
            authority=self.authority,
            objective=objective,
            position=row.number,
            weight=row.weight,
            name=row.name,
            formula_text=row.formula,
            measure=reading.measure,
            direction=reading.direction,
            baseline_text=reading.baseline_text,
            grading_text=row.grading,
            grading_scale=self._scale(row.grading),
        )
        for kind, value, due in (
            (Target.Kind.INTERMEDIATE, row.intermediate_value, row.intermediate_date),
            (Target.Kind.FINAL, row.final_value, row.final_date),
        ):
            if not (value or due):
                continue
            due_date = parse_italian_date(due)
            Target.objects.create(
                authority=self.authority,
                indicator=indicator,
                kind=kind,
                # A target belongs to the card's year, even when its date falls later
                # (card 3 of 2019: "entro il 31 dicembre 2020").
                year=year,
                value=read_number(value),
                value_text=value,
                due_date=due_date,
                due_text=due,
            )

    def _activity(self, objective: Objective, row) -> None:
        Activity.objects.create(
            authority=self.authority,
            objective=objective,
            position=row.number,
            weight=row.weight,
            title=row.title,
            end_date=parse_italian_date(row.timing),
            timing_text=row.timing,
            indicator_text=row.indicator,
            expected_text=row.expected,
            grading_text=row.grading,
            grading_scale=self._scale(row.grading),
            achieved_text=row.achieved,
        )

    def _scale(self, text: str) -> GradingScale | None:
        """The authority's scale a graduation text describes; one row per distinct scale."""
        if not text.strip():
            return None
        try:
            scale = parse_scale(text)
        except ScaleParseError:
            return None
        name = describe_scale(scale)
        if name not in self.scales:
            self.scales[name], _c = GradingScale.objects.get_or_create(
                authority=self.authority,
                name=name,
                defaults={"definition": scale_to_dict(scale), "source_text": text.strip()},
            )
        return self.scales[name]

    # -- names the cards write in many ways ---------------------------------------------

    def _unit(self, text: str) -> OrgUnit | None:
        key = _words(text)
        if key in SECTOR_WORDS:
            return self.sector
        return None

    def _person(self, text: str) -> Person | None:
        wanted = {w.lower() for w in DIRECTOR}
        return self.director if {w.lower() for w in text.split()} == wanted else None

    def _involved(self, text: str) -> tuple[list[OrgUnit], list[dict]]:
        units: list[OrgUnit] = []
        notes: list[dict] = []
        body = re.sub(r"^\s*uffici\s*:", "", text, flags=re.IGNORECASE)
        for part in re.split(r"\s*-\s*", body):
            word = _words(part)
            if not word:
                continue
            office = next((n for n, words in OFFICES.items() if word in words), None)
            if office is None:
                notes.append(
                    _note(
                        "involved_units",
                        _("Unità coinvolta «%(t)s» non riconosciuta.") % {"t": part.strip()},
                    )
                )
            elif self.offices[office] not in units:
                if word not in OFFICES[office][:2] and word != office.upper():
                    notes.append(
                        _note(
                            "involved_units",
                            _("«%(t)s» letto come «%(o)s».") % {"t": part.strip(), "o": office},
                        )
                    )
                units.append(self.offices[office])
        return units, notes

    # -- multi-year objectives -----------------------------------------------------------

    def _link_series(self, objectives: list[Objective], cards: list[Card]) -> None:
        """Cards of the same multi-year objective, one per year, point at the first one."""
        groups: dict[str, list[Objective]] = {}
        for objective in objectives:
            if objective.is_multi_year and objective.title:
                groups.setdefault(objective.title.casefold(), []).append(objective)
        for group in groups.values():
            if len(group) < 2:
                continue
            group.sort(key=lambda o: o.year)
            head = group[0]
            codes = [o.code or "—" for o in group]
            for objective in group:
                objective.series = head if objective is not head else None
                if len(set(codes)) > 1:
                    objective.import_notes.append(
                        _note(
                            "code",
                            _(
                                "Le schede annuali dello stesso obiettivo pluriennale hanno "
                                "codici diversi: %(codes)s."
                            )
                            % {"codes": ", ".join(codes)},
                        )
                    )
                objective.save(update_fields=["series", "import_notes"])
        ordinals = {str(o.position) for o in objectives if not o.code}
        for objective in objectives:
            if objective.code in ordinals:
                objective.import_notes.append(
                    _note(
                        "code",
                        _(
                            "Il codice «%(code)s» coincide con il numero d'ordine della scheda "
                            "%(code)s, che non ha codice."
                        )
                        % {"code": objective.code},
                    )
                )
                objective.save(update_fields=["import_notes"])


def _card_year(card: Card) -> int:
    """The year the card's targets are for: the year of its final dates, else the first year."""
    years = set()
    for row in card.indicators:
        due = parse_italian_date(row.final_date)
        if due:
            years.add(due.year)
    if len(card.years) > 1 and len(years) == 1 and years <= set(card.years):
        return years.pop()
    return min(card.years)


def _words(text: str) -> str:
    return " ".join(text.replace(":", " ").split()).upper()


def _note(field_name: str, message: str) -> dict:
    return {"field": field_name, "message": message}


__all__ = ["SEED_FILE", "LoadReport", "load_seed"]
