"""Setting up an authority: units, people, DUP, ambiti, the SMVP and the grading scales.

One module per kind of row (``units``, ``people``, ``dup``, ``areas``, ``policy``, ``levels``,
``scales``); ``in_use`` refuses to delete a row something still refers to, ``queries`` holds
what the setup pages share. Callers import from here.

Every business action takes the acting user keyword-only, checks ``organization.manage_setup``
on the authority, validates (``DomainError`` with an Italian message and the form field it
concerns) and writes in one transaction. The data of a create or an update comes as a frozen
dataclass whose choices are model instances; an instance of another authority is refused
here too, not only by the form's querysets.

Call these inside ``scope(authority=…)`` (as the views do) or ``scopes_disabled()``.
"""

from traguardo.organization.domain._shared import PERMISSION
from traguardo.organization.domain.areas import AreaData, create_area, delete_area, update_area
from traguardo.organization.domain.dup import (
    DupGoalData,
    create_dup_goal,
    delete_dup_goal,
    dup_tree,
    update_dup_goal,
)
from traguardo.organization.domain.levels import (
    LevelData,
    PolicyLevels,
    PunteggioExample,
    create_level,
    delete_level,
    policy_levels,
    update_level,
)
from traguardo.organization.domain.people import (
    PersonData,
    create_person,
    delete_person,
    update_person,
)
from traguardo.organization.domain.policy import PolicyData, ensure_policy, update_policy
from traguardo.organization.domain.queries import TreeNode, setup_counts
from traguardo.organization.domain.scales import (
    ScaleData,
    ScaleReading,
    create_scale,
    delete_scale,
    read_scale,
    reading_of,
    update_scale,
)
from traguardo.organization.domain.units import (
    UnitData,
    create_unit,
    delete_unit,
    unit_tree,
    update_unit,
)

__all__ = [
    "PERMISSION",
    "AreaData",
    "DupGoalData",
    "LevelData",
    "PersonData",
    "PolicyData",
    "PolicyLevels",
    "PunteggioExample",
    "ScaleData",
    "ScaleReading",
    "TreeNode",
    "UnitData",
    "create_area",
    "create_dup_goal",
    "create_level",
    "create_person",
    "create_scale",
    "create_unit",
    "delete_area",
    "delete_dup_goal",
    "delete_level",
    "delete_person",
    "delete_scale",
    "delete_unit",
    "dup_tree",
    "ensure_policy",
    "policy_levels",
    "read_scale",
    "reading_of",
    "setup_counts",
    "unit_tree",
    "update_area",
    "update_dup_goal",
    "update_level",
    "update_person",
    "update_policy",
    "update_scale",
    "update_unit",
]
