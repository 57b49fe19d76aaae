"""The second factor, before any page (``accounts.otp`` decides who has and who needs one)."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from traguardo.accounts import otp
from traguardo.core.middleware import PUBLIC_ROUTE_PREFIX

# The pages an unverified session may still reach: the code page itself, logging out, and the
# views that need no session (health check, the calendar feed, whose token is the credential).
OTP_VERIFY_OPEN = frozenset({"otp_verify", "logout", "healthz", "calendar_feed"})
# The pages a user who must enrol may reach: enrolment, logging out, the same public views.
OTP_ENROL_OPEN = frozenset({"otp_setup", "logout", "healthz", "calendar_feed"})


class OTPRequiredMiddleware:
    """The second factor, before any page.

    A logged-in user with a confirmed TOTP device whose session has not given a code yet is
    sent to the code page; one whose role requires the second factor (``OTP_REQUIRED_ROLES``)
    and has no device is sent to activate it. Static files and the pages above stay reachable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a session cookie the user is anonymous: the session is left untouched (no
        # "Vary: Cookie" on the public answers, e.g. the calendar feed).
        user = getattr(request, "user", None)
        if (
            settings.SESSION_COOKIE_NAME not in request.COOKIES
            or user is None
            or not user.is_authenticated
            or request.path.startswith(settings.STATIC_URL)
            or (user.is_verified() if hasattr(user, "is_verified") else False)
        ):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            name = None
        else:
            name = match.url_name
            if match.route.startswith(PUBLIC_ROUTE_PREFIX):
                # The transparency pages are public: no session, so no second factor.
                return self.get_response(request)
        if otp.has_device(user):
            if name not in OTP_VERIFY_OPEN:
                return _redirect(request, reverse("otp_verify"), next_path=True)
        elif otp.otp_required(user) and name not in OTP_ENROL_OPEN:
            # The enrolment page says why (its role needs the second factor).
            return _redirect(request, reverse("otp_setup"))
        return self.get_response(request)


def _redirect(request: HttpRequest, url: str, *, next_path: bool = False) -> HttpResponse:
    if next_path and request.method == "GET":
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if getattr(request, "htmx", False):
        # An htmx request follows a plain redirect inside the page: have it load the page.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
