"""Repeat places and the Knox near-repeat test on hand-drawn points."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from pointpats.spacetime import Knox
from pyproj import Transformer

from analysis import places
from analysis.errors import AnalysisError, TooFewIncidents
from analysis.geo import project_points

# Points are drawn in metres in UTM zone 20N (EPSG:32620), the zone that the
# functions choose for Saint Lucia, around an origin on a multiple of 25 m.
X0, Y0 = 500_000.0, 1_550_000.0
_TO_DEGREES = Transformer.from_crs("EPSG:32620", "EPSG:4326", always_xy=True)


def _points(offsets) -> pd.DataFrame:
    """Return lon/lat rows for ``(dx, dy)`` offsets in metres from the origin."""
    dx, dy = np.asarray(offsets, dtype=float).T
    lon, lat = _TO_DEGREES.transform(X0 + dx, Y0 + dy)
    return pd.DataFrame({"lon": lon, "lat": lat})


def _repeat_places() -> pd.DataFrame:
    """Return 18 incidents at 12 places: 5 at one, 3 at another, 1 at ten more."""
    busiest = [(12.5 + d, 12.5 - d) for d in (-5, -2, 0, 2, 5)]
    second = [(112.5, 12.5), (110.0, 14.0), (115.0, 10.0)]
    singles = [(12.5 + 200 * k, 512.5) for k in range(10)]
    return _points(busiest + second + singles)


def test_top_places_counts_and_share():
    result = places.top_places(_repeat_places(), tolerance_m=25)

    assert result.places["count"].tolist() == [5, 3] + [1] * 10
    assert result.places["rank"].tolist() == [1, 2] + [3] * 10
    assert result.top_places == 2  # ceil(10% of 12 places) = ceil(1.2)
    assert result.places["top"].tolist() == [True, True] + [False] * 10
    assert result.share_top_decile == pytest.approx(8 / 18)  # (5 + 3) / 18


def test_top_places_mean_position():
    busiest = places.top_places(_repeat_places()).places.iloc[0]

    lon, lat = _TO_DEGREES.transform(X0 + 12.5, Y0 + 12.5)
    assert busiest["lon"] == pytest.approx(lon, abs=1e-8)
    assert busiest["lat"] == pytest.approx(lat, abs=1e-8)


@pytest.mark.parametrize(
    ("tolerance", "counts"),
    [(25, [2]), (5, [1, 1])],
    ids=["same-square", "split-squares"],
)
def test_top_places_tolerance_sets_squares(tolerance, counts):
    # 10 m apart: one 25 m square at (0-25, 0-25), but two 5 m squares.
    points = _points([(2.0, 2.0), (12.0, 2.0)])

    result = places.top_places(points, tolerance_m=tolerance)

    assert result.places["count"].tolist() == counts


def test_top_places_skips_missing_coordinates():
    points = pd.concat(
        [_points([(1.0, 1.0)]), pd.DataFrame({"lon": [None], "lat": [None]})]
    )

    result = places.top_places(points)

    assert result.without_coordinates == 1
    assert result.share_top_decile == 1.0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"tolerance_m": 0}, "tolerance_m must be positive"),
        ({"top_share": 1.5}, "top_share must be above 0"),
    ],
    ids=["tolerance", "share"],
)
def test_top_places_invalid_settings_rejected(arguments, message):
    with pytest.raises(AnalysisError, match=message):
        places.top_places(_repeat_places(), **arguments)


# Five incidents drawn by hand, with the day each happened:
#   A (0, 0) day 0, B (50, 0) day 2, C (0, 80) day 1, D (1000, 0) day 30,
#   E (1040, 30) day 3.
# Within 100 m: A-B 50 m, A-C 80 m, B-C 94.3 m, D-E 50 m, so 4 pairs.
# Within 7 days: every pair of days 0, 1, 2 and 3: A-B, A-C, A-E, B-C, B-E,
# C-E, so 6 pairs (D on day 30 is close to none).
# Close in both: A-B, A-C and B-C, so 3 pairs; D-E is 27 days apart.
# Expected: 4 * 6 / 10 pairs = 2.4.
KNOX_POINTS = _points([(0, 0), (50, 0), (0, 80), (1000, 0), (1040, 30)])
KNOX_DAYS = pd.Timestamp("2024-03-01") + pd.to_timedelta([0, 2, 1, 30, 3], unit="D")


def test_knox_pair_counts_by_hand():
    result = places.knox_test(KNOX_POINTS, KNOX_DAYS, distance_m=100, days=7)

    assert result.pairs == 10
    assert result.close_in_space == 4
    assert result.close_in_time == 6
    assert result.observed == 3
    assert result.expected == pytest.approx(2.4)
    assert result.ratio == pytest.approx(3 / 2.4)


def test_knox_p_value_near_exact():
    # Over all 120 orders of the days, 3 close pairs need day 30 on D or E: the
    # triangle A-B-C then has three of days 0 to 3, so p = 2 / 5.
    exact = _exact_knox_p(KNOX_POINTS, KNOX_DAYS, 100, 7, observed=3)
    assert exact == pytest.approx(0.4)

    result = places.knox_test(KNOX_POINTS, KNOX_DAYS, 100, 7, permutations=999)

    # The binomial standard error with 999 draws is sqrt(0.24 / 999) = 0.0155.
    assert result.p_value == pytest.approx(exact, abs=0.05)


def test_knox_same_seed_same_p():
    first = places.knox_test(KNOX_POINTS, KNOX_DAYS, 100, 7, permutations=99, seed=5)
    again = places.knox_test(KNOX_POINTS, KNOX_DAYS, 100, 7, permutations=99, seed=5)

    assert first.p_value == again.p_value


def test_knox_agrees_with_pointpats():
    projected = project_points(KNOX_POINTS)
    days = (KNOX_DAYS - KNOX_DAYS[0]).days.to_numpy(dtype=float).reshape(-1, 1)
    reference = Knox(
        np.column_stack([projected.x, projected.y]),
        days,
        delta=100,
        tau=7,
        permutations=0,
    )

    result = places.knox_test(KNOX_POINTS, KNOX_DAYS, 100, 7, permutations=0)

    assert result.observed == reference.nst
    assert result.expected == pytest.approx(reference.expected[0, 0])
    assert result.p_value is None


def test_near_repeat_bands_by_hand():
    # Distance bands 0-60 m and 60-100 m; time bands 0-1 day and 1-7 days.
    # A-B: 50 m, 2 days. A-C: 80 m, 1 day. B-C: 94.3 m, 1 day. D-E: 50 m, 27.
    table = places.near_repeat_table(
        KNOX_POINTS, KNOX_DAYS, (60, 100), (1, 7), permutations=0
    ).set_index(["distance", "days"])

    assert table.loc[("0-60 m", "0-1 days"), "observed"] == 0
    assert table.loc[("0-60 m", "1-7 days"), "observed"] == 1  # A-B
    assert table.loc[("60-100 m", "0-1 days"), "observed"] == 2  # A-C, B-C
    assert table.loc[("60-100 m", "1-7 days"), "observed"] == 0
    # Pairs by band in space: 0-60 m A-B and D-E, 60-100 m A-C and B-C. Gaps of
    # at most 1 day: A-C, B-C, B-E; of 1 to 7 days: A-B, A-E, C-E. Expected in
    # each cell: 2 * 3 / 10 pairs = 0.6.
    assert table["expected"].tolist() == pytest.approx([0.6, 0.6, 0.6, 0.6])
    assert table.loc[("60-100 m", "0-1 days"), "ratio"] == pytest.approx(2 / 0.6)


def test_near_repeat_left_out_rows():
    times = pd.Series(KNOX_DAYS).astype(object)
    times.iloc[4] = None

    table = places.near_repeat_table(KNOX_POINTS, times, (100,), (7,), 0)

    assert table.attrs["left_out"] == 1
    assert table.attrs["pairs"] == 6  # 4 incidents left


def test_near_repeat_too_few_incidents():
    with pytest.raises(TooFewIncidents, match="at least 2"):
        places.knox_test(KNOX_POINTS.head(1), KNOX_DAYS[:1], 100, 7)


@pytest.mark.parametrize(
    ("distance_bands", "day_bands", "message"),
    [
        ((200, 100), (7,), "distance_bands must be increasing"),
        ((0, 100), (7,), "distance_bands must be increasing"),
        ((100,), (), "day_bands must be increasing"),
    ],
    ids=["decreasing", "zero-distance", "empty"],
)
def test_near_repeat_invalid_bands(distance_bands, day_bands, message):
    with pytest.raises(AnalysisError, match=message):
        places.near_repeat_table(KNOX_POINTS, KNOX_DAYS, distance_bands, day_bands)


def test_near_repeat_length_mismatch_rejected():
    with pytest.raises(AnalysisError, match="times has 4 values"):
        places.knox_test(KNOX_POINTS, KNOX_DAYS[:4], 100, 7)


def _exact_knox_p(points, times, distance, days, observed) -> float:
    """Return the share of all orders of the times with at least ``observed``."""
    projected = project_points(points)
    x, y = projected.x, projected.y
    t = np.asarray((times - times[0]).days, dtype=float)
    pairs = list(itertools.combinations(range(len(t)), 2))
    near = [
        (i, j) for i, j in pairs if math.hypot(x[i] - x[j], y[i] - y[j]) <= distance
    ]
    orders = list(itertools.permutations(t))
    hits = sum(
        sum(abs(order[i] - order[j]) <= days for i, j in near) >= observed
        for order in orders
    )
    return hits / len(orders)
