"""Session limits, no-store answers and the login lockout's page (the second factor is
``accounts.middleware``).

A session ends after ``SESSION_IDLE_SECONDS`` without a request and ``SESSION_MAX_SECONDS``
after the login, whatever the activity. The middleware checks both limits against times stored
in the session, so neither depends on the cookie alone.

A page view writes nothing: the idle clock (``SEEN_AT``) is refreshed at most once every
``SEEN_REFRESH_SECONDS`` (a minute), and only then is the session saved — which is also when
Django sets the stored session's expiry and the cookie's (``SESSION_COOKIE_AGE``, the idle
limit, from the save; ``SESSION_SAVE_EVERY_REQUEST`` is off). Both expiries and the stored idle
clock therefore move together, at most a minute behind the last request: a session ends
between 29 and 30 minutes after the last request, never later than the idle limit.
"""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from traguardo.core.memo import request_memo

NO_STORE = "private, no-store"
# Answers that keep the caching their view sets: the private calendar feed is fetched by
# calendar servers every few minutes, never shown in a browser ("private, max-age=900").
OWN_CACHING = frozenset({"calendar_feed"})

LOGIN_AT = "traguardo.login_at"
SEEN_AT = "traguardo.seen_at"
# The idle clock is written (and the session saved, its expiry renewed) at most this often.
SEEN_REFRESH_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="traguardo.session_login_time")
def _remember_login_time(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now


class SessionLimitsMiddleware:
    """Log out a session idle too long or older than the absolute limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie there is nothing to expire; the session is left untouched
        # (no "Vary: Cookie" on the public answers, e.g. the calendar feed).
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        if has_session and request.user.is_authenticated:
            now = timezone.now().timestamp()
            login_at = request.session.get(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_SECONDS
            too_old = now - login_at > settings.SESSION_MAX_SECONDS
            if idle or too_old:
                logout(request)  # flushes the session: a new key, no data
                messages.info(
                    request,
                    _("La sessione è scaduta per inattività. Accedi di nuovo.")
                    if idle
                    else _("La sessione è scaduta: dura al massimo %(hours)s ore. Accedi di nuovo.")
                    % {"hours": settings.SESSION_MAX_SECONDS // 3600},
                )
                return redirect_to_login(request.get_full_path())
            if LOGIN_AT not in request.session:
                request.session[LOGIN_AT] = login_at
            if SEEN_AT not in request.session or now - seen_at >= SEEN_REFRESH_SECONDS:
                # Marks the session modified: saved at the end of the request, with a new
                # expiry for the stored session and the cookie.
                request.session[SEEN_AT] = now
        return self.get_response(request)


class RequestMemoMiddleware:
    """A GET or HEAD request remembers the rows its helpers read twice (``core.memo``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with request_memo():
            return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for the login lockout and the audit log.

    Behind ``PROXY_COUNT`` trusted proxies each appends the address it received the request
    from to X-Forwarded-For (nginx, as the README configures it, overwrites the header with
    its peer's address), so the client is the entry that many places from the end; anything
    before it is whatever the client sent. A header with fewer entries, or an entry that is
    not an address, did not come through the proxies as configured: the direct peer
    (REMOTE_ADDR) is used. Without proxies it is REMOTE_ADDR.
    """
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= count:
            candidate = forwarded[-count]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The Italian page shown to a locked-out login: why, and from when to try again."""
    from axes.helpers import get_client_username, get_cool_off

    cool_off = get_cool_off(request)
    attempt_time = getattr(request, "axes_attempt_time", None) or timezone.now()
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "retry_at": timezone.localtime(attempt_time + cool_off) if cool_off else None,
    }
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )


# The public pages (Amministrazione trasparente), whatever their name.
PUBLIC_ROUTE_PREFIX = "trasparenza/"


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every answer but the public pages.

    Plans, measurements and people's names must not stay in the browser cache of a shared
    office PC (nor in any proxy). The transparency pages keep their own public caching, the
    calendar feed its private one (``OWN_CACHING``); static files are answered by whitenoise
    before this middleware runs. Whatever a back-office view
    set is replaced: nothing of the back office is cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or not (
            match.route.startswith(PUBLIC_ROUTE_PREFIX) or match.url_name in OWN_CACHING
        ):
            response["Cache-Control"] = NO_STORE
            if "Expires" in response:
                del response["Expires"]
        return response
