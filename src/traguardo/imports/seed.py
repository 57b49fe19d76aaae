"""Load the card text of a plan (the seed document) into a demo authority.

Reads the whole file first (``cardtext.parse_cards``), then writes everything in one
transaction: a malformed file raises ``CardTextError`` naming the line and nothing is written.
Loading the same file again changes nothing: rows are found before they are created, and a
plan that already exists is left as it is (people may have fixed it in the editor since).
The cards go through the import pipeline (``cardtext_draft`` → ``pipeline.prepare`` →
``pipeline.load``), as an uploaded card text does: whatever the card says is kept verbatim;
what was read into it (a unit from a typo, a multi-year series) is written down as an import
note on the scheda. What is the seed's own is the authority's structure, and the words its
cards use for the offices of the Settore II.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from traguardo.accounts.demo import DEMO_AUTHORITY
from traguardo.audit.log import log_action
from traguardo.imports import pipeline
from traguardo.imports.cardtext import parse_cards
from traguardo.imports.cardtext_draft import draft_from_cards
from traguardo.organization.domain import ensure_policy
from traguardo.organization.models import Authority, OrgUnit, PerformanceArea, Person
from traguardo.planning.models import Plan

SEED_FILE = Path(__file__).parent / "data" / "seed_2019.txt"

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
            report = _Loader(authority).load(cards, path.name)
        if report.created:
            # Written by the system (a command, a demo set-up): one entry for the whole load.
            log_action(
                actor=None,
                action="seed.load",
                obj=report.plan,
                after={"file": path.name, "cards": report.cards, "plan": str(report.plan)},
            )
        return report


# The words the cards use for the units, for the pipeline: (unit, whether reading them so
# deserves a note — the typos do; the first two words of an office are its usual names).
UNIT_ALIASES = {
    **dict.fromkeys(SECTOR_WORDS, (SECTOR, False)),
    **{
        word: (office, word not in words[:2] and word != office.upper())
        for office, words in OFFICES.items()
        for word in words
    },
}


class _Loader:
    def __init__(self, authority: Authority) -> None:
        self.authority = authority

    def load(self, cards, name: str) -> LoadReport:
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
        draft = draft_from_cards(name, cards)
        outcome = pipeline.load(pipeline.prepare(draft, plan, None, aliases=UNIT_ALIASES))
        return LoadReport(created=True, plan=plan, cards=len(outcome.created))

    # -- the authority's structure ---------------------------------------------------------

    def _structure(self) -> None:
        a = self.authority
        director, _c = Person.objects.get_or_create(
            authority=a,
            first_name=DIRECTOR[0],
            last_name=DIRECTOR[1],
            defaults={"job_title": _("Dirigente")},
        )
        sector, _c = OrgUnit.objects.get_or_create(
            authority=a,
            name=SECTOR,
            defaults={"kind": OrgUnit.Kind.SECTOR, "head": director, "position": 2},
        )
        for position, name in enumerate(OFFICES, start=1):
            OrgUnit.objects.get_or_create(
                authority=a,
                name=name,
                defaults={"kind": OrgUnit.Kind.OFFICE, "parent": sector, "position": position},
            )
        for number, name in enumerate(AREAS, start=1):
            PerformanceArea.objects.get_or_create(
                authority=a, number=number, defaults={"name": name}
            )
        ensure_policy(a)


__all__ = ["SEED_FILE", "LoadReport", "load_seed"]
