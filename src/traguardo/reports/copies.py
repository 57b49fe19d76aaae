"""The official copy of a printed scheda or plan, and the internal one.

The card's Segnalazioni (its checks) and Note di importazione are the offices' working notes:
the screen card shows them to the staff, the official PDF and Word files never print them. An
internal copy ("con segnalazioni") prints both, says so on every page, and is a file of its
own: its name, its job's parameters and its title differ from the official one's.
"""

from collections.abc import Mapping

from django.utils.translation import gettext as _

# The option's name in a printing form or a link's query: ``segnalazioni=1``.
PARAM = "segnalazioni"


def asked(values: Mapping) -> bool:
    """Whether a form or a query (``request.POST``, ``request.GET``) asks for the internal copy."""
    return values.get(PARAM) == "1"


def mark() -> str:
    """What every page of an internal copy says, so it is never taken for the official one."""
    return _("Copia interna con segnalazioni — non per la pubblicazione")


def titled(title: str, internal: bool) -> str:
    """A document's (or a job's) title, naming the internal copy as such."""
    return f"{title} — {_('copia interna con segnalazioni')}" if internal else title


def filename(name: str, internal: bool) -> str:
    """``piano-2019.pdf`` → ``piano-2019-con-segnalazioni.pdf`` for the internal copy."""
    if not internal:
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem}-{_('con-segnalazioni')}{dot}{ext}" if dot else f"{name}-{_('con-segnalazioni')}"
