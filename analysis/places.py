"""Repeat places and near repeats: where and when incidents cluster.

Points are ``lon``/``lat`` in EPSG:4326 and are measured in metres in the UTM
zone of their centroid (see ``analysis.geo``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from analysis.errors import AnalysisError, TooFewIncidents
from analysis.geo import project_points, to_degrees

# Share of places counted as the top places.
TOP_SHARE = 0.10

_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class TopPlaces:
    """Places ranked by incident count.

    Attributes
    ----------
    places
        One row per place, busiest first: ``lon`` and ``lat`` (mean of the
        place's incidents), ``count``, ``rank`` (1 for the busiest; tied places
        share the lowest rank of the tie) and ``top`` (among the top places).
    share_top_decile
        Share, from 0 to 1, of the incidents that happened at the top places;
        0 when there are none.
    top_places
        Number of top places: ``ceil(top_share * places)``.
    without_coordinates
        Incidents left out because they have no coordinates.
    """

    places: pd.DataFrame
    share_top_decile: float
    top_places: int
    without_coordinates: int


def top_places(
    points: pd.DataFrame, tolerance_m: float = 25.0, top_share: float = TOP_SHARE
) -> TopPlaces:
    """Group incidents at the same place and rank the places by count.

    Points are snapped to a grid of squares ``tolerance_m`` wide, with edges
    on multiples of ``tolerance_m`` in UTM metres, and the points in one square
    are one place. Two points closer than ``tolerance_m`` therefore share a
    place unless a square edge runs between them, and points in one place are
    at most ``tolerance_m * sqrt(2)`` apart.

    Parameters
    ----------
    points : pandas.DataFrame
        Columns ``lon`` and ``lat`` in EPSG:4326, one row per incident.
    tolerance_m : float, default 25
        Side of the squares in metres.
    top_share : float, default 0.10
        Share of places, rounded up, that count as the top places.

    Returns
    -------
    TopPlaces
        The top places are the first ``ceil(top_share * places)`` rows. Among
        tied counts the order, and so which tied place is in the top, follows
        the square's position (west first, then south).

    Raises
    ------
    AnalysisError
        If ``tolerance_m`` is not positive or ``top_share`` is outside 0 to 1.
    """
    if not tolerance_m > 0:
        raise AnalysisError(f"tolerance_m must be positive, but is {tolerance_m!r}.")
    if not 0 < top_share <= 1:
        raise AnalysisError(
            f"top_share must be above 0 and at most 1, but is {top_share!r}."
        )
    projected = project_points(points)
    places = _snap(projected.x, projected.y, tolerance_m)
    lon, lat = to_degrees(places["x"], places["y"], projected.crs)
    places = pd.DataFrame({"lon": lon, "lat": lat, "count": places["count"]})
    places["rank"] = places["count"].rank(method="min", ascending=False).astype(int)
    top = math.ceil(top_share * len(places))
    places["top"] = np.arange(len(places)) < top
    total = places["count"].sum()
    share = float(places["count"].head(top).sum() / total) if total else 0.0
    return TopPlaces(places, share, top, projected.without_coordinates)


def _snap(x: np.ndarray, y: np.ndarray, size: float) -> pd.DataFrame:
    """Return each occupied square's mean point and count, busiest first."""
    keyed = pd.DataFrame(
        {
            "column": np.floor(x / size).astype("int64"),
            "row": np.floor(y / size).astype("int64"),
            "x": x,
            "y": y,
        }
    )
    places = keyed.groupby(["column", "row"]).agg(
        x=("x", "mean"), y=("y", "mean"), count=("x", "size")
    )
    places = places.reset_index().sort_values(
        ["count", "column", "row"], ascending=[False, True, True]
    )
    return places.reset_index(drop=True)


@dataclass(frozen=True)
class KnoxResult:
    """Knox test of incidents close in both space and time.

    Attributes
    ----------
    observed
        Pairs of incidents close in both space and time.
    expected
        Such pairs expected when times are unrelated to places:
        ``close_in_space * close_in_time / pairs``, the mean over every
        reassignment of the times to the places.
    ratio
        ``observed / expected``; ``None`` when nothing is expected.
    p_value
        Pseudo p-value ``(1 + r) / (permutations + 1)``, where ``r`` counts the
        random reassignments with at least ``observed`` close pairs; ``None``
        without permutations.
    pairs
        All pairs of incidents, ``n * (n - 1) / 2``.
    close_in_space, close_in_time
        Pairs within the distance, and pairs within the days.
    permutations
        Random reassignments behind ``p_value``.
    left_out
        Incidents left out for a missing coordinate or time.
    """

    observed: int
    expected: float
    ratio: float | None
    p_value: float | None
    pairs: int
    close_in_space: int
    close_in_time: int
    permutations: int
    left_out: int


