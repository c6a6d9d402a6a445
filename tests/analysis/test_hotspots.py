"""Grid counts, quartic kernel density and Gi* hot spots on hand-drawn grids."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from esda import fdr
from pyproj import Transformer
from scipy.stats import norm
from shapely import box

from analysis import hotspots
from analysis.errors import AnalysisError, TooFewIncidents

# Points and cells are drawn in metres in UTM zone 20N (EPSG:32620), the zone
# the functions choose for these points, around an origin on a multiple of 100.
X0, Y0 = 500_000.0, 1_550_000.0
_TO_DEGREES = Transformer.from_crs("EPSG:32620", "EPSG:4326", always_xy=True)


def _points(offsets) -> pd.DataFrame:
    """Return lon/lat rows for ``(dx, dy)`` offsets in metres from the origin."""
    dx, dy = np.asarray(offsets, dtype=float).T
    lon, lat = _TO_DEGREES.transform(X0 + dx, Y0 + dy)
    return pd.DataFrame({"lon": lon, "lat": lat})


def _grid(counts: np.ndarray, side: float = 100.0) -> gpd.GeoDataFrame:
    """Return square cells in EPSG:32620 with ``counts[row, column]``."""
    rows, columns = np.indices(counts.shape)
    left = X0 + columns.ravel() * side
    bottom = Y0 + rows.ravel() * side
    return gpd.GeoDataFrame(
        {"column": columns.ravel(), "row": rows.ravel(), "count": counts.ravel()},
        geometry=box(left, bottom, left + side, bottom + side),
        crs="EPSG:32620",
    )


def test_grid_counts_by_cell():
    # Three points in the cell at (0-100, 0-100), one at (200-300, 0-100).
    points = _points([(10, 10), (50, 50), (90, 20), (250, 50)])

    grid = hotspots.grid_counts(points, cell_m=100)

    assert grid.crs.to_epsg() == 4326
    assert grid.attrs["metric_crs"] == "EPSG:32620"
    cells = grid.set_index(["column", "row"])["count"].to_dict()
    assert cells == {(5000, 15500): 3, (5002, 15500): 1}


def test_grid_counts_include_empty():
    points = _points([(10, 10), (50, 50), (90, 20), (250, 150)])

    grid = hotspots.grid_counts(points, cell_m=100, include_empty=True)

    # Columns 5000 to 5002 by rows 15500 to 15501: 6 cells, 4 of them empty.
    assert len(grid) == 6
    assert grid["count"].tolist() == [3, 0, 0, 0, 0, 1]


def test_grid_counts_cell_shape():
    grid = hotspots.grid_counts(_points([(10, 10)]), cell_m=100)

    square = grid.to_crs("EPSG:32620").geometry.iloc[0]
    assert square.area == pytest.approx(100 * 100, rel=1e-6)
    assert square.bounds[0] == pytest.approx(X0, abs=1e-3)


def test_grid_counts_no_points():
    empty = pd.DataFrame({"lon": [None], "lat": [None]})
    with pytest.raises(AnalysisError, match="no points"):
        hotspots.grid_counts(empty, cell_m=100)


BANDWIDTH = 200.0
PEAK = 3 / (math.pi * BANDWIDTH**2) * 1e6  # one point, per square kilometre


def _kde_one_place(count: int = 5) -> hotspots.DensitySurface:
    # ``count`` incidents at (5, 5), the centre of a 10 m cell.
    return hotspots.quartic_kde(_points([(5, 5)] * count), BANDWIDTH, cell_m=10)


def test_quartic_kde_peak_at_point():
    surface = _kde_one_place()
    column = np.searchsorted(surface.x, X0 + 5)
    row = np.searchsorted(surface.y, Y0 + 5)

    assert surface.x[column] == pytest.approx(X0 + 5)
    # 5 points * 3 / (pi * 200^2) per m^2 = 119.37 per km^2.
    assert surface.density[row, column] == pytest.approx(5 * PEAK)
    assert surface.density.max() == pytest.approx(5 * PEAK)


def test_quartic_kde_half_bandwidth():
    surface = _kde_one_place()
    column = np.searchsorted(surface.x, X0 + 5)
    row = np.searchsorted(surface.y, Y0 + 5 + BANDWIDTH / 2)

    # At d = h/2: (1 - 1/4)^2 = 0.5625 of the peak.
    assert surface.density[row, column] == pytest.approx(5 * PEAK * 0.75**2)


def test_quartic_kde_zero_beyond_bandwidth():
    surface = _kde_one_place()
    column = np.searchsorted(surface.x, X0 + 5)
    row = np.searchsorted(surface.y, Y0 + 5 + BANDWIDTH)

    assert surface.density[row, column] == 0.0


def test_quartic_kde_integrates_to_count():
    surface = _kde_one_place()

    # Sum of density per km^2 times the cell area (10 m * 10 m) in km^2.
    total = surface.density.sum() * (10 * 10) / 1e6
    assert total == pytest.approx(5.0, rel=1e-3)


def test_quartic_kde_frame_and_positions():
    surface = _kde_one_place()
    frame = surface.to_frame()

    assert (frame["density"] > 0).all()
    assert surface.lon.shape == surface.density.shape
    peak = frame.loc[frame["density"].idxmax()]
    lon, lat = _TO_DEGREES.transform(X0 + 5, Y0 + 5)
    assert peak["lon"] == pytest.approx(lon, abs=1e-8)
    assert peak["lat"] == pytest.approx(lat, abs=1e-8)


def test_quartic_kde_bbox_sets_extent():
    lon0, lat0 = _TO_DEGREES.transform(X0 - 1000, Y0 - 1000)
    lon1, lat1 = _TO_DEGREES.transform(X0 + 1000, Y0 + 1000)

    surface = hotspots.quartic_kde(
        _points([(5, 5)] * 5), BANDWIDTH, cell_m=100, bbox=(lon0, lat0, lon1, lat1)
    )

    assert surface.x[0] == pytest.approx(X0 - 950, abs=100)
    assert surface.x[-1] == pytest.approx(X0 + 950, abs=100)


def test_quartic_kde_too_few_points():
    with pytest.raises(TooFewIncidents, match="at least 5") as caught:
        hotspots.quartic_kde(_points([(5, 5)] * 4), BANDWIDTH, cell_m=10)

    assert caught.value.layer == "kde"
    assert caught.value.count == 4


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"bandwidth_m": 0, "cell_m": 10}, "bandwidth_m must be a positive"),
        ({"bandwidth_m": 200, "cell_m": -1}, "cell_m must be a positive"),
    ],
    ids=["bandwidth", "cell"],
)
def test_quartic_kde_invalid_sizes(arguments, message):
    with pytest.raises(AnalysisError, match=message):
        hotspots.quartic_kde(_points([(5, 5)] * 5), **arguments)


# A 5 x 5 grid of 100 m cells: 20 in the centre, 10 in its 8 neighbours and 1
# elsewhere. n = 25, sum = 20 + 80 + 16 = 116, mean = 4.64, sum of squares =
# 400 + 800 + 16 = 1216, S = sqrt(1216 / 25 - 4.64^2) = sqrt(27.1104) = 5.2068.
# Gi* of the centre with its 8 neighbours (W = 9):
#   (20 + 8 * 10 - 4.64 * 9) / (5.2068 * sqrt(9 * (25 - 9) / 24))
#   = 58.24 / (5.2068 * 2.4495) = 4.5665.
# Gi* of a corner (itself, two cells of 1 and one of 10, W = 4):
#   (13 - 4.64 * 4) / (5.2068 * sqrt(4 * 21 / 24)) = -5.56 / 9.7411 = -0.5708.
PEAKED = np.ones((5, 5), dtype=int)
PEAKED[1:4, 1:4] = 10
PEAKED[2, 2] = 20


def test_getis_ord_z_by_hand():
    result = hotspots.getis_ord_hotspots(_grid(PEAKED), distance_band_m=150)
    by_cell = result.set_index(["row", "column"])

    assert by_cell.loc[(2, 2), "z"] == pytest.approx(4.5665, abs=1e-3)
    assert by_cell.loc[(0, 0), "z"] == pytest.approx(-0.5708, abs=1e-3)
    assert by_cell.loc[(2, 2), "p"] == pytest.approx(2 * norm.sf(4.5665), rel=1e-3)


def test_getis_ord_peak_is_hot():
    result = hotspots.getis_ord_hotspots(_grid(PEAKED), distance_band_m=150)
    by_cell = result.set_index(["row", "column"])

    # Only the centre passes Benjamini-Hochberg: its p = 5.0e-6 is under
    # 1 * 0.05 / 25 = 0.002, while the next four p-values (z = 2.449, p =
    # 0.0143) are over 5 * 0.05 / 25 = 0.01.
    assert by_cell.loc[(2, 2), "hot"]
    assert result["hot"].sum() == 1
    assert not result["cold"].any()
    assert result.attrs["p_cutoff"] == pytest.approx(by_cell.loc[(2, 2), "p"])


@pytest.mark.parametrize(
    "counts",
    [np.full((5, 5), 5), np.indices((5, 5)).sum(axis=0) % 2 + 4],
    ids=["constant", "chequered"],
)
def test_getis_ord_flat_grid_nothing_significant(counts):
    result = hotspots.getis_ord_hotspots(_grid(counts), distance_band_m=150)

    assert not result["hot"].any()
    assert not result["cold"].any()
    assert result.attrs["p_cutoff"] == 0.0


def test_getis_ord_geographic_grid_same_z():
    projected = hotspots.getis_ord_hotspots(_grid(PEAKED), distance_band_m=150)
    geographic = hotspots.getis_ord_hotspots(
        _grid(PEAKED).to_crs("EPSG:4326"), distance_band_m=150
    )

    np.testing.assert_allclose(geographic["z"], projected["z"])


def test_getis_ord_too_few_incidents():
    with pytest.raises(TooFewIncidents, match="at least 20"):
        hotspots.getis_ord_hotspots(_grid(np.eye(5, dtype=int)), 150)


def test_getis_ord_band_below_cell_side():
    with pytest.raises(AnalysisError, match="without a neighbour"):
        hotspots.getis_ord_hotspots(_grid(PEAKED), distance_band_m=50)


def test_getis_ord_needs_nine_cells():
    with pytest.raises(AnalysisError, match="at least 9"):
        hotspots.getis_ord_hotspots(_grid(np.full((2, 2), 10)), 150)


def test_benjamini_hochberg_by_hand():
    # n = 5, alpha = 0.05: rank k passes when p <= k * 0.05 / 5. Sorted p:
    # 0.001 <= 0.01 passes, 0.029 > 0.02 fails, 0.03 <= 0.03 passes, 0.2 > 0.04
    # and 0.9 > 0.05 fail. The largest passing rank is 3, so the three smallest
    # p-values are significant, 0.029 included.
    significant, cutoff = hotspots.benjamini_hochberg([0.9, 0.029, 0.001, 0.2, 0.03])

    assert significant.tolist() == [False, True, True, False, True]
    assert cutoff == 0.03


def test_benjamini_hochberg_matches_esda():
    p = np.random.default_rng(3).uniform(0, 0.05, 40) ** 2

    significant, _ = hotspots.benjamini_hochberg(p, 0.05)

    assert significant.any()
    np.testing.assert_array_equal(significant, p < fdr(p, 0.05) + 1e-15)


def test_require_points_unknown_layer():
    with pytest.raises(AnalysisError, match="layer 'heat' is unknown"):
        hotspots.require_points(3, "heat")
