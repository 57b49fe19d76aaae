"""A measurement and its evidence are one action: a refused file leaves nothing written (no
measurement, no file, no audit entry) and the page comes back with what was typed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.audit.conftest import last_id
from tests.monitoring.test_measurements import SLUG, card, indicator_key, open_period, page_text
from traguardo.accounts.demo import DEMO_PASSWORD
from traguardo.monitoring.models import Evidence, Measurement

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(1)</script>verbale</body></html>"


@pytest.fixture
def demo(demo, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert client.login(username="admin", password=DEMO_PASSWORD)
    return demo


def test_a_refused_file_leaves_the_measurement_unwritten_and_the_typed_values_on_the_page(
    client, demo, settings, tmp_path
):
    open_period(client, demo)
    two = card(2)
    key = indicator_key(two, 1)
    before = last_id()
    response = client.post(
        reverse("measurements", args=[SLUG, two.pk]),
        {
            "subject": key,
            f"{key}-completed_on": "2019-12-20",
            f"{key}-comment": "Consegnato in anticipo al protocollo",
            f"{key}-file": SimpleUploadedFile("verbale.pdf", HTML),
        },
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Il contenuto di «verbale.pdf» non corrisponde alla sua estensione." in text
    assert "Consegnato in anticipo al protocollo" in response.content.decode()
    assert 'value="2019-12-20"' in response.content.decode()
    with scopes_disabled():
        assert not Measurement.objects.filter(indicator__objective=two).exists()
        assert not Evidence.objects.exists()
    assert last_id() == before
    assert not any(p.is_file() for p in tmp_path.rglob("*") if p.suffix == ".pdf")
