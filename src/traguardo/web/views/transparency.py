"""Amministrazione trasparente › Performance: the public pages and files of an authority.

No login (``public_view``), GET and HEAD only. D.Lgs. 33/2013 art. 10 c.8 and art. 20: the
Piano, the Relazione and aggregate results are published; named individual scores never are
(Garante provv. 398/2023): these pages name units and schede, never a person. What is public
is decided in ``traguardo.reports.opendata`` (``PUBLIC_STATES``, ``RESULT_STATES``): a draft or
a proposed plan answers 404, results only once the plan is closed or validated.

Cost: no page computes a plan. The plan-wide pages and the open data read the plan's kept
results (``planning.kept.kept_plan``: computed once per change of the authority's data, one
query when kept); the lists show 50 schede a page (``web.paging``) and redact and count only
the rows shown; the open data files are complete, built from ``values()`` and the kept
results in a fixed number of queries; the scheda page scores its one scheda
(``reports.scheda.scheda_page``); the public Relazione PDF is kept under the data version.

Caching: answers are kept in the server's cache for TRAGUARDO_PUBLIC_PAGE_CACHE_SECONDS under
a key made of the authority's own data version (``_page_key``): a write to this authority
makes a new key at once, a write to another authority of a shared installation does not.
Every answer is ``Cache-Control: public, max-age=300`` with
an ETag (a hash of the body: the plan has no timestamp that covers its schede, targets and
measurements), and a conditional GET gets 304. The pages touch neither the session nor the
CSRF token (their base template is not the back office's), so an anonymous answer sets no
cookie and does not vary on Cookie. A request that carries a session cookie gets ``private``
instead: the session middleware may refresh that cookie on the answer, which a shared cache
must never store.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.translation import gettext as _
from django_scopes import scope

from traguardo.core.tenancy import public_view
from traguardo.evaluation.models import Scheme
from traguardo.organization.models import Authority, PerformanceArea
from traguardo.planning.kept import KeptPlan, KeptRow, ObjectiveRef, files, keep, kept_plan
from traguardo.planning.models import Indicator, Objective, Plan
from traguardo.planning.versioning import data_stamp
from traguardo.reports import opendata, premiums, relazione
from traguardo.reports.charts import achievement_distribution, unit_bars
from traguardo.reports.redact import Redactor, redact_scheda
from traguardo.reports.scheda import scheda_page, scheda_result_text
from traguardo.scoring import ObjectiveResult, Status
from traguardo.web.paging import PARAM, paginate

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
    asked on), its path and page number, and the version of *this* authority's data
    (``planning.versioning.data_stamp``: raised in the transaction of every write to its
    plans, schede, rows, measurements, periods, units, people, ambiti or SMVP, together with
    its newest audit entry). A change makes a new key at once (the lifetime bounds the rest),
    and a write of another authority of a shared installation leaves this one's answers
    alone; reading the version is one query, where recomputing a page is not."""
    stamp = data_stamp(authority.pk)
    number = request.GET.get(PARAM, "")[:12]
    return f"traguardo:public:{request.get_host()}:{authority.pk}:{stamp}:{request.path}:{number}"


def _cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    shared = settings.SESSION_COOKIE_NAME not in request.COOKIES
    if shared:
        patch_cache_control(response, public=True, max_age=MAX_AGE)
    else:
        patch_cache_control(response, private=True, max_age=MAX_AGE)
    if response.status_code != 200:
        return response
    set_response_etag(response)
    return (
        get_conditional_response(request, etag=response.headers["ETag"], response=response)
        or response
    )


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


@dataclass(frozen=True)
class PublicRow:
    """A scheda as the public lists show it: its free texts redacted, its result in words."""

    objective: ObjectiveRef  # code and title redacted
    result: ObjectiveResult | None
    forced: bool
    indicator_count: int | None = None

    @property
    def result_text(self) -> str:
        return scheda_result_text(self.result)


