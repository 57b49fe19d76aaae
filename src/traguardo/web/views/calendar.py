"""The private calendar feed of a member's deadlines: the page that issues the link, the feed."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from traguardo.accounts.models import CalendarToken
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import public_view, tenant_view
from traguardo.monitoring.reminders import (
    calendar_feed,
    calendar_token_owner,
    issue_calendar_token,
    revoke_calendar_tokens,
)


@tenant_view("monitoring.view_dashboard")
@never_cache  # the answer to the POST carries the token
def calendar_page(request: TenantRequest) -> HttpResponse:
    """GET: whether a link is active. POST: a new link, shown in this answer only."""
    feed_url = ""
    if request.method == "POST":
        token = issue_calendar_token(request.user, request.authority)
        feed_url = request.build_absolute_uri(reverse("calendar_feed", kwargs={"token": token}))
    active = (
        CalendarToken.objects.active()
        .filter(user=request.user, authority=request.authority)
        .first()
    )
    return render(request, "web/calendar.html", {"feed_url": feed_url, "active": active})


@tenant_view("monitoring.view_dashboard")
@require_POST
def calendar_revoke(request: TenantRequest) -> HttpResponse:
    if revoke_calendar_tokens(request.user, request.authority):
        messages.success(
            request, _("Collegamento revocato: i calendari che lo usano non si aggiornano più.")
        )
    return redirect("calendar", authority=request.authority.slug)


@public_view
@require_safe
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The feed a calendar program fetches: the token is the only credential, no session."""
    owner = calendar_token_owner(token)
    if owner is None:
        raise Http404
    base_url = getattr(settings, "BASE_URL", "") or request.build_absolute_uri("/")
    body = calendar_feed(
        owner.user,
        owner.authority,
        today=timezone.localdate(),
        now=timezone.now(),
        base_url=base_url,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response


urlpatterns = [
    path("calendario/", calendar_page, name="calendar"),
    path("calendario/revoca/", calendar_revoke, name="calendar_revoke"),
]
