"""What the setup pages share: a tree of rows under their parents, the landing page's counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from traguardo.organization.models import (
    Authority,
    GradingScale,
    OrgUnit,
    PerformanceArea,
    Person,
    PolicyLevel,
)
from traguardo.planning.models import DupGoal


@dataclass
class TreeNode:
    item: Any
    children: list[TreeNode] = field(default_factory=list)


def tree(rows: Iterable[Any]) -> list[TreeNode]:
    """Nodes in the rows' order under their parents; a row whose parent is missing is a root."""
    nodes = {row.pk: TreeNode(row) for row in rows}
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.item.parent_id)
        (parent.children if parent is not None else roots).append(node)
    return roots


def setup_counts(authority: Authority) -> dict[str, int]:
    """How many rows each setup section holds, for the landing page."""
    return {
        "units": OrgUnit.objects.filter(authority=authority).count(),
        "people": Person.objects.filter(authority=authority).count(),
        "dup": DupGoal.objects.filter(authority=authority).count(),
        "areas": PerformanceArea.objects.filter(authority=authority).count(),
        "levels": PolicyLevel.objects.filter(authority=authority).count(),
        "scales": GradingScale.objects.filter(authority=authority).count(),
    }
