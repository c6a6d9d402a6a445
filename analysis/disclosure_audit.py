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
from scipy import sparse
from scipy.optimize import linprog

from analysis.errors import AnalysisError

# Relative size below which a singular value counts as zero in the audit.
RANK_TOLERANCE = 1e-9
# Rounds of audit and repair before giving up; each round hides at least one cell.
MAX_AUDIT_ROUNDS = 500
# Passes over the equations when tightening bounds. Each pass that changes a
# bound raises a lower or lowers an upper bound by at least 1.
MAX_BOUND_ROUNDS = 50

Group = tuple[int, tuple[int, ...]]
# Least and greatest value of each cell of a cube, before any sum: 1 and
# infinity unless another table bounds the cell.
Limits = tuple[np.ndarray, np.ndarray]


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
    unknown_mask, used = _hidden_rows(component, hidden)
    if not used.any():
        return []
    unknown = component.cells[unknown_mask]
    matrix = component.equations[used][:, unknown_mask]
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


def _hidden_rows(component: Component, hidden: np.ndarray):
    """Return the component's hidden cells and the groups that have one.

    The groups' equations over the hidden cells, with the shown counts moved to
    the other side, are what the audit solves. A group with no hidden cell
    gives no equation.
    """
    unknown_mask = hidden[component.cells]
    used = np.abs(component.equations[:, unknown_mask]).sum(axis=1) > 0
    return unknown_mask, used


def pinned_in(
    components: tuple[Component, ...],
    hidden: np.ndarray,
    counts: np.ndarray,
    limits: Limits | None = None,
) -> dict[int, list[int]]:
    """Return, by component number, the hidden cells that bounds pin to one value.

    Zeros are shown and secondary suppression hides non-zero cells first, so a
    reader may take every hidden count as at least 1, or as within ``limits``
    where another table bounds it. ``bounded_cells`` finds the cells that the
    groups' sums then leave one whole value. The equations of all components
    go through it at once, side by side.
    """
    system = _HiddenSystem.of(components, hidden, counts, limits)
    if system is None:
        return {}
    low, high, dropped = tightened_bounds(system)
    return system.by_component(np.isfinite(high) & (low == high) & ~dropped)


def reader_ranges(
    components: tuple[Component, ...], hidden: np.ndarray, counts: np.ndarray
) -> dict[int, tuple[float, float]]:
    """Return the least and greatest value that bounds give each hidden cell.

    The ranges are those a reader gets by tightening bounds sum by sum, every
    hidden count being at least 1: exact where the sums form a tree, wider
    than the linear program's otherwise. Cells of a system that no counts of 1
    or more fit are left out.
    """
    system = _HiddenSystem.of(components, hidden, counts)
    if system is None:
        return {}
    low, high, dropped = tightened_bounds(system)
    return {
        int(cell): (float(least), float(greatest))
        for cell, least, greatest, out in zip(
            system.cells, low, high, dropped, strict=True
        )
        if not out
    }


def pinned_by_program(
    components: tuple[Component, ...],
    hidden: np.ndarray,
    counts: np.ndarray,
    limits: Limits | None = None,
) -> dict[int, list[int]]:
    """Return, by component number, the hidden cells that a linear program pins.

    A reader who takes every hidden count as at least 1 can place the counts in
    the polyhedron of the groups' sums and those bounds. A hidden cell is pinned
    when it has one value over the whole polyhedron. That happens when some
    bounds hold with equality at every point (the implicit equalities, cells
    that can only be 1), and the sums together with those cells set to 1
    determine the cell. This finds the cases that ``pinned_in`` misses, where
    several sums must be added before a bound appears. ``limits`` gives some
    cells other bounds, which count as implicit equalities in the same way.

    One linear program finds the implicit equalities of every component at
    once (``_implicit_ones``). Components where no sum fits counts of 1 or
    more pin nothing, as in ``bounded_cells``.
    """
    # The true counts satisfy every sum. Where they also lie strictly inside
    # every bound, no bound is met at every point, so the component needs no
    # linear program.
    low, high = limits if limits is not None else (None, None)
    candidates = [
        component if _touches_bound(component, hidden, counts, low, high) else None
        for component in components
    ]
    system = _HiddenSystem.of(candidates, hidden, counts, limits)
    if system is None:
        return {}
    ones = _implicit_ones(system)
    found: dict[int, list[int]] = {}
    for number, cells in system.by_component(ones).items():
        component = components[number]
        known = hidden.copy()
        known[cells] = False
        found[number] = sorted({*cells, *exposed_in(component, known)})
    return found