def knox_test(
    points: pd.DataFrame,
    times,
    distance_m: float,
    days: float,
    permutations: int = 999,
    seed: int | None = 0,
) -> KnoxResult:
    """Test whether incidents close in space are also close in time (Knox).

    A pair is close in space when its distance is at most ``distance_m`` and
    close in time when the times are at most ``days`` apart. A near-repeat
    pattern shows as more pairs close in both than expected.

    Parameters
    ----------
    points : pandas.DataFrame
        Columns ``lon`` and ``lat`` in EPSG:4326.
    times : array-like
        Occurrence date or date-time of each row of ``points``.
    distance_m : float
        Distance in metres.
    days : float
        Time apart in days; 0 makes only incidents at the same moment close.
    permutations : int, default 999
        Random reassignments of the times for the p-value.
    seed : int or None, default 0
        Seed of the reassignments, so that a result can be repeated.

    Returns
    -------
    KnoxResult
    """
    table = near_repeat_table(
        points, times, (distance_m,), (days,), permutations=permutations, seed=seed
    )
    cell = table.iloc[0]
    return KnoxResult(
        observed=int(cell["observed"]),
        expected=float(cell["expected"]),
        ratio=cell["ratio"],
        p_value=cell["p_value"],
        pairs=int(table.attrs["pairs"]),
        close_in_space=int(table.attrs["close_in_space"][0]),
        close_in_time=int(table.attrs["close_in_time"][0]),
        permutations=permutations,
        left_out=int(table.attrs["left_out"]),
    )


