"""Names typed into free texts never reach the public: the scheda page, the open data files
and the public Relazione pass one redactor that knows the authority's people in every
spelling."""

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.transparency.conftest import SLUG, demo_plan, pdf_text
from traguardo.organization.models import Person
from traguardo.planning.models import Objective, Plan
from traguardo.reports.redact import fold

pytestmark = pytest.mark.django_db

TRICKY = [("Bianca", "Bertolini"), ("Lucia", "D'Amico"), ("Nicolò", "Sà")]
# What must not be read anywhere public, folded (no accents, one apostrophe, lower case).
FORBIDDEN = ("bertolini", "d'amico", "nicolo sa", "l. d'amico")


def leaks(text: str) -> list[str]:
    folded, _origin = fold(text)
    return [name for name in FORBIDDEN if name in folded]


@pytest.fixture
def plan(demo):
    plan = demo_plan(demo, Plan.State.VALIDATED)
    with scopes_disabled():
        for first, last in TRICKY:
            Person.objects.create(authority=plan.authority, first_name=first, last_name=last)
        five = Objective.objects.get(plan=plan, position=5)
        five.expected_result = (
            "Elezioni svolte regolarmente sotto il coordinamento della dott.ssa Bianca Bertolini."
        )
        five.notes = "Referente: D’Amico (L. D’Amico)."
        five.save()
        indicator = five.indicators.order_by("position").first()
        indicator.name = "Verbali firmati da Nicolo Sa"
        indicator.save()
        plan.validation_minutes = "Presenti: D’Amico (L. D’Amico), Nicolo Sa, BERTOLINI Bianca."
        plan.save()
    return plan, five


def test_the_scheda_page_names_nobody(plan):
    plan, five = plan
    page = Client().get(reverse("public_objective", args=[SLUG, plan.year, five.pk]))
    text = page.content.decode()
    assert leaks(text) == []
    assert "sotto il coordinamento della dott.ssa [omissis]." in text
    assert "Referente: [omissis] ([omissis])." in text
    assert "Verbali firmati da [omissis]" in text


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_open_data_name_nobody(plan, fmt):
    plan, _five = plan
    data = Client().get(reverse("public_opendata", args=[SLUG, plan.year, fmt]))
    text = data.content.decode("utf-8-sig")
    assert leaks(text) == []
    assert "sotto il coordinamento della dott.ssa [omissis]." in text


def test_the_public_relazione_names_nobody(plan):
    plan, _five = plan
    pdf = Client().get(reverse("public_relazione_pdf", args=[SLUG, plan.year]))
    text = " ".join(pdf_text(pdf.content).split())
    assert leaks(text) == []
    assert "Presenti: [omissis] ([omissis]), [omissis], [omissis]." in text


def test_the_back_office_keeps_the_texts_as_written(plan, client):
    from traguardo.accounts.demo import DEMO_PASSWORD

    plan, five = plan
    assert client.login(username="admin", password=DEMO_PASSWORD)
    page = client.get(reverse("objective_detail", args=[SLUG, five.pk])).content.decode()
    assert "dott.ssa Bianca Bertolini" in page
