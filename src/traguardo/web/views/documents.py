"""The documents of the cycle: the plan's "Documenti" page, the Relazione sulla performance and
the Verifica intermedia on screen, and the jobs that print them as PDFs.

Every member reads them ("planning.print_plan"): the Relazione is a public document, and the
Verifica shows what the dashboard already shows to every member. No document of more than one
scheda is composed within a request: the plan's old PDF address (``stampa.pdf``) starts its
job, or follows the one already going, and redirects to it. The plan's PDF is official unless
``segnalazioni=1`` asks for the internal copy (``reports.copies``), a job of its own.
"""

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import tenant_view
from traguardo.exchange.layout import TABLES
from traguardo.jobs.models import Job
from traguardo.monitoring.models import MonitoringPeriod
from traguardo.planning.kept import kept_plan
from traguardo.planning.models import Plan
from traguardo.reports import copies
from traguardo.reports.opendata import PUBLIC_STATES
from traguardo.reports.relazione import (
    SECTIONS,
    listed_rows,
    page_deviations,
    relazione_summary,
)
from traguardo.reports.verifica import verifica_items, verifica_summary, verifica_title
from traguardo.web.paging import paginate
from traguardo.web.views.jobs import start_and_follow, visible_jobs

PLAN_PDF = "reports.plan_pdf"
RELAZIONE_PDF = "reports.relazione_pdf"
VERIFICA_PDF = "reports.verifica_pdf"
# Finished jobs read to find each document's latest file: far more than one page shows.
RECENT_JOBS = 200


@dataclass(frozen=True)
class Document:
    key: str
    title: str
    description: str
    view_url: str
    start_url: str
    latest: Job | None
    # The plan's PDF only: the internal copy's option and its latest file.
    internal_option: bool = False
    latest_internal: Job | None = None


@tenant_view("planning.print_plan")
@require_safe
def plan_documents(request: TenantRequest, year: int) -> HttpResponse:
    # The periods with their plan in one query; the plan alone only when it has none.
    periods = list(
        MonitoringPeriod.objects.select_related("plan")
        .filter(plan__year=year, kind=MonitoringPeriod.Kind.INTERMEDIATE)
        .order_by("reference_date")
    )
    plan = periods[0].plan if periods else get_object_or_404(Plan, year=year)
    latest = _latest_jobs(request, plan)
    slug = request.authority.slug
    documents = [
        Document(
            key="piano",
            title=_("Piano degli obiettivi (PDF)"),
            description=_(
                "Copertina con l'atto di approvazione, indice e tutte le schede raggruppate "
                "per unità, nel formato della scheda."
            ),
            view_url=reverse("plan_document", args=[slug, plan.year]),
            start_url=reverse("plan_pdf_start", args=[slug, plan.year]),
            latest=latest.get((PLAN_PDF, None, False)),
            internal_option=True,
            latest_internal=latest.get((PLAN_PDF, None, True)),
        ),
        Document(
            key="relazione",
            title=_("Relazione sulla performance"),
            description=_(
                "Risultati per unità, per scheda e per ambito, scostamenti con le motivazioni, "
                "risultati forzati, variazioni dell'anno e pagina di validazione del Nucleo."
            ),
            view_url=reverse("relazione", args=[slug, plan.year]),
            start_url=reverse("relazione_pdf_start", args=[slug, plan.year]),
            latest=latest.get((RELAZIONE_PDF, None, False)),
        ),
        *(
            Document(
                key=f"verifica-{period.pk}",
                title=_("Verifica intermedia: %(name)s") % {"name": period.name},
                description=_(
                    "Le schede a rischio alla data di riferimento, con le loro scadenze."
                ),
                view_url=reverse("verifica", args=[slug, plan.year, period.pk]),
                start_url=reverse("verifica_pdf_start", args=[slug, plan.year, period.pk]),
                latest=latest.get((VERIFICA_PDF, period.pk, False)),
            )
            for period in periods
        ),
    ]
    context = {
        "plan": plan,
        "documents": documents,
        "has_periods": bool(periods),
        "csv_tables": TABLES,
        "is_public": plan.state in PUBLIC_STATES,
        "can_import": request.user.has_perm("imports.import_plan", plan),
    }
    return render(request, "web/documents/list.html", context)