def _touches_bound(component, hidden, counts, low, high) -> bool:
    """Return whether a hidden count of the component is at or past a bound."""
    cells = component.cells[hidden[component.cells]]
    if low is None:
        return bool((counts[cells] <= 1).any())
    values = counts[cells]
    return bool(((values <= low[cells]) | (values >= high[cells])).any())


@dataclass(frozen=True)
class _HiddenSystem:
    """The groups' equations over the hidden cells of several components.

    Attributes
    ----------
    rows, columns, signs
        The non-zero entries: equation ``rows[k]`` has unknown ``columns[k]``
        with coefficient ``signs[k]``, +1 or -1.
    values
        Right-hand side of each equation: the shown counts moved across.
    labels
        Component number of each unknown.
    cells
        Cube position of each unknown.
    low, high
        Bounds of each unknown before any sum: 1 and no upper bound, unless
        the audit's ``limits`` set others.
    """

    rows: np.ndarray
    columns: np.ndarray
    signs: np.ndarray
    values: np.ndarray
    labels: np.ndarray
    cells: np.ndarray
    low: np.ndarray
    high: np.ndarray

    @classmethod
    def of(cls, components, hidden, counts, limits=None) -> _HiddenSystem | None:
        """Return the system of the components' hidden cells, or ``None`` if none."""
        rows, columns, signs, values, labels, cells = [], [], [], [], [], []
        row_offset = column_offset = 0
        for number, component in enumerate(components):
            if component is None:
                continue
            unknown_mask, used = _hidden_rows(component, hidden)
            if not used.any():
                continue
            block = component.equations[used][:, unknown_mask]
            shown = component.cells[~unknown_mask]
            shown_part = component.equations[used][:, ~unknown_mask]
            block_rows, block_columns = np.nonzero(block)
            rows.append(block_rows + row_offset)
            columns.append(block_columns + column_offset)
            signs.append(block[block_rows, block_columns])
            values.append(-shown_part @ counts[shown].astype(float))
            labels.append(np.full(block.shape[1], number))
            cells.append(component.cells[unknown_mask])
            row_offset += block.shape[0]
            column_offset += block.shape[1]
        if not cells:
            return None
        parts = (rows, columns, signs, values, labels, cells)
        rows, columns, signs, values, labels, cells = map(np.concatenate, parts)
        if limits is None:
            low, high = np.ones(len(cells)), np.full(len(cells), np.inf)
        else:
            low, high = limits[0][cells], limits[1][cells]
        return cls(rows, columns, signs, values, labels, cells, low, high)

    def by_component(self, chosen: np.ndarray) -> dict[int, list[int]]:
        """Return the cube positions of the chosen unknowns, by component number."""
        found: dict[int, list[int]] = {}
        for cell, number in zip(self.cells[chosen], self.labels[chosen], strict=True):
            found.setdefault(int(number), []).append(int(cell))
        return found


