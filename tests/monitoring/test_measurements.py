"""Periods and measurements through the pages: the worked examples end to end, the rules,
evidence checked by content, and who may do what."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.factories import (
    PASSWORD,
    IndicatorFactory,
    MonitoringPeriodFactory,
    ObjectiveFactory,
    PlanFactory,
    TargetFactory,
)
from tests.monitoring.hostile import PDF  # a real PDF: evidence is parsed
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.accounts.models import Membership, Role, User
from traguardo.monitoring.models import Evidence, Measurement, MonitoringPeriod
from traguardo.planning.models import Objective

pytestmark = pytest.mark.django_db

SLUG = "comune-esempio"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def demo(demo, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert client.login(username="admin", password=DEMO_PASSWORD)
    return demo


def card(position: int) -> Objective:
    with scopes_disabled():
        return Objective.objects.get(position=position)


def open_period(client, plan, name="Consuntivo al 31/12/2019", ref="2019-12-31"):
    url = reverse("periods", args=[SLUG, plan.year])
    response = client.post(url, {"name": name, "kind": "final", "reference_date": ref})
    assert response.status_code == 302
    with scopes_disabled():
        period = MonitoringPeriod.objects.get(name=name)
    response = client.post(reverse("period_action", args=[SLUG, period.pk, "apri"]))
    assert response.status_code == 302
    period.refresh_from_db()
    return period


def record(client, objective, subject_key: str, **values):
    url = reverse("measurements", args=[SLUG, objective.pk])
    data = {"subject": subject_key, **{f"{subject_key}-{k}": v for k, v in values.items()}}
    return client.post(url, data)


def indicator_key(objective, position) -> str:
    with scopes_disabled():
        return f"ind-{objective.indicators.get(position=position).pk}"


def page_text(response) -> str:
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_card_5_measured_on_the_page_scores_76(client, demo):
    open_period(client, demo)
    five = card(5)
    for position, day in ((1, "2019-04-30"), (2, "2019-05-03"), (3, "2019-06-30")):
        response = record(client, five, indicator_key(five, position), completed_on=day)
        assert response.status_code == 302, page_text(response)[-500:]
    scheda = page_text(client.get(reverse("objective_detail", args=[SLUG, five.pk])))
    assert "Raggiungimento dell'obiettivo: 76,00%" in scheda
    plan = page_text(client.get(reverse("plan_detail", args=[SLUG, 2019])))
    assert "Elezioni Europee 2019" in plan and "76,00%" in plan


def test_card_2_sintel_four_days_late_scores_90(client, demo):
    open_period(client, demo)
    two = card(2)
    record(client, two, indicator_key(two, 2), completed_on="2019-10-04")
    page = page_text(client.get(reverse("measurements", args=[SLUG, two.pk])))
    assert "Prima procedura di gara SINTEL" in page
    assert "Risultato: 90,00%" in page


def test_card_1_ratio_reached_seven_days_late_scores_80(client, demo):
    open_period(client, demo)
    one = card(1)
    response = record(
        client, one, indicator_key(one, 1), numerator="200", denominator="200",
        completed_on="2020-01-07",
    )  # fmt: skip
    assert response.status_code == 302
    scheda = page_text(client.get(reverse("objective_detail", args=[SLUG, one.pk])))
    assert "Raggiungimento dell'obiettivo: 80,00%" in scheda


def test_card_7_ptpc_18_of_24_scores_75(client, demo):
    open_period(client, demo)
    seven = card(7)
    record(client, seven, indicator_key(seven, 1), numerator="18", denominator="24")
    scheda = page_text(client.get(reverse("objective_detail", args=[SLUG, seven.pk])))
    assert "Raggiungimento dell'obiettivo: 75,00%" in scheda


def test_a_measurement_needs_the_values_its_measure_asks_for(client, demo):
    open_period(client, demo)
    seven = card(7)
    response = record(client, seven, indicator_key(seven, 1), numerator="18")
    assert response.status_code == 400
    assert "Indicare il denominatore." in page_text(response)
    assert 'value="18"' in response.content.decode()
    response = record(client, seven, indicator_key(seven, 1), not_assessable="on")
    assert "Spiega perché l'indicatore non è valutabile." in page_text(response)
    with scopes_disabled():
        assert Measurement.objects.count() == 0


def test_a_forced_result_is_the_admins_with_a_reason_and_shows_as_forced(client, demo):
    open_period(client, demo)
    seven = card(7)
    key = indicator_key(seven, 1)
    assert record(client, seven, key, forced_achievement="95").status_code == 400
    response = record(
        client, seven, key, forced_achievement="95", forced_reason="Delibera n. 3 del Nucleo"
    )
    assert response.status_code == 302
    scheda = page_text(client.get(reverse("objective_detail", args=[SLUG, seven.pk])))
    assert "Raggiungimento dell'obiettivo: 95,00% — comprende un risultato forzato" in scheda
    measured = page_text(client.get(reverse("measurements", args=[SLUG, seven.pk])))
    assert "Risultato: 95,00% (forzato) — forzato : Delibera n. 3 del Nucleo" in measured
    client.logout()
    assert client.login(username="serrao", password=DEMO_PASSWORD)
    form = client.get(reverse("measurements", args=[SLUG, seven.pk])).content.decode()
    assert "forced_achievement" not in form
    response = record(
        client, seven, key, numerator="1", denominator="2", forced_achievement="100",
        forced_reason="io",
    )  # fmt: skip
    assert response.status_code == 302
    with scopes_disabled():
        measurement = Measurement.objects.get()
    # The Dirigente's values are recorded; the admin's forced result stays.
    assert (measurement.numerator, measurement.forced_achievement) == (Decimal(1), Decimal(95))


def test_a_period_closes_only_when_every_indicator_is_measured_or_justified(client, demo):
    period = open_period(client, demo)
    close = reverse("period_action", args=[SLUG, period.pk, "chiudi"])
    response = client.post(close, follow=True)
    page = page_text(response)
    with scopes_disabled():
        total = sum(o.indicators.count() for o in Objective.objects.all())
    later = 3  # scheda 3's indicator due 31/12/2020 and the 2020 and 2021 cards: not due
    assert (
        f"Il periodo non si può chiudere: {total - later} elementi dovuti sono senza risultato "
        "né decisione."
    ) in page
    assert (
        "Scheda 5 «Elezioni Europee 2019», indicatore 1 «Individuazione ed assegnazione degli "
        "spazi per la propaganda elettorale»: nessuna rilevazione."
    ) in page
    period.refresh_from_db()
    assert period.state == "open"
    with scopes_disabled():
        objectives = list(Objective.objects.prefetch_related("indicators"))
    for objective in objectives:
        for indicator in objective.indicators.all():
            record(
                client, objective, f"ind-{indicator.pk}", not_assessable="on",
                not_assessable_reason="Dato non disponibile",
            )  # fmt: skip
    assert client.post(close).status_code == 302
    period.refresh_from_db()
    assert period.state == "closed"
    # Closed: nothing more can be recorded.
    response = record(client, card(7), indicator_key(card(7), 1), numerator="1", denominator="1")
    assert response.status_code == 302
    with scopes_disabled():
        assert Measurement.objects.filter(numerator=1).count() == 0


def test_evidence_is_checked_by_content_and_size(client, demo, settings):
    open_period(client, demo)
    two = card(2)
    key = indicator_key(two, 1)
    url = reverse("measurements", args=[SLUG, two.pk])

    def upload(name, content):
        return client.post(
            url,
            {
                "subject": key,
                f"{key}-completed_on": "2019-12-20",
                f"{key}-file": SimpleUploadedFile(name, content),
            },
        )

    response = upload("delibera.pdf", PNG)
    assert response.status_code == 400
    assert "Il contenuto di «delibera.pdf» non corrisponde alla sua estensione." in page_text(
        response
    )
    settings.EVIDENCE_MAX_BYTES = 100
    response = upload("grande.pdf", PDF + b"x" * 200)
    assert "Il file «grande.pdf» supera il limite" in page_text(response)
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    macro = io.BytesIO()
    with zipfile.ZipFile(macro, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\x00")
    response = upload("relazione.docx", macro.getvalue())
    assert "contiene macro" in page_text(response)
    assert upload("delibera.pdf", PDF).status_code == 302
    with scopes_disabled():
        evidence = Evidence.objects.get()
    assert evidence.original_name == "delibera.pdf"
    assert evidence.stored_name != "delibera.pdf" and evidence.stored_name.endswith(".pdf")
    download = client.get(reverse("evidence_download", args=[SLUG, evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="delibera.pdf"'


def test_evidence_is_not_for_other_units_viewers_or_other_authorities(client, demo):
    open_period(client, demo)
    two = card(2)
    key = indicator_key(two, 1)
    client.post(
        reverse("measurements", args=[SLUG, two.pk]),
        {"subject": key, f"{key}-completed_on": "2019-12-20",
         f"{key}-file": SimpleUploadedFile("delibera.pdf", PDF)},
    )  # fmt: skip
    with scopes_disabled():
        evidence = Evidence.objects.get()
        authority = two.authority
        other_unit_manager = User.objects.create_user("dirigente5", password=PASSWORD)
        Membership.objects.create(user=other_unit_manager, authority=authority, role=Role.MANAGER)
        viewer = User.objects.create_user("giunta", password=PASSWORD)
        Membership.objects.create(user=viewer, authority=authority, role=Role.VIEWER)
        stranger = User.objects.create_user("altro", password=PASSWORD)
        other = PlanFactory(year=2019).authority
        Membership.objects.create(user=stranger, authority=other, role=Role.ADMIN)
    url = reverse("evidence_download", args=[SLUG, evidence.pk])
    expected = {"dirigente5": 403, "giunta": 403, "altro": 404, "nucleo": 200, "serrao": 200}
    for username, status in expected.items():
        client.logout()
        password = DEMO_PASSWORD if username in ("nucleo", "serrao") else PASSWORD
        assert client.login(username=username, password=password)
        assert client.get(url).status_code == status, username


PAGE_EXPECTED = {
    "admin": 200, "manager_a": 200, "manager_b": 200, "contributor": 200, "evaluator": 200,
    "viewer": 200, "outsider": 404, "anonymous": 302,
}  # fmt: skip
RECORD_EXPECTED = {
    "admin": 302, "manager_a": 302, "manager_b": 403, "contributor": 302, "evaluator": 403,
    "viewer": 403, "outsider": 404, "anonymous": 302,
}  # fmt: skip


@pytest.mark.parametrize("persona", list(PAGE_EXPECTED))
def test_who_sees_and_who_records(client, personas, authority, unit_a, persona):
    with scopes_disabled():
        plan = PlanFactory(authority=authority)
        objective = ObjectiveFactory(plan=plan, unit=unit_a)
        indicator = IndicatorFactory(objective=objective)
        TargetFactory(indicator=indicator)
        MonitoringPeriodFactory(plan=plan, reference_date=date(2019, 12, 31))
    if personas[persona]:
        assert client.login(username=personas[persona].username, password=PASSWORD)
    url = reverse("measurements", args=[authority.slug, objective.pk])
    assert client.get(url).status_code == PAGE_EXPECTED[persona]
    key = f"ind-{indicator.pk}"
    response = client.post(url, {"subject": key, f"{key}-completed_on": "2019-12-30"})
    assert response.status_code == RECORD_EXPECTED[persona]
    periods = reverse("periods", args=[authority.slug, plan.year])
    expected = {"admin": 200, "outsider": 404, "anonymous": 302}.get(persona, 200)
    assert client.get(periods).status_code == expected
    post = client.post(periods, {"name": "X", "kind": "final", "reference_date": "2019-06-30"})
    assert post.status_code == {"admin": 302, "outsider": 404, "anonymous": 302}.get(persona, 403)


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_measurement_page_costs_the_same_queries_for_few_and_many_rows(client, demo):
    period = open_period(client, demo)
    for position in (7, 2):
        objective = card(position)
        with scopes_disabled():
            subjects = [*objective.indicators.all(), *objective.activities.all()]
        for subject in subjects:
            key = ("ind-" if hasattr(subject, "measure") else "att-") + str(subject.pk)
            client.post(
                reverse("measurements", args=[SLUG, objective.pk]),
                {"subject": key, f"{key}-completed_on": "2019-12-20",
                 f"{key}-numerator": "1", f"{key}-denominator": "2",
                 f"{key}-file": SimpleUploadedFile("prova.pdf", PDF)},
            )  # fmt: skip
    with scopes_disabled():
        assert Evidence.objects.filter(measurement__period=period).count() == 2 + 6
    few = _queries(client, reverse("measurements", args=[SLUG, card(7).pk]))
    many = _queries(client, reverse("measurements", args=[SLUG, card(2).pk]))
    assert few == many


def test_the_periods_page_costs_the_same_queries_with_1_and_many_periods(client, demo):
    url = reverse("periods", args=[SLUG, 2019])
    open_period(client, demo)
    one = _queries(client, url)
    for month in range(1, 10):
        client.post(
            url, {"name": f"Verifica {month}", "kind": "intermediate",
                  "reference_date": f"2019-{month:02d}-28"},
        )  # fmt: skip
    assert _queries(client, url) == one


def test_an_indicator_without_a_graduation_leaves_no_empty_separator(client, demo):
    seven = card(7)
    with scopes_disabled():
        seven.indicators.update(grading_text="", grading_scale=None)
    page = page_text(client.get(reverse("measurements", args=[SLUG, seven.pk])))
    assert "Livello finale atteso" in page
    assert "· ·" not in page