def _latest_jobs(request: TenantRequest, plan: Plan) -> dict[tuple[str, int | None, bool], Job]:
    """The newest finished file of each document that the user may download: by kind,
    period and copy (an internal copy is never given as the official document)."""
    jobs = (
        visible_jobs(request)
        .filter(
            kind__in=(PLAN_PDF, RELAZIONE_PDF, VERIFICA_PDF),
            state=Job.State.DONE,
            params__plan=plan.pk,
        )
        .exclude(output="")
    )
    latest: dict[tuple[str, int | None, bool], Job] = {}
    for job in jobs.order_by("-finished_at", "-pk")[:RECENT_JOBS]:
        key = (job.kind, job.params.get("period"), bool(job.params.get("internal")))
        latest.setdefault(key, job)
    return latest


@tenant_view("planning.print_plan")
@require_safe
def plan_document(request: TenantRequest, year: int) -> HttpResponse:
    """The Piano on screen: its cover and its index (the schede under their unit, in pages,
    each linked to its card); the whole document, every card included, is the PDF."""
    plan = get_object_or_404(Plan, year=year)
    plan.authority = request.authority
    kept = kept_plan(plan)
    context = {
        "plan": plan,
        "kept": kept,
        "page_obj": paginate(request, kept.rows),
        "detail_base": _detail_base(request),
        "pdf_url": reverse("plan_pdf_start", args=[request.authority.slug, plan.year]),
        "documents_url": _documents_url(request, plan),
    }
    return render(request, "web/documents/piano.html", context)


@tenant_view("planning.print_plan")
@require_safe
def relazione(request: TenantRequest, year: int) -> HttpResponse:
    """The Relazione on screen: its summaries, then the schede in pages (filtered on the
    server) with the deviations of the shown page; the whole document is the PDF."""
    plan = get_object_or_404(Plan, year=year)
    plan.authority = request.authority
    kept = kept_plan(plan)
    rel = relazione_summary(plan, kept)
    unit = _int(request.GET.get("unita"))
    units = {section.unit.pk for section in rel.units}
    unit = unit if unit in units else None
    with_findings = request.GET.get("scostamenti") == "1"
    page_obj = paginate(request, listed_rows(kept, unit=unit, with_findings=with_findings))
    context = {
        "plan": plan,
        "rel": rel,
        "sections": SECTIONS,
        "page_obj": page_obj,
        # The lists of the shown page are rendered once per kept plan and page (the
        # template's fragment cache, keyed by the kept plan): read only on a miss.
        "found": SimpleLazyObject(lambda: page_deviations(kept, list(page_obj.object_list))),
        "fragment_key": kept.key,
        "unit": unit,
        "with_findings": with_findings,
        "filtered": unit is not None or with_findings,
        "detail_base": _detail_base(request),
        "pdf_url": reverse("relazione_pdf_start", args=[request.authority.slug, plan.year]),
        "documents_url": _documents_url(request, plan),
    }
    return render(request, "web/documents/relazione.html", context)