def _implicit_ones(system: _HiddenSystem) -> np.ndarray:
    """Return which unknowns sit on a bound wherever their component's sums hold.

    Each component's system ``A x = b, low <= x <= high`` is made homogeneous
    with a scale ``t >= 0``: ``A x - b t = 0``, ``x - low t >= s`` and, where
    ``high`` is finite, ``high t - x >= r``. Each slack ``s`` and ``r`` lies
    in [0, 1], and ``u <= min(t, 1)`` per component. Points of such a cone
    can be added and scaled, so one point is strictly inside every bound that
    is not met everywhere, and scaling gives its slack 1 there and ``u = 1``.
    Maximising the sum of the slacks and ``u`` therefore leaves a slack at 0
    on exactly the implicit equalities. A component with no solution allows
    only ``t = 0``, so its ``u`` stays 0 and it gives none.
    """
    size = len(system.labels)
    numbers, component_of = np.unique(system.labels, return_inverse=True)
    blocks = len(numbers)
    row_ids, rows = np.unique(system.rows, return_inverse=True)
    count = len(row_ids)
    row_component = np.zeros(count, dtype=np.intp)
    row_component[rows] = component_of[system.columns]
    capped = np.flatnonzero(np.isfinite(system.high))
    # Columns: x (size), t (blocks), s (size), r (capped), u (blocks).
    t_at, s_at = size, size + blocks
    r_at = s_at + size
    u_at = r_at + len(capped)
    width = u_at + blocks
    equalities = sparse.csr_array(
        (
            np.concatenate([system.signs, -system.values[row_ids]]),
            (
                np.concatenate([rows, np.arange(count)]),
                np.concatenate([system.columns, t_at + row_component]),
            ),
        ),
        shape=(count, width),
    )
    inequalities = _bound_rows(system, component_of, capped, blocks, width)
    goal = np.concatenate([np.zeros(s_at), -np.ones(width - s_at)])
    bounds = np.array(
        [(None, None)] * size + [(0, None)] * blocks + [(0, 1)] * (width - s_at),
        dtype=float,
    )
    result = linprog(
        goal,
        A_ub=inequalities,
        b_ub=np.zeros(inequalities.shape[0]),
        A_eq=equalities,
        b_eq=np.zeros(count),
        bounds=bounds,
        method="highs",
    )
    if result.status != 0:
        raise DisclosureError(
            f"the disclosure audit's linear program failed: {result.message}; "
            "publish a coarser table."
        )
    at_low = result.x[s_at:r_at] < 0.5
    at_high = np.zeros(size, dtype=bool)
    at_high[capped] = result.x[r_at:u_at] < 0.5
    feasible = result.x[u_at:] > 0.5
    return (at_low | at_high) & feasible[component_of]


def _bound_rows(system, component_of, capped, blocks, width) -> sparse.csr_array:
    """Return the rows ``<= 0`` of the homogeneous bounds of ``_implicit_ones``.

    One row ``low t - x + s`` per unknown, one row ``x - high t + r`` per
    unknown with an upper bound, and one row ``u - t`` per component.
    """
    size = len(system.labels)
    t_at, s_at = size, size + blocks
    r_at = s_at + size
    u_at = r_at + len(capped)
    unknowns = np.arange(size)
    lower = len(capped) + size
    entries = [
        (unknowns, t_at + component_of, system.low),
        (unknowns, unknowns, -np.ones(size)),
        (unknowns, s_at + unknowns, np.ones(size)),
        (size + np.arange(len(capped)), capped, np.ones(len(capped))),
        (
            size + np.arange(len(capped)),
            t_at + component_of[capped],
            -system.high[capped],
        ),
        (
            size + np.arange(len(capped)),
            r_at + np.arange(len(capped)),
            np.ones(len(capped)),
        ),
        (lower + np.arange(blocks), u_at + np.arange(blocks), np.ones(blocks)),
        (lower + np.arange(blocks), t_at + np.arange(blocks), -np.ones(blocks)),
    ]
    row_index, column_index, values = (
        np.concatenate([entry[part] for entry in entries]) for part in range(3)
    )
    shape = (lower + blocks, width)
    return sparse.csr_array((values, (row_index, column_index)), shape=shape)


