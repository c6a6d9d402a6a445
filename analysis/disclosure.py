"""Disclosure control of linked tables: one cube of counts, every sum that ties it.

``analysis.suppression`` protects one two-way table with its margins. The policy
and regional pages publish several views of the same counts (a table by
section, a table of chosen divisions, a chart, an export, coverage ratios), and
a hidden cell could be recovered from another view's total as easily as from
its own table's. So every number these pages publish comes from a ``Cube``:
all the cells of all its views, and every sum that ties them, as groups of one
total and its components. ``release`` is the one function that turns a cube
into publishable values:

1. primary suppression hides counts from 1 to the threshold
   (``analysis.suppression.primary_mask``); 0 stays shown;
2. secondary suppression hides more cells while a group has exactly one hidden
   cell (the smallest non-zero shown component, else the group's total). The
   groups are visited in the order of their total cell in the cube's index,
   and again until none changes;
3. an audit solves the linear system of the groups and hides more cells until
   no hidden cell is determined exactly by the shown ones.

Views are slices of the released cube, so a cell hidden in one view is hidden
in every other. Two cubes that share a cell (a country total shown in the
national table and in the table by parish) are linked with ``fixed``: the
second cube takes the first cube's decision for that cell.

NOTE: the audit stops exact recovery by any combination of sums within the
cube. It does not bound how narrowly a hidden count can be estimated from the
fact that counts are not negative, which is the accepted limit of cell
suppression.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import AnalysisError
from analysis.suppression import DEFAULT_THRESHOLD, primary_mask

# Relative size below which a singular value counts as zero in the audit.
_RANK_TOLERANCE = 1e-9
# Rounds of audit and repair before giving up; each round hides at least one cell.
_MAX_AUDIT_ROUNDS = 500

Key = tuple


class DisclosureError(AnalysisError):
    """Cells cannot be hidden without changing a cell that another view fixes."""


@dataclass(frozen=True)
class Dimension:
    """One dimension of a cube and the sums along it.

    Attributes
    ----------
    name
        Column name of the dimension.
    children
        Each total value mapped to the values that add up to it, such as
        ``{"all": ("M", "F", "unknown")}``. A child may itself be a total. An
        empty mapping means the dimension has no totals (years side by side).
    values
        Leaf values to keep even when no row has them, so that a zero is shown
        as 0 rather than left out.
    """

    name: str
    children: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    values: tuple = ()

    def leaves(self) -> list:
        """Return the values that are not totals, in a stable order."""
        totals = set(self.children)
        found = list(self.values)
        for parts in self.children.values():
            found += [part for part in parts if part not in totals]
        return list(dict.fromkeys(found))

    def ancestors(self, leaf) -> list:
        """Return ``leaf`` and every total it adds up to."""
        parents = {
            part: total for total, parts in self.children.items() for part in parts
        }
        chain = [leaf]
        while chain[-1] in parents:
            chain.append(parents[chain[-1]])
        return chain


@dataclass(frozen=True)
class Cube:
    """Counts of every cell of linked views and the groups that tie them.

    Attributes
    ----------
    counts
        Count of each cell, indexed by a ``MultiIndex`` of the dimensions.
    groups
        Positions in ``counts`` of each sum: ``(total, components)``.
    """

    counts: pd.Series
    groups: tuple[tuple[int, tuple[int, ...]], ...]


@dataclass(frozen=True)
class Released:
    """Counts of a cube, ready to leave the server.

    Attributes
    ----------
    values
        ``None`` where hidden, else the count as ``int`` (dtype object).
    hidden
        ``True`` where the value is hidden.
    primary
        ``True`` where it is hidden for being from 1 to ``threshold``.
    threshold
        Largest count hidden for its own sake.
    """

    values: pd.Series
    hidden: pd.Series
    primary: pd.Series
    threshold: int

    def value(self, *key) -> int | None:
        """Return the published count of one cell, ``None`` if hidden.

        Raises
        ------
        KeyError
            If the cube has no such cell.
        """
        return self._cells()[key]

    def get(self, key: tuple, default=None):
        """Return the published count of ``key``, or ``default`` if no such cell."""
        return self._cells().get(key, default)

    def is_hidden(self, key: tuple) -> bool:
        """Return whether the cell ``key`` is hidden."""
        return self._cells()[key] is None

    def _cells(self) -> dict:
        # Scalar lookups in a MultiIndex are slow; keep a dict beside it.
        cells = self.__dict__.get("_cell_dict")
        if cells is None:
            cells = dict(zip(self.values.index, self.values, strict=True))
            object.__setattr__(self, "_cell_dict", cells)
        return cells

    def frame(self) -> pd.DataFrame:
        """Return the cells as rows: the dimensions, ``count`` and ``hidden``."""
        frame = self.values.index.to_frame(index=False)
        frame["count"] = self.values.to_numpy()
        frame["hidden"] = self.hidden.to_numpy()
        return frame


def build_cube(
    frame: pd.DataFrame, dimensions: Sequence[Dimension], value_col: str
) -> Cube:
    """Build a cube from counts of leaf cells, adding every total cell.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per leaf combination with its count; rows with the same keys
        are added up and a missing combination counts 0. A row whose value of a
        dimension is not one of its leaves is an error.
    dimensions : sequence of Dimension
        The dimensions, in the order of the cube's index.
    value_col : str
        Column of the counts.

    Returns
    -------
    Cube

    Raises
    ------
    AnalysisError
        If a row has a value that no dimension lists as a leaf.
    """
    names = [dimension.name for dimension in dimensions]
    leaves = _leaf_counts(frame, dimensions, value_col)
    chains = [
        {leaf: dimension.ancestors(leaf) for leaf in dimension.leaves()}
        for dimension in dimensions
    ]
    totals: dict[Key, int] = {}
    for key, count in leaves.items():
        key = key if isinstance(key, tuple) else (key,)
        options = [chain[value] for chain, value in zip(chains, key, strict=True)]
        for cell in itertools.product(*options):
            totals[cell] = totals.get(cell, 0) + int(count)
    index = pd.MultiIndex.from_tuples(_all_cells(dimensions), names=names)
    counts = pd.Series([totals.get(cell, 0) for cell in index], index=index)
    return Cube(counts=counts, groups=_groups(index, dimensions))


def release(
    cube: Cube,
    threshold: int = DEFAULT_THRESHOLD,
    fixed: Mapping[Key, bool] | None = None,
) -> Released:
    """Hide small counts and every cell that would reveal one.

    Every count of the policy and regional pages, and of their exports, passes
    through this function before it leaves the server.

    Parameters
    ----------
    cube : Cube
        The cells of all linked views.
    threshold : int, default 3
        Counts from 1 to ``threshold`` are hidden for their own sake.
    fixed : mapping, optional
        Cells whose state another view has decided: ``True`` hidden, ``False``
        shown. They are never chosen to hide another cell.

    Returns
    -------
    Released

    Raises
    ------
    DisclosureError
        If a hidden cell can only be protected by hiding a cell that ``fixed``
        shows.
    """
    counts = cube.counts.to_numpy()
    primary = primary_mask(counts, threshold)
    hidden = primary.copy()
    locked = np.zeros(len(counts), dtype=bool)
    for key, state in (fixed or {}).items():
        position = cube.counts.index.get_loc(key)
        hidden[position] = hidden[position] or state
        locked[position] = True
        if hidden[position] and not state:
            raise DisclosureError(
                f"cell {key!r} has count {counts[position]} and must be hidden, "
                "but another view shows it; release that view with this cell "
                "hidden."
            )
    _hide_singletons(cube, counts, hidden, locked)
    _repair_exposed(cube, counts, hidden, locked)
    values = pd.Series(
        [None if h else int(c) for c, h in zip(counts, hidden, strict=True)],
        index=cube.counts.index,
        dtype=object,
    )
    return Released(
        values=values,
        hidden=pd.Series(hidden, index=cube.counts.index),
        primary=pd.Series(primary, index=cube.counts.index),
        threshold=threshold,
    )


def exposed_cells(cube: Cube, hidden: np.ndarray) -> list[int]:
    """Return the positions of hidden cells that the shown cells determine.

    A hidden cell is determined when the sums of the groups, with the shown
    counts put in, fix its value: its unit vector lies in the row space of the
    groups' equations restricted to the hidden cells.

    Parameters
    ----------
    cube : Cube
        The cells and groups.
    hidden : numpy.ndarray of bool
        Which cells are hidden.

    Returns
    -------
    list of int
        Positions of exactly recoverable hidden cells, in order.
    """
    unknown = np.flatnonzero(hidden)
    if not len(unknown):
        return []
    column = {position: i for i, position in enumerate(unknown)}
    rows = []
    for total, parts in cube.groups:
        cells = (total, *parts)
        if not any(hidden[cell] for cell in cells):
            continue
        row = np.zeros(len(unknown))
        if hidden[total]:
            row[column[total]] = 1.0
        for part in parts:
            if hidden[part]:
                row[column[part]] -= 1.0
        rows.append(row)
    if not rows:
        return []
    matrix = np.vstack(rows)
    _, singular, vt = np.linalg.svd(matrix)
    tolerance = (
        _RANK_TOLERANCE * max(matrix.shape) * (singular[0] if len(singular) else 0)
    )
    rank = int((singular > tolerance).sum())
    null_space = vt[rank:]
    if not len(null_space):
        return [int(position) for position in unknown]
    free = np.abs(null_space).max(axis=0) > 1e-7
    return [int(position) for position in unknown[~free]]


def _leaf_counts(frame, dimensions, value_col) -> pd.Series:
    names = [dimension.name for dimension in dimensions]
    for dimension in dimensions:
        unknown = set(frame[dimension.name]) - set(dimension.leaves())
        if unknown:
            raise AnalysisError(
                f"column {dimension.name!r} has values {sorted(map(str, unknown))!r} "
                "that the cube does not list; add them to the dimension's values."
            )
    if frame.empty:
        return pd.Series(dtype="int64")
    return frame.groupby(names, sort=False)[value_col].sum()


def _all_cells(dimensions) -> list[Key]:
    axes = []
    for dimension in dimensions:
        axes.append(list(dict.fromkeys([*dimension.leaves(), *dimension.children])))
    return list(itertools.product(*axes))


def _groups(index: pd.MultiIndex, dimensions) -> tuple:
    position = {cell: i for i, cell in enumerate(index)}
    groups = []
    for cell in index:
        for d, dimension in enumerate(dimensions):
            parts = dimension.children.get(cell[d])
            if parts is None:
                continue
            members = [cell[:d] + (part,) + cell[d + 1 :] for part in parts]
            groups.append((position[cell], tuple(position[m] for m in members)))
    return tuple(groups)


def _hide_singletons(cube, counts, hidden, locked) -> None:
    """Hide complements until no group has exactly one hidden cell."""
    changed = True
    while changed:
        changed = False
        for total, parts in cube.groups:
            cells = (total, *parts)
            if sum(hidden[cell] for cell in cells) == 1:
                hidden[_complement(counts, hidden, locked, total, parts)] = True
                changed = True


def _complement(counts, hidden, locked, total, parts) -> int:
    """Return the cell to hide beside a group's one hidden cell.

    The smallest non-zero shown component comes first, then the total, then a
    shown zero component: a hidden 0 still leaves the split of the sum unknown.
    """
    candidates = [p for p in parts if not hidden[p] and not locked[p] and counts[p] > 0]
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


def _repair_exposed(cube, counts, hidden, locked) -> None:
    """Hide more cells until the audit finds no exactly recoverable cell."""
    for _ in range(_MAX_AUDIT_ROUNDS):
        exposed = exposed_cells(cube, hidden)
        if not exposed:
            return
        target = exposed[0]
        groups = [
            (total, parts)
            for total, parts in cube.groups
            if target == total or target in parts
        ]
        hidden[_any_shown(counts, hidden, locked, groups)] = True
        _hide_singletons(cube, counts, hidden, locked)
    raise DisclosureError(
        f"cells are still recoverable after {_MAX_AUDIT_ROUNDS} rounds of "
        "suppression; publish a coarser table."
    )


def _any_shown(counts, hidden, locked, groups) -> int:
    """Return the smallest shown, unlocked cell of the first group that has one."""
    for total, parts in groups:
        shown = [p for p in (*parts, total) if not hidden[p] and not locked[p]]
        if shown:
            return min(shown, key=lambda p: (counts[p] == 0, counts[p], p))
    raise DisclosureError(
        "a recoverable hidden count has no shown neighbour left to hide; "
        "publish a coarser table."
    )
