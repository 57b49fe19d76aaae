"""The demo plan with e-mail addresses for Giancarlo Serrao, the Dirigente of the Settore II."""

import pytest
from django_scopes import scopes_disabled

from traguardo.accounts.models import User
from traguardo.organization.models import Person

SERRAO = "serrao@comune-esempio.it"


@pytest.fixture
def demo(demo):
    """The seed plan (a draft of 2019) and the demo accounts; returns the authority."""
    authority = demo.authority
    with scopes_disabled():
        Person.objects.filter(first_name="Giancarlo", last_name="Serrao").update(
            email="g.serrao@comune-esempio.it"
        )
    User.objects.filter(username="serrao").update(email=SERRAO)
    # Anna Rossi (controllo di gestione) is responsible for no scheda and covers no unit.
    User.objects.filter(username="admin").update(email="rossi@comune-esempio.it")
    return authority