def tightened_bounds(system: _HiddenSystem) -> tuple[np.ndarray, ...]:
    """Return the bounds of every unknown after tightening them through the sums.

    Starting from ``system.low`` and ``system.high``, the bounds of every
    unknown are tightened through all equations at once and rounded inward to
    whole numbers, until no bound changes. An unknown whose bounds meet is
    pinned. This finds the usual cases, such as a shown total of 2 over two
    hidden cells. Where the sums do not form a tree it is not a full linear
    program, so it can miss a bound that only the equations taken together
    give.

    Returns
    -------
    low, high : numpy.ndarray
        The tightened bounds.
    dropped : numpy.ndarray of bool
        Unknowns of a system that no counts within the starting bounds fit
        (one of its hidden cells is 0). The reader who assumed those bounds
        learns no value, so their bounds are reset and their equations left
        out.
    """
    rows, columns, values, labels = (
        system.rows,
        system.columns,
        system.values,
        system.labels,
    )
    positive = system.signs > 0
    size = len(labels)
    dropped = np.zeros(size, dtype=bool)
    low, high = system.low.copy(), system.high.copy()
    for _ in range(MAX_BOUND_ROUNDS):
        keep = ~dropped[columns]
        bounds = _entry_bounds(
            rows[keep], columns[keep], positive[keep], values, low, high
        )
        new_low = np.full(size, -np.inf)
        new_high = np.full(size, np.inf)
        np.maximum.at(new_low, columns[keep], bounds[0])
        np.minimum.at(new_high, columns[keep], bounds[1])
        tighter_low = np.ceil(new_low - 1e-9)
        tighter_high = np.floor(new_high + 1e-9)
        if not ((tighter_low > low).any() or (tighter_high < high).any()):
            break
        low = np.maximum(low, tighter_low)
        high = np.minimum(high, tighter_high)
        crossed = low > high
        if crossed.any():
            dropped |= np.isin(labels, labels[crossed])
            low[dropped], high[dropped] = system.low[dropped], system.high[dropped]
    return low, high, dropped


