"""Amministrazione trasparente › Performance: the public pages and files of an authority.

No login (``public_view``), GET and HEAD only. D.Lgs. 33/2013 art. 10 c.8 and art. 20: the
Piano, the Relazione and aggregate results are published; named individual scores never are
(Garante provv. 398/2023): these pages name units and schede, never a person. What is public
is decided in ``traguardo.reports.opendata`` (``PUBLIC_STATES``, ``RESULT_STATES``): a draft or
a proposed plan answers 404, results only once the plan is closed or validated.

Caching: answers are kept in the server's cache for TRAGUARDO_PUBLIC_PAGE_CACHE_SECONDS under
a key that changes with every write (``_page_key``), so an anonymous visitor does not make the
server recompute a plan's scores. Every answer is ``Cache-Control: public, max-age=300`` with
an ETag (a hash of the body: the plan has no timestamp that covers its schede, targets and
measurements), and a conditional GET gets 304. The pages touch neither the session nor the
CSRF token (their base template is not the back office's), so an anonymous answer sets no
cookie and does not vary on Cookie. A request that carries a session cookie gets ``private``
instead: the session middleware may refresh that cookie on the answer, which a shared cache
must never store.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.translation import gettext as _
from django_scopes import scope

from traguardo.audit.models import AuditEntry
from traguardo.core.tenancy import public_view
from traguardo.organization.models import Authority, PerformanceArea
from traguardo.planning.models import Objective, Plan
from traguardo.planning.rulebook import plan_rules
from traguardo.reports import opendata
from traguardo.reports.charts import achievement_distribution, unit_bars
from traguardo.reports.redact import Redactor, redact_card
from traguardo.reports.relazione import due_achievements
from traguardo.reports.scheda import CardView, PlanView, plan_pages, scheda_page

MAX_AGE = 300
SAFE_METHODS = ("GET", "HEAD")
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def transparency_view(view: Callable) -> Callable:
    """A public page of one authority: resolved by slug (404 if unknown), run in its scope,
    answered with the cache headers and 304 to a matching conditional GET."""

    @wraps(view)
    def wrapper(request: HttpRequest, authority: str, **kwargs) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return HttpResponseNotAllowed(SAFE_METHODS)
        entity = get_object_or_404(Authority, slug=authority)
        seconds = settings.TRAGUARDO_PUBLIC_PAGE_CACHE_SECONDS
        key = _page_key(entity, request) if seconds else None
        response = cache.get(key) if key else None
        if response is None:
            with scope(authority=entity):
                response = view(request, entity, **kwargs)
            if key and response.status_code == 200 and not response.streaming:
                cache.set(key, response, seconds)
        return _cacheable(request, response)

    return public_view(wrapper)


def _page_key(authority: Authority, request: HttpRequest) -> str:
    """The cache key of a public answer: its host (links in a page follow the host it was
    asked on), its path and the newest audit entry of the whole
    installation. Every write of Traguardo appends an entry in its own transaction, so any
    change makes a new key at once (the lifetime bounds the rest); reading the newest id is one
    index lookup, where recomputing a plan's scores for each anonymous visitor is not."""
    newest = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return f"traguardo:public:{request.get_host()}:{authority.pk}:{newest}:{request.path}"


def _cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    shared = settings.SESSION_COOKIE_NAME not in request.COOKIES
    if shared:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    else:
        patch_cache_control(response, private=True, max_age=MAX_AGE)
    if response.status_code != 200:
        return response
    set_response_etag(response)
    return get_conditional_response(request, etag=response.headers["ETag"], response=response)


def _public_plan(year: int) -> Plan:
    return get_object_or_404(Plan, year=year, state__in=opendata.PUBLIC_STATES)


def _public_plans() -> list[Plan]:
    return list(Plan.objects.filter(state__in=opendata.PUBLIC_STATES).order_by("-year"))


def _base_context(authority: Authority, plan: Plan | None = None) -> dict:
    return {
        "authority": authority,
        "plan": plan,
        "results_public": plan is not None and opendata.results_public(plan),
    }


# --- pages --------------------------------------------------------------------------------


@transparency_view
def public_home(request: HttpRequest, authority: Authority) -> HttpResponse:
    plans = _public_plans()
    context = {
        **_base_context(authority),
        "plans": [(plan, opendata.results_public(plan)) for plan in plans],
    }
    return render(request, "web/transparency/home.html", context)


@transparency_view
def public_plan(request: HttpRequest, authority: Authority, year: int) -> HttpResponse:
    plan = _public_plan(year)
    page = _public_pages(plan)
    context = {**_base_context(authority, plan), "page": page, "groups": _by_unit(page.rows)}
    return render(request, "web/transparency/plan.html", context)


def _public_pages(plan: Plan):
    """The plan's pages with every scheda's free texts redacted (no person's name)."""
    page = plan_pages(plan)
    redactor = Redactor.for_authority(plan.authority)
    for card in page.rows:
        redact_card(card, redactor)
    return page


