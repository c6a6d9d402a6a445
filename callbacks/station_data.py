"""Data preparation of the Station workspace: queries, then the analysis functions.

Each function takes the engine, the caller's scope and a ``Reading`` (what the
user chose to read) and returns plain values for the layout builders. They are
called by the page's callbacks and tested on small warehouses without a browser.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely import wkt as shapely_wkt

from analysis import station_extra as extra
from analysis import station_spatial as spatial
from data_access import station_queries as queries
from data_access.reference import load_iccs_codes
from data_access.schema import UNMAPPED
from data_access.scope import Scope

ALL_CATEGORIES = "All categories"
UNMAPPED_LABEL = "Not mapped to ICCS"

# Map defaults: grid cell side, kernel bandwidth and Gi* distance band, metres.
DEFAULT_CELL_METRES = 250
DEFAULT_BANDWIDTH_METRES = 400
GI_BAND_CELLS = 1.5
GI_ALPHA = 0.05

# Places closer than this are one place in the repeat-places panel, metres.
PLACE_TOLERANCE_METRES = 25
BURGLARY = "0501"
KNOX_MONTHS = 12

# Shapes of the base map are simplified to this tolerance, degrees (about 50 m).
SIMPLIFY_DEGREES = 0.0005


@dataclass(frozen=True)
class Reading:
    """The user's choice of station, month, categories, counting unit and basis."""

    country_code: str
    station_code: str
    month: int
    categories: tuple[str, ...] = ()
    unit: str = "incidents"
    basis: str = "occurred"

    def __post_init__(self):
        extra.check_month(self.month)
        if self.unit not in queries.UNITS:
            raise queries.QueryError(
                f"counting unit {self.unit!r} is invalid; use one of {queries.UNITS}."
            )
        if self.basis not in queries.BASES:
            raise queries.QueryError(
                f"date basis {self.basis!r} is invalid; use one of {queries.BASES}."
            )

    @property
    def label(self) -> str:
        """Return the unit and basis in words, for panel captions."""
        return f"{self.unit.capitalize()}, by month {self.basis}"


def default_month(engine, scope: Scope, record, basis: str, today) -> int:
    """Return the last complete month, or the last month with data if earlier."""
    month = extra.last_complete_month(today)
    span = queries.data_months(engine, scope, record, basis)
    if span is not None and span[1] < month:
        return span[1]
    return month


def month_options(engine, scope: Scope, record, basis: str, today) -> list[int]:
    """Return the months the picker offers, newest first: the data's range."""
    last = extra.last_complete_month(today)
    span = queries.data_months(engine, scope, record, basis)
    first = last if span is None else min(span[0], last)
    newest = last if span is None else max(min(span[1], last), first)
    return list(
        reversed(extra.month_span(max(first, extra.shift_month(last, -59)), newest))
    )


# CompStat, trend and ICCS breakdown: from the monthly rollups.


def _unit_counts(monthly: pd.DataFrame, unit: str) -> pd.DataFrame:
    return monthly[["month", "iccs_code"]].assign(count=monthly[unit])


def section_names(iccs: pd.DataFrame) -> dict[str, str]:
    """Return the ICCS sections (level 1) by code."""
    sections = iccs[iccs["level"] == 1]
    return dict(zip(sections["code"].tolist(), sections["name"].tolist(), strict=True))


def compstat_groups(
    iccs: pd.DataFrame, categories: tuple[str, ...]
) -> list[tuple[str, tuple[str, ...]]]:
    """Return the rows of the CompStat table: all, sections, chosen, unmapped."""
    names = dict(zip(iccs["code"].tolist(), iccs["name"].tolist(), strict=True))
    groups = [(ALL_CATEGORIES, ())]
    groups += [
        (f"{code} {name}", (code,)) for code, name in section_names(iccs).items()
    ]
    groups += [
        (f"{code} {names.get(code, '')}".strip(), (code,))
        for code in categories
        if len(code) > 2
    ]
    groups.append((UNMAPPED_LABEL, (UNMAPPED,)))
    return groups


