"""The one confirmation page of a deletion, for every list that deletes a row."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from traguardo.core.domain import DomainError


def delete_page(
    request: HttpRequest,
    delete: Callable[[], None],
    *,
    what: str,
    success: str,
    section: dict[str, str],
    breadcrumbs: str = "web/setup/_breadcrumbs.html",
) -> HttpResponse:
    """GET asks to confirm; POST deletes, or says why not, back on the section's list
    (``section["url"]``). ``breadcrumbs`` is the template of the page's trail."""
    if request.method == "POST":
        try:
            delete()
        except DomainError as error:
            # base.html builds "alert-<tags>": Bootstrap's red alert is "danger".
            messages.error(request, error.message, extra_tags="danger")
        else:
            messages.success(request, success)
        return redirect(section["url"])
    return render(
        request,
        "web/confirm_delete.html",
        {
            "what": what,
            "section": section,
            "breadcrumbs": breadcrumbs,
            "page_title": _("Elimina %(what)s") % {"what": what},
        },
    )
