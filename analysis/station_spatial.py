"""Hot spots, repeat places and near repeats of one station's incidents.

Distances are in metres on a local equirectangular projection centred on the
station: over the 30 km or so of a station area its scale error stays under 0.2%.
Points are ``lon``/``lat`` in WGS84 degrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from analysis.getis_ord import band_neighbours, gi_star_z

# Metres per degree of latitude, and of longitude at the equator (WGS84 means).
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON = 111_320.0

# Fewest points for each layer; below them the layer is not drawn.
MIN_POINTS_GRID = 1
MIN_POINTS_KDE = 5
MIN_POINTS_GI = 20
MIN_CELLS_GI = 9


class TooFewIncidents(ValueError):
    """A layer needs more incidents than the selection has."""


@dataclass(frozen=True)
class LocalProjection:
    """Equirectangular metres around ``(lon0, lat0)``, in both directions."""

    lon0: float
    lat0: float

    @property
    def _x_scale(self) -> float:
        return METRES_PER_DEGREE_LON * math.cos(math.radians(self.lat0))

    def to_metres(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Return ``x`` (east) and ``y`` (north) in metres for degrees."""
        x = (np.asarray(lon, dtype=float) - self.lon0) * self._x_scale
        y = (np.asarray(lat, dtype=float) - self.lat0) * METRES_PER_DEGREE_LAT
        return x, y

    def to_degrees(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Return ``lon`` and ``lat`` for metres."""
        lon = np.asarray(x, dtype=float) / self._x_scale + self.lon0
        lat = np.asarray(y, dtype=float) / METRES_PER_DEGREE_LAT + self.lat0
        return lon, lat


def _require(count: int, minimum: int, layer: str) -> None:
    if count < minimum:
        raise TooFewIncidents(
            f"{layer} needs at least {minimum} incidents with coordinates; "
            f"the selection has {count}."
        )


def grid_cells(
    points: pd.DataFrame,
    projection: LocalProjection,
    cell_metres: float,
    extent: tuple[float, float, float, float] | None = None,
) -> pd.DataFrame:
    """Count points in square cells of ``cell_metres``, including empty cells.

    Parameters
    ----------
    points
        Columns ``lon`` and ``lat``.
    projection
        The local projection; cell edges fall on multiples of ``cell_metres``
        from its centre.
    cell_metres
        Cell side in metres.
    extent
        ``(xmin, ymin, xmax, ymax)`` in metres that the grid must cover, such as
        the station area's bounds; the points' bounds when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns ``col``, ``row``, ``x`` and ``y`` (cell centre in metres) and
        ``count``, one row per cell of the covering grid.
    """
    x, y = projection.to_metres(points["lon"], points["lat"])
    if extent is None:
        extent = (x.min(), y.min(), x.max(), y.max())
    xmin, ymin, xmax, ymax = extent
    if len(x):
        xmin, ymin = min(xmin, x.min()), min(ymin, y.min())
        xmax, ymax = max(xmax, x.max()), max(ymax, y.max())
    cols = np.arange(math.floor(xmin / cell_metres), math.floor(xmax / cell_metres) + 1)
    rows = np.arange(math.floor(ymin / cell_metres), math.floor(ymax / cell_metres) + 1)
    col_grid, row_grid = np.meshgrid(cols, rows)
    # Cell i of the flattened grid is row i // len(cols), column i % len(cols).
    point_cols = np.floor(x / cell_metres).astype(int) - cols[0]
    point_rows = np.floor(y / cell_metres).astype(int) - rows[0]
    counts = np.bincount(
        point_rows * len(cols) + point_cols, minlength=col_grid.size
    ).astype("int64")
    cells = pd.DataFrame(
        {"col": col_grid.ravel(), "row": row_grid.ravel(), "count": counts}
    )
    cells["x"] = (cells["col"] + 0.5) * cell_metres
    cells["y"] = (cells["row"] + 0.5) * cell_metres
    return cells


def grid_counts(
    points: pd.DataFrame, projection: LocalProjection, cell_metres: float
) -> pd.DataFrame:
    """Return the non-empty cells of ``grid_cells``.

    Raises
    ------
    TooFewIncidents
        If ``points`` is empty.
    """
    _require(len(points), MIN_POINTS_GRID, "The grid")
    cells = grid_cells(points, projection, cell_metres)
    return cells[cells["count"] > 0].reset_index(drop=True)


def quartic_kde(
    points: pd.DataFrame,
    projection: LocalProjection,
    bandwidth_metres: float,
    resolution_metres: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimate incident density with a quartic (biweight) kernel.

    The kernel of a point at distance ``d`` below the bandwidth ``h`` is
    ``3 / (pi * h**2) * (1 - d**2 / h**2) ** 2``, which integrates to 1, so the
    surface integrates to the number of points.

    Parameters
    ----------
    points
        Columns ``lon`` and ``lat``.
    projection
        The local projection.
    bandwidth_metres
        Kernel radius ``h`` in metres.
    resolution_metres
        Spacing of the output grid in metres.

    Returns
    -------
    tuple of numpy.ndarray
        ``x`` and ``y`` (grid centres in metres, 1-D) and ``density`` (shape
        ``(len(y), len(x))``) in incidents per square kilometre.

    Raises
    ------
    TooFewIncidents
        If there are fewer than ``MIN_POINTS_KDE`` points.
    """
    _require(len(points), MIN_POINTS_KDE, "Kernel density")
    px, py = projection.to_metres(points["lon"], points["lat"])
    pad = bandwidth_metres
    xs = np.arange(
        px.min() - pad, px.max() + pad + resolution_metres, resolution_metres
    )
    ys = np.arange(
        py.min() - pad, py.max() + pad + resolution_metres, resolution_metres
    )
    density = np.zeros((len(ys), len(xs)))
    for x0, y0 in zip(px, py, strict=True):
        dx = xs - x0
        dy = ys - y0
        squared = (dy[:, None] ** 2 + dx[None, :] ** 2) / bandwidth_metres**2
        density += np.where(squared < 1, (1 - squared) ** 2, 0.0)
    density *= 3 / (math.pi * bandwidth_metres**2) * 1e6
    return xs, ys, density


@dataclass(frozen=True)
class GiResult:
    """Getis-Ord Gi* of grid cells with a false-discovery-rate cut-off.

    Attributes
    ----------
    cells
        The grid (``col``, ``row``, ``x``, ``y``, ``count``) with ``z`` (the Gi*
        z-score), ``p`` (two-sided p-value under normality) and ``hot`` /
        ``cold`` (significant after the FDR correction).
    distance_metres
        The distance band of the binary weights, measured between cell centres.
    alpha
        Significance level before the correction.
    p_cutoff
        The p-value a cell must stay under, from ``esda.fdr``.
    """

    cells: pd.DataFrame
    distance_metres: float
    alpha: float
    p_cutoff: float


def getis_ord_hotspots(
    cells: pd.DataFrame,
    distance_metres: float,
    alpha: float = 0.05,
) -> GiResult:
    """Find hot and cold cells with Getis-Ord Gi* and an FDR correction.

    Gi* includes each cell in its own neighbourhood (``star=True``) with binary
    weights for every cell centre within ``distance_metres``; the z-scores are
    those of ``esda.G_Local``, computed by ``analysis.getis_ord``. P-values come from
    the normal approximation (two-sided), and ``esda.fdr`` gives the cut-off that
    holds the false discovery rate at ``alpha`` over all cells.

    Parameters
    ----------
    cells
        A full grid from ``grid_cells`` (empty cells included).
    distance_metres
        Distance band between cell centres; 1.5 cell sides takes the eight
        surrounding cells.
    alpha
        Significance level.

    Returns
    -------
    GiResult

    Raises
    ------
    TooFewIncidents
        If the cells hold fewer than ``MIN_POINTS_GI`` incidents or there are
        fewer than ``MIN_CELLS_GI`` cells.
    """
    from esda import fdr

    _require(int(cells["count"].sum()), MIN_POINTS_GI, "Getis-Ord Gi*")
    if len(cells) < MIN_CELLS_GI:
        raise TooFewIncidents(
            f"Getis-Ord Gi* needs at least {MIN_CELLS_GI} grid cells; the area "
            f"has {len(cells)}. Use smaller cells."
        )
    neighbours = band_neighbours(cells[["x", "y"]].to_numpy(), distance_metres)
    with np.errstate(divide="ignore", invalid="ignore"):
        # NOTE: a grid whose cells all hold the same count has no variance, so
        # its z-scores are not finite, as with esda. analysis.hotspots sets
        # them to 0 instead.
        z = gi_star_z(cells["count"].to_numpy(dtype=float), neighbours)
    p = np.minimum(2 * norm.sf(np.abs(z)), 1.0)
    cutoff = float(fdr(p, alpha))
    result = cells.assign(
        z=z, p=p, hot=(p <= cutoff) & (z > 0), cold=(p <= cutoff) & (z < 0)
    )
    return GiResult(result, float(distance_metres), float(alpha), cutoff)


def top_places(
    points: pd.DataFrame,
    projection: LocalProjection,
    tolerance_metres: float,
    share_of_places: float = 0.1,
) -> tuple[pd.DataFrame, float]:
    """Group incidents at the same place and return the busiest places.

    Points are snapped to squares of ``tolerance_metres``; points in one square
    are one place. The busiest ``ceil(share_of_places * places)`` places are the
    top places, ties broken by the place's position so the result is stable.

    Returns
    -------
    places : pandas.DataFrame
        Columns ``lon``, ``lat`` (mean of the place's points) and ``count``,
        busiest first.
    top_share : float
        Share (0 to 1) of the incidents that happened at the top places; 0 when
        there are no points.
    """
    if points.empty:
        empty = pd.DataFrame({"lon": [], "lat": [], "count": []})
        return empty, 0.0
    x, y = projection.to_metres(points["lon"], points["lat"])
    keyed = pd.DataFrame(
        {
            "key_x": np.floor(x / tolerance_metres).astype(int),
            "key_y": np.floor(y / tolerance_metres).astype(int),
            "lon": points["lon"].to_numpy(),
            "lat": points["lat"].to_numpy(),
        }
    )
    grouped = keyed.groupby(["key_x", "key_y"])
    places = grouped[["lon", "lat"]].mean()
    places["count"] = grouped.size()
    places = (
        places.reset_index()
        .sort_values(["count", "key_x", "key_y"], ascending=[False, True, True])
        .reset_index(drop=True)
    )
    top = math.ceil(share_of_places * len(places))
    share = places["count"].head(top).sum() / places["count"].sum()
    return places[["lon", "lat", "count"]], float(share)


@dataclass(frozen=True)
class KnoxResult:
    """Knox test of near repeats: pairs close in space and time.

    Attributes
    ----------
    table
        One row per distance band and time band: ``distance`` and ``days``
        (band labels), ``observed`` pairs, ``expected`` pairs under no
        space-time interaction, ``ratio`` (observed / expected, ``None`` when
        nothing is expected) and ``p_value`` from the permutations.
    pairs
        Number of incident pairs.
    permutations
        Random shuffles of the dates behind the p-values.
    """

    table: pd.DataFrame
    pairs: int
    permutations: int


def _band_index(values: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    """Return the band of each value: 0 for ``[0, e0]``, 1 for ``(e0, e1]``..."""
    index = np.searchsorted(np.asarray(edges, dtype=float), values, side="left")
    return np.where(index < len(edges), index, -1)


def _band_labels(edges: tuple[float, ...], unit: str) -> list[str]:
    labels = []
    low = 0.0
    for high in edges:
        labels.append(f"{low:g}-{high:g} {unit}")
        low = high
    return labels


def knox_test(
    points: pd.DataFrame,
    projection: LocalProjection,
    distance_bands: tuple[float, ...] = (100.0, 200.0, 400.0),
    day_bands: tuple[float, ...] = (7.0, 14.0, 28.0),
    permutations: int = 99,
    seed: int = 0,
) -> KnoxResult:
    """Count pairs of incidents close in space and in time (Knox test).

    Each unordered pair of incidents falls in the distance band of its distance
    (bands ``[0, d0]``, ``(d0, d1]``...) and the time band of its days apart.
    The expected count of a cell is ``pairs in its distance band * pairs in its
    time band / all pairs``, the mean over every reassignment of dates to
    places. The p-value is ``(1 + shuffles with at least the observed count) /
    (permutations + 1)``.

    Parameters
    ----------
    points
        Columns ``lon``, ``lat`` and ``day`` (a date or date-time).
    projection
        The local projection.
    distance_bands, day_bands
        Upper edges of the bands in metres and in days.
    permutations
        Random shuffles of the dates for the p-values.
    seed
        Seed of the shuffles, so a result can be repeated.

    Returns
    -------
    KnoxResult
    """
    x, y = projection.to_metres(points["lon"], points["lat"])
    days = _as_days(points["day"])
    first, second = np.triu_indices(len(points), k=1)
    distance = np.hypot(x[first] - x[second], y[first] - y[second])
    space = _band_index(distance, distance_bands)
    bands = len(distance_bands)
    observed = _pair_table(space, np.abs(days[first] - days[second]), bands, day_bands)
    rng = np.random.default_rng(seed)
    exceed = np.zeros_like(observed)
    for _ in range(permutations):
        shuffled = rng.permutation(days)
        gaps = np.abs(shuffled[first] - shuffled[second])
        exceed += _pair_table(space, gaps, bands, day_bands) >= observed
    time_index = _band_index(np.abs(days[first] - days[second]), day_bands)
    in_space = np.array([(space == i).sum() for i in range(len(distance_bands))])
    in_time = np.array([(time_index == j).sum() for j in range(len(day_bands))])
    pairs = len(first)
    expected = np.outer(in_space, in_time) / pairs if pairs else np.zeros_like(observed)
    table = _knox_frame(
        observed, expected, exceed, permutations, distance_bands, day_bands
    )
    return KnoxResult(table, int(pairs), permutations)


def _as_days(values: pd.Series) -> np.ndarray:
    stamps = pd.to_datetime(values).to_numpy("datetime64[s]").astype("int64")
    return stamps / 86_400.0


def _pair_table(
    space: np.ndarray, gaps: np.ndarray, distance_count: int, day_bands
) -> np.ndarray:
    """Count pairs by distance band and time band; pairs outside all bands drop."""
    time = _band_index(gaps, day_bands)
    keep = (space >= 0) & (time >= 0)
    cell = space[keep] * len(day_bands) + time[keep]
    counts = np.bincount(cell, minlength=distance_count * len(day_bands))
    return counts.reshape(distance_count, len(day_bands))


def _knox_frame(observed, expected, exceed, permutations, distance_bands, day_bands):
    rows = []
    distance_labels = _band_labels(distance_bands, "m")
    day_labels = _band_labels(day_bands, "days")
    for i, distance_label in enumerate(distance_labels):
        for j, day_label in enumerate(day_labels):
            seen = int(observed[i, j])
            wanted = float(expected[i, j])
            above = int(exceed[i, j])
            rows.append(
                {
                    "distance": distance_label,
                    "days": day_label,
                    "observed": seen,
                    "expected": wanted,
                    "ratio": seen / wanted if wanted > 0 else None,
                    "p_value": (1 + above) / (permutations + 1),
                }
            )
    return pd.DataFrame(rows)
