"""HTML → PDF with WeasyPrint, fetching only our own static files (never the network)."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from traguardo.core.downloads import attachment

# The documents are rendered as if served from this origin; the fetcher maps its static URLs
# to files and refuses everything else, so a PDF can never reach out to the network.
BASE_URL = "http://traguardo.invalid/"


class StaticFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
        if url.startswith(prefix):
            path = _static_path(url.removeprefix(prefix).split("?")[0])
            if path:
                response = super().fetch(path.as_uri(), headers)
                # Keep the served URL, so that a stylesheet's relative URLs (fonts) resolve
                # under /static/ again and come back through this fetcher.
                response.url = url
                return response
        raise ValueError(f"resource not allowed in a PDF: {url}")


def _static_path(name: str) -> Path | None:
    """A file of the apps' static folders, else a collected one (hashed names in production)."""
    found = finders.find(name)
    if found:
        return Path(found)
    root = Path(settings.STATIC_ROOT).resolve()
    collected = (root / name).resolve()
    return collected if collected.is_relative_to(root) and collected.is_file() else None


def render_html(template: str, context: dict, request: HttpRequest | None = None) -> str:
    """The document's HTML as WeasyPrint will read it (``pdf`` is true in its context)."""
    return render_to_string(template, {**context, "pdf": True}, request=request)


def html_to_pdf(html: str) -> bytes:
    """Lay out a document's HTML as a PDF: the slow part (seconds for a long document)."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFetcher())
    # @font-face rules only apply when a FontConfiguration is given.
    # PDF/A-3b (archivable: fonts embedded, XMP metadata) with the HTML's structure tagged;
    # the language and title come from <html lang> and <title>.
    return document.write_pdf(
        font_config=FontConfiguration(), pdf_variant="pdf/a-3b", pdf_tags=True
    )


def render_pdf(template: str, context: dict, request: HttpRequest | None = None) -> bytes:
    return html_to_pdf(render_html(template, context, request))


def pdf_response(request: HttpRequest, template: str, context: dict, filename: str) -> HttpResponse:
    data = render_pdf(template, context, request)
    return attachment(data, filename, "application/pdf", no_store=False)