def read_compstat(engine, scope: Scope, reading: Reading) -> pd.DataFrame:
    """Return the CompStat table of a reading (see ``compstat_rows``)."""
    record = queries.find_station(
        engine, scope, reading.country_code, reading.station_code
    )
    return _compstat(
        engine, scope, record, reading, _recent_months(engine, scope, record, reading)
    )


def _recent_months(engine, scope: Scope, record, reading: Reading) -> pd.DataFrame:
    """Return the monthly counts of the 27 months up to the reading's month."""
    return queries.monthly_counts(
        engine,
        scope,
        record,
        reading.basis,
        extra.shift_month(reading.month, -26),
        reading.month,
    )


def _compstat(engine, scope, record, reading, monthly) -> pd.DataFrame:
    daily = read_days(engine, scope, record, reading)
    groups = compstat_groups(iccs_list(), reading.categories)
    return extra.compstat_rows(
        _unit_counts(monthly, reading.unit), daily, reading.month, groups
    )


def read_counts(engine, scope: Scope, reading: Reading) -> tuple:
    """Return the CompStat table, trend, ICCS breakdown and quality of a reading.

    The station is looked up and its monthly counts are read once for the four
    panels. Each value is the one the matching ``read_*`` function returns.
    """
    record = queries.find_station(
        engine, scope, reading.country_code, reading.station_code
    )
    monthly = _recent_months(engine, scope, record, reading)
    month_rows = monthly[monthly["month"] == reading.month]
    return (
        _compstat(engine, scope, record, reading, monthly),
        _trend(monthly, reading),
        _breakdown(engine, scope, record, reading, month_rows),
        _quality(engine, scope, record, reading),
    )


def read_days(engine, scope: Scope, record, reading: Reading) -> pd.DataFrame:
    """Return counts by day and ICCS code over the two 28-day windows.

    Incidents count 1 and victims their number, by the incident's principal
    offence; offences count by their own code, as in the monthly rollups.
    """
    first_month = extra.shift_month(reading.month, -2)
    if reading.unit == "offences":
        days = queries.offence_days(
            engine, scope, record, reading.basis, first_month, reading.month
        )
        return days.assign(count=1)
    days = queries.incident_days(
        engine, scope, record, reading.basis, first_month, reading.month
    )
    count = 1 if reading.unit == "incidents" else days["victim_count"]
    return days[["day", "iccs_code"]].assign(count=count)


def read_trend(engine, scope: Scope, reading: Reading) -> pd.DataFrame:
    """Return the 13-month trend of the chosen categories (``thirteen_months``)."""
    record = queries.find_station(
        engine, scope, reading.country_code, reading.station_code
    )
    return _trend(_recent_months(engine, scope, record, reading), reading)


def _trend(monthly: pd.DataFrame, reading: Reading) -> pd.DataFrame:
    chosen = monthly[extra.matches(monthly["iccs_code"], reading.categories)]
    totals = chosen.groupby("month")[reading.unit].sum()
    return extra.thirteen_months(totals, reading.month)


def iccs_breakdown(counts: pd.Series, iccs: pd.DataFrame) -> list[dict]:
    """Return the ICCS tree of one month's counts, section down to deepest level.

    Parameters
    ----------
    counts
        Counts indexed by ICCS code as mapped (any level), ``UNMAPPED`` too.
    iccs
        The ICCS list (``code``, ``level``, ``parent_code``, ``name``).

    Returns
    -------
    list of dict
        Rows with ``depth`` (0 for a section), ``code``, ``name`` and ``count``,
        parents before children, non-zero rows only. Counts mapped to a code that
        has children get a child row named "not further specified".
    """
    names = dict(zip(iccs["code"].tolist(), iccs["name"].tolist(), strict=True))
    children: dict[str | None, list[str]] = {}
    for code, parent in zip(
        iccs["code"].tolist(), iccs["parent_code"].tolist(), strict=True
    ):
        children.setdefault(parent if isinstance(parent, str) else None, []).append(
            code
        )
    counts = counts[counts > 0]
    # Sum of the counts whose code starts with each prefix, for every prefix of
    # every code with a count.
    totals: dict[str, int] = {}
    for code, value in zip(counts.index.astype(str), counts.tolist(), strict=True):
        for end in range(1, len(code) + 1):
            totals[code[:end]] = totals.get(code[:end], 0) + value
    rows: list[dict] = []

    def walk(code: str, depth: int) -> None:
        value = int(totals.get(code, 0))
        if value == 0:
            return
        rows.append({"depth": depth, "code": code, "name": names[code], "count": value})
        kids = children.get(code, [])
        own = int(counts.get(code, 0))
        if kids and own:
            rows.append(
                {
                    "depth": depth + 1,
                    "code": code,
                    "name": "not further specified",
                    "count": own,
                }
            )
        for kid in kids:
            walk(kid, depth + 1)

    for section in children.get(None, []):
        walk(section, 0)
    return rows


