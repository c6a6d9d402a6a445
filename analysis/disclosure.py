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
   cell, or a shown total over hidden components that are all 1 (the smallest
   non-zero shown component, else the group's total). The groups are visited
   in the order of their total cell in the cube's index, and again until none
   changes;
3. an audit solves the linear system of the groups and hides more cells until
   no hidden cell is determined exactly by the shown ones, nor pinned to one
   value once every hidden count is taken to be at least 1, as a reader may
   because zeros are shown. Bounds tightened sum by sum find most pinned
   cells. A linear program over all the sums finds those that only several
   sums together pin (``analysis.disclosure_audit``).

Views are slices of the released cube, so a cell hidden in one view is hidden
in every other. Two cubes that share a cell (a country total shown in the
national table and in the table by parish) are linked with ``fixed``: the
second cube takes the first cube's decision for that cell.

NOTE: the linear program pins a cell when its least and greatest values are
equal. Every cube of the policy and regional pages has totals on one
dimension, or one total on each of two dimensions. Such sums are totally
unimodular, so both values are whole, which is the same as a range narrower
than 1. With totals on three dimensions, a range such as 2 to 2.67 still pins
a whole count of 2 and the audit misses it. Beyond exact values, the audit
does not bound how narrowly a hidden count can be estimated (a range such as
1 to 2), which is the accepted limit of cell suppression without protection
intervals.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.disclosure_audit import (
    Component,
    DisclosureError,
    Suppression,
    connected_components,
    exposed_in,
    group_members,
    pinned_by_program,
    pinned_in,
    reader_ranges,
)
from analysis.errors import AnalysisError
from analysis.suppression import DEFAULT_THRESHOLD, primary_mask

__all__ = [
    "Component",
    "Cube",
    "Dimension",
    "DisclosureError",
    "Released",
    "build_cube",
    "exposed_cells",
    "release",
]

Key = tuple
# Cube layouts kept for reuse: each is a function of the dimensions only.
_LAYOUTS_KEPT = 64


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
class Layout:
    """The cells and sums of a cube, which depend on its dimensions only.

    Attributes
    ----------
    index
        The cells as a ``MultiIndex`` named after the dimensions.
    cells
        The same cells as tuples, in order.
    position
        Position of each cell.
    groups
        Positions of each sum: ``(total, components)``.
    groups_of
        Indices of the groups that contain each cell.
    components
        The cells that the groups tie together, with their groups.
    members
        The cells of every group and their group indices.
    ancestors
        For each dimension, every leaf mapped to itself and its totals.
    tree
        Whether at most one dimension has totals. The sums of each slice then
        form a tree, in which bounds tightened sum by sum are already the
        tightest the sums together allow, so the audit needs no linear program.
    leaf_position
        Position of each combination of leaves in the columns of ``spread``.
    spread
        Sparse 0/1 matrix, cells by leaf combinations: 1 where the cell adds
        up that combination, so ``spread @ leaf_counts`` gives every cell.
    """

    index: pd.MultiIndex
    cells: tuple[Key, ...]
    position: dict
    groups: tuple[tuple[int, tuple[int, ...]], ...]
    groups_of: tuple[tuple[int, ...], ...]
    components: tuple[Component, ...]
    members: tuple[np.ndarray, np.ndarray]
    ancestors: tuple[dict, ...]
    tree: bool = False
    leaf_position: dict = field(default_factory=dict)
    spread: sparse.csr_array | None = None


@dataclass(frozen=True)
class Cube:
    """Counts of every cell of linked views and the groups that tie them.

    Attributes
    ----------
    counts
        Count of each cell, indexed by a ``MultiIndex`` of the dimensions.
    groups
        Positions in ``counts`` of each sum: ``(total, components)``.
    layout
        The cells and sums shared by every cube of the same dimensions, or
        ``None`` to work them out from ``counts`` and ``groups``.
    """

    counts: pd.Series
    groups: tuple[tuple[int, tuple[int, ...]], ...]
    layout: Layout | None = field(default=None, repr=False, compare=False)

    def components(self) -> tuple[Component, ...]:
        """Return the sets of cells that the groups tie together, with their groups.

        No group contains cells of two components, so each is audited on its own.
        Cells in no group are left out.
        """
        if self.layout is not None:
            return self.layout.components
        found = self.__dict__.get("_components")
        if found is None:
            found = connected_components(len(self.counts), self.groups)
            object.__setattr__(self, "_components", found)
        return found


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
    ranges
        The least and greatest value of each hidden cell that a reader gets
        from the shown counts and the sums, every hidden count being at least
        1, for a cube with totals on one dimension, where tightening bounds
        sum by sum gives them exactly. Empty for other cubes. Cells of a part
        of the cube that contains a hidden 0, where counts of 1 or more do not
        fit, have no range.
    """

    values: pd.Series
    hidden: pd.Series
    primary: pd.Series
    threshold: int
    ranges: Mapping[Key, tuple[float, float]] = field(default_factory=dict)

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
        # ``release`` sets it from the cube's layout.
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
    frame : pandas.DataFrame or mapping of str to list
        One row per leaf combination with its count; rows with the same keys
        are added up and a missing combination counts 0. A row whose value of a
        dimension is not one of its leaves is an error. Plain lists by column
        name skip building a DataFrame.
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
    layout = _layout(tuple(_dimension_key(dimension) for dimension in dimensions))
    keys, values = _leaf_rows(frame, dimensions, value_col)
    columns = [layout.leaf_position[key] for key in keys]
    leaf_counts = np.bincount(
        np.asarray(columns, dtype=np.intp),
        weights=np.asarray(values, dtype=np.int64),
        minlength=len(layout.leaf_position),
    ).astype(np.int64)
    totals = layout.spread @ leaf_counts
    counts = pd.Series(totals, index=layout.index, dtype="int64")
    return Cube(counts=counts, groups=layout.groups, layout=layout)


def release(
    cube: Cube,
    threshold: int = DEFAULT_THRESHOLD,
    fixed: Mapping[Key, bool] | None = None,
    bounds: Mapping[Key, tuple[float, float]] | None = None,
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
    bounds : mapping, optional
        Least and greatest value that another view gives a reader for some
        hidden cells, in place of 1 and no upper bound. The audit then also
        protects the cells that those bounds pin.

    Returns
    -------
    Released

    Raises
    ------
    DisclosureError
        If a hidden cell can only be protected by hiding a cell that ``fixed``
        shows.
    """
    layout = cube.layout or _layout_of(cube)
    counts = cube.counts.to_numpy()
    primary = primary_mask(counts, threshold)
    hidden = primary.copy()
    locked = np.zeros(len(counts), dtype=bool)
    for key, state in (fixed or {}).items():
        position = layout.position[key]
        hidden[position] = hidden[position] or state
        locked[position] = True
        if hidden[position] and not state:
            raise DisclosureError(
                f"cell {key!r} has count {counts[position]} and must be hidden, "
                "but another view shows it; release that view with this cell "
                "hidden."
            )
    state = Suppression(
        cube.groups,
        layout.groups_of,
        layout.members,
        counts,
        hidden,
        locked,
        _limits(layout, len(counts), bounds),
    )
    state.hide_singletons(range(len(cube.groups)))
    state.repair_exposed(cube.components(), program=not layout.tree or bool(bounds))
    published = [None if h else int(c) for c, h in zip(counts, hidden, strict=True)]
    ranges = reader_ranges(cube.components(), hidden, counts) if layout.tree else {}
    released = Released(
        values=pd.Series(published, index=cube.counts.index, dtype=object),
        hidden=pd.Series(hidden, index=cube.counts.index),
        primary=pd.Series(primary, index=cube.counts.index),
        threshold=threshold,
        ranges={layout.cells[cell]: span for cell, span in ranges.items()},
    )
    object.__setattr__(
        released, "_cell_dict", dict(zip(layout.cells, published, strict=True))
    )
    return released


def _limits(layout: Layout, size: int, bounds) -> tuple | None:
    """Return the audit's bounds of every cell: 1 and infinity where not given."""
    if not bounds:
        return None
    low, high = np.ones(size), np.full(size, np.inf)
    for key, (least, greatest) in bounds.items():
        position = layout.position[key]
        low[position] = max(least, 1.0)
        high[position] = greatest
    return low, high


def exposed_cells(cube: Cube, hidden: np.ndarray) -> list[int]:
    """Return the positions of hidden cells that the shown cells determine.

    A hidden cell is determined when the sums of the groups, with the shown
    counts put in, fix its value: its unit vector lies in the row space of the
    groups' equations restricted to the hidden cells. It is also determined
    when the sums leave it one value once every hidden count is taken as at
    least 1, by bounds or by the linear program. The equations of two
    components share no cell, so each component is solved on its own.

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
    components = cube.components()
    counts = cube.counts.to_numpy()
    exposed = set()
    for component in components:
        exposed.update(exposed_in(component, hidden))
    for audit in (pinned_in, pinned_by_program):
        for cells in audit(components, hidden, counts).values():
            exposed.update(cells)
    return sorted(exposed)


def _dimension_key(dimension: Dimension) -> tuple:
    children = tuple(
        (total, tuple(parts)) for total, parts in dimension.children.items()
    )
    return dimension.name, children, tuple(dimension.values)


@functools.lru_cache(maxsize=_LAYOUTS_KEPT)
def _layout(keys: tuple) -> Layout:
    """Return the layout of the cube whose dimensions have these keys."""
    dimensions = [
        Dimension(name, dict(children), values) for name, children, values in keys
    ]
    cells = _all_cells(dimensions)
    index = pd.MultiIndex.from_tuples(cells, names=[d.name for d in dimensions])
    position = {cell: i for i, cell in enumerate(cells)}
    groups = _groups(cells, position, dimensions)
    ancestors = tuple(
        {leaf: dimension.ancestors(leaf) for leaf in dimension.leaves()}
        for dimension in dimensions
    )
    leaf_position, spread = _spread(ancestors, position)
    return Layout(
        index=index,
        cells=tuple(cells),
        position=position,
        groups=groups,
        groups_of=_groups_of(len(cells), groups),
        components=connected_components(len(cells), groups),
        members=group_members(groups),
        ancestors=ancestors,
        tree=sum(bool(dimension.children) for dimension in dimensions) <= 1,
        leaf_position=leaf_position,
        spread=spread,
    )


def _spread(
    ancestors: tuple[dict, ...], position: dict
) -> tuple[dict, sparse.csr_array]:
    """Return the leaf combinations and the matrix that adds them into cells."""
    leaf_position = {}
    rows, columns = [], []
    for column, key in enumerate(itertools.product(*ancestors)):
        leaf_position[key] = column
        options = [chain[value] for chain, value in zip(ancestors, key, strict=True)]
        for cell in itertools.product(*options):
            rows.append(position[cell])
            columns.append(column)
    data = np.ones(len(rows), dtype=np.int64)
    shape = (len(position), len(leaf_position))
    return leaf_position, sparse.csr_array((data, (rows, columns)), shape=shape)


def _layout_of(cube: Cube) -> Layout:
    """Return a layout for a cube built without one."""
    cells = list(cube.counts.index)
    return Layout(
        index=cube.counts.index,
        cells=tuple(cells),
        position={cell: i for i, cell in enumerate(cells)},
        groups=cube.groups,
        groups_of=_groups_of(len(cells), cube.groups),
        components=cube.components(),
        members=group_members(cube.groups),
        ancestors=(),
    )


def _groups_of(size: int, groups) -> tuple[tuple[int, ...], ...]:
    found: list[list[int]] = [[] for _ in range(size)]
    for index, (total, parts) in enumerate(groups):
        for cell in (total, *parts):
            found[cell].append(index)
    return tuple(tuple(indices) for indices in found)


def _leaf_rows(frame, dimensions, value_col) -> tuple[list[Key], list[int]]:
    """Return each row's leaf combination and its count, checking the leaves."""
    columns = [_values(frame[dimension.name]) for dimension in dimensions]
    for dimension, values in zip(dimensions, columns, strict=True):
        unknown = set(values) - set(dimension.leaves())
        if unknown:
            raise AnalysisError(
                f"column {dimension.name!r} has values {sorted(map(str, unknown))!r} "
                "that the cube does not list; add them to the dimension's values."
            )
    keys = list(zip(*columns, strict=True))
    return keys, [int(value) for value in _values(frame[value_col])]


def _values(column) -> list:
    return column.tolist() if isinstance(column, pd.Series) else list(column)


def _all_cells(dimensions) -> list[Key]:
    axes = []
    for dimension in dimensions:
        axes.append(list(dict.fromkeys([*dimension.leaves(), *dimension.children])))
    return list(itertools.product(*axes))


def _groups(cells, position, dimensions) -> tuple:
    groups = []
    for cell in cells:
        for d, dimension in enumerate(dimensions):
            parts = dimension.children.get(cell[d])
            if parts is None:
                continue
            members = [cell[:d] + (part,) + cell[d + 1 :] for part in parts]
            groups.append((position[cell], tuple(position[m] for m in members)))
    return tuple(groups)
