"""Hot spot layers: grid counts, quartic kernel density and Getis-Ord Gi*.

Points are ``lon``/``lat`` in EPSG:4326. Grids and kernels are built in metres
in the UTM zone of the points' centroid (see ``analysis.geo``), and cells are
returned in EPSG:4326 for the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from scipy.spatial import cKDTree
from scipy.stats import norm
from shapely import box

from analysis.errors import AnalysisError, TooFewIncidents, require_columns
from analysis.geo import WGS84, project_points, to_degrees, to_metres, utm_crs
from analysis.getis_ord import band_neighbours, gi_star_z

# Minimum incidents with coordinates for each layer. Below it a page reports too
# few incidents instead of drawing the layer. The numbers are judgment calls,
# not published thresholds: a density surface of fewer than 5 points only
# redraws the points, and Gi* on fewer than 20 incidents has little power left
# after the false discovery rate correction.
MIN_POINTS = {"grid": 1, "kde": 5, "getis_ord": 20}

# Minimum grid cells for Gi*. With fewer, each neighbourhood covers most of the grid.
MIN_CELLS_GETIS_ORD = 9

_SQUARE_METRES_PER_KM2 = 1e6


def require_points(count: int, layer: str) -> None:
    """Raise ``TooFewIncidents`` when ``count`` is below ``MIN_POINTS[layer]``.

    Parameters
    ----------
    count : int
        Incidents with coordinates in the selection.
    layer : str
        A key of ``MIN_POINTS``.
    """
    if layer not in MIN_POINTS:
        raise AnalysisError(
            f"layer {layer!r} is unknown; use one of {sorted(MIN_POINTS)!r}."
        )
    if count < MIN_POINTS[layer]:
        raise TooFewIncidents(layer, count, MIN_POINTS[layer])


def grid_counts(
    points: pd.DataFrame,
    cell_m: float,
    bbox: tuple[float, float, float, float] | None = None,
    include_empty: bool = False,
) -> gpd.GeoDataFrame:
    """Count incidents in square grid cells of ``cell_m`` metres.

    Cell edges lie on multiples of ``cell_m`` in the UTM zone of the points'
    centroid, so the same points always give the same cells.

    Parameters
    ----------
    points : pandas.DataFrame
        Columns ``lon`` and ``lat`` in EPSG:4326. Rows without coordinates are
        left out.
    cell_m : float
        Side of the cells in metres.
    bbox : tuple of float, optional
        ``(min_lon, min_lat, max_lon, max_lat)`` that the grid must cover as
        well as the points, such as the station area's bounds.
    include_empty : bool, default False
        Keep the cells with no incidents, as Gi* needs.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326, one row per cell with columns ``column`` and ``row``
        (cell numbers from the UTM origin), ``count`` and ``geometry``. Its
        ``attrs["metric_crs"]`` is the UTM CRS as text.

    Raises
    ------
    TooFewIncidents
        If no incident has coordinates.
    AnalysisError
        If ``cell_m`` is not positive.
    """
    _check_positive(cell_m, "cell_m")
    projected = project_points(points)
    require_points(len(projected.x), "grid")
    columns = np.floor(projected.x / cell_m).astype("int64")
    rows = np.floor(projected.y / cell_m).astype("int64")
    counts = pd.DataFrame({"column": columns, "row": rows}).value_counts()
    cells = counts.rename("count").reset_index()
    if include_empty:
        cells = _full_grid(cells, projected.x, projected.y, projected.crs, cell_m, bbox)
    cells = cells.sort_values(["row", "column"]).reset_index(drop=True)
    return _cells_frame(cells, cell_m, projected.crs)


@dataclass(frozen=True)
class DensitySurface:
    """A kernel density surface on a regular grid.

    Attributes
    ----------
    x, y
        Cell centres in metres in ``crs``, 1-D and increasing.
    density
        Shape ``(len(y), len(x))``: incidents per square kilometre.
    lon, lat
        Longitude and latitude of every cell centre, shape of ``density``.
    crs
        The UTM CRS of ``x`` and ``y``.
    bandwidth_m, cell_m
        The kernel radius and the grid spacing, in metres.
    """

    x: np.ndarray
    y: np.ndarray
    density: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    crs: CRS
    bandwidth_m: float
    cell_m: float

    def to_frame(self, drop_zero: bool = True) -> pd.DataFrame:
        """Return one row per cell with ``lon``, ``lat`` and ``density``."""
        frame = pd.DataFrame(
            {
                "lon": self.lon.ravel(),
                "lat": self.lat.ravel(),
                "density": self.density.ravel(),
            }
        )
        if drop_zero:
            frame = frame[frame["density"] > 0].reset_index(drop=True)
        return frame


def quartic_kde(
    points: pd.DataFrame,
    bandwidth_m: float,
    cell_m: float,
    bbox: tuple[float, float, float, float] | None = None,
) -> DensitySurface:
    """Estimate incident density with the quartic (biweight) kernel.

    Each incident adds ``K(d) = 3 / (pi * h**2) * (1 - d**2 / h**2) ** 2`` at
    a distance ``d`` below the bandwidth ``h``, and nothing farther away.
    ``K`` integrates to 1 over the plane, so the surface integrates to the
    number of incidents. Density is evaluated at cell centres.

    Parameters
    ----------
    points : pandas.DataFrame
        Columns ``lon`` and ``lat`` in EPSG:4326.
    bandwidth_m : float
        Kernel radius ``h`` in metres.
    cell_m : float
        Spacing of the output grid in metres.
    bbox : tuple of float, optional
        ``(min_lon, min_lat, max_lon, max_lat)`` of the surface. By default the
        points' extent widened by the bandwidth, so that no kernel is cut.

    Returns
    -------
    DensitySurface

    Raises
    ------
    TooFewIncidents
        If fewer than ``MIN_POINTS["kde"]`` incidents have coordinates.
    AnalysisError
        If ``bandwidth_m`` or ``cell_m`` is not positive.
    """
    _check_positive(bandwidth_m, "bandwidth_m")
    _check_positive(cell_m, "cell_m")
    projected = project_points(points)
    require_points(len(projected.x), "kde")
    if bbox is None:
        xmin, xmax = projected.x.min() - bandwidth_m, projected.x.max() + bandwidth_m
        ymin, ymax = projected.y.min() - bandwidth_m, projected.y.max() + bandwidth_m
    else:
        xmin, ymin, xmax, ymax = _bbox_metres(bbox, projected.crs)
    xs = np.arange(math.floor(xmin / cell_m), math.ceil(xmax / cell_m)) + 0.5
    ys = np.arange(math.floor(ymin / cell_m), math.ceil(ymax / cell_m)) + 0.5
    xs, ys = xs * cell_m, ys * cell_m
    density = _quartic_sum(projected.x, projected.y, xs, ys, bandwidth_m)
    grid_x, grid_y = np.meshgrid(xs, ys)
    lon, lat = to_degrees(grid_x.ravel(), grid_y.ravel(), projected.crs)
    return DensitySurface(
        x=xs,
        y=ys,
        density=density * _SQUARE_METRES_PER_KM2,
        lon=lon.reshape(grid_x.shape),
        lat=lat.reshape(grid_x.shape),
        crs=projected.crs,
        bandwidth_m=float(bandwidth_m),
        cell_m=float(cell_m),
    )


def getis_ord_hotspots(
    grid: gpd.GeoDataFrame, distance_band_m: float, alpha: float = 0.05
) -> gpd.GeoDataFrame:
    """Find hot and cold grid cells with Getis-Ord Gi* and an FDR correction.

    Gi* (the z-scores of ``esda.G_Local`` with ``star=True``, computed by
    ``analysis.getis_ord``) sets the count of each cell and its neighbours,
    every cell whose centre lies within ``distance_band_m`` (binary
    distance-band weights as in ``libpysal``), against the whole grid.
    P-values are two-sided from the normal approximation, with no
    permutations, so the result is deterministic. The Benjamini-Hochberg
    procedure then keeps the false discovery rate over all cells at
    ``alpha``. A grid whose cells all have the same count has no hot or cold
    cells (``z`` 0, ``p`` 1).

    Parameters
    ----------
    grid : geopandas.GeoDataFrame
        Square cells with a ``count`` column, empty cells included, such as
        ``grid_counts(..., include_empty=True)``. A grid in a geographic CRS
        is measured in the UTM zone of its centroid.
    distance_band_m : float
        Neighbourhood radius between cell centres in metres; 1.5 cell sides
        takes the 8 surrounding cells.
    alpha : float, default 0.05
        False discovery rate.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``grid`` with ``z`` (Gi* z-score), ``p`` (two-sided),
        ``hot`` and ``cold`` (significant with ``z`` above or below 0). Its
        ``attrs["p_cutoff"]`` is the largest p-value judged significant, or
        0 when there is none.

    Raises
    ------
    TooFewIncidents
        If the cells contain fewer than ``MIN_POINTS["getis_ord"]`` incidents.
    AnalysisError
        If there are fewer than ``MIN_CELLS_GETIS_ORD`` cells, a cell has no
        neighbour within the band, or ``alpha`` is outside 0 to 1.
    """
    require_columns(grid, ("count",), "grid")
    _check_positive(distance_band_m, "distance_band_m")
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be between 0 and 1, but is {alpha!r}.")
    require_points(int(grid["count"].sum()), "getis_ord")
    if len(grid) < MIN_CELLS_GETIS_ORD:
        raise AnalysisError(
            f"grid has {len(grid)} cells but Gi* needs at least "
            f"{MIN_CELLS_GETIS_ORD}; use smaller cells or a larger area."
        )
    counts = grid["count"].to_numpy(dtype=float)
    neighbours = band_neighbours(_centres_metres(grid), distance_band_m)
    islands = int((neighbours.getnnz(axis=1) == 0).sum())
    if islands:
        raise AnalysisError(
            f"distance_band_m {distance_band_m!r} leaves {islands} "
            "cells without a neighbour; use a band of at least one cell side."
        )
    if np.ptp(counts) == 0:
        z = np.zeros(len(counts))
    else:
        z = gi_star_z(counts, neighbours)
    p = np.minimum(2 * norm.sf(np.abs(z)), 1.0)
    significant, cutoff = benjamini_hochberg(p, alpha)
    result = grid.copy()
    result["z"] = z
    result["p"] = p
    result["hot"] = significant & (z > 0)
    result["cold"] = significant & (z < 0)
    result.attrs["p_cutoff"] = cutoff
    return result


def benjamini_hochberg(p_values, alpha: float = 0.05) -> tuple[np.ndarray, float]:
    """Judge which tests are significant with the Benjamini-Hochberg procedure.

    With the ``n`` p-values sorted, ``k`` is the largest rank whose p-value is
    at most ``k * alpha / n``. The ``k`` smallest p-values are significant.

    Parameters
    ----------
    p_values : array-like of float
        One p-value per test.
    alpha : float, default 0.05
        False discovery rate.

    Returns
    -------
    significant : numpy.ndarray of bool
        Whether each test is significant, in the input order.
    cutoff : float
        The largest significant p-value, or 0 when none is.
    """
    p = np.asarray(p_values, dtype=float)
    if not len(p):
        return np.zeros(0, dtype=bool), 0.0
    ordered = np.sort(p)
    ranks = np.arange(1, len(p) + 1)
    passing = np.nonzero(ordered <= ranks * alpha / len(p))[0]
    if not len(passing):
        return np.zeros(len(p), dtype=bool), 0.0
    cutoff = float(ordered[passing[-1]])
    return p <= cutoff, cutoff


def _check_positive(value: float, argument: str) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (value > 0)
    ):
        raise AnalysisError(
            f"{argument} must be a positive number of metres, but is {value!r}."
        )


def _bbox_metres(bbox, crs: CRS) -> tuple[float, float, float, float]:
    """Return the metre extent that covers a ``(min_lon, ..., max_lat)`` box."""
    if len(bbox) != 4 or bbox[0] >= bbox[2] or bbox[1] >= bbox[3]:
        raise AnalysisError(
            f"bbox must be (min_lon, min_lat, max_lon, max_lat) with each minimum "
            f"below its maximum, but is {bbox!r}."
        )
    lon = [bbox[0], bbox[2], bbox[2], bbox[0]]
    lat = [bbox[1], bbox[1], bbox[3], bbox[3]]
    x, y = to_metres(lon, lat, crs)
    return x.min(), y.min(), x.max(), y.max()


def _full_grid(cells, x, y, crs, cell_m, bbox) -> pd.DataFrame:
    """Add the empty cells of the rectangle that covers the points and bbox."""
    xmin, ymin, xmax, ymax = x.min(), y.min(), x.max(), y.max()
    if bbox is not None:
        bx0, by0, bx1, by1 = _bbox_metres(bbox, crs)
        xmin, ymin = min(xmin, bx0), min(ymin, by0)
        xmax, ymax = max(xmax, bx1), max(ymax, by1)
    columns = np.arange(math.floor(xmin / cell_m), math.floor(xmax / cell_m) + 1)
    rows = np.arange(math.floor(ymin / cell_m), math.floor(ymax / cell_m) + 1)
    column_grid, row_grid = np.meshgrid(columns, rows)
    full = pd.DataFrame({"column": column_grid.ravel(), "row": row_grid.ravel()})
    full = full.merge(cells, on=["column", "row"], how="left")
    full["count"] = full["count"].fillna(0).astype("int64")
    return full


def _cells_frame(cells: pd.DataFrame, cell_m: float, crs: CRS) -> gpd.GeoDataFrame:
    left = cells["column"].to_numpy() * cell_m
    bottom = cells["row"].to_numpy() * cell_m
    squares = box(left, bottom, left + cell_m, bottom + cell_m)
    frame = gpd.GeoDataFrame(
        cells[["column", "row", "count"]].astype("int64"), geometry=squares, crs=crs
    ).to_crs(WGS84)
    frame.attrs["metric_crs"] = crs.to_string()
    return frame


def _centres_metres(grid: gpd.GeoDataFrame) -> np.ndarray:
    """Return cell centres in metres, projecting a geographic grid to UTM."""
    if grid.crs is None:
        raise AnalysisError("grid has no CRS; set one, such as EPSG:4326.")
    metric = grid
    if grid.crs.is_geographic:
        bounds = grid.total_bounds
        crs = utm_crs(
            np.array([(bounds[0] + bounds[2]) / 2]),
            np.array([(bounds[1] + bounds[3]) / 2]),
        )
        metric = grid.to_crs(crs)
    centres = metric.geometry.centroid
    return np.column_stack([centres.x.to_numpy(), centres.y.to_numpy()])


def _quartic_sum(px, py, xs, ys, bandwidth) -> np.ndarray:
    """Return the summed kernel per square metre at every grid centre."""
    grid_x, grid_y = np.meshgrid(xs, ys)
    centres = cKDTree(np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    near = centres.sparse_distance_matrix(
        cKDTree(np.column_stack([px, py])), bandwidth, output_type="ndarray"
    )
    ratio = near["v"] / bandwidth
    inside = ratio < 1
    weights = (1 - ratio[inside] ** 2) ** 2
    totals = np.bincount(near["i"][inside], weights=weights, minlength=grid_x.size)
    return (totals * 3 / (math.pi * bandwidth**2)).reshape(grid_x.shape)
