"""The audit of released cubes: bounds, the linear program, and its repair."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from analysis.disclosure import Dimension, build_cube, release
from analysis.disclosure_audit import Suppression, pinned_by_program, pinned_in
from analysis.suppression import primary_mask

RELATIONSHIP = Dimension("relationship", {"all": ("partner", "family", "other", "unk")})
SEX = Dimension("sex", {"all": ("M", "F", "U")})
AGE = Dimension("age", {"all": ("0-14", "15-17", "18-24", "25-44", "45+", "U")})
# Victims by relationship and sex. The four sums of the partner row, the
# total row and the F and U columns together give family F + unknown F = 2
# once the other cells of the first release below are hidden, and no one sum
# gives it.
RELATIONSHIP_ROWS = [
    ("partner", "M", 9),
    ("partner", "F", 1),
    ("partner", "U", 3),
    ("family", "M", 4),
    ("family", "F", 1),
    ("family", "U", 0),
    ("other", "M", 0),
    ("other", "F", 0),
    ("other", "U", 0),
    ("unk", "M", 2),
    ("unk", "F", 1),
    ("unk", "U", 0),
]


def _cube(rows, dimensions):
    columns = [dimension.name for dimension in dimensions]
    frame = pd.DataFrame(rows, columns=[*columns, "n"])
    return build_cube(frame, dimensions, "n")


def _released_by_bounds(cube) -> np.ndarray:
    """Return the hidden cells of a release whose audit stops before the program."""
    layout = cube.layout
    counts = cube.counts.to_numpy()
    hidden = primary_mask(counts, 3).copy()
    locked = np.zeros(len(counts), dtype=bool)
    state = Suppression(
        cube.groups, layout.groups_of, layout.members, counts, hidden, locked
    )
    state.hide_singletons(range(len(cube.groups)))
    state.repair_exposed(cube.components(), program=False)
    return hidden


def _reader_ranges(cube, hidden) -> dict:
    """Return the least and greatest value a reader can give each hidden cell.

    The reader knows the shown counts and every sum, and takes hidden counts
    as at least 1, or at least 0 when no counts of 1 or more fit the sums.
    """
    counts = cube.counts.to_numpy().astype(float)
    equations = np.zeros((len(cube.groups), len(counts)))
    for row, (total, parts) in enumerate(cube.groups):
        equations[row, total] = 1.0
        equations[row, list(parts)] -= 1.0
    ranges = {}
    for least_hidden in (1, 0):
        bounds = [
            (least_hidden, None) if h else (c, c)
            for c, h in zip(counts, hidden, strict=True)
        ]
        for cell in np.flatnonzero(hidden):
            goal = np.zeros(len(counts))
            goal[cell] = 1.0
            zeros = np.zeros(len(equations))
            least = linprog(goal, A_eq=equations, b_eq=zeros, bounds=bounds)
            greatest = linprog(-goal, A_eq=equations, b_eq=zeros, bounds=bounds)
            if least.status == 2:
                break
            width = np.inf if greatest.status == 3 else -greatest.fun - least.fun
            ranges[cube.counts.index[cell]] = (least.fun, width)
        else:
            return ranges
    return ranges


def _pinned_cells(cube, hidden, below=1.0) -> list:
    """Return hidden cells whose reader's range is narrower than ``below``."""
    ranges = _reader_ranges(cube, hidden)
    return [key for key, (_, width) in ranges.items() if width < below - 1e-6]


def test_sums_together_pin_two_cells():
    cube = _cube(RELATIONSHIP_ROWS, [RELATIONSHIP, SEX])

    hidden = _released_by_bounds(cube)

    counts = cube.counts.to_numpy()
    assert pinned_in(cube.components(), hidden, counts) == {}
    pinned = pinned_by_program(cube.components(), hidden, counts)
    cells = [cube.layout.cells[cell] for cell in pinned[0]]
    assert cells == [("family", "F"), ("unk", "F")]
    assert _pinned_cells(cube, hidden) == cells


