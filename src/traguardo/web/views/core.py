"""Entry points outside any authority: health check and home."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from traguardo.accounts.models import Membership
from traguardo.core.requests import UserRequest
from traguardo.core.tenancy import public_view


@public_view
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@public_view
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, asked by browsers on any page (and by feeds readers): our icon."""
    return redirect(static("traguardo/img/favicon.svg"), permanent=True)


@public_view
@login_required
def home(request: UserRequest) -> HttpResponse:
    """One authority: straight to its plans. Several: let the user choose."""
    memberships = list(Membership.objects.filter(user=request.user).select_related("authority"))
    if len(memberships) == 1:
        return redirect("plan_list", authority=memberships[0].authority.slug)
    return render(request, "web/home.html", {"memberships": memberships})