def _public_rows(
    authority: Authority, rows: list[KeptRow], *, count_indicators: bool = False
) -> list[PublicRow]:
    """The rows of one page of a list, redacted (no person's name); only the rows shown, so
    the cost follows the page, not the plan."""
    redactor = Redactor.for_authority(authority)
    counts: dict[int, int] = {}
    if count_indicators and rows:
        counts = dict(
            Indicator.objects.filter(objective_id__in=[row.pk for row in rows])
            .order_by()
            .values("objective_id")
            .annotate(n=Count("pk"))
            .values_list("objective_id", "n")
        )
    return [
        PublicRow(
            objective=replace(
                row.objective,
                code=redactor(row.objective.code),
                title=redactor(row.objective.title),
            ),
            result=row.result,
            forced=row.forced,
            indicator_count=counts.get(row.pk, 0) if count_indicators else None,
        )
        for row in rows
    ]


def _by_unit(rows: list[PublicRow]) -> list[tuple[str, list[PublicRow]]]:
    """The schede under their unit, in the plan's order (by unit, then position)."""
    groups: dict[str, list[PublicRow]] = {}
    for row in rows:
        groups.setdefault(_unit_name(row.objective), []).append(row)
    return list(groups.items())


def _unit_name(objective: ObjectiveRef) -> str:
    """The scheda's unit of the authority's structure; never the card's own text, which often
    names a person ("Settore 3° – dott. Rossi")."""
    return objective.unit_name if objective.unit_id else _("Unità non indicata")


def _listed(request: HttpRequest, authority: Authority, kept: KeptPlan, **options) -> dict:
    """One page (50 schede) of the plan's schede, grouped by unit, with its pager."""
    page_obj = paginate(request, kept.rows)
    rows = _public_rows(authority, list(page_obj.object_list), **options)
    return {"page_obj": page_obj, "groups": _by_unit(rows), "schede": len(kept.rows)}


@transparency_view
def public_plan(request: HttpRequest, authority: Authority, year: int) -> HttpResponse:
    plan = _public_plan(year)
    kept = kept_plan(plan)
    context = {
        **_base_context(authority, plan),
        "kept": kept,
        **_listed(request, authority, kept, count_indicators=True),
    }
    return render(request, "web/transparency/plan.html", context)


@transparency_view
def public_objective(
    request: HttpRequest, authority: Authority, year: int, pk: int
) -> HttpResponse:
    plan = _public_plan(year)
    objective = get_object_or_404(Objective.objects.select_related("plan"), plan=plan, pk=pk)
    scheda = scheda_page(objective)
    redact_scheda(scheda, Redactor.for_authority(authority))
    context = {
        **_base_context(authority, plan),
        "card": scheda,
        "areas": sorted(scheda.objective.areas.all(), key=lambda area: area.number),
    }
    return render(request, "web/transparency/objective.html", context)


@transparency_view
def public_results(request: HttpRequest, authority: Authority, year: int) -> HttpResponse:
    plan = _public_plan(year)
    context = _base_context(authority, plan)
    if context["results_public"]:
        kept = kept_plan(plan)
        thresholds = kept.scores.rules.thresholds
        units = opendata.unit_results(kept)
        due = [
            row.result.achievement if row.result else None
            for row in kept.rows
            if not (row.result and row.result.status == Status.NOT_DUE)
        ]
        context |= {
            "kept": kept,
            "period": kept.period,
            "authority_result": kept.scores.result.authority,
            "coverage": kept.coverage(),
            "units": units,
            **_listed(request, authority, kept),
            "unit_chart": unit_bars(
                [(u.unit.name, u.result.achievement) for u in units],
                levels=[u.level for u in units],
                **thresholds,
            ),
            "distribution": achievement_distribution(due, **thresholds),
        }
    return render(request, "web/transparency/results.html", context)


@transparency_view
def public_relazione_pdf(request: HttpRequest, authority: Authority, year: int) -> HttpResponse:
    plan = _public_plan(year)
    if not opendata.results_public(plan):
        raise Http404
    # Kept under the authority's data version (and the day, which decides what is due): an
    # anonymous request for a PDF already made reads it back without computing the plan. The
    # public variant has no person's name in its free texts.
    name = f"public-relazione:{plan.pk}:{timezone.localdate()}"
    data = keep(
        authority.pk,
        name,
        lambda _key: relazione.render_relazione_pdf(plan, public=True),
        local=None,
    )
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
    # The file is a view of the authority's data like a page: built once per data version,
    # host (its links) and day, then read back (planning.kept.keep).
    name = f"opendata:{plan.pk}:{fmt}:{request.get_host()}:{timezone.localdate()}"
    body = keep(
        authority.pk, name, lambda _key: _opendata(request, authority, plan, fmt), local=files
    )
    response = HttpResponse(body, content_type=FORMATS[fmt])
    filename = f"performance-{authority.slug}-{plan.year}.{fmt}"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _opendata(request: HttpRequest, authority: Authority, plan: Plan, fmt: str) -> bytes:
    kept = kept_plan(plan)
    rows = _rows(request, authority, plan, kept)
    if fmt == "csv":
        return opendata.to_csv(rows)
    document = opendata.data_document(
        authority,
        plan,
        list(rows),
        schema_url=_absolute(request, "public_opendata_schema", authority),
        info_url=_absolute(request, "public_opendata_info", authority),
        kept=kept,
    )
    return opendata.to_json(document)


