"""Disclosure control of linked tables: primary, secondary, audit and links."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from analysis.disclosure import (
    Dimension,
    DisclosureError,
    build_cube,
    exposed_cells,
    release,
)

SEX = Dimension("sex", {"all": ("M", "F", "unknown")})
YEAR = Dimension("year", values=(2022, 2023))
ROW = Dimension("row", {"total": ("r1", "r2")})
COLUMN = Dimension("column", {"total": ("M", "F")})


def _frame(rows, columns):
    return pd.DataFrame(rows, columns=[*columns, "n"])


def _pinned_by_bounds(cube, released) -> list:
    """Return hidden cells that a linear program pins, all hidden counts >= 1.

    A reader who knows that zeros are shown takes every hidden count as at
    least 1; the cell is pinned when its least and greatest values under the
    cube's sums and the shown counts are less than 1 apart.
    """
    counts = cube.counts.to_numpy().astype(float)
    hidden = released.hidden.to_numpy()
    rows = []
    for total, parts in cube.groups:
        row = np.zeros(len(counts))
        row[total] = 1.0
        row[list(parts)] -= 1.0
        rows.append(row)
    equations = np.vstack(rows)
    bounds = [(1, None) if h else (c, c) for c, h in zip(counts, hidden, strict=True)]
    pinned = []
    for cell in np.flatnonzero(hidden):
        goal = np.zeros(len(counts))
        goal[cell] = 1.0
        least = linprog(goal, A_eq=equations, b_eq=np.zeros(len(rows)), bounds=bounds)
        most = linprog(-goal, A_eq=equations, b_eq=np.zeros(len(rows)), bounds=bounds)
        assert least.status == 0, least.message
        if most.status == 0 and -most.fun - least.fun < 1 - 1e-6:
            pinned.append(cube.counts.index[cell])
    return pinned


def test_primary_hides_one_to_threshold():
    cube = build_cube(
        _frame([(2023, "M", 2), (2023, "F", 10)], ["year", "sex"]), [YEAR, SEX], "n"
    )

    released = release(cube, threshold=3)

    assert released.value(2023, "M") is None
    assert released.primary.loc[(2023, "M")]
    assert released.value(2023, "unknown") == 0
    assert released.value(2023, "all") == 12


def test_secondary_hides_smallest_other_cell():
    cube = build_cube(
        _frame([(2023, "M", 2), (2023, "F", 10)], ["year", "sex"]), [YEAR, SEX], "n"
    )

    released = release(cube, threshold=3)

    # 12 - 10 would give the hidden 2, so F is hidden too; 0 stays shown.
    assert released.value(2023, "F") is None
    assert not released.primary.loc[(2023, "F")]
    assert released.value(2022, "all") == 0


def test_threshold_setting_widens_primary():
    cube = build_cube(
        _frame([(2023, "M", 5), (2023, "F", 40)], ["year", "sex"]), [YEAR, SEX], "n"
    )

    assert release(cube, threshold=3).value(2023, "M") == 5
    assert release(cube, threshold=5).value(2023, "M") is None


def _two_by_two():
    # r1: M 2, F 5 (total 7); r2: M 6, F 8 (total 14); columns 8 and 13; 21.
    rows = [("r1", "M", 2), ("r1", "F", 5), ("r2", "M", 6), ("r2", "F", 8)]
    return build_cube(_frame(rows, ["row", "column"]), [ROW, COLUMN], "n")


def test_naive_row_suppression_leaks_through_total():
    cube = _two_by_two()
    index = list(cube.counts.index)
    naive = np.zeros(len(index), dtype=bool)
    naive[index.index(("r1", "M"))] = True  # primary
    naive[index.index(("r1", "F"))] = True  # complement within the row only

    exposed = [index[position] for position in exposed_cells(cube, naive)]

    # Column M: 8 - 6 = 2, and then row r1: 7 - 2 = 5.
    assert exposed == [("r1", "M"), ("r1", "F")]


def test_release_protects_through_column_totals():
    cube = _two_by_two()

    released = release(cube, threshold=3)

    assert released.hidden.loc[("r1", "M")]
    assert released.hidden.loc[("r1", "F")]
    assert released.hidden.loc[("r2", "M")]
    assert released.hidden.loc[("r2", "F")]
    assert released.value("r1", "total") == 7
    assert released.value("total", "M") == 8
    assert released.value("total", "total") == 21
    assert exposed_cells(cube, released.hidden.to_numpy()) == []


def test_hierarchy_protects_through_parent_total():
    # Section 01 = divisions 0101 + 0102 + section-only; all = 01 + 02.
    code = Dimension(
        "code",
        {
            "all": ("01", "02"),
            "01": ("0101", "0102", "01-only"),
            "02": ("0201",),
        },
    )
    rows = [("0101", 2), ("0102", 30), ("01-only", 0), ("0201", 50)]
    cube = build_cube(_frame(rows, ["code"]), [code], "n")

    released = release(cube, threshold=3)

    assert released.value("0101") is None
    assert released.value("0102") is None
    assert released.value("01-only") == 0
    # 01 is shown: the split of 32 between 0101 and 0102 stays unknown.
    assert released.value("01") == 32
    assert released.value("all") == 82


def test_single_child_total_hidden_with_child():
    # 02 has one division, so showing 02 would show 0201.
    code = Dimension("code", {"all": ("01", "02"), "02": ("0201",)})
    rows = [("01", 40), ("0201", 2)]
    cube = build_cube(_frame(rows, ["code"]), [code], "n")

    released = release(cube, threshold=3)

    assert released.value("0201") is None
    assert released.value("02") is None
    assert released.value("01") is None
    assert released.value("all") == 42


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_leave_nothing_recoverable(seed):
    rng = np.random.default_rng(seed)
    rows = [
        (f"r{r}", sex, int(rng.choice([0, 1, 2, 3, 4, 7, 15])))
        for r in range(4)
        for sex in ("M", "F", "unknown")
    ]
    row = Dimension("row", {"total": ("r0", "r1", "r2", "r3")})
    cube = build_cube(_frame(rows, ["row", "sex"]), [row, SEX], "n")

    released = release(cube, threshold=3)

    counts = cube.counts.to_numpy()
    hidden = released.hidden.to_numpy()
    assert not ((counts >= 1) & (counts <= 3) & ~hidden).any()
    assert exposed_cells(cube, hidden) == []
    shown = released.values[~released.hidden]
    assert (shown == cube.counts[~released.hidden]).all()


def test_hidden_ones_not_pinned_by_total():
    section = Dimension("category", {"02": ("0201", "0202", "0203", "0204")})
    rows = [("0201", 42), ("0202", 1), ("0203", 0), ("0204", 1)]
    cube = build_cube(_frame(rows, ["category"]), [section], "n")

    released = release(cube, threshold=3)

    # 44 less 42 leaves 2 for the two hidden cells: 1 each, unless more hide.
    assert released.value("0202") is None
    assert released.value("0204") is None
    assert _pinned_by_bounds(cube, released) == []


def test_hidden_sections_not_pinned_by_total():
    sections = Dimension(
        "category", {"TOTAL": ("01", "02", "03", "04", "05", "06", "07", "08")}
    )
    counts = {"01": 45, "02": 18, "03": 1, "04": 1, "05": 33, "06": 7, "07": 1}
    cube = build_cube(_frame(list(counts.items()), ["category"]), [sections], "n")

    released = release(cube, threshold=3)

    assert released.value("03") is None
    assert _pinned_by_bounds(cube, released) == []


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_pin_no_hidden_cell(seed):
    rng = np.random.default_rng(seed)
    rows = [
        (f"r{r}", sex, int(rng.choice([0, 0, 1, 2, 3, 4, 7, 15])))
        for r in range(4)
        for sex in ("M", "F", "unknown")
    ]
    row = Dimension("row", {"total": ("r0", "r1", "r2", "r3")})
    cube = build_cube(_frame(rows, ["row", "sex"]), [row, SEX], "n")

    released = release(cube, threshold=3)

    assert _pinned_by_bounds(cube, released) == []


def test_fixed_cell_hidden_by_other_view():
    cube = build_cube(
        _frame([(2023, "M", 20), (2023, "F", 30)], ["year", "sex"]), [YEAR, SEX], "n"
    )

    released = release(cube, fixed={(2023, "all"): True, (2022, "all"): False})

    assert released.value(2023, "all") is None
    assert released.value(2023, "M") is None
    assert released.value(2022, "all") == 0


def test_fixed_shown_small_cell_rejected():
    cube = build_cube(_frame([(2023, "M", 2)], ["year", "sex"]), [YEAR, SEX], "n")

    with pytest.raises(DisclosureError, match="another view shows it"):
        release(cube, fixed={(2023, "all"): False})


def test_unknown_value_rejected():
    with pytest.raises(ValueError, match="'sex' has values \\['X'\\]"):
        build_cube(_frame([(2023, "X", 2)], ["year", "sex"]), [YEAR, SEX], "n")


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_three_way_tables_pass_audit(seed):
    # Seed 7 gives a table where two hidden cells per line still leave three
    # cells recoverable by combining lines; the audit must hide more.
    rng = np.random.default_rng(seed)
    first = Dimension("a", {"t": ("a1", "a2", "a3")})
    second = Dimension("b", {"t": ("b1", "b2", "b3")})
    third = Dimension("c", {"t": ("c1", "c2")})
    rows = [
        (a, b, c, int(rng.choice([0, 0, 1, 2, 5, 9, 20])))
        for a in ("a1", "a2", "a3")
        for b in ("b1", "b2", "b3")
        for c in ("c1", "c2")
    ]
    frame = pd.DataFrame(rows, columns=["a", "b", "c", "n"])
    cube = build_cube(frame, [first, second, third], "n")

    released = release(cube, threshold=3)

    hidden = released.hidden.to_numpy()
    assert exposed_cells(cube, hidden) == []
    for total, parts in cube.groups:
        assert sum(hidden[cell] for cell in (total, *parts)) != 1


def test_years_released_as_each_alone():
    # 2023 is the table of _two_by_two; 2022 has no small count.
    rows = [
        (2023, "r1", "M", 2),
        (2023, "r1", "F", 5),
        (2023, "r2", "M", 6),
        (2023, "r2", "F", 8),
        (2022, "r1", "M", 10),
        (2022, "r1", "F", 20),
        (2022, "r2", "M", 30),
        (2022, "r2", "F", 40),
    ]
    cube = build_cube(_frame(rows, ["year", "row", "column"]), [YEAR, ROW, COLUMN], "n")

    released = release(cube, threshold=3)

    alone = release(_two_by_two(), threshold=3)
    for key, hidden in alone.hidden.items():
        assert released.hidden.loc[(2023, *key)] == hidden
    assert not released.hidden.loc[2022].any()
    assert released.value(2022, "total", "total") == 100
    assert exposed_cells(cube, released.hidden.to_numpy()) == []


def test_cube_totals_added_by_hand():
    # Rows in any order, with a repeated key that is added up.
    rows = [("r2", "F", 8), ("r1", "M", 2), ("r1", "M", 3), ("r2", "M", 6)]
    cube = build_cube(_frame(rows, ["row", "column"]), [ROW, COLUMN], "n")
    again = build_cube(_frame(rows[:1], ["row", "column"]), [ROW, COLUMN], "n")

    assert cube.counts.loc[("r1", "M")] == 5
    assert cube.counts.loc[("r1", "F")] == 0
    assert cube.counts.loc[("r1", "total")] == 5
    assert cube.counts.loc[("total", "M")] == 11
    assert cube.counts.loc[("total", "total")] == 19
    assert again.counts.loc[("total", "total")] == 8
    assert again.layout is cube.layout
