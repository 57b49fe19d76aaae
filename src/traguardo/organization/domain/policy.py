"""The SMVP (``ScoringPolicy``): the activity share and the traffic lights; created the first
time with the engine's default levels."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from traguardo.accounts.models import User
from traguardo.audit.log import field_values, log_action
from traguardo.core.domain import DomainError, require
from traguardo.organization.domain._shared import PERMISSION, number, percent_in_range
from traguardo.organization.models import Authority, PolicyLevel, ScoringPolicy
from traguardo.scoring import DEFAULT_COMPLEXITY, DEFAULT_KIND, DEFAULT_STRATEGIC

# What the audit log keeps of the policy (before and after a change).
POLICY_FIELDS = ("activity_share", "green_from", "amber_from")

DEFAULT_LEVELS = (
    (PolicyLevel.Dimension.STRATEGIC, DEFAULT_STRATEGIC),
    (PolicyLevel.Dimension.COMPLEXITY, DEFAULT_COMPLEXITY),
    (PolicyLevel.Dimension.KIND, DEFAULT_KIND),
)


def ensure_policy(authority: Authority) -> ScoringPolicy:
    """The authority's SMVP; the first time, created with the engine's default levels.

    Safe to call on every visit: an existing policy is returned untouched (levels an admin
    removed are not brought back).
    """
    with transaction.atomic():
        policy, created = ScoringPolicy.objects.get_or_create(authority=authority)
        if created:
            PolicyLevel.objects.bulk_create(
                PolicyLevel(
                    authority=authority,
                    policy=policy,
                    dimension=dimension,
                    code=code,
                    label=code.capitalize(),
                    value=value,
                    position=position,
                )
                for dimension, levels in DEFAULT_LEVELS
                for position, (code, value) in enumerate(levels.items())
            )
    return policy


@dataclass(frozen=True)
class PolicyData:
    activity_share: Decimal
    green_from: Decimal
    amber_from: Decimal


def update_policy(policy: ScoringPolicy, *, actor: User, data: PolicyData) -> ScoringPolicy:
    """Change the activity share and the traffic lights (for the plans not yet closed: a
    closed plan keeps the rules it was scored with, ``planning.rulebook``).

    1. every value is a percent between 0 and 100; 2. green starts above amber.
    """
    require(actor, PERMISSION, policy)
    with transaction.atomic():
        percent_in_range(data.activity_share, "activity_share", _("La quota delle attività"))
        percent_in_range(data.green_from, "green_from", _("La soglia del verde"))
        percent_in_range(data.amber_from, "amber_from", _("La soglia del giallo"))
        if data.green_from <= data.amber_from:
            raise DomainError(
                _(
                    "Il verde deve cominciare sopra il giallo: ora il verde parte da "
                    "%(green)s%% e il giallo da %(amber)s%%."
                )
                % {"green": number(data.green_from), "amber": number(data.amber_from)},
                field="green_from",
            )
        before = field_values(policy, POLICY_FIELDS)
        policy.activity_share = data.activity_share
        policy.green_from = data.green_from
        policy.amber_from = data.amber_from
        policy.save()
        log_action(
            actor=actor,
            action="policy.update",
            obj=policy,
            before=before,
            after=field_values(policy, POLICY_FIELDS),
        )
    return policy
