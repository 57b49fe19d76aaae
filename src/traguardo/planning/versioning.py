"""The data version of an authority: what kept results are keyed by (``planning.kept``).

A result is kept under the version of the data it was computed from, and that version moves
in the same transaction as any write that could change it, so a kept result is either the one
a fresh computation gives or is never read again. Two independent witnesses make it:

- ``DataVersion.number``, raised by the receivers below on every save or delete (and every
  change of a scheda's ambiti or units) of the rows a result is computed from: plans, schede
  and their rows, periods, measurements, units, people, ambiti, DUP goals, the SMVP and its
  scales, and the authority itself. They see what the ORM saves row by row: the business
  actions, the factories of the tests, the admin;
- the newest audit entry of the authority. Every business action appends one in its own
  transaction, including the few that write with ``QuerySet.update`` or ``bulk_create`` (a
  lifecycle step, a period closed, a plan copied), which send no signal.

A write of many rows (an import) raises the version once: inside ``one_bump`` the receivers
only note the authority, and the version moves once when the block ends, still inside the
write's transaction, together with any rows written with ``bulk_create`` (no signal) there.

``data_stamp`` reads both in one query. It must be read *before* the data a result is
computed from: a write committed in between then makes the result newer than its key, which
only costs a recomputation, never the other way round (a stale result under a new key).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.db import transaction
from django.db.models import F, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from traguardo.audit.models import AuditEntry
from traguardo.monitoring.models import Measurement, MonitoringPeriod
from traguardo.organization.models import (
    Authority,
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
    ScoringPolicy,
)
from traguardo.planning.models import (
    Activity,
    DataVersion,
    DupGoal,
    Indicator,
    Objective,
    Plan,
    Target,
)

# The rows a plan's results, checks, deadlines or their labels are computed from (and the
# authority itself, whose own id is its key).
WATCHED = (
    Plan,
    DupGoal,
    Objective,
    Indicator,
    Target,
    Activity,
    MonitoringPeriod,
    Measurement,
    OrgUnit,
    Person,
    PerformanceArea,
    ScoringPolicy,
    PolicyLevel,
    GradingScale,
)

# Sent after the commit of a transaction that raised an authority's version (``authority_id``):
# ``planning.kept`` computes its plans again then, so the next page finds them ready.
data_changed = Signal()

# Inside ``one_bump``: the authorities whose version is raised when the block ends.
_held: ContextVar[set[int] | None] = ContextVar("traguardo_held_bumps", default=None)


def bump(authority_id: int | None) -> None:
    """Raise the authority's data version (inside the caller's transaction)."""
    if authority_id is None:
        return
    held = _held.get()
    if held is not None:
        held.add(authority_id)
        return
    versions = DataVersion.objects.filter(authority_id=authority_id)
    if not versions.update(number=F("number") + 1):
        DataVersion.objects.bulk_create(
            [DataVersion(authority_id=authority_id, number=0)], ignore_conflicts=True
        )
        versions.update(number=F("number") + 1)
    # Registered after the new number is written: outside a transaction ``on_commit`` runs at
    # once, and a listener (the warm-up thread of planning.kept) must read the new number.
    transaction.on_commit(partial(data_changed.send, sender=DataVersion, authority_id=authority_id))


@contextmanager
def one_bump(authority_id: int) -> Iterator[None]:
    """Raise the authority's version once for every row written in the block, instead of
    once per row: for writes of many rows, which may also use ``bulk_create``. Must run
    inside the write's transaction; the version is raised at the end of the block, in that
    transaction, so a cache keyed on the version sees the change when it commits. An error
    raises nothing (the transaction rolls back)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("one_bump must run inside the transaction of the writes")
    outer = _held.get()
    held: set[int] = {authority_id}
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    if outer is not None:
        outer.update(held)
        return
    for held_id in sorted(held):
        bump(held_id)


def data_stamp(authority_id: int) -> str:
    """The version of the authority's data, as a string to put in a cache key (one query)."""
    numbers = DataVersion.objects.filter(authority_id=authority_id).values("number")[:1]
    entries = AuditEntry.objects.filter(authority_id=authority_id).order_by("-id").values("id")
    row = (
        Authority.objects.filter(pk=authority_id)
        .annotate(number=Subquery(numbers), newest=Subquery(entries[:1]))
        .values_list("number", "newest")
        .first()
    )
    number, newest = row or (None, None)
    return f"{number or 0}.{newest or 0}"


def _saved_or_deleted(sender, instance, **kwargs) -> None:
    bump(getattr(instance, "authority_id", None))


def _authority_saved(sender, instance, **kwargs) -> None:
    bump(instance.pk)  # its name and codes are on the pages and in the open data


def _m2m_changed(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        bump(getattr(instance, "authority_id", None))


def connect() -> None:
    """Called once from ``PlanningConfig.ready``."""
    for model in WATCHED:
        uid = f"traguardo.versioning.{model._meta.label_lower}"
        post_save.connect(_saved_or_deleted, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_saved_or_deleted, sender=model, dispatch_uid=f"{uid}.delete")
    post_save.connect(
        _authority_saved, sender=Authority, dispatch_uid="traguardo.versioning.authority"
    )
    for through in (Objective.areas.through, Objective.involved_units.through):
        m2m_changed.connect(
            _m2m_changed, sender=through, dispatch_uid=f"traguardo.versioning.{through.__name__}"
        )
