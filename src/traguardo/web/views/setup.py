"""Setting up the authority: structure, people, DUP, ambiti, SMVP and scales (admins)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from traguardo.core.tenancy import tenant_view


@tenant_view("organization.manage_setup")
def setup_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/setup/home.html")


urlpatterns = [path("", setup_home, name="setup_home")]
