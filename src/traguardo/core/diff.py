"""What changed between two sets of labelled values: a scheda's versions, an audit entry."""


def differences(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, before, after) for every value that changed, in the order of ``after``."""
    labels = list(after) + [label for label in before if label not in after]
    return [
        (label, before.get(label, ""), after.get(label, ""))
        for label in labels
        if before.get(label, "") != after.get(label, "")
    ]
