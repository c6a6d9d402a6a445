"""Secondary suppression and the audit of ``analysis.disclosure``, on cell positions.

The functions here work on the positions of a cube's cells and on its groups,
each ``(total, components)``. The groups split the cells into components that
share no group, so hiding a cell in one component can neither protect nor
expose a cell of another. Each component is solved on its own, which keeps
every linear system small.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.errors import AnalysisError

# Relative size below which a singular value counts as zero in the audit.
RANK_TOLERANCE = 1e-9
# Rounds of audit and repair before giving up; each round hides at least one cell.
MAX_AUDIT_ROUNDS = 500

Group = tuple[int, tuple[int, ...]]


class DisclosureError(AnalysisError):
    """Cells cannot be hidden without changing a cell that another view fixes."""


@dataclass(frozen=True)
class Component:
    """Cells of a cube tied by sums, and the groups that tie them.

    Attributes
    ----------
    cells
        Positions of the cells in the cube, in increasing order.
    groups
        Indices of the groups, in increasing order.
    equations
        One row per group and one column per cell: +1 for the group's total,
        -1 for its components, so each row times the counts is 0.
    """

    cells: np.ndarray
    groups: tuple[int, ...]
    equations: np.ndarray = field(repr=False, compare=False)


def connected_components(size: int, groups: tuple[Group, ...]) -> tuple[Component, ...]:
    """Return the components of the cells that ``groups`` tie, by first cell.

    Cells in no group belong to no component.
    """
    parent = list(range(size))

    def root(cell: int) -> int:
        while parent[cell] != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for total, parts in groups:
        for part in parts:
            parent[root(part)] = root(total)
    cells: dict[int, list[int]] = {}
    for cell in sorted({cell for total, parts in groups for cell in (total, *parts)}):
        cells.setdefault(root(cell), []).append(cell)
    members: dict[int, list[int]] = {key: [] for key in cells}
    for index, (total, _) in enumerate(groups):
        members[root(total)].append(index)
    ordered = sorted(cells, key=lambda key: cells[key][0])
    found = []
    for key in ordered:
        positions = np.array(cells[key], dtype=np.intp)
        indices = tuple(members[key])
        found.append(
            Component(positions, indices, _equations(positions, indices, groups))
        )
    return tuple(found)


def _equations(
    cells: np.ndarray, indices: tuple[int, ...], groups: tuple[Group, ...]
) -> np.ndarray:
    equations = np.zeros((len(indices), len(cells)))
    for row, index in enumerate(indices):
        total, parts = groups[index]
        equations[row, np.searchsorted(cells, total)] = 1.0
        equations[row, np.searchsorted(cells, parts)] -= 1.0
    return equations


def group_members(groups: tuple[Group, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Return every cell of every group, and the index of its group, as arrays."""
    cells = [cell for total, parts in groups for cell in (total, *parts)]
    members = [
        index for index, (_, parts) in enumerate(groups) for _ in range(len(parts) + 1)
    ]
    return np.array(cells, dtype=np.intp), np.array(members, dtype=np.intp)


def exposed_in(component: Component, hidden: np.ndarray) -> list[int]:
    """Return the hidden cells of one component that its shown cells determine.

    A hidden cell is determined when the sums of the groups, with the shown
    counts put in, fix its value: its unit vector lies in the row space of the
    groups' equations restricted to the hidden cells.
    """
    unknown_mask = hidden[component.cells]
    if not unknown_mask.any():
        return []
    unknown = component.cells[unknown_mask]
    # The groups' equations over the hidden cells, with the shown counts moved
    # to the other side. A group with no hidden cell gives no equation.
    matrix = component.equations[:, unknown_mask]
    matrix = matrix[np.abs(matrix).sum(axis=1) > 0]
    if not len(matrix):
        return []
    _, singular, vt = np.linalg.svd(matrix)
    tolerance = (
        RANK_TOLERANCE * max(matrix.shape) * (singular[0] if len(singular) else 0)
    )
    rank = int((singular > tolerance).sum())
    null_space = vt[rank:]
    if not len(null_space):
        return [int(position) for position in unknown]
    free = np.abs(null_space).max(axis=0) > 1e-7
    return [int(position) for position in unknown[~free]]