def test_release_leaves_sums_together_nothing():
    cube = _cube(RELATIONSHIP_ROWS, [RELATIONSHIP, SEX])

    released = release(cube, threshold=3)

    hidden = released.hidden.to_numpy()
    assert released.value("family", "F") is None
    assert _pinned_cells(cube, hidden) == []
    assert pinned_by_program(cube.components(), hidden, cube.counts.to_numpy()) == {}


@pytest.mark.parametrize(
    ("total", "expected"),
    [(2, ["a", "b"]), (3, []), (1, [])],
    ids=["two over two pins both", "three over two pins none", "no counts of 1 fit"],
)
def test_program_on_one_sum(total, expected):
    parts = Dimension("part", {"all": ("a", "b")})
    counts = {"a": 1, "b": total - 1}
    cube = _cube(list(counts.items()), [parts])
    hidden = cube.counts.index.isin([("a",), ("b",)])

    pinned = pinned_by_program(cube.components(), hidden, cube.counts.to_numpy())

    found = [cube.layout.cells[c][0] for cells in pinned.values() for c in cells]
    assert found == expected


def _random_rows(seed, dimensions):
    rng = np.random.default_rng(seed)
    leaves = [dimension.leaves() for dimension in dimensions]
    return [
        (*key, int(rng.choice([0, 0, 0, 1, 1, 2, 3, 4, 5, 9])))
        for key in pd.MultiIndex.from_product(leaves)
    ]


# Seeds 161, 332 and 544 give tables where the bounds alone leave cells pinned.
@pytest.mark.parametrize("seed", [161, 332, 544, *range(20)])
def test_relationship_tables_pin_nothing(seed):
    cube = _cube(_random_rows(seed, [RELATIONSHIP, SEX]), [RELATIONSHIP, SEX])

    released = release(cube, threshold=3)

    assert _pinned_cells(cube, released.hidden.to_numpy()) == []


@pytest.mark.parametrize("seed", range(12))
def test_sex_by_age_tables_pin_nothing(seed):
    cube = _cube(_random_rows(seed, [SEX, AGE]), [SEX, AGE])

    released = release(cube, threshold=3)

    assert _pinned_cells(cube, released.hidden.to_numpy()) == []


@pytest.mark.parametrize("seed", range(30))
def test_tree_tables_pin_nothing_without_program(seed):
    # Totals on one dimension only: the release skips the linear program, and
    # a reader's program must find nothing the bounds missed.
    category = Dimension(
        "category",
        {
            "TOTAL": ("01", "02", "03"),
            "01": ("0101", "0102"),
            "02": ("0201", "0202", "0203"),
            "03": ("0301", "0302", "0303", "0304"),
        },
    )
    year = Dimension("year", values=(2023, 2024))
    cube = _cube(_random_rows(seed, [year, category]), [year, category])

    released = release(cube, threshold=3)

    assert cube.layout.tree
    assert _pinned_cells(cube, released.hidden.to_numpy()) == []


def test_cell_pinned_far_from_shown_cells_repaired():
    # In this three-way table the program pins cells whose every sum is
    # already hidden, so the repair hides a shown cell further along the sums.
    first = Dimension("a", {"all": ("a1", "a2", "a3")})
    second = Dimension("b", {"all": ("b1", "b2", "b3", "b4", "b5")})
    third = Dimension("c", {"all": ("young", "c3"), "young": ("c1", "c2")})
    dimensions = [first, second, third]
    cube = _cube(_random_rows(97, dimensions), dimensions)

    released = release(cube, threshold=3)

    hidden = released.hidden.to_numpy()
    assert pinned_by_program(cube.components(), hidden, cube.counts.to_numpy()) == {}
    # Exact values only: with three dimensions of totals a range narrower than
    # 1 can still have fractional ends.
    assert _pinned_cells(cube, hidden, below=1e-3) == []
