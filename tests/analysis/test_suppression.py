"""Primary and secondary cell suppression, checked on tables worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import suppression
from analysis.errors import AnalysisError, MissingColumns
from analysis.suppression import TOTAL

# Two stations by three offence groups. Row totals 18 and 19, column totals 7,
# 13 and 17, grand total 37. Only A/x (2) is small.
LEAKY = pd.DataFrame({"x": [2, 5], "y": [7, 6], "z": [9, 8]}, index=["A", "B"])


def _hidden_lines(mask: pd.DataFrame) -> list[int]:
    """Return the hidden-entry count of every row and column that has one."""
    counts = list(mask.sum(axis=1)) + list(mask.sum(axis=0))
    return [int(count) for count in counts if count]


def test_primary_alone_leaks_by_subtraction():
    primary = suppression.primary_mask(LEAKY.to_numpy())
    assert primary.tolist() == [[True, False, False], [False, False, False]]

    # Publishing row A as (hidden, 7, 9) with its total 18 gives A/x away.
    recovered = LEAKY.loc["A"].sum() - LEAKY.loc["A", "y"] - LEAKY.loc["A", "z"]
    assert recovered == LEAKY.loc["A", "x"]


def test_secondary_suppression_by_hand():
    result = suppression.suppress_table(LEAKY)

    # Row A has one hidden cell: its smallest shown non-zero cell, y (7), goes.
    # Column x then has one: B/x (5) goes. Column y has one: B/y (6) goes.
    # Every line now has 0 or 2 hidden entries.
    expected = pd.DataFrame(
        [[True, True, False, False], [True, True, False, False], [False] * 4],
        index=["A", "B", TOTAL],
        columns=["x", "y", "z", TOTAL],
    )
    pd.testing.assert_frame_equal(result.mask, expected)
    assert result.primary.sum().sum() == 1


def test_secondary_leaves_two_per_line():
    result = suppression.suppress_table(LEAKY)

    assert _hidden_lines(result.mask)
    assert min(_hidden_lines(result.mask)) >= 2


def test_hidden_values_never_published():
    result = suppression.suppress_table(LEAKY)

    published = result.values.to_numpy()
    hidden = result.mask.to_numpy()
    assert all(value is None for value in published[hidden])
    assert published[~hidden].tolist() == [9, 18, 8, 19, 7, 13, 17, 37]
    assert result.values.loc["A", TOTAL] == 18


def test_zeros_stay_shown():
    table = pd.DataFrame({"x": [0, 0], "y": [0, 12], "z": [2, 9]}, index=["A", "B"])

    result = suppression.suppress_table(table)

    assert result.values.loc["A", "x"] == 0
    assert result.values.loc["A", "y"] == 0
    assert not result.mask.loc["A", "x"]
    # Row A is (0, 0, 2) with total 2: the total is small too, so the row
    # has two hidden entries without hiding a zero.
    assert result.mask.loc["A", "z"]
    assert result.mask.loc["A", TOTAL]


def test_small_total_hidden_with_complement():
    table = pd.DataFrame({"x": [0, 0], "y": [0, 12], "z": [2, 9]}, index=["A", "B"])

    result = suppression.suppress_table(table)

    # Column z (2, 9, 11) had only A/z hidden, so B/z (9) goes. The totals
    # column (2, 21, 23) had only A's total hidden, so B's total (21) goes: it
    # is a cell of that line, whose own total is the grand total. Row B then
    # has two hidden entries, B/z and its total, and B/y (12) stays shown.
    assert result.mask[TOTAL].tolist() == [True, True, False]
    assert result.mask.loc["B", "z"]
    assert result.values.loc["B", "y"] == 12
    assert min(_hidden_lines(result.mask)) >= 2


@pytest.mark.parametrize(
    ("threshold", "hidden"),
    [(3, [False, False, False, False]), (5, [True, True, False, False])],
    ids=["threshold-3", "threshold-5"],
)
def test_threshold_setting(threshold, hidden):
    values = pd.Series([4, 5, 6, 30], index=["a", "b", "c", "d"])

    result = suppression.suppress_series(values, threshold=threshold)

    # Threshold 5 hides 4 and 5 for themselves, two entries, so nothing more.
    assert result.mask.tolist()[:4] == hidden
    assert not result.mask[TOTAL]
    assert result.values[TOTAL] == 45


def test_series_complement_smallest_non_zero():
    values = pd.Series([12, 2, 30, 0, 8], index=["a", "b", "c", "d", "e"])

    result = suppression.suppress_series(values, total=52)

    # b (2) is small; the smallest shown non-zero entry is e (8), not d (0).
    assert result.values.tolist() == [12, None, 30, 0, None, 52]
    assert result.primary.tolist() == [False, True, False, False, False, False]
    assert 2 not in result.values.tolist()
    assert 8 not in result.values.tolist()


def test_series_small_total_hidden():
    result = suppression.suppress_series([1, 0, 2])

    # Total 3 is small: hidden with both entries, three hidden in the line.
    assert result.values.tolist() == [None, 0, None, None]


def test_series_total_must_match():
    with pytest.raises(AnalysisError, match="total 50 differs from the sum"):
        suppression.suppress_series([12, 2, 30, 8], total=50)


@pytest.mark.parametrize(
    "bad",
    [[1, -2], [1.5, 2], [1, np.nan]],
    ids=["negative", "fraction", "missing"],
)
def test_invalid_counts_rejected(bad):
    with pytest.raises(AnalysisError, match="counts must be whole numbers"):
        suppression.suppress_series(bad)


def test_invalid_threshold_rejected():
    with pytest.raises(AnalysisError, match="threshold must be a whole number"):
        suppression.suppress_table(LEAKY, threshold=0)


def test_table_with_totals_rejected():
    with pytest.raises(AnalysisError, match="already has a 'Total'"):
        suppression.suppress_table(LEAKY.assign(Total=[18, 19]))


def _long_leaky() -> pd.DataFrame:
    frame = LEAKY.stack().rename("incidents").reset_index()
    return frame.rename(columns={"level_0": "station", "level_1": "group"})


def test_apply_to_long_two_keys():
    result = suppression.apply_to_long(_long_leaky(), "incidents", "station", "group")
    hidden = result[result["suppressed"]]

    assert sorted(zip(hidden["station"], hidden["group"], strict=True)) == [
        ("A", "x"),
        ("A", "y"),
        ("B", "x"),
        ("B", "y"),
    ]
    assert hidden["incidents"].isna().all()
    assert all(value is None for value in hidden["incidents"])
    grand = result[(result["station"] == TOTAL) & (result["group"] == TOTAL)]
    assert grand["incidents"].item() == 37


def test_apply_to_long_missing_rows_zero():
    frame = _long_leaky()
    frame = frame[~((frame["station"] == "B") & (frame["group"] == "z"))]

    result = suppression.apply_to_long(frame, "incidents", "station", "group")
    row = result[(result["station"] == "B") & (result["group"] == "z")]

    assert row["incidents"].item() == 0


def test_apply_to_long_one_key():
    frame = pd.DataFrame({"station": ["A", "B", "C"], "incidents": [40, 2, 9]})

    result = suppression.apply_to_long(frame, "incidents", "station")

    assert result["station"].tolist() == ["A", "B", "C", TOTAL]
    assert result["incidents"].tolist() == [40, None, None, 51]


def test_apply_to_long_missing_column():
    with pytest.raises(MissingColumns, match="group"):
        suppression.apply_to_long(
            _long_leaky().drop(columns="group"), "incidents", "station", "group"
        )