class Suppression:
    """The hidden and locked cells of one release, and hidden cells per group.

    Parameters
    ----------
    groups
        The cube's groups.
    groups_of
        Indices of the groups that contain each cell.
    members
        The cells of every group and their group indices, from
        ``group_members``.
    counts, hidden, locked
        Count, hidden state and locked state of each cell; ``hidden`` is
        changed in place.
    """

    def __init__(self, groups, groups_of, members, counts, hidden, locked):
        self.groups = groups
        self.groups_of = groups_of
        self.counts = counts
        self.hidden = hidden
        self.locked = locked
        cells, indices = members
        found = np.bincount(indices, weights=hidden[cells], minlength=len(groups))
        self.hidden_in = found.astype(int).tolist()

    def hide(self, cell: int) -> None:
        """Hide ``cell`` and count it in every group that contains it."""
        if self.hidden[cell]:
            return
        self.hidden[cell] = True
        for index in self.groups_of[cell]:
            self.hidden_in[index] += 1

    def hide_singletons(self, group_indices) -> None:
        """Hide complements until no group has exactly one hidden cell.

        The groups are visited in the order given, and again until none changes.
        """
        changed = True
        while changed:
            changed = False
            for index in group_indices:
                if self.hidden_in[index] == 1:
                    total, parts = self.groups[index]
                    self.hide(self._complement(total, parts))
                    changed = True

    def repair_exposed(self, components: tuple[Component, ...]) -> None:
        """Hide more cells until the audit finds no exactly recoverable cell.

        Each round hides a cell beside the first exposed cell of a component,
        then hides complements again. Components are repaired one after the
        other: a cell hidden in one changes no equation of another.

        Raises
        ------
        DisclosureError
            After ``MAX_AUDIT_ROUNDS`` rounds in all, or when an exposed cell
            has no shown cell left beside it.
        """
        rounds = 0
        for component in components:
            while exposed := exposed_in(component, self.hidden):
                if rounds == MAX_AUDIT_ROUNDS:
                    raise DisclosureError(
                        f"cells are still recoverable after {MAX_AUDIT_ROUNDS} "
                        "rounds of suppression; publish a coarser table."
                    )
                rounds += 1
                target = exposed[0]
                around = [
                    self.groups[index]
                    for index in component.groups
                    if target == self.groups[index][0]
                    or target in self.groups[index][1]
                ]
                self.hide(self._any_shown(around))
                self.hide_singletons(component.groups)

    def _complement(self, total: int, parts: tuple[int, ...]) -> int:
        """Return the cell to hide beside a group's one hidden cell.

        The smallest non-zero shown component comes first, then the total, then
        a shown zero component: a hidden 0 still leaves the split of the sum
        unknown.
        """
        counts, hidden, locked = self.counts, self.hidden, self.locked
        candidates = [
            p for p in parts if not hidden[p] and not locked[p] and counts[p] > 0
        ]
        if candidates:
            return min(candidates, key=lambda p: (counts[p], p))
        if not hidden[total] and not locked[total]:
            return total
        zeros = [p for p in parts if not hidden[p] and not locked[p]]
        if zeros:
            return zeros[0]
        raise DisclosureError(
            "a hidden count can only be protected by hiding a cell that another "
            "view shows; release that view with its shared cells hidden."
        )

    def _any_shown(self, groups: list[Group]) -> int:
        """Return the smallest shown, unlocked cell of the first group with one."""
        counts, hidden, locked = self.counts, self.hidden, self.locked
        for total, parts in groups:
            shown = [p for p in (*parts, total) if not hidden[p] and not locked[p]]
            if shown:
                return min(shown, key=lambda p: (counts[p] == 0, counts[p], p))
        raise DisclosureError(
            "a recoverable hidden count has no shown neighbour left to hide; "
            "publish a coarser table."
        )
