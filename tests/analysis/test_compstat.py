"""CompStat measures and tables, checked against counts worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import compstat
from analysis.errors import AnalysisError, InvalidMonth, MissingColumns


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (9, 4, 2.0),  # 2 * (3 - 2)
        (0, 0, 0.0),
        (12, 0, 2 * math.sqrt(12)),  # a zero base: 2 * sqrt(n) = 6.928
        (1, 16, -6.0),  # 2 * (1 - 4)
        (12.5, 12.5, 0.0),  # a mean base
    ],
    ids=["nine-vs-four", "zeros", "zero-previous", "fall", "mean-base"],
)
def test_change_score_hand_values(current, previous, expected):
    assert compstat.change_score(current, previous) == pytest.approx(expected)


@pytest.mark.parametrize("value", [-1, float("nan"), "3"], ids=["neg", "nan", "text"])
def test_change_score_rejects_non_counts(value):
    with pytest.raises(AnalysisError, match="current must be a count"):
        compstat.change_score(value, 3)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0.0, 0),
        (2.0, 0),
        (2.01, 2),
        (-2.5, 2),
        (3.0, 2),
        (3.01, 3),
        (-6.9, 3),
    ],
    ids=[
        "zero",
        "two-exact",
        "past-two",
        "fall-past-two",
        "three-exact",
        "past-three",
        "big-fall",
    ],
)
def test_flag_level_passes_two_and_three(score, level):
    assert compstat.flag_level(score) == level


@pytest.mark.parametrize(
    ("current", "base", "min_base", "expected"),
    [
        (5, 0, 10, None),
        (5, 0, 0, None),  # never divides by zero, even with no minimum
        (12, 9, 10, None),  # base 9 is below 10
        (15, 10, 10, 50.0),  # base 10 is enough: 100 * 5 / 10
        (3, 12, 10, -75.0),  # 100 * -9 / 12
        (12, 9, 5, 100 * 3 / 9),
    ],
    ids=["zero-base", "zero-base-no-min", "base-9", "base-10", "fall", "min-5"],
)
def test_percent_change_base_rule(current, base, min_base, expected):
    result = compstat.percent_change(current, base, min_base)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


def _incidents(*groups: tuple[str, str, int]) -> pd.DataFrame:
    """Build incident rows from ``(category, date, how many)`` groups."""
    rows = [
        {"occurred_date": pd.Timestamp(day), "category": category}
        for category, day, count in groups
        for _ in range(count)
    ]
    return pd.DataFrame(rows)


# March 2024: the last 28 days are 4 to 31 March and the 28 days before them are
# 5 February to 3 March.
MARCH_2024 = _incidents(
    ("05", "2024-03-10", 12),  # this month, last 28 days
    ("05", "2023-03-15", 9),  # same month last year
    ("05", "2024-01-20", 3),  # year to date only
    ("02", "2024-03-02", 5),  # this month, but in the previous 28 days
    ("02", "2024-03-20", 10),  # this month, last 28 days
    ("02", "2024-02-03", 4),  # previous month, before the previous 28 days
    ("02", "2024-02-29", 6),  # previous month, previous 28 days
    ("02", "2023-03-05", 10),  # same month last year
    ("02", "2023-02-01", 2),  # last year to date
    ("02", "2022-12-31", 1),  # outside every span
)

# Columns: this, previous, same month last year, last 28, previous 28, ytd, ytd
# last year. 05: ytd 12 + 3 = 15. 02: this 5 + 10, previous 4 + 6, previous 28
# days 5 + 6, ytd 15 + 10, ytd last year 10 + 2. Total: the sum of the two.
EXPECTED_COUNTS = {
    "02": [15, 10, 10, 10, 11, 25, 12],
    "05": [12, 0, 9, 12, 0, 15, 9],
    "07": [0, 0, 0, 0, 0, 0, 0],
    compstat.TOTAL: [27, 10, 19, 22, 11, 40, 21],
}
COUNT_COLUMNS = [
    "this_month",
    "previous_month",
    "same_month_last_year",
    "last_28_days",
    "previous_28_days",
    "ytd",
    "ytd_last_year",
]

MONTHLY_COLUMNS = [c for c in COUNT_COLUMNS if "28" not in c]


def test_compstat_table_counts_by_hand():
    table = compstat.compstat_table(MARCH_2024, "2024-03", ["02", "05", "07"])

    assert table["category"].tolist() == ["02", "05", "07", compstat.TOTAL]
    for row in table.itertuples():
        expected = EXPECTED_COUNTS[row.category]
        assert [getattr(row, c) for c in COUNT_COLUMNS] == expected, row.category


@pytest.mark.parametrize(
    ("category", "comparison", "difference", "score", "flag", "percent"),
    [
        # 12 against a zero base: score 2 * sqrt(12), no percent.
        ("05", "month_on_month", 12, 2 * math.sqrt(12), 3, None),
        # 12 against a base of 9: 2 * (3.4641 - 3) = 0.928, base below 10.
        ("05", "year_on_year", 3, 2 * (math.sqrt(12) - 3), 0, None),
        # 15 against a base of 10: 2 * (3.8730 - 3.1623) = 1.421, +50%.
        ("02", "month_on_month", 5, 2 * (math.sqrt(15) - math.sqrt(10)), 0, 50.0),
        # 10 against 11: 2 * (3.1623 - 3.3166) = -0.309, 100 * -1 / 11.
        ("02", "days_28", -1, 2 * (math.sqrt(10) - math.sqrt(11)), 0, -100 / 11),
        # 25 against 12: 2 * (5 - 3.4641) = 3.072, 100 * 13 / 12.
        ("02", "year_to_date", 13, 2 * (5 - math.sqrt(12)), 3, 1300 / 12),
        # Total 27 against 10: 2 * (5.1962 - 3.1623) = 4.068, +170%.
        (
            compstat.TOTAL,
            "month_on_month",
            17,
            2 * (math.sqrt(27) - math.sqrt(10)),
            3,
            170.0,
        ),
        # Nothing against nothing.
        ("07", "year_on_year", 0, 0.0, 0, None),
    ],
    ids=[
        "zero-base",
        "base-9",
        "base-10",
        "days-28-fall",
        "ytd-rise",
        "total",
        "empty-category",
    ],
)
def test_compstat_table_comparisons_by_hand(
    category, comparison, difference, score, flag, percent
):
    table = compstat.compstat_table(MARCH_2024, 202403, ["02", "05", "07"])
    row = table.set_index("category").loc[category]

    assert row[f"{comparison}_difference"] == difference
    assert row[f"{comparison}_score"] == pytest.approx(score)
    assert row[f"{comparison}_flag"] == flag
    if percent is None:
        assert row[f"{comparison}_percent"] is None
    else:
        assert row[f"{comparison}_percent"] == pytest.approx(percent)


def test_compstat_table_default_categories_sorted():
    table = compstat.compstat_table(MARCH_2024, pd.Period("2024-03", "M"))
    assert table["category"].tolist() == ["02", "05", compstat.TOTAL]


def test_compstat_from_monthly_matches_incidents():
    monthly = MARCH_2024.assign(
        month=MARCH_2024["occurred_date"].dt.year * 100
        + MARCH_2024["occurred_date"].dt.month
    )
    monthly = monthly.groupby(["category", "month"]).size().rename("count")
    monthly = monthly.reset_index()
    # Split one count over two rows to check that rows are added up.
    monthly = pd.concat(
        [monthly, pd.DataFrame([{"category": "05", "month": 202403, "count": 0}])]
    )

    table = compstat.compstat_from_monthly(monthly, "2024-03", ["02", "05", "07"])

    assert "last_28_days" not in table
    assert "days_28_score" not in table
    for row in table.itertuples():
        expected = EXPECTED_COUNTS[row.category]
        by_column = dict(zip(COUNT_COLUMNS, expected, strict=True))
        for column in MONTHLY_COLUMNS:
            assert getattr(row, column) == by_column[column], (row.category, column)
    assert table.loc[0, "month_on_month_percent"] == pytest.approx(50.0)


def test_compstat_from_monthly_crosses_new_year():
    # January 2024: previous month is December 2023, ytd is January alone.
    monthly = pd.DataFrame(
        {
            "category": ["05", "05", "05", "05"],
            "month": [202401, 202312, 202301, 202212],
            "count": [4, 7, 2, 30],
        }
    )
    row = compstat.compstat_from_monthly(monthly, 202401).iloc[0]

    assert row["this_month"] == 4
    assert row["previous_month"] == 7
    assert row["same_month_last_year"] == 2
    assert row["ytd"] == 4
    assert row["ytd_last_year"] == 2


def test_compstat_table_missing_column_rejected():
    with pytest.raises(MissingColumns, match="incidents lacks the columns"):
        compstat.compstat_table(MARCH_2024.drop(columns="category"), 202403)


@pytest.mark.parametrize("month", [202413, "March 2024", 2024], ids=str)
def test_compstat_table_invalid_month_rejected(month):
    with pytest.raises(InvalidMonth, match="month"):
        compstat.compstat_table(MARCH_2024, month)
