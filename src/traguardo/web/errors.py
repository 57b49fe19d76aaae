"""Error pages in Italian, with the base layout (no stack traces, ever)."""

from django.shortcuts import render

# The public pages (Amministrazione trasparente): a citizen has no account to be told about.
PUBLIC_PREFIX = "/trasparenza/"


def not_found(request, exception=None):
    public = request.path.startswith(PUBLIC_PREFIX)
    return render(request, "web/error.html", {"code": 404, "public": public}, status=404)


def forbidden(request, exception=None):
    return render(request, "web/error.html", {"code": 403}, status=403)


def server_error(request):
    return render(request, "web/error.html", {"code": 500}, status=500)
