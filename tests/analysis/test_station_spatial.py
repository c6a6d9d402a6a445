"""Hot spots, top places and the Knox test on hand-drawn points."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import station_spatial as spatial

PROJECTION = spatial.LocalProjection(-61.0, 14.0)


def _points(xy: list[tuple[float, float]], days=None) -> pd.DataFrame:
    x, y = zip(*xy, strict=True)
    lon, lat = PROJECTION.to_degrees(list(x), list(y))
    frame = pd.DataFrame({"lon": lon, "lat": lat})
    if days is not None:
        frame["day"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")
    return frame


def test_projection_round_trip_and_scale():
    lon, lat = PROJECTION.to_degrees([1000.0], [2000.0])
    x, y = PROJECTION.to_metres(lon, lat)

    assert x[0] == pytest.approx(1000.0)
    assert y[0] == pytest.approx(2000.0)
    # One degree of latitude is about 110.6 km.
    assert lat[0] - 14.0 == pytest.approx(2000 / 110_574.0)


def _hot_grid() -> pd.DataFrame:
    """A 7 by 7 grid of 100 m cells: 1 everywhere, 5 around the centre, 20 in it."""
    cells = pd.DataFrame(
        [(col, row) for row in range(7) for col in range(7)], columns=["col", "row"]
    )
    cells["x"] = (cells["col"] + 0.5) * 100
    cells["y"] = (cells["row"] + 0.5) * 100
    near = (abs(cells["col"] - 3) <= 1) & (abs(cells["row"] - 3) <= 1)
    cells["count"] = np.where(near, 5, 1)
    cells.loc[(cells["col"] == 3) & (cells["row"] == 3), "count"] = 20
    return cells


def test_gi_star_finds_hand_drawn_hot_cell():
    cells = _hot_grid()

    result = spatial.getis_ord_hotspots(cells, distance_metres=150, alpha=0.05)

    # Gi* of the centre by hand: its 3 x 3 block sums 8 * 5 + 20 = 60 over
    # W = 9 cells; n = 49, mean = 100 / 49, and S**2 = sum(x**2) / n - mean**2
    # with sum(x**2) = 40 * 1 + 8 * 25 + 400 = 640.
    n, w, mean = 49, 9, 100 / 49
    s = math.sqrt(640 / n - mean**2)
    expected = (60 - mean * w) / (s * math.sqrt((n * w - w**2) / (n - 1)))
    centre = result.cells[(result.cells["col"] == 3) & (result.cells["row"] == 3)]
    assert centre["z"].iloc[0] == pytest.approx(expected)
    assert expected == pytest.approx(5.0968, abs=1e-4)
    assert bool(centre["hot"].iloc[0])
    hot = result.cells[result.cells["hot"]]
    assert set(zip(hot["col"], hot["row"], strict=True)) == {
        (col, row) for col in (2, 3, 4) for row in (2, 3, 4)
    }
    assert not result.cells["cold"].any()
    assert result.distance_metres == 150
    assert result.alpha == 0.05


def test_gi_star_needs_twenty_incidents():
    cells = _hot_grid()
    cells["count"] = 0
    cells.loc[0, "count"] = 19

    with pytest.raises(spatial.TooFewIncidents, match="at least 20"):
        spatial.getis_ord_hotspots(cells, 150)


def test_grid_cells_count_points_per_cell():
    points = _points([(10, 10), (90, 90), (150, 20), (-20, -20)])

    cells = spatial.grid_cells(points, PROJECTION, 100)
    counts = {
        (c, r): n
        for c, r, n in zip(cells["col"], cells["row"], cells["count"], strict=True)
    }

    assert counts[(0, 0)] == 2
    assert counts[(1, 0)] == 1
    assert counts[(-1, -1)] == 1
    assert counts[(0, -1)] == 0
    # Columns -1 to 1 and rows -1 to 0 cover the points.
    assert len(cells) == 6


def test_quartic_kde_integrates_to_point_count():
    points = _points([(0, 0), (50, 0), (400, 300), (420, 310), (900, 900)])

    xs, ys, density = spatial.quartic_kde(points, PROJECTION, 200, 10)

    # Density is per km²; each 10 m cell is 1e-4 km².
    assert density.sum() * 1e-4 == pytest.approx(5, rel=0.01)
    peak = 3 / (math.pi * 200**2) * 1e6
    assert density.max() >= peak


def test_kde_refuses_four_points():
    with pytest.raises(spatial.TooFewIncidents, match="at least 5"):
        spatial.quartic_kde(_points([(0, 0)] * 4), PROJECTION, 200, 10)


def test_top_places_share_of_busiest_tenth():
    # 8 incidents at one place, 7 more at 7 other places: 8 places, so the top
    # 10% is ceil(0.8) = 1 place holding 8 of 15 incidents.
    xy = [(5, 5)] * 8 + [(100 * k, 500) for k in range(7)]

    places, share = spatial.top_places(_points(xy), PROJECTION, 25)

    assert share == pytest.approx(8 / 15)
    assert len(places) == 8
    assert places["count"].iloc[0] == 8


def test_top_places_tolerance_merges_close_points():
    xy = [(1, 1), (10, 12), (30, 1), (300, 300)]

    places, share = spatial.top_places(_points(xy), PROJECTION, 25)

    assert list(places["count"]) == [2, 1, 1]
    assert share == pytest.approx(2 / 4)


def test_knox_counts_close_pairs_by_hand():
    # Four incidents: A and B 50 m and 3 days apart; C is 150 m from A, 10 days
    # after it; D is 5 km away. Pairs: AB (50 m, 3 d), AC (150 m, 10 d),
    # BC (~158 m, 7 d), and three pairs with D beyond every distance band.
    xy = [(0, 0), (50, 0), (0, 150), (5000, 0)]
    days = [0, 3, 10, 40]

    result = spatial.knox_test(
        _points(xy, days),
        PROJECTION,
        distance_bands=(100.0, 200.0),
        day_bands=(7.0, 14.0),
        permutations=19,
    )

    table = result.table.set_index(["distance", "days"])
    assert result.pairs == 6
    assert table.loc[("0-100 m", "0-7 days"), "observed"] == 1
    assert table.loc[("100-200 m", "0-7 days"), "observed"] == 1
    assert table.loc[("100-200 m", "7-14 days"), "observed"] == 1
    assert table.loc[("0-100 m", "7-14 days"), "observed"] == 0
    # Expected = pairs in the distance band * pairs in the time band / 6.
    # Distance: 1 pair under 100 m, 2 in 100-200 m. Time: AB 3 d and BC 7 d in
    # 0-7 days; AC 10 d in 7-14 days.
    assert table.loc[("0-100 m", "0-7 days"), "expected"] == pytest.approx(1 * 2 / 6)
    assert table.loc[("100-200 m", "7-14 days"), "expected"] == pytest.approx(2 / 6)
    assert table.loc[("0-100 m", "0-7 days"), "ratio"] == pytest.approx(3.0)
    p_values = result.table["p_value"]
    assert ((p_values > 0) & (p_values <= 1)).all()