def read_breakdown(engine, scope: Scope, reading: Reading) -> dict:
    """Return the month's ICCS tree and its unmapped national codes.

    Returns
    -------
    dict
        ``rows`` (see ``iccs_breakdown``), ``unmapped`` (count of the unit under
        ``UNMAPPED``) and ``national_codes`` (DataFrame of ``national_code`` and
        ``offences``).
    """
    record = queries.find_station(
        engine, scope, reading.country_code, reading.station_code
    )
    monthly = queries.monthly_counts(
        engine, scope, record, reading.basis, reading.month, reading.month
    )
    return _breakdown(engine, scope, record, reading, monthly)


def _breakdown(engine, scope, record, reading: Reading, monthly) -> dict:
    chosen = monthly[extra.matches(monthly["iccs_code"], reading.categories)]
    counts = chosen.groupby("iccs_code")[reading.unit].sum()
    unmapped = int(monthly.loc[monthly["iccs_code"] == UNMAPPED, reading.unit].sum())
    national = queries.unmapped_codes(
        engine, scope, record, reading.basis, reading.month
    )
    rows = iccs_breakdown(counts.drop(UNMAPPED, errors="ignore"), iccs_list())
    return {"rows": rows, "unmapped": unmapped, "national_codes": national}


@functools.cache
def iccs_list() -> pd.DataFrame:
    """Return the ICCS list shipped with the package (the warehouse loads it too)."""
    return pd.DataFrame(list(load_iccs_codes()))


@functools.cache
def iccs_sections() -> dict[str, str]:
    """Return the ICCS sections of the shipped list (see ``section_names``)."""
    return section_names(iccs_list())


def read_quality(engine, scope: Scope, reading: Reading) -> dict[str, float | None]:
    """Return the data-quality shares (0 to 1) of the station's month.

    A share is ``None`` when its base is zero.
    """
    record = queries.find_station(
        engine, scope, reading.country_code, reading.station_code
    )
    return _quality(engine, scope, record, reading)


def _quality(engine, scope, record, reading: Reading) -> dict[str, float | None]:
    counts = queries.quality_counts(engine, scope, record, reading.month)

    def share(part: str, whole: str) -> float | None:
        return counts[part] / counts[whole] if counts[whole] else None

    return {
        "incidents": counts["incidents"],
        "without_coordinates": share("without_coordinates", "incidents"),
        "unmapped_offences": share("unmapped_offences", "offences"),
        "victims_missing_age": share("victims_missing_age", "victims"),
        "victims_missing_sex": share("victims_missing_sex", "victims"),
        "recorded_late": share("recorded_late", "incidents"),
    }


# Incident-level panels: map, times and places.


def read_incidents(
    engine, scope: Scope, reading: Reading, months_back: int = 0
) -> pd.DataFrame:
    """Return the station's incidents of the chosen categories, month range."""
    record = queries.find_station(
        engine, scope, reading.country_code, reading.station_code
    )
    return queries.incident_rows(
        engine,
        scope,
        record,
        reading.basis,
        extra.shift_month(reading.month, -months_back),
        reading.month,
        reading.categories,
    )