def near_repeat_table(
    points: pd.DataFrame,
    times,
    distance_bands=(100.0, 200.0, 400.0),
    day_bands=(7.0, 14.0, 28.0),
    permutations: int = 99,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Count pairs of incidents by distance band and time band (near repeats).

    The bands run from 0 to the first edge (both included), then from above
    each edge to the next one. Pairs farther apart than the last edge in
    either dimension fall outside the table. A cell's expected count is
    ``pairs in its distance band * pairs in its time band / all pairs``, the
    mean over every reassignment of the times to the places, and its pseudo
    p-value is ``(1 + r) / (permutations + 1)`` with ``r`` the random
    reassignments giving the cell at least its observed count.

    Parameters
    ----------
    points : pandas.DataFrame
        Columns ``lon`` and ``lat`` in EPSG:4326.
    times : array-like
        Occurrence date or date-time of each row of ``points``.
    distance_bands : sequence of float, default (100, 200, 400)
        Increasing upper edges of the distance bands, in metres.
    day_bands : sequence of float, default (7, 14, 28)
        Increasing upper edges of the time bands, in days.
    permutations : int, default 99
        Random reassignments for the p-values.
    seed : int or None, default 0
        Seed of the reassignments.

    Returns
    -------
    pandas.DataFrame
        One row per distance band and time band with columns ``distance``
        and ``days`` (band labels such as ``"0-100 m"``), ``distance_to``,
        ``days_to`` (upper edges), ``observed``, ``expected``, ``ratio``
        (``None`` when nothing is expected) and ``p_value`` (``None`` without
        permutations). ``attrs`` contains
        ``pairs``, ``close_in_space`` and ``close_in_time`` (pairs per band)
        and ``left_out`` (rows without a coordinate or time).

    Raises
    ------
    TooFewIncidents
        If fewer than 2 incidents have a place and a time.
    AnalysisError
        If the bands are not increasing positive numbers (a time edge may be
        0), ``times`` and ``points`` differ in length, a time is invalid, or
        ``permutations`` is negative.
    """
    space_edges = _edges(distance_bands, "distance_bands", allow_zero=False)
    time_edges = _edges(day_bands, "day_bands", allow_zero=True)
    if (
        isinstance(permutations, bool)
        or not isinstance(permutations, int)
        or (permutations < 0)
    ):
        raise AnalysisError(
            f"permutations must be a whole number, 0 or more, but is {permutations!r}."
        )
    x, y, t, left_out = _space_time(points, times)

    first, second, space_band = _space_pairs(x, y, space_edges)
    observed = _cell_counts(
        space_band, np.abs(t[first] - t[second]), time_edges, len(space_edges)
    )
    rng = np.random.default_rng(seed)
    exceed = np.zeros_like(observed)
    for _ in range(permutations):
        shuffled = rng.permutation(t)
        gaps = np.abs(shuffled[first] - shuffled[second])
        exceed += _cell_counts(space_band, gaps, time_edges, len(space_edges)) >= (
            observed
        )

    pairs = len(t) * (len(t) - 1) // 2
    in_space = np.bincount(space_band, minlength=len(space_edges))
    in_time = _time_pairs_per_band(t, time_edges)
    expected = np.outer(in_space, in_time) / pairs if pairs else observed * 0.0
    table = _band_frame(
        observed, expected, exceed, permutations, space_edges, time_edges
    )
    table.attrs.update(
        pairs=pairs,
        close_in_space=in_space.tolist(),
        close_in_time=in_time.tolist(),
        left_out=left_out,
    )
    return table


def _edges(values, argument: str, allow_zero: bool) -> np.ndarray:
    edges = np.asarray(values, dtype=float)
    low = 0 if allow_zero else np.nextafter(0, 1)
    if (
        edges.ndim != 1
        or not len(edges)
        or edges[0] < low
        or (np.diff(edges) <= 0).any()
    ):
        raise AnalysisError(
            f"{argument} must be increasing positive numbers, but is {values!r}."
        )
    return edges


def _space_time(points: pd.DataFrame, times) -> tuple:
    """Return metres, days since 1970 and the count of rows left out."""
    points = points.reset_index(drop=True)
    stamps = pd.Series(times).reset_index(drop=True)
    if len(stamps) != len(points):
        raise AnalysisError(
            f"times has {len(stamps)} values but points has {len(points)} rows; "
            "pass one time per point."
        )
    try:
        stamps = pd.to_datetime(stamps)
    except (TypeError, ValueError) as error:
        raise AnalysisError(f"times contains an invalid date: {error}.") from None
    known = stamps.notna().to_numpy()
    projected = project_points(points[known])
    position = points.index.get_indexer(projected.index)
    seconds = stamps.to_numpy("datetime64[s]")[position].astype("int64")
    days = seconds / _SECONDS_PER_DAY
    left_out = len(points) - len(days)
    if len(days) < 2:
        raise TooFewIncidents("The near-repeat test", len(days), 2)
    return projected.x, projected.y, days, left_out


def _space_pairs(x, y, edges: np.ndarray):
    """Return the pairs within the last distance edge and their distance band."""
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(r=float(edges[-1]), output_type="ndarray")
    first, second = pairs[:, 0], pairs[:, 1]
    distance = np.hypot(x[first] - x[second], y[first] - y[second])
    band = np.minimum(np.searchsorted(edges, distance, side="left"), len(edges) - 1)
    return first, second, band


def _cell_counts(space_band, gaps, time_edges, space_count) -> np.ndarray:
    time_band = np.searchsorted(time_edges, gaps, side="left")
    inside = time_band < len(time_edges)
    cells = space_band[inside] * len(time_edges) + time_band[inside]
    counts = np.bincount(cells, minlength=space_count * len(time_edges))
    return counts.reshape(space_count, len(time_edges))


def _time_pairs_per_band(t: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Count all pairs whose time gap falls in each band, without listing pairs."""
    ordered = np.sort(t)
    later = np.arange(1, len(ordered) + 1)
    within = np.array(
        [
            (np.searchsorted(ordered, ordered + edge, side="right") - later).sum()
            for edge in edges
        ],
        dtype="int64",
    )
    return np.diff(within, prepend=0)


def _band_frame(observed, expected, exceed, permutations, space_edges, time_edges):
    rows = []
    for i, distance in enumerate(space_edges):
        for j, days in enumerate(time_edges):
            mean = float(expected[i, j])
            rows.append(
                {
                    "distance": _label(space_edges, i, "m"),
                    "days": _label(time_edges, j, "days"),
                    "distance_to": float(distance),
                    "days_to": float(days),
                    "observed": int(observed[i, j]),
                    "expected": mean,
                    "ratio": observed[i, j] / mean if mean > 0 else None,
                    "p_value": (1 + int(exceed[i, j])) / (permutations + 1)
                    if permutations
                    else None,
                }
            )
    table = pd.DataFrame(rows)
    table["ratio"] = pd.Series([row["ratio"] for row in rows], dtype=object)
    table["p_value"] = pd.Series([row["p_value"] for row in rows], dtype=object)
    return table


def _label(edges: np.ndarray, index: int, unit: str) -> str:
    low = 0.0 if index == 0 else edges[index - 1]
    return f"{low:g}-{edges[index]:g} {unit}"
