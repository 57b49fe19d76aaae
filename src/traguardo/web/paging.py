"""One way to page a long list on every page: Django's Paginator, 50 rows, ``?pagina=N``.

A Comune with up to ``PER_PAGE`` schede sees everything on one page; a city with thousands
sees the summaries and the first page, narrows with the filters (applied on the server before
paging) and downloads the full list (XLSX/CSV) from the link beside the pager.
"""

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 50
PARAM = "pagina"


def paginate(request: HttpRequest, rows: Sequence, *, per_page: int = PER_PAGE) -> Page:
    """The page of ``rows`` the request asks for (the first for a missing or wrong number,
    the last for one past the end)."""
    return Paginator(rows, per_page).get_page(request.GET.get(PARAM))
