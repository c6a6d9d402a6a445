"""Record quality measures and activity gaps, checked against hand counts."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import quality
from analysis.errors import AnalysisError, MissingColumns

ZERO = dict.fromkeys(quality.COUNT_COLUMNS, 0)


def _row(station: int, month: int, **counts) -> dict:
    return {"station_id": station, "month": month, **ZERO, **counts}


# Station 1: January and March 2024, nothing in February.
# Station 2: January 2024. Station 3: a row with no incidents.
ROWS = pd.DataFrame(
    [
        _row(
            1,
            202401,
            incidents=20,
            without_coordinates=4,
            offences=25,
            unmapped_offences=5,
            victims=10,
            victims_missing_age=2,
            recorded_late=3,
            delay_days_0=8,
            delay_days_1=4,
            delay_days_2_7=3,
            delay_days_8_30=2,
            delay_days_31_plus=1,
            delay_unknown=2,
        ),
        _row(1, 202402),
        _row(
            1,
            202403,
            incidents=10,
            offences=10,
            victims=5,
            victims_missing_age=1,
            victims_missing_sex=1,
            delay_days_0=6,
            delay_days_1=2,
            delay_days_2_7=2,
        ),
        _row(
            2,
            202401,
            incidents=10,
            without_coordinates=3,
            offences=10,
            delay_days_0=1,
            delay_days_1=1,
            delay_days_2_7=1,
            delay_days_8_30=4,
            delay_days_31_plus=3,
        ),
        _row(3, 202401),
    ]
)


def test_summary_station_one_by_hand():
    summary = quality.quality_summary(ROWS).set_index("station_id")
    one = summary.loc[1]

    assert one["incidents"] == 30
    assert one["share_with_coordinates"] == pytest.approx(26 / 30)  # 30 - 4
    assert one["meets_coordinate_target"] is True  # 0.867 >= 0.85
    assert one["mapping_coverage"] == pytest.approx(30 / 35)  # 35 - 5 mapped
    assert one["victim_age_complete"] == pytest.approx(12 / 15)  # 15 - 3
    assert one["victim_sex_complete"] == pytest.approx(14 / 15)  # 15 - 1
    assert one["late_share"] == pytest.approx(3 / 30)
    # Known delays 14, 6, 5, 2, 1 (28): the 14th shortest is the last same-day.
    assert one["median_delay_band"] == "same day"


def test_summary_station_two_by_hand():
    two = quality.quality_summary(ROWS).set_index("station_id").loc[2]

    assert two["share_with_coordinates"] == pytest.approx(0.7)  # 7 of 10
    assert two["meets_coordinate_target"] is False
    assert two["mapping_coverage"] == pytest.approx(1.0)
    assert two["victim_age_complete"] is None  # no victims
    # Known delays 1, 1, 1, 4, 3: the 5th shortest falls in 8 to 30 days.
    assert two["median_delay_band"] == "8 to 30 days"


def test_summary_no_incidents_gives_none():
    three = quality.quality_summary(ROWS).set_index("station_id").loc[3]

    assert three["share_with_coordinates"] is None
    assert three["meets_coordinate_target"] is None
    assert three["median_delay_band"] is None


def test_summary_all_stations():
    summary = quality.quality_summary(ROWS, by=())

    assert len(summary) == 1
    assert summary.loc[0, "incidents"] == 40
    assert summary.loc[0, "share_with_coordinates"] == pytest.approx(33 / 40)


def test_summary_missing_column_rejected():
    with pytest.raises(MissingColumns, match="delay_unknown"):
        quality.quality_summary(ROWS.drop(columns="delay_unknown"))


@pytest.mark.parametrize(
    ("counts", "band"),
    [
        ((1, 0, 0, 0, 0), "same day"),
        ((1, 1, 0, 0, 0), "same day"),  # 2 known: the 1st is the lower middle
        ((1, 2, 0, 0, 0), "1 day"),  # 3 known: the 2nd
        ((0, 0, 0, 0, 5), "31 days or more"),
        ((2, 0, 1, 0, 2), "2 to 7 days"),  # 5 known: the 3rd
        ((0, 0, 0, 0, 0), None),
    ],
    ids=["one", "even-lower", "odd", "last-band", "middle", "none-known"],
)
def test_median_delay_band_by_hand(counts, band):
    row = dict(zip(quality.DELAY_BANDS, counts, strict=True))
    assert quality.median_delay_band(row) == band


def test_share_none_on_zero():
    assert quality.share(0, 0) is None
    assert quality.share(3, 4) == 0.75


def test_share_part_above_whole_rejected():
    with pytest.raises(AnalysisError, match="part 5 and whole 4"):
        quality.share(5, 4)


def test_activity_gaps_by_hand():
    gaps = quality.activity_gaps(ROWS, 202311, "2024-05", stations=[1, 2, 9])

    assert gaps.to_dict("records") == [
        # Station 1 recorded in January and March only.
        {
            "station_id": 1,
            "first_month": 202311,
            "last_month": 202312,
            "months": 2,
            "kind": "leading",
        },
        {
            "station_id": 1,
            "first_month": 202402,
            "last_month": 202402,
            "months": 1,
            "kind": "inner",
        },
        {
            "station_id": 1,
            "first_month": 202404,
            "last_month": 202405,
            "months": 2,
            "kind": "trailing",
        },
        # Station 2 recorded in January only.
        {
            "station_id": 2,
            "first_month": 202311,
            "last_month": 202312,
            "months": 2,
            "kind": "leading",
        },
        {
            "station_id": 2,
            "first_month": 202402,
            "last_month": 202405,
            "months": 4,
            "kind": "trailing",
        },
        # Station 9 has no rows: November to May is 7 months.
        {
            "station_id": 9,
            "first_month": 202311,
            "last_month": 202405,
            "months": 7,
            "kind": "whole",
        },
    ]


def test_activity_gaps_default_stations():
    gaps = quality.activity_gaps(ROWS, 202401, 202401)

    # In January alone, stations 1 and 2 recorded; station 3's row is empty.
    assert gaps["station_id"].tolist() == [3]
    assert gaps["kind"].tolist() == ["whole"]


def test_activity_gaps_reversed_span_rejected():
    with pytest.raises(AnalysisError, match="before first_month"):
        quality.activity_gaps(ROWS, 202405, 202401)
