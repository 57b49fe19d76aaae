"""The year's premiums ("Premi"): the funds, their distribution and the payroll file.

The admins' pages (``evaluation.view_pay``; the fund is edited under
``evaluation.manage_scheme``). Every figure is the engine's, computed on each request by
``evaluation.pay.year_pay`` from the stored rows; the views only read it and call the
business actions of ``evaluation.domain.funds``.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from traguardo.core.domain import DomainError
from traguardo.core.downloads import attachment
from traguardo.core.formats import decimal_it
from traguardo.core.forms import show_error
from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import tenant_view
from traguardo.evaluation.domain.funds import FundData, export_payroll, update_fund
from traguardo.evaluation.fund_forms import FundForm
from traguardo.evaluation.models import Family, Fund, Scheme
from traguardo.evaluation.pay import year_pay
from traguardo.exchange import payroll

FORMATS = {
    "csv": (payroll.payroll_csv, payroll.CSV_CONTENT_TYPE),
    "xlsx": (payroll.payroll_xlsx, payroll.XLSX_CONTENT_TYPE),
}


def _overview_url(request: TenantRequest, year: int) -> str:
    return reverse("pay_overview", kwargs={"authority": request.authority.slug, "year": year})


@tenant_view("evaluation.view_pay")
@require_safe
def pay_overview(request: TenantRequest, year: int) -> HttpResponse:
    scheme = get_object_or_404(Scheme, year=year)
    pay = year_pay(scheme)
    return render(
        request,
        "evaluation/pay.html",
        {"scheme": scheme, "pay": pay, "formats": list(FORMATS)},
    )


@tenant_view("evaluation.manage_scheme")
def pay_fund_edit(request: TenantRequest, year: int, pk: int) -> HttpResponse:
    family = get_object_or_404(Family.objects.select_related("scheme"), scheme__year=year, pk=pk)
    fund = Fund.objects.filter(family=family).first()
    initial = {"amount": decimal_it(fund.amount), "paid_on": fund.paid_on} if fund else {}
    form = FundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_fund(family, actor=request.user, data=FundData(**form.cleaned_data))
        except DomainError as error:
            show_error(form, error)
        else:
            messages.success(
                request, _("Fondo della famiglia «%(family)s» salvato.") % {"family": family.name}
            )
            return redirect(_overview_url(request, year))
    return render(
        request,
        "evaluation/fund_form.html",
        {"family": family, "fund": fund, "form": form, "back": _overview_url(request, year)},
    )


@tenant_view("evaluation.view_pay")
@require_safe
def pay_export(request: TenantRequest, year: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    scheme = get_object_or_404(Scheme, year=year)
    try:
        pay = export_payroll(scheme, actor=request.user, fmt=fmt)
    except DomainError as error:
        messages.error(request, error.message, extra_tags="danger")
        return redirect(_overview_url(request, year))
    build, content_type = FORMATS[fmt]
    filename = _("premi-%(year)s.%(fmt)s") % {"year": year, "fmt": fmt}
    return attachment(build(pay), filename, content_type, no_store=True)


urlpatterns = [
    path("valutazione/<int:year>/premi/", pay_overview, name="pay_overview"),
    path("valutazione/<int:year>/premi/fondi/<int:pk>/", pay_fund_edit, name="pay_fund_edit"),
    path("valutazione/<int:year>/premi/paghe.<str:fmt>", pay_export, name="pay_export"),
]
