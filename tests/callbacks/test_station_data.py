"""Station workspace data read from a small imported warehouse, checked by hand.

The incidents are listed in ``tests.dashboard.station_helpers``.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
from plotly.io.json import to_json_plotly

from callbacks import station as station_callbacks
from callbacks import station_data as data
from data_access.scope import OutOfScope, Scope

MARCH = data.Reading("LCA", "CAS", 202403)
EVERYTHING = Scope.everything()


def _table(engine, reading=MARCH):
    rows = data.read_compstat(engine, EVERYTHING, reading)
    return rows.set_index(["group", "comparison"])


def _row(table, prefix, comparison):
    groups = [
        g for g in table.index.get_level_values(0).unique() if g.startswith(prefix)
    ]
    assert len(groups) == 1, groups
    return table.loc[(groups[0], comparison)]


def test_compstat_all_categories(station_engine):
    table = _table(station_engine)

    month = _row(table, "All", "month")
    assert (month["current"], month["previous"]) == (16, 5)
    assert month["score"] == pytest.approx(2 * (4 - math.sqrt(5)))
    assert month["flag"] == 3
    year = _row(table, "All", "year")
    assert (year["current"], year["previous"]) == (16, 4)
    assert year["score"] == pytest.approx(4.0)
    days = _row(table, "All", "days28")
    # 11 burglaries and 4 assaults from 4 March; 1 burglary on 2 March and 3
    # assaults from 5 February before.
    assert (days["current"], days["previous"]) == (15, 4)
    ytd = _row(table, "All", "ytd")
    assert (ytd["current"], ytd["previous"]) == (24, 12)
    assert ytd["percent"] == pytest.approx(100.0)
    assert ytd["flag"] == 2


def test_compstat_zero_and_small_bases(station_engine):
    table = _table(station_engine)

    burglary = _row(table, "05 ", "month")
    assert (burglary["current"], burglary["previous"]) == (12, 0)
    assert burglary["score"] == pytest.approx(2 * math.sqrt(12))
    assert math.isnan(burglary["percent"])
    assert _row(table, "05 ", "year")["flag"] == 2
    assert _row(table, "05 ", "ytd")["percent"] == pytest.approx(25.0)
    assault = _row(table, "02 ", "month")
    assert (assault["current"], assault["previous"]) == (4, 5)
    assert math.isnan(assault["percent"])
    assert _row(table, "01 ", "month")["current"] == 0
    assert _row(table, "01 ", "month")["score"] == 0


def test_compstat_chosen_category_row(station_engine):
    reading = data.Reading("LCA", "CAS", 202403, categories=("0501",))

    table = _table(station_engine, reading)

    assert _row(table, "0501 Burglary", "month")["current"] == 12
    assert _row(table, "0501 Burglary", "days28")["previous"] == 1


def test_trend_thirteen_months(station_engine):
    trend = data.read_trend(station_engine, EVERYTHING, MARCH).set_index("month")

    assert trend.loc[202403, "count"] == 16
    assert trend.loc[202403, "year_before"] == 4
    assert trend.loc[202403, "moving_average"] == pytest.approx((3 + 5 + 16) / 3)
    assert trend.loc[202303, "count"] == 4
    assert len(trend) == 13


def test_breakdown_not_further_specified(station_engine):
    breakdown = data.read_breakdown(station_engine, EVERYTHING, MARCH)

    rows = [(r["depth"], r["code"], r["name"], r["count"]) for r in breakdown["rows"]]
    assert rows[0][1:] == (
        "02",
        "Acts causing harm or intending to cause harm to the person",
        4,
    )
    assert rows[1] == (1, "02", "not further specified", 1)
    assert (1, "0201", "Assaults and threats", 3) in rows
    assert (0, "05", "Acts against property only", 12) in rows
    assert breakdown["unmapped"] == 0


def test_quality_share_without_coordinates(station_engine):
    quality = data.read_quality(station_engine, EVERYTHING, MARCH)

    assert quality["incidents"] == 16
    assert quality["without_coordinates"] == pytest.approx(1 / 16)
    assert quality["victims_missing_age"] is None


def test_aoristic_table_of_march(station_engine):
    weights = data.read_when(station_engine, EVERYTHING, MARCH)

    assert weights.sum() == pytest.approx(16)
    monday, tuesday, saturday = 0, 1, 5
    assert weights[monday, 22] == pytest.approx(1 / 8)
    assert weights[tuesday, 5] == pytest.approx(1 / 8)
    # Saturday 2 March 10:00 and Saturday 30 March 17:00.
    assert weights[saturday, 10] == pytest.approx(1.0)
    assert weights[saturday, 17] == pytest.approx(1.0)


def test_repeats_top_share_and_knox(station_engine):
    repeats = data.read_repeats(station_engine, EVERYTHING, MARCH)

    # 15 drawn incidents at 8 places; place A holds 8.
    assert repeats["incidents"] == 15
    assert repeats["top_share"] == pytest.approx(8 / 15)
    assert repeats["places"]["count"].iloc[0] == 8
    label, knox = repeats["knox"][0]
    assert label == "Burglary (ICCS 0501)"
    # 3 January and 12 March burglaries in the 12 months: 15 * 14 / 2 pairs.
    assert knox.pairs == 105
    same_place_week = knox.table.set_index(["distance", "days"]).loc[
        ("0-100 m", "0-7 days"), "observed"
    ]
    # Place A on 2, 4, 6, 8, 10, 12, 15, 20 March: pairs at most 7 days apart.
    days = [2, 4, 6, 8, 10, 12, 15, 20]
    close = sum(1 for i, a in enumerate(days) for b in days[i + 1 :] if abs(a - b) <= 7)
    # At place C, 10, 15 and 20 January give two pairs 5 days apart.
    assert same_place_week == close + 2


def test_map_leaves_off_flagged_points(station_engine):
    found = data.read_map(station_engine, EVERYTHING, MARCH, "grid")

    assert len(found.points) == 15
    assert found.left_off == 1
    assert set(found.points.columns) >= {"lon", "lat", "iccs_code", "location_type"}
    assert "source_id" not in found.points.columns
    lon, lat, z = found.surface
    assert sum(v for row in z for v in row if v == v) == 15


def test_map_layer_too_few_says_so(station_engine):
    found = data.read_map(station_engine, EVERYTHING, MARCH, "gi", overlay=True)

    assert found.surface is None
    assert "at least 20" in found.layer_note
    assert found.overlay == []
    assert "not computed" in found.overlay_note


def test_map_update_is_small(station_engine):
    figure, _ = station_callbacks.map_view(
        station_engine, EVERYTHING, MARCH, "kde", 400.0, 250.0, True
    )

    payload = to_json_plotly(figure)
    assert len(payload.encode()) < 300_000
    assert "INC-" not in payload
    assert "house" in payload


def test_station_outside_scope_refused(station_engine):
    scope = Scope(countries=frozenset({"LCA"}), station_code="GRI")

    with pytest.raises(OutOfScope, match="CAS"):
        data.read_compstat(station_engine, scope, MARCH)


def test_default_month_is_last_with_data(station_engine):
    from data_access.station_queries import find_station

    record = find_station(station_engine, EVERYTHING, "LCA", "CAS")

    month = data.default_month(
        station_engine, EVERYTHING, record, "occurred", dt.date(2026, 12, 4)
    )
    recent = data.default_month(
        station_engine, EVERYTHING, record, "occurred", dt.date(2024, 3, 20)
    )

    assert month == 202403
    assert recent == 202402


@pytest.mark.parametrize(
    "reading",
    [
        MARCH,
        data.Reading("LCA", "CAS", 202403, categories=("0501",), unit="offences"),
        data.Reading("LCA", "CAS", 202402, unit="victims", basis="reported"),
    ],
    ids=["incidents", "burglary-offences", "victims-reported"],
)
def test_read_counts_same_as_each_read(station_engine, reading):
    rows, trend, breakdown, quality = data.read_counts(
        station_engine, EVERYTHING, reading
    )

    expected_rows = data.read_compstat(station_engine, EVERYTHING, reading)
    expected_trend = data.read_trend(station_engine, EVERYTHING, reading)
    expected_breakdown = data.read_breakdown(station_engine, EVERYTHING, reading)
    assert rows.equals(expected_rows)
    assert trend.equals(expected_trend)
    assert breakdown["rows"] == expected_breakdown["rows"]
    assert breakdown["unmapped"] == expected_breakdown["unmapped"]
    assert breakdown["national_codes"].equals(expected_breakdown["national_codes"])
    assert quality == data.read_quality(station_engine, EVERYTHING, reading)


@pytest.mark.parametrize(
    "reading",
    [MARCH, data.Reading("LCA", "CAS", 202403, categories=("02",))],
    ids=["all", "assaults"],
)
def test_read_times_places_same_as_each_read(station_engine, reading):
    weights, repeats = data.read_times_places(station_engine, EVERYTHING, reading)

    expected = data.read_repeats(station_engine, EVERYTHING, reading)
    assert (
        weights.tolist() == data.read_when(station_engine, EVERYTHING, reading).tolist()
    )
    assert weights.sum() > 0
    assert repeats["places"].equals(expected["places"])
    assert repeats["top_share"] == expected["top_share"]
    assert repeats["incidents"] == expected["incidents"]
    assert len(repeats["knox"]) == len(expected["knox"])
    for (label, found), (expected_label, wanted) in zip(
        repeats["knox"], expected["knox"], strict=True
    ):
        assert label == expected_label
        assert found.table.equals(wanted.table)
