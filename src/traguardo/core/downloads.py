"""A file sent as a download, with a name that may come from what people typed."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment(data: bytes, filename: str, content_type: str, *, no_store: bool) -> HttpResponse:
    """``data`` as a download named ``filename``.

    The name (a scheda's code, say) is quoted or RFC 5987-encoded by Django, never pasted into
    the header, so quotes, semicolons, line breaks or non-Latin-1 letters in it cannot forge
    other header parameters. ``no_store``: no cache may keep the file (a plan's data).
    """
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    if no_store:
        response["Cache-Control"] = "private, no-store"
    return response
