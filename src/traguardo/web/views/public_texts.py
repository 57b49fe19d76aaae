"""Revisione dei testi pubblici: the admin's review of what a plan publishes (reports.review)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from traguardo.core.requests import TenantRequest
from traguardo.core.tenancy import check_perm, tenant_view
from traguardo.planning.models import Plan
from traguardo.reports import review


@tenant_view(review.REVIEW)
def plan_public_texts(request: TenantRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    check_perm(request, review.REVIEW, plan)
    texts = review.review_texts(plan)
    with_names = [t for t in texts if t.has_names]
    if request.method == "POST":
        review.confirm_review(
            plan, actor=request.user, texts=len(texts), with_names=len(with_names)
        )
        messages.success(request, _("Revisione dei testi pubblici confermata."))
        return redirect("plan_public_texts", authority=request.authority.slug, year=year)
    every = request.GET.get("tutti") == "1"
    context = {
        "plan": plan,
        "texts": texts if every else with_names,
        "every": every,
        "total": len(texts),
        "with_names": len(with_names),
        "last_review": review.last_review(plan),
    }
    return render(request, "web/public_texts.html", context)


urlpatterns = [
    path("piani/<int:year>/testi-pubblici/", plan_public_texts, name="plan_public_texts"),
]
