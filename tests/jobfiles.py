"""Files prepared as jobs, read in tests: the address answers a redirect to the job (run inline
by the immediate backend), whose page offers the file."""

from urllib.parse import urlsplit

from django.http import HttpResponse
from django.urls import resolve, reverse
from django_scopes import scopes_disabled

from traguardo.jobs.models import Job


def job_of(response) -> Job:
    """The job an answer redirects to."""
    assert response.status_code == 302, response.status_code
    match = resolve(urlsplit(response["Location"]).path)
    assert match.url_name == "job_detail", response["Location"]
    with scopes_disabled():
        return Job.objects.get(pk=match.kwargs["pk"])


def job_file(client, url: str) -> HttpResponse:
    """GET ``url``, follow it to its job and download the job's file: the answer the address
    gave when it composed the file itself (content, type, disposition)."""
    job = job_of(client.get(url))
    assert job.state == "done", job.error
    download = client.get(reverse("job_download", args=[job.authority.slug, job.pk]))
    assert download.status_code == 200
    answer = HttpResponse(b"".join(download.streaming_content))
    for header in ("Content-Type", "Content-Disposition", "Cache-Control"):
        if header in download:
            answer[header] = download[header]
    return answer
