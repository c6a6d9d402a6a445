"""Moving averages, the 13-month comparison, expected bands and their sentences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import trends
from analysis.errors import AnalysisError, MissingColumns


def test_moving_average_trailing_three_months():
    result = trends.moving_average(pd.Series([3, 6, 9, 12]))

    assert result.iloc[:2].isna().all()
    assert result.iloc[2] == pytest.approx(6.0)  # (3 + 6 + 9) / 3
    assert result.iloc[3] == pytest.approx(9.0)  # (6 + 9 + 12) / 3


def test_moving_average_unknown_month_propagates():
    result = trends.moving_average(pd.Series([np.nan, 6, 9, 12]))

    assert math.isnan(result.iloc[2])
    assert result.iloc[3] == pytest.approx(9.0)


@pytest.mark.parametrize("window", [0, -1, 2.5, True], ids=str)
def test_moving_average_invalid_window_rejected(window):
    with pytest.raises(AnalysisError, match="window must be"):
        trends.moving_average(pd.Series([1, 2, 3]), window)


def _ramp(first: int, last: int) -> pd.Series:
    """Return counts where month m of year y has m + 10 * (y - 2022) incidents."""
    months = [
        y * 100 + m
        for y in range(first // 100, last // 100 + 1)
        for m in range(1, 13)
        if first <= y * 100 + m <= last
    ]
    return pd.Series([m % 100 + 10 * (m // 100 - 2022) for m in months], index=months)


def test_thirteen_months_by_hand():
    table = trends.thirteen_month_comparison(_ramp(202201, 202403), "2024-03")

    assert table["month"].tolist()[0] == 202303
    assert table["month"].tolist()[-1] == 202403
    assert len(table) == 13
    last = table.iloc[-1]
    assert last["count"] == 23  # March 2024: 3 + 20
    assert last["year_before"] == 13  # March 2023: 3 + 10
    assert last["difference"] == 10
    assert last["moving_average"] == pytest.approx(22.0)  # (21 + 22 + 23) / 3
    assert last["moving_average_year_before"] == pytest.approx(12.0)  # (11+12+13)/3
    first = table.iloc[0]
    assert first["year_before"] == 3  # March 2022
    assert first["moving_average_year_before"] == pytest.approx(2.0)  # (1+2+3)/3


def test_thirteen_months_missing_month_counts_zero():
    counts = _ramp(202201, 202403).drop(202402)
    table = trends.thirteen_month_comparison(counts, 202403)

    last = table.iloc[-1]
    assert table.iloc[-2]["count"] == 0
    assert last["moving_average"] == pytest.approx((21 + 0 + 23) / 3)


def test_thirteen_months_before_first_month_unknown():
    counts = _ramp(202203, 202403)
    table = trends.thirteen_month_comparison(counts, 202403, first_month=202203)

    first = table.iloc[0]
    assert first["year_before"] == 3  # March 2022 is covered
    # The average of March 2022 needs January and February 2022.
    assert math.isnan(first["moving_average_year_before"])
    assert table.iloc[2]["moving_average_year_before"] == pytest.approx(4.0)


def _burglary_history() -> pd.DataFrame:
    """Return burglary counts from January 2021 to March 2024.

    January: 4, 5, 6 then 9; February: 10 each year then 2; March: 20, 25, 30
    then 41. Every other month has none.
    """
    january = {2021: 4, 2022: 5, 2023: 6, 2024: 9}
    february = {2021: 10, 2022: 10, 2023: 10, 2024: 2}
    march = {2021: 20, 2022: 25, 2023: 30, 2024: 41}
    rows = []
    for year in range(2021, 2025):
        for number in range(1, 13 if year < 2024 else 4):
            by_month = {1: january, 2: february, 3: march}.get(number, {})
            count = by_month.get(year, 0)
            rows.append(
                {"category": "0501", "month": year * 100 + number, "count": count}
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("month", "expected", "lower", "upper", "flag"),
    [
        # (20 + 25 + 30) / 3 = 25; 25 +/- 2 * 5 = 15 to 35; 41 is above.
        (202403, 25.0, 15.0, 35.0, "above"),
        # (10 + 10 + 10) / 3 = 10; 10 +/- 2 * 3.1623 = 3.675 to 16.325; 2 below.
        (202402, 10.0, 10 - 2 * math.sqrt(10), 10 + 2 * math.sqrt(10), "below"),
        # (4 + 5 + 6) / 3 = 5; 5 +/- 2 * 2.2361 = 0.528 to 9.472; 9 inside.
        (202401, 5.0, 5 - 2 * math.sqrt(5), 5 + 2 * math.sqrt(5), None),
    ],
    ids=["above", "below", "inside"],
)
def test_expected_band_by_hand(month, expected, lower, upper, flag):
    band = trends.expected_band(_burglary_history(), by=["category"])
    row = band.set_index("month").loc[month]

    assert row["expected"] == pytest.approx(expected)
    assert row["lower"] == pytest.approx(lower)
    assert row["upper"] == pytest.approx(upper)
    assert row["flag"] == flag


def test_expected_band_needs_three_years():
    band = trends.expected_band(_burglary_history(), by=["category"])
    without = band[band["month"] < 202401]

    assert without["expected"].isna().all()
    assert without["flag"].isna().all()
    assert band[band["month"] == 202303]["count"].item() == 30


def test_expected_band_floor_flags_three():
    history = _burglary_history().assign(count=0)
    history.loc[history["month"] == 202403, "count"] = 3
    history.loc[history["month"] == 202402, "count"] = 2

    band = trends.expected_band(history).set_index("month")

    # Expected 0: the variance floor of 1 gives a band of 0 to 2.
    assert band.loc[202403, "expected"] == 0.0
    assert band.loc[202403, "lower"] == 0.0
    assert band.loc[202403, "upper"] == pytest.approx(2.0)
    assert band.loc[202403, "flag"] == "above"  # 3 > 0 + 2 * sqrt(1)
    assert band.loc[202402, "flag"] is None  # 2 is on the edge


def test_expected_band_groups_kept_apart():
    history = pd.concat(
        [_burglary_history(), _burglary_history().assign(category="0201", count=1)]
    )
    band = trends.expected_band(history, by=["category"])

    assert band["category"].unique().tolist() == ["0201", "0501"]
    robbery = band[band["category"] == "0201"].set_index("month")
    assert robbery.loc[202403, "expected"] == pytest.approx(1.0)
    assert robbery.loc[202403, "flag"] is None


def test_expected_band_empty_needs_months():
    empty = pd.DataFrame({"month": [], "count": []})
    with pytest.raises(AnalysisError, match="monthly is empty"):
        trends.expected_band(empty)

    band = trends.expected_band(empty, first_month=202001, last_month=202312)
    assert len(band) == 48
    assert band["count"].sum() == 0


def test_expected_band_missing_column_rejected():
    with pytest.raises(MissingColumns, match="category"):
        trends.expected_band(
            _burglary_history().drop(columns="category"), by=["category"]
        )


def test_describe_flags_sentences():
    band = trends.expected_band(_burglary_history(), by=["category"])

    sentences = trends.describe_flags(band, {"0501": "Burglary"}, "Castries North")

    assert sentences == [
        "Burglary in Castries North, February 2024: 2 incidents, expected 10 "
        "(band 3.7 to 16.3).",
        "Burglary in Castries North, March 2024: 41 incidents, expected 25 "
        "(band 15 to 35).",
    ]


def test_describe_flags_without_categories():
    flags = pd.DataFrame(
        {
            "month": [202401],
            "count": [1],
            "expected": [8.0],
            "lower": [2.4],
            "upper": [13.7],
            "flag": ["below"],
        }
    )
    assert trends.describe_flags(flags, None, "Gros Islet") == [
        "All offences in Gros Islet, January 2024: 1 incident, expected 8 "
        "(band 2.4 to 13.7)."
    ]
