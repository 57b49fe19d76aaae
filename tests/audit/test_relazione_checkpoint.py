"""The Relazione's validation page prints the audit log's newest checkpoint: its head as of the
document, which anyone holding the printed Relazione can compare with ``verify_audit`` later."""

import pytest
from django_scopes import scope, scopes_disabled

from traguardo.audit.checkpoint import write_checkpoint
from traguardo.reports.relazione import relazione_html

pytestmark = pytest.mark.django_db


def validation_page(plan) -> str:
    with scope(authority=plan.authority):
        html = relazione_html(plan)
    return html[html.index('id="validazione"') :]


def test_the_validation_page_prints_the_last_checkpoint(demo):
    with scopes_disabled():
        plan = demo
    assert "punto di controllo" not in validation_page(plan)
    mark = write_checkpoint("test")
    page = validation_page(plan)
    assert f"ultimo punto di controllo alla voce n. {mark.entry_id} del " in page
    assert mark.hash in page