def _entry_bounds(rows, columns, positive, values, low, high):
    """Return the bounds each equation gives each of its unknowns.

    An equation reads sum(x[plus]) - sum(x[minus]) = value. Solved for one
    unknown, the bounds of the others give its least and greatest value.
    """
    count = len(values)
    entry_low, entry_high = low[columns], high[columns]
    infinite = np.isinf(entry_high)
    finite_high = np.where(infinite, 0.0, entry_high)

    def row_sum(weights, side):
        return np.bincount(rows[side], weights[side], minlength=count)

    negative = ~positive
    low_plus, low_minus = row_sum(entry_low, positive), row_sum(entry_low, negative)
    high_plus, high_minus = (
        row_sum(finite_high, positive),
        row_sum(finite_high, negative),
    )
    inf_plus = row_sum(infinite.astype(float), positive)
    inf_minus = row_sum(infinite.astype(float), negative)
    own_inf = infinite.astype(float)
    value = values[rows]
    # The same side's upper bounds without the unknown itself.
    same_high = np.where(positive, high_plus[rows], high_minus[rows]) - finite_high
    same_inf = np.where(positive, inf_plus[rows], inf_minus[rows]) - own_inf
    same_high = np.where(same_inf > 0, np.inf, same_high)
    same_low = np.where(positive, low_plus[rows], low_minus[rows]) - entry_low
    other_high = np.where(positive, high_minus[rows], high_plus[rows])
    other_inf = np.where(positive, inf_minus[rows], inf_plus[rows])
    other_high = np.where(other_inf > 0, np.inf, other_high)
    other_low = np.where(positive, low_minus[rows], low_plus[rows])
    # plus: x = value - same + other; minus: x = other - same - value.
    sign = np.where(positive, 1.0, -1.0)
    least = sign * value - same_high + other_low
    greatest = sign * value - same_low + other_high
    return least, greatest


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
    limits
        Bounds that another table gives some cells, or ``None``.
    """

    def __init__(self, groups, groups_of, members, counts, hidden, locked, limits=None):
        self.groups = groups
        self.limits = limits
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
        """Hide complements until no group gives away its hidden cells.

        A group gives them away when it has exactly one hidden cell. It also
        does when its total is shown and every hidden component is 1, because a
        reader who takes hidden counts as at least 1 can then work out each of
        them. The groups are visited in the order given, and again until none
        changes.
        """
        changed = True
        while changed:
            changed = False
            for index in group_indices:
                hidden_count = self.hidden_in[index]
                if hidden_count == 1 or (hidden_count > 1 and self._all_ones(index)):
                    total, parts = self.groups[index]
                    self.hide(self._complement(total, parts))
                    changed = True

    def _all_ones(self, index: int) -> bool:
        total, parts = self.groups[index]
        if self.hidden[total]:
            return False
        return all(self.counts[part] == 1 for part in parts if self.hidden[part])

    def repair_exposed(
        self, components: tuple[Component, ...], program: bool = True
    ) -> None:
        """Hide more cells until the audit finds no exactly recoverable cell.

        Each round hides a cell beside the first exposed cell of a component,
        then hides complements again. Components are repaired one after the
        other: a cell hidden in one changes no equation of another. Then each
        cell pinned by bounds (``pinned_in``) gets a cell hidden beside it, its
        component is repaired again, and the bounds are checked again. Once the
        bounds pin nothing, the linear program of ``pinned_by_program`` checks
        every component at once, and the cells it pins are repaired the same
        way, until it pins nothing either. ``program=False`` skips the linear
        program, for sums that form a tree, where the bounds miss nothing.

        Raises
        ------
        DisclosureError
            After ``MAX_AUDIT_ROUNDS`` rounds in all, or when an exposed cell
            has no shown cell left beside it.
        """
        self.rounds = 0
        for component in components:
            self._repair_component(component)
        while True:
            while pinned := pinned_in(
                components, self.hidden, self.counts, self.limits
            ):
                self._repair_pinned(components, pinned)
            if not program:
                return
            pinned = pinned_by_program(
                components, self.hidden, self.counts, self.limits
            )
            if not pinned:
                return
            self._repair_pinned(components, pinned)

    def _repair_pinned(
        self, components: tuple[Component, ...], pinned: dict[int, list[int]]
    ) -> None:
        for number, cells in pinned.items():
            self._hide_beside_any(components[number], cells)
            self._repair_component(components[number])

    def _repair_component(self, component: Component) -> None:
        while exposed := exposed_in(component, self.hidden):
            self._hide_beside(component, exposed[0])

    def _hide_beside_any(self, component: Component, targets: list[int]) -> None:
        """Hide one cell to free pinned targets, then let the audit look again.

        A reader who takes hidden counts as at least 1 gains from every hidden
        0, so a non-zero cell is hidden where one can be. It is looked for
        first beside a target, then in any sum of the component that has a
        hidden cell. A shown 0 is hidden only where no non-zero cell is left.
        """
        nearby = [self._groups_with(component, target) for target in targets]
        wider = [
            (total, parts)
            for total, parts in map(self.groups.__getitem__, component.groups)
            if self.hidden[total] or self.hidden[list(parts)].any()
        ]
        for allow_zero in (False, True):
            for groups in (*nearby, wider):
                cell = self._best_shown(groups, allow_zero)
                if cell is not None:
                    self._hide_round(component, cell)
                    return
        raise DisclosureError(
            "a pinned hidden count has no shown cell left to hide beside it; "
            "publish a coarser table."
        )

    def _groups_with(self, component: Component, target: int) -> list[Group]:
        """Return the groups of ``component`` that contain ``target``."""
        return [
            self.groups[index]
            for index in component.groups
            if target == self.groups[index][0] or target in self.groups[index][1]
        ]

    def _hide_beside(self, component: Component, target: int) -> None:
        self._hide_round(
            component, self._any_shown(self._groups_with(component, target))
        )

    def _best_shown(self, groups: list[Group], allow_zero: bool) -> int | None:
        """Return the smallest shown, unlocked cell of the groups, or ``None``."""
        counts, hidden, locked = self.counts, self.hidden, self.locked
        shown = {
            cell
            for total, parts in groups
            for cell in (*parts, total)
            if not hidden[cell] and not locked[cell] and (allow_zero or counts[cell])
        }
        if not shown:
            return None
        return min(shown, key=lambda cell: (counts[cell] == 0, counts[cell], cell))

    def _hide_round(self, component: Component, cell: int) -> None:
        """Hide ``cell`` and the complements it needs, as one round of repair."""
        if self.rounds == MAX_AUDIT_ROUNDS:
            raise DisclosureError(
                f"cells are still recoverable after {MAX_AUDIT_ROUNDS} "
                "rounds of suppression; publish a coarser table."
            )
        self.rounds += 1
        self.hide(cell)
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
