"""The admin's "Revisione dei testi pubblici": every public text of the plan, the candidate
names highlighted, each linked to where it is written; confirming it is audited."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.transparency.conftest import SLUG, demo_plan
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.audit.models import AuditEntry
from traguardo.monitoring.models import Measurement
from traguardo.organization.models import Person
from traguardo.planning.models import Objective, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(demo):
    plan = demo_plan(demo, Plan.State.CLOSED)
    with scopes_disabled():
        Person.objects.create(authority=plan.authority, first_name="Bianca", last_name="Bertolini")
        Person.objects.create(authority=plan.authority, first_name="Nicolò", last_name="Sà")
        five = Objective.objects.get(plan=plan, position=5)
        five.expected_result = "Coordinamento della dott.ssa Bianca Bertolini."
        five.save()
        Measurement.objects.filter(period__plan=plan).exclude(comment="").update(
            comment="Dati forniti da Nicolo Sa in ritardo."
        )
    return plan, five


def test_the_review_highlights_every_candidate_name(client, plan):
    plan, five = plan
    assert client.login(username="admin", password=DEMO_PASSWORD)
    url = reverse("plan_public_texts", args=[SLUG, plan.year])
    page = client.get(url).content.decode()
    assert "Coordinamento della dott.ssa <mark>" in page
    assert "Bianca Bertolini</mark>." in page
    assert "Nicolo Sa</mark> in ritardo." in page
    assert reverse("objective_detail", args=[SLUG, five.pk]) in page
    with scopes_disabled():
        commented = Measurement.objects.filter(comment__startswith="Dati forniti").first()
        subject = commented.indicator or commented.activity
    assert reverse("measurements", args=[SLUG, subject.objective_id]) in page
    # By default only the texts with names (each row has one); every text on request.
    rows = page.count("<tr>") - 1
    assert rows == page.count("<mark>") - page.count("</mark><mark>") >= 2
    every = client.get(url + "?tutti=1").content.decode()
    assert every.count("<tr>") > page.count("<tr>")


def test_confirming_the_review_is_audited(client, plan):
    plan, _five = plan
    assert client.login(username="admin", password=DEMO_PASSWORD)
    url = reverse("plan_public_texts", args=[SLUG, plan.year])
    response = client.post(url)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="plan.public_texts_reviewed")
    assert entry.object_id == str(plan.pk)
    assert entry.after["with_names"] >= 2
    assert "Ultima revisione confermata il" in client.get(url).content.decode()


def test_only_the_admins_review(client, plan):
    plan, _five = plan
    assert client.login(username="nucleo", password=DEMO_PASSWORD)
    url = reverse("plan_public_texts", args=[SLUG, plan.year])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not AuditEntry.objects.filter(action="plan.public_texts_reviewed").exists()