@tenant_view("planning.print_plan")
@require_safe
def verifica(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    """The Verifica on screen: the counts, then the schede at risk in pages with their
    reasons and deadlines; the whole document is the PDF."""
    period = _period(year, pk)
    plan = period.plan
    plan.authority = request.authority
    kept = kept_plan(plan, period)
    ver = verifica_summary(plan, period, kept)
    unit = _int(request.GET.get("unita"))
    unit = unit if unit in ver.unit_choices else None
    page_obj = paginate(request, ver.at_risk_rows(unit))
    context = {
        "plan": plan,
        "ver": ver,
        "page_obj": page_obj,
        "items": SimpleLazyObject(lambda: verifica_items(kept, page_obj.object_list)),
        "fragment_key": kept.key,
        "unit": unit,
        "detail_base": _detail_base(request),
        "pdf_url": reverse("verifica_pdf_start", args=[request.authority.slug, plan.year, pk]),
        "documents_url": _documents_url(request, plan),
    }
    return render(request, "web/documents/verifica.html", context)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _detail_base(request: TenantRequest) -> str:
    """The address of a scheda without its id: one reverse for a whole list."""
    url = reverse("objective_detail", args=[request.authority.slug, 0])
    return url.removesuffix("0/")


@tenant_view("planning.print_plan")
@require_http_methods(["GET", "POST"])
def plan_pdf_start(request: TenantRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    if request.method != "POST":
        return _to_documents(request, plan)
    return _start_plan_pdf(request, plan, copies.asked(request.POST))


@tenant_view("planning.print_plan")
@require_GET
def plan_pdf(request: TenantRequest, year: int) -> HttpResponse:
    """The plan's PDF at its old address (links, bookmarks): prepared as a job, never here."""
    plan = get_object_or_404(Plan, year=year)
    return _start_plan_pdf(request, plan, copies.asked(request.GET))


def _start_plan_pdf(request: TenantRequest, plan: Plan, internal: bool) -> HttpResponse:
    return start_and_follow(
        request,
        _documents_url(request, plan),
        kind=PLAN_PDF,
        title=copies.titled(_("%(plan)s (PDF)") % {"plan": plan.title}, internal),
        params={"plan": plan.pk, **({"internal": True} if internal else {})},
    )


@tenant_view("planning.print_plan")
@require_http_methods(["GET", "POST"])
def relazione_pdf_start(request: TenantRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    if request.method != "POST":
        return _to_documents(request, plan)
    return start_and_follow(
        request,
        _documents_url(request, plan),
        kind=RELAZIONE_PDF,
        title=_("Relazione sulla performance %(year)s (PDF)") % {"year": plan.year},
        params={"plan": plan.pk},
    )


@tenant_view("planning.print_plan")
@require_http_methods(["GET", "POST"])
def verifica_pdf_start(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    period = _period(year, pk)
    if request.method != "POST":
        return _to_documents(request, period.plan)
    title = verifica_title(period)
    return start_and_follow(
        request,
        _documents_url(request, period.plan),
        kind=VERIFICA_PDF,
        title=_("%(title)s — %(plan)s (PDF)") % {"title": title, "plan": period.plan.title},
        params={"plan": period.plan_id, "period": period.pk},
    )


def _period(year: int, pk: int) -> MonitoringPeriod:
    return get_object_or_404(
        MonitoringPeriod.objects.select_related("plan"), plan__year=year, pk=pk
    )


def _documents_url(request: TenantRequest, plan: Plan) -> str:
    return reverse("plan_documents", args=[request.authority.slug, plan.year])


def _to_documents(request: TenantRequest, plan: Plan) -> HttpResponse:
    """A PDF is started by a POST from the Documenti page; a GET (a bookmark) goes there."""
    return redirect("plan_documents", authority=request.authority.slug, year=plan.year)


urlpatterns = [
    path("piani/<int:year>/documenti/", plan_documents, name="plan_documents"),
    path("piani/<int:year>/documenti/piano/", plan_document, name="plan_document"),
    path("piani/<int:year>/documenti/piano/pdf", plan_pdf_start, name="plan_pdf_start"),
    path("piani/<int:year>/stampa.pdf", plan_pdf, name="plan_pdf"),
    path("piani/<int:year>/documenti/relazione/", relazione, name="relazione"),
    path(
        "piani/<int:year>/documenti/relazione/pdf", relazione_pdf_start, name="relazione_pdf_start"
    ),
    path("piani/<int:year>/documenti/verifica/<int:pk>/", verifica, name="verifica"),
    path(
        "piani/<int:year>/documenti/verifica/<int:pk>/pdf",
        verifica_pdf_start,
        name="verifica_pdf_start",
    ),
]