def mappable(rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Return the rows that may be drawn and how many were left off.

    Rows with a non-empty ``coord_flag`` or a missing coordinate are left off.
    """
    usable = (rows["coord_flag"] == "") & rows["lon"].notna() & rows["lat"].notna()
    return rows[usable], int((~usable).sum())


def projection_for(record: queries.StationRecord, points: pd.DataFrame):
    """Return the local projection centred on the station, or on the points."""
    if record.lon is not None and record.lat is not None:
        return spatial.LocalProjection(record.lon, record.lat)
    if record.area_wkt:
        centre = shapely_wkt.loads(record.area_wkt).centroid
        return spatial.LocalProjection(centre.x, centre.y)
    if points is None or points.empty:
        # NOTE: a station with no point, no area and no drawn incidents has no
        # place on the map; the projection is then centred on 0, 0.
        return spatial.LocalProjection(0.0, 0.0)
    return spatial.LocalProjection(
        float(points["lon"].mean()), float(points["lat"].mean())
    )


def station_extent(record, projection) -> tuple[float, float, float, float] | None:
    """Return the station area's bounds in local metres, or ``None``."""
    if not record.area_wkt:
        return None
    xmin, ymin, xmax, ymax = shapely_wkt.loads(record.area_wkt).bounds
    x, y = projection.to_metres([xmin, xmax], [ymin, ymax])
    return float(x[0]), float(y[0]), float(x[1]), float(y[1])


def read_when(engine, scope: Scope, reading: Reading) -> np.ndarray:
    """Return the month's aoristic weekday-by-hour table of incidents."""
    rows = read_incidents(engine, scope, reading)
    return extra.aoristic_weights(rows["occurred_from"], rows["occurred_to"])


def read_repeats(engine, scope: Scope, reading: Reading) -> dict:
    """Return top places of the month and Knox tests over the last 12 months.

    Returns
    -------
    dict
        ``places`` (DataFrame ``lon``, ``lat``, ``count``), ``top_share``,
        ``incidents`` (drawn points of the month), and ``knox``: a list of
        ``(label, KnoxResult or message)`` for burglary and, when chosen, the
        chosen categories.
    """
    record = queries.find_station(
        engine, scope, reading.country_code, reading.station_code
    )
    return _repeats(record, _knox_year(engine, scope, record, reading), reading)


def read_times_places(engine, scope: Scope, reading: Reading) -> tuple:
    """Return ``read_when`` and ``read_repeats`` of a reading from one read.

    The month's incidents of the chosen categories are taken from the 12
    months that the Knox tests read, so the station is looked up and its
    incidents are read once.
    """
    record = queries.find_station(
        engine, scope, reading.country_code, reading.station_code
    )
    year = _knox_year(engine, scope, record, reading)
    month_rows = year[
        (year["month"] == reading.month)
        & extra.matches(year["iccs_code"], reading.categories)
    ]
    weights = extra.aoristic_weights(
        month_rows["occurred_from"], month_rows["occurred_to"]
    )
    return weights, _repeats(record, year, reading)


def _knox_year(engine, scope: Scope, record, reading: Reading) -> pd.DataFrame:
    """Return every incident of the 12 months that end with the reading's month."""
    return queries.incident_rows(
        engine,
        scope,
        record,
        reading.basis,
        extra.shift_month(reading.month, -(KNOX_MONTHS - 1)),
        reading.month,
    )


def _repeats(record, year: pd.DataFrame, reading: Reading) -> dict:
    year, _ = mappable(year)
    projection = projection_for(record, year)
    month_rows = year[
        (year["month"] == reading.month)
        & extra.matches(year["iccs_code"], reading.categories)
    ]
    places, share = spatial.top_places(month_rows, projection, PLACE_TOLERANCE_METRES)
    knox = [("Burglary (ICCS 0501)", _knox(year, (BURGLARY,), projection))]
    if reading.categories and tuple(reading.categories) != (BURGLARY,):
        label = "Chosen categories (" + ", ".join(reading.categories) + ")"
        knox.append((label, _knox(year, reading.categories, projection)))
    return {
        "places": places,
        "top_share": share,
        "incidents": len(month_rows),
        "knox": knox,
    }


def _knox(rows: pd.DataFrame, categories, projection):
    chosen = rows[extra.matches(rows["iccs_code"], tuple(categories))]
    if len(chosen) < 3:
        return f"Too few incidents for a Knox test: {len(chosen)} in 12 months."
    points = chosen.assign(day=chosen["occurred_from"])
    return spatial.knox_test(points, projection)


@dataclass(frozen=True)
class MapData:
    """Everything the crime map shows, in degrees.

    Attributes
    ----------
    points
        Drawn incidents: ``lon``, ``lat``, ``occurred_from``, ``iccs_code``,
        ``location_type``.
    left_off
        Incidents not drawn because their coordinates are flagged or missing.
    layer
        ``"none"``, ``"grid"``, ``"kde"`` or ``"gi"``.
    surface
        ``(lon, lat, z)`` of the layer's raster (1-D, 1-D, 2-D), or ``None``.
    layer_note
        What the layer shows (bandwidth, band, level) or why it is not drawn.
    overlay
        Last month's Gi* hot cells as WKT polygons, or ``None`` when not asked.
    overlay_note
        What the overlay shows or why it is empty.
    projection
        The local projection centred on the station.
    cell_metres
        Side of the grid cells in metres.
    station
        The station read, from ``find_station``.
    """

    points: pd.DataFrame
    left_off: int
    layer: str
    surface: tuple | None
    layer_note: str
    overlay: list[str] | None
    overlay_note: str
    projection: spatial.LocalProjection
    cell_metres: float
    station: queries.StationRecord


def read_map(
    engine,
    scope: Scope,
    reading: Reading,
    layer: str,
    cell_metres: float = DEFAULT_CELL_METRES,
    bandwidth_metres: float = DEFAULT_BANDWIDTH_METRES,
    overlay: bool = False,
) -> MapData:
    """Return the points and the chosen hot-spot layer of the crime map."""
    record = queries.find_station(
        engine, scope, reading.country_code, reading.station_code
    )
    rows = queries.incident_rows(
        engine,
        scope,
        record,
        reading.basis,
        extra.shift_month(reading.month, -1),
        reading.month,
        reading.categories,
    )
    drawn, left_off = mappable(rows[rows["month"] == reading.month])
    projection = projection_for(record, drawn)
    extent = station_extent(record, projection)
    surface, note = _layer(
        drawn, layer, projection, extent, cell_metres, bandwidth_metres
    )
    overlay_cells, overlay_note = None, ""
    if overlay:
        previous, _ = mappable(rows[rows["month"] != reading.month])
        overlay_cells, overlay_note = hot_cells(
            previous, projection, extent, cell_metres
        )
    return MapData(
        points=drawn,
        left_off=left_off,
        layer=layer,
        surface=surface,
        layer_note=note,
        overlay=overlay_cells,
        overlay_note=overlay_note,
        projection=projection,
        cell_metres=cell_metres,
        station=record,
    )


def _layer(points, layer, projection, extent, cell_metres, bandwidth_metres):
    try:
        if layer == "grid":
            return _grid_surface(points, projection, extent, cell_metres)
        if layer == "kde":
            return _kde_surface(points, projection, bandwidth_metres)
        if layer == "gi":
            return _gi_surface(points, projection, extent, cell_metres)
    except spatial.TooFewIncidents as error:
        return None, str(error)
    return None, ""


def _raster(cells: pd.DataFrame, values: pd.Series, projection):
    columns, column_index = np.unique(cells["col"].to_numpy(), return_inverse=True)
    rows, row_index = np.unique(cells["row"].to_numpy(), return_inverse=True)
    z = np.full((len(rows), len(columns)), np.nan)
    z[row_index, column_index] = values.to_numpy(dtype=float)
    # Every cell of a column has the same centre x, and of a row the same y.
    xs = np.empty(len(columns))
    xs[column_index] = cells["x"].to_numpy()
    ys = np.empty(len(rows))
    ys[row_index] = cells["y"].to_numpy()
    lon, _ = projection.to_degrees(xs, np.zeros_like(xs))
    _, lat = projection.to_degrees(np.zeros_like(ys), ys)
    return lon, lat, z


def _grid_surface(points, projection, extent, cell_metres):
    spatial.grid_counts(points, projection, cell_metres)
    cells = spatial.grid_cells(points, projection, cell_metres, extent)
    values = cells["count"].where(cells["count"] > 0)
    note = f"Grid: incidents per {cell_metres:g} m cell."
    return _raster(cells, values, projection), note


def _kde_surface(points, projection, bandwidth_metres):
    resolution = max(bandwidth_metres / 4, 25.0)
    xs, ys, density = spatial.quartic_kde(
        points, projection, bandwidth_metres, resolution
    )
    lon, _ = projection.to_degrees(xs, np.zeros_like(xs))
    _, lat = projection.to_degrees(np.zeros_like(ys), ys)
    density = np.where(density > 0, density, np.nan)
    note = (
        f"Kernel density, quartic kernel, bandwidth {bandwidth_metres:g} m: "
        "incidents per km²."
    )
    return (lon, lat, density), note


def _gi(points, projection, extent, cell_metres):
    cells = spatial.grid_cells(points, projection, cell_metres, extent)
    return spatial.getis_ord_hotspots(cells, GI_BAND_CELLS * cell_metres, GI_ALPHA)


def _gi_surface(points, projection, extent, cell_metres):
    result = _gi(points, projection, extent, cell_metres)
    cells = result.cells
    values = cells["z"].where(cells["hot"] | cells["cold"])
    note = (
        f"Getis-Ord Gi* on {cell_metres:g} m cells, distance band "
        f"{result.distance_metres:g} m, significance level {result.alpha:g} with "
        f"false discovery rate correction (p ≤ {result.p_cutoff:.2g}): "
        f"{int(cells['hot'].sum())} hot and {int(cells['cold'].sum())} cold cells."
    )
    return _raster(cells, values, projection), note


def hot_cells(points, projection, extent, cell_metres) -> tuple[list[str], str]:
    """Return the Gi* hot cells of ``points`` as WKT polygons, with a caption."""
    try:
        result = _gi(points, projection, extent, cell_metres)
    except spatial.TooFewIncidents as error:
        return [], f"Last month's hot spots: not computed. {error}"
    hot = result.cells[result.cells["hot"]]
    polygons = [
        cell_polygon(projection, x, y, cell_metres).wkt
        for x, y in zip(hot["x"], hot["y"], strict=True)
    ]
    return polygons, f"Last month's Gi* hot spots: {len(polygons)} cells (outlined)."


def cell_polygon(projection, x: float, y: float, side_metres: float):
    """Return the square of ``side_metres`` centred on local ``(x, y)``, degrees."""
    half = side_metres / 2
    xs = np.array([x - half, x + half, x + half, x - half])
    ys = np.array([y - half, y - half, y + half, y + half])
    lon, lat = projection.to_degrees(xs, ys)
    return shapely.Polygon(np.round(np.column_stack([lon, lat]), 6))


def cell_at(projection, lon: float, lat: float, side_metres: float):
    """Return the grid cell polygon that contains a point, in degrees."""
    x, y = projection.to_metres([lon], [lat])
    col = np.floor(x[0] / side_metres)
    row = np.floor(y[0] / side_metres)
    return cell_polygon(
        projection, (col + 0.5) * side_metres, (row + 0.5) * side_metres, side_metres
    )


def read_base_map(engine, scope: Scope, record) -> dict:
    """Return the base map around a station as simplified shapely geometries.

    Returns
    -------
    dict
        ``station`` (its area or ``None``), ``neighbours`` (list of
        ``(code, geometry)`` touching a 2 km margin around it), ``admin_lines``
        (parish boundaries as lines) and ``outline`` (the country, the union of
        its parishes).
    """
    shapes = queries.base_map_shapes(engine, scope, record)
    areas = {code: shapely_wkt.loads(text) for code, text in shapes["stations"]}
    own = areas.get(record.code)
    parishes = [shapely_wkt.loads(text) for _, text in shapes["admin_areas"]]
    window = own.buffer(0.02) if own is not None else None
    neighbours = [
        (code, _simplify(area))
        for code, area in areas.items()
        if code != record.code and (window is None or area.intersects(window))
    ]
    outline = shapely.union_all(parishes) if parishes else None
    return {
        "station": _simplify(own),
        "neighbours": neighbours,
        "admin_lines": [_simplify(p.boundary) for p in parishes],
        "outline": _simplify(outline),
    }


def _simplify(geometry):
    if geometry is None:
        return None
    return shapely.set_precision(
        geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True), 1e-4
    )


def today() -> dt.date:
    """Return today's date; the page's default month is the one before."""
    return dt.date.today()
