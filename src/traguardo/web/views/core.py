"""Entry points outside any authority: health check and home."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from traguardo.accounts.models import Membership, Role
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
    """One authority: straight to its plans (an employee: to their evaluations). Several: let
    the user choose."""
    memberships = list(Membership.objects.filter(user=request.user).select_related("authority"))
    if len(memberships) == 1:
        membership = memberships[0]
        if membership.role == Role.EMPLOYEE:  # sees only their individual evaluations
            return redirect("evaluation_home", authority=membership.authority.slug)
        return redirect("plan_list", authority=membership.authority.slug)
    return render(request, "web/home.html", {"memberships": memberships})
