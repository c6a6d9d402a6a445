"""Gi* from a KD-tree and sparse sums against esda and libpysal on small grids."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from esda import fdr
from esda.getisord import G_Local
from libpysal.weights import DistanceBand

from analysis import station_spatial as spatial
from analysis.getis_ord import band_neighbours, gi_star_z


def _grid(counts: np.ndarray, side: float = 100.0) -> pd.DataFrame:
    rows, cols = np.indices(counts.shape)
    cells = pd.DataFrame({"col": cols.ravel(), "row": rows.ravel()})
    cells["x"] = (cells["col"] + 0.5) * side
    cells["y"] = (cells["row"] + 0.5) * side
    cells["count"] = counts.ravel()
    return cells


def _esda(cells: pd.DataFrame, distance: float, alpha: float = 0.05):
    """Return z, two-sided p and the FDR cut-off the way esda computes them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = DistanceBand(
            cells[["x", "y"]].to_numpy(), threshold=distance, binary=True
        )
        local = G_Local(
            cells["count"].to_numpy(dtype=float),
            weights,
            transform="B",
            permutations=0,
            star=True,
        )
    z = np.asarray(local.Zs, dtype=float)
    p = np.minimum(2 * np.asarray(local.p_norm, dtype=float), 1.0)
    return z, p, float(fdr(p, alpha))


# Counts of an 8 by 9 grid drawn from a Poisson law with a hot corner, so that
# cells have 3, 5 and 8 neighbours and some are hot after the FDR correction.
RNG = np.random.default_rng(7)
SKEWED = RNG.poisson(1.0, size=(8, 9))
SKEWED[:3, :3] += np.array([[9, 6, 3], [7, 12, 4], [2, 5, 3]])


@pytest.mark.parametrize("distance", [100.0, 150.0, 250.0], ids=["4", "8", "20"])
def test_band_neighbours_match_distance_band(distance):
    cells = _grid(SKEWED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = DistanceBand(
            cells[["x", "y"]].to_numpy(), threshold=distance, binary=True
        ).sparse

    found = band_neighbours(cells[["x", "y"]].to_numpy(), distance)

    assert (found != expected).nnz == 0
    assert found.diagonal().sum() == 0


def test_band_neighbours_skip_same_place():
    points = np.array([[0.0, 0.0], [0.0, 0.0], [50.0, 0.0]])

    found = band_neighbours(points, 100.0).toarray()

    assert found.tolist() == [[0, 0, 1], [0, 0, 1], [1, 1, 0]]


@pytest.mark.parametrize("distance", [150.0, 250.0], ids=["8", "20"])
def test_gi_star_z_matches_esda(distance):
    cells = _grid(SKEWED)
    expected, _, _ = _esda(cells, distance)

    neighbours = band_neighbours(cells[["x", "y"]].to_numpy(), distance)
    found = gi_star_z(cells["count"].to_numpy(), neighbours)

    np.testing.assert_allclose(found, expected, rtol=1e-12, atol=0)


def test_station_hot_spots_match_esda():
    cells = _grid(SKEWED)
    z, p, cutoff = _esda(cells, 150.0)

    result = spatial.getis_ord_hotspots(cells, 150.0, alpha=0.05)

    np.testing.assert_allclose(result.cells["z"], z, rtol=1e-12, atol=0)
    np.testing.assert_allclose(result.cells["p"], p, rtol=1e-9, atol=1e-300)
    assert result.p_cutoff == pytest.approx(cutoff, rel=1e-9)
    hot = (p <= cutoff) & (z > 0)
    cold = (p <= cutoff) & (z < 0)
    assert result.cells["hot"].tolist() == hot.tolist()
    assert result.cells["cold"].tolist() == cold.tolist()
    assert hot.sum() >= 3
