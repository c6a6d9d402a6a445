"""CompStat comparisons, month arithmetic, trend and aoristic weights."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from analysis import station_extra as extra


@pytest.mark.parametrize(
    ("current", "previous", "score"),
    [
        (9, 4, 2.0),  # 2 * (3 - 2)
        (0, 0, 0.0),
        (12, 0, 2 * math.sqrt(12)),
        (1, 16, -6.0),  # 2 * (1 - 4)
    ],
    ids=["nine-vs-four", "zeros", "zero-previous", "fall"],
)
def test_change_score_hand_values(current, previous, score):
    assert extra.change_score(current, previous) == pytest.approx(score)


@pytest.mark.parametrize(
    ("score", "level"),
    [(0.0, 0), (2.0, 0), (2.01, 2), (-2.5, 2), (3.0, 2), (3.2, 3), (-6.9, 3)],
)
def test_flag_level_passes_two_and_three(score, level):
    assert extra.flag_level(score) == level


def test_percent_needs_base_of_ten():
    assert extra.percent_change(5, 0) is None
    assert extra.percent_change(12, 9) is None
    assert extra.percent_change(15, 10) == pytest.approx(50.0)
    assert extra.percent_change(3, 12) == pytest.approx(-75.0)


def test_month_arithmetic_crosses_years():
    assert extra.shift_month(202401, -1) == 202312
    assert extra.shift_month(202312, 1) == 202401
    assert extra.shift_month(202403, -26) == 202201
    assert extra.month_span(202311, 202402) == [202311, 202312, 202401, 202402]
    assert extra.last_complete_month(dt.date(2026, 1, 4)) == 202512


@pytest.mark.parametrize("month", [0, 202413, 202400, "2024-03"])
def test_invalid_month_rejected(month):
    with pytest.raises(extra.MonthError, match="YYYYMM"):
        extra.check_month(month)


def test_28_day_windows_of_march_2024():
    (start, end), (before_start, before_end) = extra.twenty_eight_day_windows(202403)

    assert (start, end) == (dt.date(2024, 3, 4), dt.date(2024, 3, 31))
    assert (before_start, before_end) == (dt.date(2024, 2, 5), dt.date(2024, 3, 3))


def test_compstat_rows_hand_computed():
    monthly = pd.DataFrame(
        [
            (202303, "0501", 4),
            (202301, "0501", 8),
            (202401, "0501", 3),
            (202402, "02011", 5),
            (202403, "0501", 12),
            (202403, "02011", 3),
        ],
        columns=["month", "iccs_code", "count"],
    )
    daily = pd.DataFrame(
        [
            (dt.date(2024, 3, 2), "0501", 1),  # in the 28 days before
            (dt.date(2024, 3, 4), "0501", 11),
            (dt.date(2024, 2, 4), "02011", 2),  # in neither window
            (dt.date(2024, 2, 5), "02011", 3),
        ],
        columns=["day", "iccs_code", "count"],
    )
    groups = [("all", ()), ("05", ("05",)), ("02", ("02",))]

    rows = extra.compstat_rows(monthly, daily, 202403, groups)
    table = rows.set_index(["group", "comparison"])

    burglary_month = table.loc[("05", "month")]
    assert burglary_month["current"] == 12
    assert burglary_month["previous"] == 0
    assert burglary_month["score"] == pytest.approx(2 * math.sqrt(12))
    assert burglary_month["flag"] == 3
    assert pd.isna(burglary_month["percent"])
    burglary_ytd = table.loc[("05", "ytd")]
    assert (burglary_ytd["current"], burglary_ytd["previous"]) == (15, 12)
    assert burglary_ytd["percent"] == pytest.approx(25.0)
    assert burglary_ytd["flag"] == 0
    assert table.loc[("05", "days28"), "current"] == 11
    assert table.loc[("05", "days28"), "previous"] == 1
    assert table.loc[("02", "days28"), "previous"] == 3
    assert table.loc[("02", "year"), "previous"] == 0
    assert table.loc[("all", "year"), "previous"] == 4
    assert table.loc[("all", "ytd"), "current"] == 23
    assert table.loc[("all", "ytd"), "difference"] == 11


def test_thirteen_months_moving_average():
    totals = pd.Series({202401: 3.0, 202402: 6.0, 202403: 9.0, 202303: 2.0})

    trend = extra.thirteen_months(totals, 202403)

    assert list(trend["month"])[0] == 202303
    assert list(trend["month"])[-1] == 202403
    last = trend.iloc[-1]
    assert last["count"] == 9
    assert last["year_before"] == 2
    assert last["moving_average"] == pytest.approx(6.0)
    assert trend.iloc[0]["count"] == 2
    assert trend.iloc[0]["moving_average"] == pytest.approx(2 / 3)


def test_aoristic_eight_hour_window_spreads_eighths():
    starts = pd.Series(pd.to_datetime(["2024-03-04 22:00", "2024-03-05 10:30"]))
    ends = pd.Series(pd.to_datetime(["2024-03-05 06:00", None]))

    weights = extra.aoristic_weights(starts, ends)

    monday, tuesday = 0, 1
    assert weights.sum() == pytest.approx(2.0)
    assert weights[monday, 22] == pytest.approx(1 / 8)
    assert weights[monday, 23] == pytest.approx(1 / 8)
    for hour in range(6):
        assert weights[tuesday, hour] == pytest.approx(1 / 8)
    assert weights[tuesday, 6] == 0
    assert weights[tuesday, 10] == pytest.approx(1.0)


def test_aoristic_half_hours_split_by_overlap():
    starts = pd.Series(pd.to_datetime(["2024-03-06 10:30"]))
    ends = pd.Series(pd.to_datetime(["2024-03-06 12:30"]))

    weights = extra.aoristic_weights(starts, ends)

    wednesday = 2
    assert weights[wednesday, 10] == pytest.approx(0.25)
    assert weights[wednesday, 11] == pytest.approx(0.5)
    assert weights[wednesday, 12] == pytest.approx(0.25)
    assert np.count_nonzero(weights) == 3