def _by_unit(rows: list[CardView]) -> list[tuple[str, list[CardView]]]:
    """The schede under their unit, in the plan's order (by unit, then position)."""
    groups: dict[str, list[CardView]] = {}
    for card in rows:
        groups.setdefault(_unit_name(card), []).append(card)
    return list(groups.items())


def _unit_name(card: CardView) -> str:
    """The scheda's unit of the authority's structure; never the card's own text, which often
    names a person ("Settore 3° – dott. Rossi")."""
    o = card.objective
    return o.unit.name if o.unit else _("Unità non indicata")


@transparency_view
def public_objective(
    request: HttpRequest, authority: Authority, year: int, pk: int
) -> HttpResponse:
    plan = _public_plan(year)
    objective = get_object_or_404(Objective.objects.select_related("plan"), plan=plan, pk=pk)
    card = scheda_page(objective)
    redact_card(card, Redactor.for_authority(authority))
    context = {
        **_base_context(authority, plan),
        "card": card,
        "areas": sorted(card.objective.areas.all(), key=lambda area: area.number),
    }
    return render(request, "web/transparency/objective.html", context)


@transparency_view
def public_results(request: HttpRequest, authority: Authority, year: int) -> HttpResponse:
    plan = _public_plan(year)
    context = _base_context(authority, plan)
    if context["results_public"]:
        page = _public_pages(plan)
        thresholds = plan_rules(plan).thresholds
        units = opendata.unit_results(page)
        context |= {
            "page": page,
            "period": page.scores.period,
            "authority_result": page.scores.result.authority,
            "coverage": page.coverage(),
            "units": units,
            "groups": _by_unit(page.rows),
            "unit_chart": unit_bars(
                [(u.unit.name, u.result.achievement) for u in units],
                levels=[u.level for u in units],
                **thresholds,
            ),
            "distribution": achievement_distribution(due_achievements(page), **thresholds),
        }
    return render(request, "web/transparency/results.html", context)


@transparency_view
def public_relazione_pdf(request: HttpRequest, authority: Authority, year: int) -> HttpResponse:
    plan = _public_plan(year)
    if not opendata.results_public(plan):
        raise Http404
    # Written by the documents work (issue 6): imported here, when the file is asked for.
    from traguardo.reports.relazione import render_relazione_pdf

    # The public variant (no person's name in its free texts), laid out only when its HTML
    # changed: an anonymous request must not cost a WeasyPrint run (the PDF is cached).
    data = render_relazione_pdf(plan, public=True)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="relazione-performance-{plan.year}.pdf"'
    return response


# --- open data ----------------------------------------------------------------------------


@transparency_view
def public_opendata(
    request: HttpRequest, authority: Authority, year: int, fmt: str
) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    plan = _public_plan(year)
    page = plan_pages(plan)
    rows = _rows(request, authority, page)
    if fmt == "csv":
        body = opendata.to_csv(rows)
    else:
        document = opendata.data_document(
            authority,
            plan,
            rows,
            schema_url=_absolute(request, "public_opendata_schema", authority),
            info_url=_absolute(request, "public_opendata_info", authority),
            page=page,
        )
        body = opendata.to_json(document)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    filename = f"performance-{authority.slug}-{plan.year}.{fmt}"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _rows(request: HttpRequest, authority: Authority, page: PlanView) -> list[dict]:
    plan = page.plan

    def page_url(card: CardView) -> str:
        url = reverse(
            "public_objective",
            kwargs={"authority": authority.slug, "year": plan.year, "pk": card.objective.pk},
        )
        return request.build_absolute_uri(url)

    return opendata.scheda_rows(_public_pages(plan), page_url)


def _absolute(request: HttpRequest, name: str, authority: Authority, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"authority": authority.slug, **kwargs}))


@transparency_view
def public_opendata_schema(request: HttpRequest, authority: Authority) -> HttpResponse:
    package = opendata.data_package(
        authority,
        _public_plans(),
        info_url=_absolute(request, "public_opendata_info", authority),
        data_url=lambda plan, fmt: _absolute(
            request, "public_opendata", authority, year=plan.year, fmt=fmt
        ),
    )
    return HttpResponse(opendata.to_json(package), content_type="application/json")


@transparency_view
def public_opendata_info(request: HttpRequest, authority: Authority) -> HttpResponse:
    context = {
        **_base_context(authority),
        "plans": _public_plans(),
        "fields": opendata.fields(),
        "areas": PerformanceArea.objects.order_by("number"),
        "licence": opendata.LICENCE,
        "citation": opendata.citation(authority),
    }
    return render(request, "web/transparency/opendata.html", context)


urlpatterns = [
    path("", public_home, name="public_home"),
    path("dati/", public_opendata_info, name="public_opendata_info"),
    path("dati/schema.json", public_opendata_schema, name="public_opendata_schema"),
    path("<int:year>/", public_plan, name="public_plan"),
    path("<int:year>/schede/<int:pk>/", public_objective, name="public_objective"),
    path("<int:year>/risultati/", public_results, name="public_results"),
    path("<int:year>/relazione.pdf", public_relazione_pdf, name="public_relazione_pdf"),
    path("<int:year>/dati.<str:fmt>", public_opendata, name="public_opendata"),
]
