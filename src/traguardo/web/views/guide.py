"""The user guide (docs/guida/) inside the app: its pages and screenshots, for any user."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from traguardo.core.tenancy import public_view
from traguardo.web import guide as guide_pages


@public_view
@login_required
@require_safe
def guide(request: HttpRequest, page: str = guide_pages.INDEX) -> HttpResponse:
    found = guide_pages.load(page)
    if found is None:
        raise Http404("Pagina della guida non trovata.")
    contents = []
    for name in guide_pages.page_names():
        loaded = found if name == page else guide_pages.load(name)
        if loaded is None:  # a page listed but gone from the folder: not offered
            continue
        url = reverse("guide") if name == guide_pages.INDEX else reverse("guide_page", args=[name])
        contents.append({"title": loaded.title, "url": url, "current": name == page})
    return render(request, "web/guide.html", {"page": found, "contents": contents})


@public_view
@login_required
@require_safe
def guide_image(request: HttpRequest, image: str) -> FileResponse:
    found = guide_pages.image_file(image)
    if found is None:
        raise Http404("Immagine della guida non trovata.")
    return FileResponse(found.open("rb"), content_type="image/png")


urlpatterns = [
    path("guida/", guide, name="guide"),
    path("guida/img/<slug:image>.png", guide_image, name="guide_image"),
    path("guida/<slug:page>/", guide, name="guide_page"),
]
