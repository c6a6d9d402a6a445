"""Strategy view measures against values worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import strategy_extra as extra
from analysis.errors import AnalysisError

STATIONS = pd.DataFrame(
    {
        "id": [1, 2],
        "code": ["CAS", "GRI"],
        "name": ["Castries", "Gros Islet"],
        "division_name": ["North", "North"],
    }
)


def test_period_index_counts_back_whole_years():
    months = [202412, 202401, 202312, 202301, 202212, 202501]

    periods = extra.period_index(months, 202412)

    assert periods.tolist() == [0, 0, 1, 1, 2, -1]


@pytest.mark.parametrize(
    ("count", "population", "expected"),
    [(25, 5000, 50.0), (7, 7000, 10.0), (3, None, None), (3, 0, None)],
    ids=["rate", "estimate", "no-population", "zero-population"],
)
def test_rate_per_ten_thousand(count, population, expected):
    assert extra.rate_per(count, population) == expected


def test_rate_per_rejects_negative_count():
    with pytest.raises(AnalysisError, match="must not be negative"):
        extra.rate_per(-1, 100)


def _station_table():
    counts = pd.DataFrame(
        {
            "station_id": [1, 1, 1, 1, 2],
            "month": [202403, 202303, 202401, 202206, 202310],
            "count": [16, 4, 3, 5, 7],
        }
    )
    populations = pd.DataFrame(
        {
            "code": ["CAS"],
            "year": [2023],
            "population": [8000.0],
            "is_estimate": [True],
        }
    )
    quality = pd.DataFrame(
        {"station_id": [1, 1], "incidents": [6, 4], "without_coordinates": [1, 0]}
    )
    return extra.station_table(STATIONS, counts, populations, quality, 202403)


def test_station_table_month_change_score():
    table = _station_table().set_index("code")

    # 2 * (sqrt(16) - sqrt(4)) = 4.
    assert table.loc["CAS", "count"] == 16
    assert table.loc["CAS", "previous"] == 4
    assert table.loc["CAS", "score"] == pytest.approx(4.0)
    assert table.loc["CAS", "flag"] == 3
    assert table.loc["GRI", "score"] == 0.0
    assert table.loc["GRI", "flag"] == 0


def test_station_table_twelve_months_and_rate():
    table = _station_table().set_index("code")

    # April 2023 to March 2024: 16 + 3; April 2022 to March 2023: 4 + 5.
    assert table.loc["CAS", "twelve_months"] == 19
    assert table.loc["CAS", "twelve_months_before"] == 9
    assert table.loc["CAS", "score_12"] == pytest.approx(
        2 * (math.sqrt(19) - 3), abs=1e-9
    )
    assert table.loc["CAS", "flag_12"] == 2
    assert table.loc["CAS", "rate"] == pytest.approx(19 / 8000 * 10_000)
    assert bool(table.loc["CAS", "is_estimate"]) is True
    assert table.loc["GRI", "twelve_months"] == 7
    assert table.loc["GRI", "rate"] is None


def test_station_table_coordinate_share():
    table = _station_table().set_index("code")

    assert table.loc["CAS", "with_coordinates"] == pytest.approx(0.9)
    assert table.loc["GRI", "with_coordinates"] is None


def _persons():
    rows = [
        ("F", "0-9", 1),
        ("F", "10-14", 2),
        ("F", "15-17", 3),
        ("M", "18-24", 4),
        ("M", "25-29", 5),
        ("M", "30-44", 6),
        ("M", "unknown", 7),
    ]
    frame = pd.DataFrame(rows, columns=["sex", "age_band", "persons"])
    frame = frame.assign(month=202403, person_role="victim")
    earlier = frame.assign(month=202303, persons=frame["persons"] * 10)
    return pd.concat([frame, earlier], ignore_index=True)


@pytest.mark.parametrize(
    ("band", "female", "male"),
    [("10-29", 5, 9), ("15-24", 3, 4), ("15-29", 3, 9)],
    ids=["10-29", "15-24", "15-29"],
)
def test_youth_summary_band_switch(band, female, male):
    summary = extra.youth_summary(_persons(), band, 202403)
    latest = summary[summary["period"] == 0].set_index("sex")

    assert latest.loc["F", "youth"] == female
    assert latest.loc["M", "youth"] == male
    assert latest.loc["F", "total"] == 6
    assert latest.loc["M", "known_age"] == 15
    assert latest.loc["M", "total"] == 22


def test_youth_summary_periods_by_year():
    summary = extra.youth_summary(_persons(), "10-29", 202403)
    earlier = summary[summary["period"] == 1].set_index("sex")

    assert earlier.loc["F", "end_month"] == 202303
    assert earlier.loc["F", "youth"] == 50


def test_youth_summary_rejects_unknown_band():
    with pytest.raises(AnalysisError, match="youth band '12-30' is unknown"):
        extra.youth_summary(_persons(), "12-30", 202403)


def test_firearm_share_by_code():
    counts = pd.DataFrame(
        {
            "month": [202403, 202402, 202403, 202303],
            "code": ["0101", "0101", "0401", "0101"],
            "incidents": [3, 1, 5, 2],
            "firearm_incidents": [2, 1, 0, 0],
        }
    )

    shares = extra.firearm_shares(counts, 202403).set_index(["period", "code"])

    assert shares.loc[(0, "0101"), "share"] == pytest.approx(0.75)
    assert shares.loc[(0, "0401"), "share"] == 0.0
    assert shares.loc[(1, "0101"), "share"] == 0.0
    assert shares.loc[(1, "0101"), "end_month"] == 202303


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((3, 1, 2, 0, 4), "2 to 7 days"),
        ((5, 0, 0, 0, 5), "same day"),
        ((0, 0, 0, 1, 0), "8 to 30 days"),
        ((3, 1, 3, 11, 21), "31 days or more"),
        ((0, 0, 0, 0, 0), None),
    ],
    ids=["middle", "lower-median", "one", "late", "none-known"],
)
def test_median_delay_band(counts, expected):
    columns = [column for column, _ in extra.DELAY_BANDS]

    assert extra.median_delay_band(dict(zip(columns, counts, strict=True))) == expected


def test_months_without_records_as_runs():
    span = [202401, 202402, 202403, 202404, 202405, 202406]

    runs = extra.months_without_records([202402, 202405], span)

    assert runs == [(202401, 202401), (202403, 202404), (202406, 202406)]


def test_months_without_records_across_year():
    span = [202311, 202312, 202401, 202402]

    assert extra.months_without_records([202402], span) == [(202311, 202401)]


def test_quality_measures_shares():
    counts = {
        "incidents": 40,
        "without_coordinates": 6,
        "offences": 41,
        "unmapped_offences": 3,
        "victims": 6,
        "victims_missing_age": 1,
        "victims_missing_sex": 2,
        "delay_days_0": 3,
    }

    measures = extra.quality_measures(counts)

    assert measures["with_coordinates"] == pytest.approx(0.85)
    assert measures["mapping_coverage"] == pytest.approx(38 / 41)
    assert measures["victim_age_complete"] == pytest.approx(5 / 6)
    assert measures["victim_sex_complete"] == pytest.approx(4 / 6)
    assert measures["median_delay"] == "same day"


def test_quality_measures_without_victims():
    measures = extra.quality_measures({"incidents": 2, "offences": 2})

    assert measures["victim_age_complete"] is None
    assert measures["median_delay"] is None


def test_describe_band_flags_names_unit():
    flags = pd.DataFrame(
        {
            "category": ["05", "01", "05"],
            "month": [202403, 202403, 202402],
            "count": [25, 1, 9],
            "expected": [12.0, 8.0, 9.0],
            "lower": [5.07, 2.34, 3.0],
            "upper": [18.93, 13.66, 15.0],
            "flag": ["above", "below", None],
        }
    )

    sentences = extra.describe_band_flags(
        flags, {"05": "Burglary"}, "Saint Lucia", "offences"
    )

    assert sentences == [
        "01, Saint Lucia, March 2024: 1 offence, below the expected 8 "
        "(band 2.3 to 13.7).",
        "Burglary, Saint Lucia, March 2024: 25 offences, above the expected 12 "
        "(band 5.1 to 18.9).",
    ]
