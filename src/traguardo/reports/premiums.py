"""The premiums as the public sees them: aggregates per family, never a person.

D.Lgs. 33/2013 art. 20 asks for the premiums allocated and paid, and for the degree of
differentiation in their distribution, in aggregate form; the Garante (provv. 398/2023)
forbids publishing a named individual score or amount. So a row here is a family of the year
(dirigenti, a category): how many people, the fund allocated, the premiums distributed and
paid, the average premium, how many people fall in each pay band and the share outside the
top band. Never a name, a matricola, a total or an amount of one person.

Small groups (``MIN_GROUP``): an aggregate of one or two people *is* their figure. A family of
fewer than 3 people is not published on its own; those families are pooled into one row
(«Altre famiglie»), which is published only when it holds at least 3 people, otherwise it says
the data are withheld. Within a published row the amounts (distributed, paid, average) are
shown only when at least 3 people were paid: with one or two paid the total would be their
premium. The figures are shown once the distribution is complete (every evaluation of the
row's families final, no error): before, the row says "in corso" and gives only the count of
people and the fund.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from traguardo.core.formats import decimal_it, percent
from traguardo.evaluation.models import Scheme
from traguardo.evaluation.pay import FamilyPay, year_pay
from traguardo.planning.models import Plan
from traguardo.reports.opendata import (
    CSV_DIALECT,
    CSV_ESCAPING,
    LICENCE,
    Field,
    publisher,
)
from traguardo.scoring import round_half_up

MIN_GROUP = 3
ZERO = Decimal("0.00")
POOLED = gettext_lazy("Altre famiglie (meno di 3 persone ciascuna)")


@dataclass(frozen=True)
class BandCount:
    lower: Decimal
    share: Decimal
    people: int

    @property
    def label(self) -> str:
        return _("da %(lower)s punti (%(share)s del premio)") % {
            "lower": decimal_it(self.lower, 2),
            "share": percent(self.share),
        }


@dataclass(frozen=True)
class PublicFamily:
    """One public row. ``withheld``: fewer than 3 people, nothing but the row is shown.
    ``complete``: the distribution is final; ``amounts_shown``: at least 3 people paid."""

    year: int
    name: str
    families: int
    people: int
    withheld: bool
    fund: Decimal | None
    complete: bool
    paid_people: int
    distributed: Decimal | None
    paid_on: date | None
    bands: tuple[BandCount, ...]
    outside_top: Decimal | None

    @property
    def amounts_shown(self) -> bool:
        return self.complete and not self.withheld and self.paid_people >= MIN_GROUP

    @property
    def average(self) -> Decimal | None:
        if not self.amounts_shown or self.distributed is None:
            return None
        return round_half_up(self.distributed / self.paid_people, 2)

    @property
    def paid(self) -> Decimal | None:
        """The premiums paid: the distributed total once every fund of the row is paid."""
        return self.distributed if self.paid_on is not None else None


def _row(year: int, name: str, group: list[FamilyPay], bands) -> PublicFamily:
    people = sum(family.people for family in group)
    withheld = people < MIN_GROUP
    complete = bool(group) and all(family.complete for family in group)
    counts = [0] * len(bands)
    paid_people = 0
    distributed = ZERO
    for family in group:
        if not complete or family.distribution is None:
            continue
        distributed += family.distribution.distributed
        for allocation in family.distribution.allocations.values():
            counts[allocation.band - 1] += 1
            paid_people += allocation.amount > 0
    paid_dates = [family.fund.paid_on if family.fund else None for family in group]
    paid_on = None if None in paid_dates or not paid_dates else max(d for d in paid_dates if d)
    shown = complete and not withheld
    return PublicFamily(
        year=year,
        name=name,
        families=len(group),
        people=people,
        withheld=withheld,
        fund=None if withheld else sum((f.fund.amount for f in group if f.fund), ZERO),
        complete=complete,
        paid_people=paid_people,
        distributed=distributed if shown and paid_people >= MIN_GROUP else None,
        paid_on=paid_on if not withheld else None,
        bands=tuple(
            BandCount(band.lower, band.share, count)
            for band, count in zip(bands, counts, strict=True)
        )
        if shown
        else (),
        outside_top=round_half_up(Decimal(people - counts[-1]) * 100 / people, 2)
        if shown and counts
        else None,
    )


def public_families(scheme: Scheme | None) -> list[PublicFamily]:
    """The public rows of a year: each family of at least 3 people, then the small ones
    pooled. None without a scheme."""
    if scheme is None:
        return []
    pay = year_pay(scheme)
    bands = list(scheme.pay_bands.all())
    large = [family for family in pay.families if family.people >= MIN_GROUP]
    small = [family for family in pay.families if 0 < family.people < MIN_GROUP]
    rows = [_row(scheme.year, family.family.name, [family], bands) for family in large]
    if small:
        rows.append(_row(scheme.year, str(POOLED), small, bands))
    return rows


# --- open data ----------------------------------------------------------------------------


def fields() -> list[Field]:
    return [
        Field("anno", "integer", _("Anno"), _("L'anno delle valutazioni e dei premi."),
              required=True),
        Field("famiglia", "string", _("Famiglia di valutazione"),
              _("Chi è valutato con le stesse regole (dirigenti, una categoria…); le famiglie "
                "con meno di 3 persone sono riunite in «Altre famiglie»."), required=True),
        Field("persone", "integer", _("Persone"),
              _("Quante persone sono valutate; vuoto se meno di 3 (dati riservati).")),
        Field("dati_riservati", "boolean", _("Dati riservati"),
              _("«sì» se il gruppo ha meno di 3 persone: nessun dato è pubblicato, perché "
                "riguarderebbe singole persone."), required=True),
        Field("ripartizione_completa", "boolean", _("Ripartizione completa"),
              _("«sì» quando tutte le valutazioni sono definitive e la ripartizione non ha "
                "errori; prima i premi non sono indicati."), required=True),
        Field("fondo_stanziato", "number", _("Fondo stanziato (€)"),
              _("Le risorse destinate ai premi legati alla performance.")),
        Field("premi_distribuiti", "number", _("Premi distribuiti (€)"),
              _("Il totale ripartito tra le persone; vuoto finché la ripartizione non è "
                "completa o se meno di 3 persone ricevono un premio.")),
        Field("premi_liquidati", "number", _("Premi liquidati (€)"),
              _("Il totale effettivamente pagato; vuoto finché non è liquidato.")),
        Field("liquidati_il", "date", _("Liquidati il"),
              _("La data di liquidazione (AAAA-MM-GG).")),
        Field("premio_medio", "number", _("Premio medio (€)"),
              _("I premi distribuiti divisi per le persone che ne ricevono uno.")),
        Field("persone_premiate", "integer", _("Persone con un premio"),
              _("Quante persone ricevono un importo maggiore di zero.")),
        Field("distribuzione_fasce", "string", _("Persone per fascia di premio"),
              _("Per ogni fascia, dalla più bassa: «da X punti (Y% del premio): N», separate "
                "da «; ».")),
        Field("quota_fuori_fascia_alta", "number", _("Quota fuori dalla fascia più alta (%)"),
              _("Il grado di differenziazione: le persone non collocate nella fascia più alta "
                "sul totale, in percentuale."),
              extra={"constraints": {"minimum": 0, "maximum": 100}}),
    ]  # fmt: skip


def table_schema() -> dict:
    return {
        "fields": [f.describe() for f in fields()],
        "primaryKey": ["anno", "famiglia"],
        "missingValues": [""],
    }


def data_rows(families: Iterable[PublicFamily]) -> Iterator[dict]:
    for row in families:
        shown = row.complete and not row.withheld
        yield {
            "anno": row.year,
            "famiglia": row.name,
            "persone": None if row.withheld else row.people,
            "dati_riservati": row.withheld,
            "ripartizione_completa": row.complete,
            "fondo_stanziato": row.fund,
            "premi_distribuiti": row.distributed,
            "premi_liquidati": row.paid,
            "liquidati_il": row.paid_on.isoformat() if row.paid_on and shown else None,
            "premio_medio": row.average,
            "persone_premiate": row.paid_people if shown else None,
            "distribuzione_fasce": "; ".join(f"{b.label}: {b.people}" for b in row.bands)
            if shown
            else None,
            "quota_fuori_fascia_alta": row.outside_top,
        }


def document(authority, year: int, rows: list[dict], *, schema_url: str, info_url: str) -> dict:
    """The JSON file of a year's premiums: who publishes it, under which licence, the rows."""
    return {
        "titolo": _("Premi legati alla performance %(year)s — %(authority)s")
        % {"year": year, "authority": authority.name},
        "editore": publisher(authority, info_url),
        "licenza": LICENCE,
        "schema": schema_url,
        "anno": year,
        "persone_minime_per_gruppo": MIN_GROUP,
        "premi": rows,
    }


def resources(plans, data_url: Callable[[Plan, str], str]) -> Iterator[dict]:
    """The Data Package's resources of the premiums' files, one CSV and one JSON a year."""
    schema = table_schema()
    for plan in plans:
        for fmt, media, extra in (
            (
                "csv",
                "text/csv",
                {"encoding": "utf-8", "dialect": CSV_DIALECT, "description": str(CSV_ESCAPING)},
            ),
            ("json", "application/json", {"encoding": "utf-8", "jsonPath": "$.premi"}),
        ):
            yield {
                "name": f"premi-{plan.year}-{fmt}",
                "title": _("Premi legati alla performance %(year)s (%(fmt)s)")
                % {"year": plan.year, "fmt": fmt.upper()},
                "path": data_url(plan, fmt),
                "format": fmt,
                "mediatype": media,
                **extra,
                "schema": schema,
            }
