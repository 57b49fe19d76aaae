"""The units in hierarchy order, each named with the path from its root: what every list of
units shows (the schede search, the editor), so a unit reads the same everywhere."""

from collections.abc import Iterable, Sequence


def unit_tree(units: Sequence[tuple[int, int | None, str]]) -> list[tuple[int, str]]:
    """(pk, «Settore II › Ufficio Contratti») for ``units`` given as (pk, parent, name) in
    sibling order: parents before their children. A unit whose parent is not among ``units``
    (a manager's choice starts at the units they head) is a root."""
    children: dict[int | None, list[tuple[int, int | None, str]]] = {}
    for unit in units:
        children.setdefault(unit[1], []).append(unit)
    known = {unit[0] for unit in units}
    roots = [unit for unit in units if unit[1] not in known]
    return _walk(roots, "", children, set())


def _walk(units: Iterable[tuple], path: str, children: dict, seen: set) -> list[tuple[int, str]]:
    choices = []
    for pk, _parent, name in units:
        if pk in seen:  # a cycle in bad data ends here
            continue
        seen.add(pk)
        label = f"{path} › {name}" if path else name
        choices.append((pk, label))
        choices += _walk(children.get(pk, []), label, children, seen)
    return choices
