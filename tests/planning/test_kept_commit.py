"""Kept results (planning.kept) after a commit: a thread computes them again before the next
page asks, and only once the new version is written. Apart from tests/planning/test_kept.py,
whose tests share one demo year inside a module's transaction: these commit."""

import time

import pytest
from django_scopes import scope

from tests.factories import AuthorityFactory
from traguardo.imports.seed import load_seed
from traguardo.planning import kept, versioning
from traguardo.planning.models import Objective


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_computed_again_before_the_next_page_asks(settings, monkeypatch):
    """After the commit, a thread computes the authority's plans: the next page only reads."""
    settings.TRAGUARDO_KEEP_WARM = True
    plan = load_seed().plan

    def settled():
        # Waiting is bounded by a deadline, never asserted on: the test counts computations.
        deadline = time.monotonic() + 60
        while kept._warming and time.monotonic() < deadline:
            time.sleep(0.05)

    settled()  # the seed's own commits started a thread: let it finish before writing again
    with scope(authority=plan.authority):
        before = kept.kept_plan(plan)
        objective = Objective.objects.filter(plan=plan).first()
        objective.notes = "Nota aggiunta."
        objective.save()  # committed at once (no transaction around it): the thread starts
        settled()
        computed = []
        monkeypatch.setattr(kept, "compute", lambda *a, **k: computed.append(a))
        after = kept.kept_plan(plan)
    assert after.key != before.key
    assert not computed, "the page computed what the thread should have"


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_announced_after_its_new_version_is_written():
    """Outside a transaction ``on_commit`` runs at once: the announcement of a change (which
    starts the warm-up thread) must come after the new version is written, or the thread
    keeps the old data and the next page computes again (the flake of the test above)."""
    authority = AuthorityFactory()
    seen = []

    def listener(sender, authority_id, **kwargs):
        seen.append(versioning.data_stamp(authority_id))

    versioning.data_changed.connect(listener, weak=False)
    try:
        before = versioning.data_stamp(authority.pk)
        versioning.bump(authority.pk)
    finally:
        versioning.data_changed.disconnect(listener)
    assert seen == [versioning.data_stamp(authority.pk)]
    assert seen[0] != before
