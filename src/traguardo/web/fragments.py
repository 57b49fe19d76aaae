"""Keys of the rendered fragments of the list pages (the ``fragments`` cache).

A long list is rendered once and its HTML kept (``{% cache None "name" key
using="fragments" %}``) under a key that names everything the HTML depends on: the kept
plan's key (which carries the authority's data version, so a write shows on the next request),
the language, the query string (filters, sort, page numbers) and whatever the view adds (what
the user may do with the rows, which of his units' rows are listed). A view that forgets a part
serves one user's HTML to another: put in ``parts`` everything else the fragment reads.
"""

from django.http import HttpRequest
from django.utils.translation import get_language


def fragment_key(
    kept_key: str | tuple[str, ...], request: HttpRequest | None = None, *parts: object
) -> str:
    """The key of a fragment rendered from ``kept_key``'s data for this request's path and
    query (none: a fragment the same for every request, such as a summary)."""
    query = (
        (request.path, sorted((k, v) for k, values in request.GET.lists() for v in values))
        if request is not None
        else None
    )
    return repr((kept_key, get_language(), query, parts))


def flags(values) -> str:
    """Booleans (what the user may do with each listed row) as a short part of a key."""
    return "".join("1" if value else "0" for value in values)
