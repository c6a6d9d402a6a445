"""Aoristic weights by weekday and hour, checked on windows drawn by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import temporal
from analysis.errors import AnalysisError

# 4 March 2024 was a Monday (weekday 0) and 10 March 2024 a Sunday (weekday 6).


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # 8 hours from midnight: 1/8 to each of hours 0 to 7.
        (
            "2024-03-04 00:00",
            "2024-03-04 08:00",
            {(0, hour): 1 / 8 for hour in range(8)},
        ),
        # 90 minutes: 30 of them in hour 9 (1/3), 60 in hour 10 (2/3).
        ("2024-03-04 09:30", "2024-03-04 11:00", {(0, 9): 1 / 3, (0, 10): 2 / 3}),
        # Across midnight into Monday: 30 minutes each side.
        ("2024-03-10 23:30", "2024-03-11 00:30", {(6, 23): 0.5, (0, 0): 0.5}),
        # A known time: all of it to the start hour.
        ("2024-03-05 14:59", "2024-03-05 14:59", {(1, 14): 1.0}),
        # No end: all of it to the start hour.
        ("2024-03-05 14:10", None, {(1, 14): 1.0}),
        # Inside one hour: 14:10 to 14:50 stays in hour 14.
        ("2024-03-05 14:10", "2024-03-05 14:50", {(1, 14): 1.0}),
        # 22:00 Friday to 06:00 Saturday: 8 hours, 2 on Friday and 6 on Saturday.
        (
            "2024-03-08 22:00",
            "2024-03-09 06:00",
            {(4, 22): 1 / 8, (4, 23): 1 / 8} | {(5, hour): 1 / 8 for hour in range(6)},
        ),
    ],
    ids=[
        "eight-hours",
        "partial-hours",
        "midnight",
        "instant",
        "no-end",
        "within-hour",
        "overnight",
    ],
)
def test_aoristic_single_window_by_hand(start, end, expected):
    result = temporal.aoristic_weights([start], [end])

    expected_table = np.zeros((7, 24))
    for (weekday, hour), weight in expected.items():
        expected_table[weekday, hour] = weight
    np.testing.assert_allclose(result.table.to_numpy(), expected_table, atol=1e-12)
    assert result.counted == 1


def test_aoristic_table_shape_and_labels():
    table = temporal.aoristic_weights(["2024-03-04 00:00"], [None]).table

    assert table.shape == (7, 24)
    assert table.index.tolist() == list(range(7))
    assert table.columns.tolist() == list(range(24))
    assert table.index.name == "weekday"


def test_aoristic_weights_add_up():
    starts = ["2024-03-04 00:00", "2024-03-04 09:30", "2024-03-04 00:15"]
    ends = ["2024-03-04 08:00", "2024-03-04 11:00", None]

    result = temporal.aoristic_weights(starts, ends)

    assert result.table.to_numpy().sum() == pytest.approx(3.0)
    # Monday 00:00: 1/8 from the first window and 1 from the third incident.
    assert result.table.loc[0, 0] == pytest.approx(1.125)


def test_aoristic_leaves_out_bad_windows():
    starts = pd.Series(
        pd.to_datetime(
            ["2024-03-04 00:00", "2024-03-04 09:00", None, "2024-03-01 00:00"]
        )
    )
    ends = pd.Series(
        pd.to_datetime(
            ["2024-03-04 01:00", "2024-03-04 08:00", None, "2024-03-09 00:00"]
        )
    )

    result = temporal.aoristic_weights(starts, ends)

    assert result.counted == 1
    assert result.reversed == 1  # ends at 08:00, before its start at 09:00
    assert result.missing_start == 1
    assert result.too_long == 1  # 8 days is over the 7-day maximum
    assert result.table.loc[0, 0] == pytest.approx(1.0)
    assert result.table.to_numpy().sum() == pytest.approx(1.0)


def test_aoristic_max_hours_setting():
    # 48 hours: counted with the default maximum, left out with 24.
    start, end = ["2024-03-04 00:00"], ["2024-03-06 00:00"]

    spread = temporal.aoristic_weights(start, end)
    limited = temporal.aoristic_weights(start, end, max_hours=24)

    assert spread.table.loc[0, 5] == pytest.approx(1 / 48)
    assert limited.counted == 0
    assert limited.too_long == 1


def test_aoristic_zone_aware_reads_clock():
    start = pd.Series(pd.to_datetime(["2024-03-04 21:00"])).dt.tz_localize(
        "America/St_Lucia"
    )

    table = temporal.aoristic_weights(start, [None]).table

    assert table.loc[0, 21] == pytest.approx(1.0)


def test_aoristic_length_mismatch_rejected():
    with pytest.raises(AnalysisError, match="start has 2 values but end has 1"):
        temporal.aoristic_weights(["2024-03-04", "2024-03-05"], ["2024-03-05"])


def test_aoristic_invalid_date_rejected():
    with pytest.raises(AnalysisError, match="start contains an invalid date-time"):
        temporal.aoristic_weights(["yesterday night"], [None])


def test_aoristic_max_hours_positive():
    with pytest.raises(AnalysisError, match="max_hours must be positive"):
        temporal.aoristic_weights(["2024-03-04"], [None], max_hours=0)


def test_aoristic_ten_thousand_windows():
    rng = np.random.default_rng(1)
    starts = pd.Timestamp("2024-01-01") + pd.to_timedelta(
        rng.integers(0, 365 * 86_400, 10_000), unit="s"
    )
    ends = starts + pd.to_timedelta(rng.integers(0, 6 * 86_400, 10_000), unit="s")

    result = temporal.aoristic_weights(starts, ends)

    assert result.counted == 10_000
    assert result.table.to_numpy().sum() == pytest.approx(10_000)
    assert (result.table.to_numpy() > 0).all()
