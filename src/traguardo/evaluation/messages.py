"""The engine's findings on an individual evaluation or a distribution, in Italian.

``scoring.individual`` and ``scoring.pay`` return ``Issue`` codes with their parameters; the
keys in them are ours (an objective's, a behaviour's, a goal's or an assignment's id) and
``names`` turns them into what the user reads. A code without a sentence here is a defect: the
tests walk every code the engine can return.
"""

from collections.abc import Callable, Hashable, Mapping
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from traguardo.core.formats import date_it, number_it
from traguardo.scoring import Issue

COMPONENT_NAMES: dict[str, Callable[[], str]] = {
    "unit_objectives": lambda: _("Obiettivi della struttura"),
    "individual_objectives": lambda: _("Obiettivi individuali"),
    "behaviours": lambda: _("Comportamenti organizzativi"),
    "differentiation": lambda: _("Capacità di differenziare le valutazioni"),
}

REASONS: dict[str, Callable[[], str]] = {
    "no_schede": lambda: _("nessuna scheda del piano è assegnata"),
    "all_schede_left_out": lambda: _("nessuna scheda assegnata è dovuta o valutabile"),
    "no_behaviours": lambda: _("la famiglia non ha comportamenti nel catalogo"),
    "no_goals": lambda: _("nessun obiettivo individuale è assegnato"),
}


def component_name(kind: str) -> str:
    name = COMPONENT_NAMES.get(kind)
    return name() if name else kind


def _number(value: Hashable) -> str:
    return number_it(Decimal(value)) if isinstance(value, Decimal | int) else str(value)


def _int(value: Hashable) -> int:
    return value if isinstance(value, int) else 0


# What a key names when the caller gave no name for it: never the key itself.
KEY_KINDS: dict[str, Callable[[], str]] = {
    "scheda": lambda: _("scheda"),
    "goal": lambda: _("obiettivo individuale"),
    "behaviour": lambda: _("comportamento"),
    "assignment": lambda: _("valutazione"),
}


def _name(names: Mapping[Hashable, str], key: Hashable) -> str:
    name = names.get(key)
    if name:
        return name
    if isinstance(key, tuple) and len(key) == 2 and key[0] in KEY_KINDS:
        return f"{KEY_KINDS[key[0]]()} n. {key[1]}"
    return _("elemento n. %(key)s") % {"key": key}


def _weights(params: dict) -> str:
    total = params.get("total")
    return _("I pesi delle componenti sommano a %(total)s%%, non a 100%%.") % {
        "total": number_it(total) if total is not None else "?"
    }


def message(issue: Issue, names: Mapping[Hashable, str] | None = None) -> str:
    """One finding as a sentence naming what it is about."""
    names = names or {}
    p = issue.param_dict()
    key = p.get("key")
    what = _name(names, key) if key is not None else ""
    code = issue.code
    if code == "component_weights":
        return _weights(p)
    if code == "unit_objectives_not_prevailing":
        return _(
            "Gli obiettivi della struttura non hanno il peso prevalente (art. 9 c.1 lett. a "
            "D.Lgs. 150/2009): un'altra componente pesa quanto o più di loro."
        )
    if code == "component_not_applicable":
        reason = str(p.get("reason", ""))
        text = REASONS[reason]() if reason in REASONS else reason
        base = _("%(component)s: non applicabile, il suo peso va alle altre componenti") % {
            "component": component_name(issue.field)
        }
        return f"{base} ({text})." if text else f"{base}."
    if code == "schede_left_out":
        keys = p.get("keys")
        listed = ", ".join(_name(names, k) for k in keys) if isinstance(keys, tuple) else ""
        return _("Schede fuori dal calcolo (non dovute o escluse): %(schede)s.") % {
            "schede": listed
        }
    if code == "scheda_without_score":
        return _("%(what)s non ha un risultato: la componente resta aperta.") % {"what": what}
    if code == "scheda_not_final":
        return _("%(what)s ha un risultato provvisorio o parziale.") % {"what": what}
    if code == "scheda_without_weight":
        return _("%(what)s non ha un peso dichiarato.") % {"what": what}
    if code == "equal_weights":
        return _("%(component)s: nessun peso indicato, le schede pesano allo stesso modo.") % {
            "component": component_name(issue.field)
        }
    if code == "missing_rating":
        return _("Il comportamento «%(what)s» non è ancora valutato.") % {"what": what}
    if code == "rating_off_scale":
        return _("Il comportamento «%(what)s» ha una valutazione (%(rating)s) fuori scala.") % {
            "what": what,
            "rating": _number(p.get("rating")),
        }
    if code == "too_few_evaluations":
        count = _int(p.get("count"))
        return ngettext(
            "Capacità di differenziare: %(count)s valutazione definitiva data, ne servono "
            "almeno %(minimum)s. Dichiarare la componente non applicabile o attendere le "
            "valutazioni.",
            "Capacità di differenziare: %(count)s valutazioni definitive date, ne servono "
            "almeno %(minimum)s. Dichiarare la componente non applicabile o attendere le "
            "valutazioni.",
            count,
        ) % {"count": count, "minimum": p.get("minimum")}
    if code == "component_missing":
        return _("%(component)s: manca nella valutazione.") % {
            "component": component_name(issue.field)
        }
    if code == "rating_scale_invalid":
        return _(
            "La scala dei comportamenti del sistema di valutazione non è valida (minimo, "
            "massimo e passo): i comportamenti non si possono valutare."
        )
    if code == "pay_bands_invalid":
        return _(
            "Le fasce di premio del sistema di valutazione mancano o non sono valide (la "
            "prima parte da 0, le quote non scendono): la fascia non si può indicare."
        )
    if code == "final_total_moved":
        on = p.get("on")
        now = p.get("now")
        return _(
            "Il punteggio reso definitivo il %(on)s era %(final)s; ricalcolato oggi è %(now)s: "
            "i dati da cui dipende (i risultati del piano, le valutazioni date) sono cambiati "
            "dopo. La valutazione non conta per i premi né per la differenziazione finché "
            "l'amministrazione non la riapre con una revisione."
        ) % {
            "on": date_it(on) if isinstance(on, date) else "—",
            "final": _number(p.get("final")),
            "now": _number(now) if now is not None else _("aperto"),
        }
    if code == "nothing_to_evaluate":
        return _("Nessuna componente si applica: il totale non si può calcolare.")
    if code == "increase_nobody":
        return _(
            "Maggiorazione del premio: la quota massima di beneficiari non raggiunge una "
            "persona, nessuno la riceve."
        )
    if code == "increase_tie":
        places = _int(p.get("places"))
        return ngettext(
            "Maggiorazione del premio: %(tied)s persone a pari punteggio (%(score)s) per "
            "%(places)s posto; nessuna la riceve finché l'ente non applica il suo criterio "
            "di spareggio.",
            "Maggiorazione del premio: %(tied)s persone a pari punteggio (%(score)s) per "
            "%(places)s posti; nessuna la riceve finché l'ente non applica il suo criterio "
            "di spareggio.",
            places,
        ) % {"tied": p.get("tied"), "score": _number(p.get("score")), "places": places}
    if code == "missing_score":
        return _("%(what)s non ha una valutazione definitiva: il fondo non si ripartisce.") % {
            "what": what
        }
    if code == "nobody_paid":
        return _("Nessuna persona ha diritto al premio: il fondo resta da ripartire.")
    raise KeyError(f"no Italian message for the engine's code {code!r}")
