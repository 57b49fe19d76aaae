"""A scheda costs a scheda: showing, scoring, checking and saving one scheda reads
that scheda — of the plan's others, the duplicate-code check reads the codes alone — so every
page of one scheda runs the same queries, and reads as many rows, whether the plan holds 1
scheda or 3."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests.factories import (
    PASSWORD,
    ActivityFactory,
    IndicatorFactory,
    MeasurementFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from tests.web.test_editor import form_data
from traguardo.organization.models import PerformanceArea
from traguardo.planning.models import Objective, Plan
from traguardo.reports.scheda import plan_pages, scheda_page

pytestmark = pytest.mark.django_db

OTHERS = 11  # the plan grows from 1 scheda to 12
# For the costs, from 1 to 3: two others show any query or row read per other scheda (eleven
# cost seconds more for the same finding).
FEW_OTHERS = 2


def _scheda(plan, position, unit, head, period, code=None) -> Objective:
    """A full card (indicator with its final target, activity, ambito), measured in
    ``period``."""
    objective = ObjectiveFactory(
        plan=plan,
        position=position,
        code=code or f"OB{position}",
        unit=unit,
        responsible=head,
    )
    objective.areas.set(PerformanceArea.objects.filter(authority=plan.authority)[:1])
    indicator = IndicatorFactory(objective=objective, position=1)
    TargetFactory(indicator=indicator, year=plan.year)
    activity = ActivityFactory(objective=objective, position=1, start_date=date(2019, 2, 1))
    MeasurementFactory(period=period, indicator=indicator, completed_on=date(2019, 6, 1))
    MeasurementFactory(period=period, activity=activity, completed_on=date(2019, 6, 1))
    return objective


@pytest.fixture
def world(authority, admin, unit_a):
    """A draft plan of one scheda, measured in an open period; the admin logged in."""
    with scopes_disabled():
        PerformanceArea.objects.create(authority=authority, number=1, name="Efficienza")
        plan = PlanFactory(authority=authority, year=2019)
        period = MonitoringPeriodFactory(plan=plan, reference_date=date(2019, 12, 31))
        subject = _scheda(plan, 1, unit_a, unit_a.head, period)
    client = Client()
    assert client.login(username=admin.username, password=PASSWORD)
    return {"plan": plan, "period": period, "subject": subject, "unit": unit_a, "client": client}


def _grow(world, others: int = OTHERS) -> None:
    with scopes_disabled():
        for position in range(2, 2 + others):
            _scheda(world["plan"], position, world["unit"], world["unit"].head, world["period"])


def _cost(call) -> tuple[int, int]:
    """The queries a request runs and the rows it reads (model instances built: the codes
    of the duplicate check come as plain values, not instances)."""
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count, weak=False)
    try:
        with CaptureQueriesContext(connection) as captured:
            response = call()
    finally:
        post_init.disconnect(count)
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    return len(captured.captured_queries), len(built)


def _back_office(world) -> dict[str, tuple[int, int]]:
    client, subject = world["client"], world["subject"]
    slug = world["plan"].authority.slug

    def url(name, **kwargs):
        return reverse(name, kwargs={"authority": slug, **kwargs})

    edit = url("objective_edit", pk=subject.pk)
    pages = {
        "detail": url("objective_detail", pk=subject.pk),
        "pdf": url("objective_pdf", pk=subject.pk),
        "docx": url("objective_docx", pk=subject.pk),
        "editor": edit,
        "measurements": url("measurements", pk=subject.pk),
        "gantt": url("objective_gantt", year=2019, pk=subject.pk),
    }
    counts = {name: _cost(lambda u=u: client.get(u)) for name, u in pages.items()}
    # A first save stores the loaded version too: the second is the save of every day.
    assert client.post(edit, {**form_data(client.get(edit)), "action": "save"}).status_code == 302
    data = form_data(client.get(edit))
    counts["save"] = _cost(lambda: client.post(edit, {**data, "action": "save"}))
    return counts


def _public(world) -> tuple[int, int]:
    plan = world["plan"]
    with scopes_disabled():
        Plan.objects.filter(pk=plan.pk).update(state=Plan.State.MONITORING)
    url = reverse(
        "public_objective",
        kwargs={"authority": plan.authority.slug, "year": plan.year, "pk": world["subject"].pk},
    )
    return _cost(lambda: Client().get(url))


def test_every_page_of_a_scheda_costs_the_same_with_1_or_3_schede(world):
    alone = _back_office(world)
    _grow(world, FEW_OTHERS)
    among_three = _back_office(world)
    assert among_three == alone


def test_the_public_scheda_costs_the_same_with_1_or_3_schede(world):
    alone = _public(world)
    _grow(world, FEW_OTHERS)
    assert _public(world) == alone


def test_a_scheda_alone_is_the_card_of_the_whole_plan(world):
    """Scored and checked alone, each card is the one the plan's pages build (same rows,
    results, weight checks and anomalies — a duplicate code included)."""
    _grow(world)
    plan = world["plan"]
    with scopes_disabled():
        Objective.objects.filter(plan=plan, position__in=(3, 7)).update(code=" ob1")
        Objective.objects.filter(plan=plan, position=5).update(code="")
    with scope(authority=plan.authority):
        whole = plan_pages(plan)
        for card in whole.rows:
            alone = scheda_page(Objective.objects.select_related("plan").get(pk=card.objective.pk))
            assert alone == card
            assert alone.result is not None and alone.result.achievement == Decimal(100)
    codes = {o.objective.position: [a.code for a in o.anomalies] for o in whole.rows}
    assert "duplicate_code" in codes[1] and "duplicate_code" in codes[3]
    assert "missing_code" in codes[5]


def test_a_duplicate_code_is_shown_on_the_card_and_refused_on_save(world):
    _grow(world)
    client, plan, subject = world["client"], world["plan"], world["subject"]
    slug = plan.authority.slug
    with scopes_disabled():
        other = Objective.objects.get(plan=plan, position=9)
        Objective.objects.filter(pk=other.pk).update(code="ob1 ")
    message = f"Il codice «OB1» è usato anche dalla scheda ob1 «{other.title}»."
    page = client.get(reverse("objective_detail", args=[slug, subject.pk])).content.decode()
    assert "Il codice «OB1» è usato anche dalla scheda ob1 «" in page
    with scope(authority=plan.authority):
        [duplicate] = [a for a in scheda_page(subject).anomalies if a.code == "duplicate_code"]
    assert (duplicate.severity, duplicate.field, duplicate.message) == ("error", "code", message)

    # The other scheda already had that code (as «ob1 »): its other fields can be saved;
    # the error stays on both cards until one of them changes code.
    edit = reverse("objective_edit", args=[slug, other.pk])
    data = form_data(client.get(edit))
    data["code"] = ["Ob1"]
    response = client.post(edit, {**data, "action": "save"})
    assert response.status_code == 302
    page = client.get(reverse("objective_detail", args=[slug, subject.pk])).content.decode()
    assert "Il codice «OB1» è usato anche dalla scheda Ob1 «" in page

    # A new scheda with that code is refused, next to the code; with a free code it is saved.
    create = reverse("objective_create", args=[slug, plan.year])
    data = form_data(client.get(create))
    data.update(
        code=["OB1"],
        title=["Nuova scheda"],
        **{"ind-0-name": ["Indicatore"], "ind-0-weight": ["100"], "ind-0-final_value": ["0"]},
        **{"ind-0-final_date": ["31/12/2019"]},
    )
    response = client.post(create, {**data, "action": "save"})
    assert response.status_code == 400
    assert "Il codice «OB1» è usato anche dalle schede " in response.content.decode()
    data["code"] = ["OB99"]
    response = client.post(create, {**data, "action": "save"})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_a_scheda_page_reads_only_its_own_measurements(world):
    """The score of one scheda reads its own measurements, not the whole period's."""
    _grow(world)
    subject = world["subject"]
    with (
        scope(authority=world["plan"].authority),
        CaptureQueriesContext(connection) as captured,
    ):
        card = scheda_page(subject)
    [measurements] = [q["sql"] for q in captured if "monitoring_measurement" in q["sql"]]
    assert "indicator_id" in measurements and " IN " in measurements
    assert card.result is not None and card.result.indicators[0].achievement == Decimal(100)
