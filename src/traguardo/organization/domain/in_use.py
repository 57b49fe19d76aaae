"""The refusal to delete a row something still refers to: «L'unità «X» non si può eliminare:
è indicata in 2 schede obiettivo e ha 1 unità dipendente.»

Each reason is a plural message whose number is ``%(n)d`` (``ngettext_lazy(…, "n")``, so
``makemessages`` still finds both forms) paired with the queryset that counts the rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from traguardo.core.domain import DomainError

Use = tuple[QuerySet, Promise]


def refuse_if_in_use(what: str, uses: Iterable[Use]) -> None:
    """Count every use (one query each, in order); refuse with the ones that are not zero."""
    reasons = [str(message % {"n": n}) for rows, message in uses if (n := rows.count())]
    if reasons:
        raise DomainError(
            _("%(what)s non si può eliminare: %(reasons)s.")
            % {"what": what, "reasons": _join(reasons)}
        )


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    first, last = ", ".join(parts[:-1]), parts[-1]
    # "ed è", not "e è": the reasons start with a verb.
    if last[:1] in ("e", "è"):
        return _("%(first)s ed %(last)s") % {"first": first, "last": last}
    return _("%(first)s e %(last)s") % {"first": first, "last": last}
