"""Getis-Ord Gi* with binary distance-band weights, from a KD-tree and sparse sums.

The z-scores are those of ``esda.G_Local(y, DistanceBand(points, threshold,
binary=True), transform="B", permutations=0, star=True)`` (esda 2.9, libpysal
4.x), computed with the same formulas in the same order. It needs only
``scipy.spatial.cKDTree.query_pairs`` and one sparse product. Building the
libpysal weights object and the esda statistic took about 20 ms per grid on the
busiest demo station (profiled with cProfile on a shared 2-core machine), which
the map request cannot spare.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree


def band_neighbours(coordinates: np.ndarray, distance: float) -> sparse.csr_matrix:
    """Return the binary distance-band weights of points, without the diagonal.

    Parameters
    ----------
    coordinates
        Array of shape ``(n, 2)`` in metres.
    distance
        Band in metres: two distinct points are neighbours when their distance
        is at most ``distance``, as in ``libpysal.weights.DistanceBand``.

    Returns
    -------
    scipy.sparse.csr_matrix
        Symmetric ``(n, n)`` matrix of ones for neighbour pairs. Points at the
        same place are not neighbours, as in ``DistanceBand``.
    """
    points = np.asarray(coordinates, dtype=float)
    count = len(points)
    pairs = cKDTree(points).query_pairs(r=distance, output_type="ndarray")
    if len(pairs):
        apart = np.any(points[pairs[:, 0]] != points[pairs[:, 1]], axis=1)
        pairs = pairs[apart]
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    ones = np.ones(len(rows))
    return sparse.csr_matrix((ones, (rows, cols)), shape=(count, count))


def gi_star_z(values: np.ndarray, neighbours: sparse.csr_matrix) -> np.ndarray:
    """Return the Gi* z-score of each unit under the normal approximation.

    Each unit counts in its own neighbourhood (a self-weight of 1). With
    ``n`` units, ``S`` the sum of the values, ``w_i`` the unit's neighbours plus
    one, ``G_i`` the sum of its neighbourhood over ``S``, and ``m`` and ``s2``
    the mean and variance (population) of the values::

        E[G_i] = w_i / n
        V[G_i] = w_i (n - w_i) / (n - 1) / n**2 * s2 / m**2
        z_i = (G_i - E[G_i]) / sqrt(V[G_i])

    Parameters
    ----------
    values
        One value per unit, such as incidents per grid cell.
    neighbours
        Binary weights without the diagonal, from ``band_neighbours``.

    Returns
    -------
    numpy.ndarray
        The z-scores. They are not finite when every value is the same (the
        variance is 0) or the values sum to 0.
    """
    y = np.asarray(values, dtype=float)
    n = len(y)
    weights = neighbours + sparse.identity(n, format="csr")
    total = y.sum()
    statistic = (weights @ y) / total
    mean = total / n
    variance = (y**2).sum() / n - mean**2
    cardinality = np.asarray(weights.sum(axis=1)).squeeze(axis=1)
    expected = cardinality / n
    expected_variance = cardinality * (n - cardinality)
    expected_variance /= n - 1
    expected_variance *= 1 / n**2
    expected_variance *= variance / (mean**2)
    return (statistic - expected) / np.sqrt(expected_variance)