def _rows(request: HttpRequest, authority: Authority, plan: Plan, kept: KeptPlan):
    """The open data rows, every free text redacted (no person's name)."""
    # Every scheda's address differs by its id only: one reverse, not one per row.
    marker = 999999999
    url = request.build_absolute_uri(
        reverse(
            "public_objective",
            kwargs={"authority": authority.slug, "year": plan.year, "pk": marker},
        )
    )
    head, tail = url.split(str(marker))
    redactor = Redactor.for_authority(authority)
    return opendata.scheda_rows(plan, kept, lambda pk: f"{head}{pk}{tail}", _memo(redactor))


def _memo(redactor: Redactor) -> Callable[[str], str]:
    """The redactor, once per distinct text (schede repeat their texts)."""
    done: dict[str, str] = {}

    def redact(text: str) -> str:
        if text not in done:
            done[text] = redactor(text)
        return done[text]

    return redact


def _absolute(request: HttpRequest, name: str, authority: Authority, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"authority": authority.slug, **kwargs}))


# --- the premiums (individual performance) -----------------------------------------------


def _year_scheme(year: int) -> Scheme | None:
    return Scheme.objects.filter(year=year).prefetch_related("pay_bands").first()


@transparency_view
def public_pay(request: HttpRequest, authority: Authority, year: int) -> HttpResponse:
    """The year's premiums per family, in aggregate (``reports.premiums``), for a public plan's
    year; never a person's name or amount."""
    plan = _public_plan(year)
    context = {
        **_base_context(authority, plan),
        "families": premiums.public_families(_year_scheme(year)),
        "min_group": premiums.MIN_GROUP,
    }
    return render(request, "web/transparency/pay.html", context)


@transparency_view
def public_pay_opendata(
    request: HttpRequest, authority: Authority, year: int, fmt: str
) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    plan = _public_plan(year)
    rows = list(premiums.data_rows(premiums.public_families(_year_scheme(year))))
    if fmt == "csv":
        body = opendata.to_csv(rows, premiums.fields())
    else:
        body = opendata.to_json(
            premiums.document(
                authority,
                plan.year,
                rows,
                schema_url=_absolute(request, "public_opendata_schema", authority),
                info_url=_absolute(request, "public_opendata_info", authority),
            )
        )
    response = HttpResponse(body, content_type=FORMATS[fmt])
    filename = f"premi-{authority.slug}-{plan.year}.{fmt}"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@transparency_view
def public_opendata_schema(request: HttpRequest, authority: Authority) -> HttpResponse:
    plans = _public_plans()
    package = opendata.data_package(
        authority,
        plans,
        info_url=_absolute(request, "public_opendata_info", authority),
        data_url=lambda plan, fmt: _absolute(
            request, "public_opendata", authority, year=plan.year, fmt=fmt
        ),
        more_resources=premiums.resources(
            plans,
            lambda plan, fmt: _absolute(
                request, "public_pay_opendata", authority, year=plan.year, fmt=fmt
            ),
        ),
    )
    return HttpResponse(opendata.to_json(package), content_type="application/json")


@transparency_view
def public_opendata_info(request: HttpRequest, authority: Authority) -> HttpResponse:
    context = {
        **_base_context(authority),
        "plans": _public_plans(),
        "fields": opendata.fields(),
        "pay_fields": premiums.fields(),
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
    path("<int:year>/premi/", public_pay, name="public_pay"),
    path("<int:year>/premi.<str:fmt>", public_pay_opendata, name="public_pay_opendata"),
]
