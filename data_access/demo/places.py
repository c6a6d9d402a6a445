"""Station areas of the demo and random points inside them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

METRES_PER_DEGREE = 111_320.0
# Rounds of rejection sampling before a point falls back to the station point.
MAX_ROUNDS = 25


@dataclass
class StationArea:
    """A station, its area polygon and the scale of its area.

    Attributes
    ----------
    town_spread
        Standard deviation, in metres, of incident points around the station,
        which stands for the town it serves.
    """

    code: str
    lon: float
    lat: float
    area: shapely.Geometry
    population: float
    town_spread: float

    def to_degrees(self, dx: np.ndarray, dy: np.ndarray):
        """Return longitude and latitude offsets for offsets in metres."""
        scale = METRES_PER_DEGREE * np.cos(np.radians(self.lat))
        return dx / scale, dy / METRES_PER_DEGREE


def read_station_areas(geodata_dir: Path, country_code: str, populations):
    """Return the country's stations, ordered by code, with their 2023 population."""
    features = json.loads((geodata_dir / "stations.geojson").read_text("utf-8"))
    stations = []
    for feature in features["features"]:
        props = feature["properties"]
        if props["country_code"] != country_code:
            continue
        area = shape(feature["geometry"])
        shapely.prepare(area)
        size_m2 = area.area * METRES_PER_DEGREE**2 * np.cos(np.radians(props["lat"]))
        stations.append(
            StationArea(
                code=props["code"],
                lon=props["lon"],
                lat=props["lat"],
                area=area,
                population=populations[("station", props["code"], 2023)],
                town_spread=float(np.clip(0.25 * np.sqrt(size_m2), 300, 3_000)),
            )
        )
    return sorted(stations, key=lambda station: station.code)


def points_near(rng, station: StationArea, lon, lat, spread: float, count: int):
    """Return ``count`` points around (lon, lat), with a normal spread in metres.

    Points outside the station area are drawn again; after ``MAX_ROUNDS`` rounds
    the rest are drawn uniformly inside the area.
    """
    result_lon = np.full(count, np.nan)
    result_lat = np.full(count, np.nan)
    todo = np.arange(count)
    for _ in range(MAX_ROUNDS):
        if not len(todo):
            break
        dx, dy = station.to_degrees(
            rng.normal(0, spread, len(todo)), rng.normal(0, spread, len(todo))
        )
        x = np.round(np.broadcast_to(lon, count)[todo] + dx, 5)
        y = np.round(np.broadcast_to(lat, count)[todo] + dy, 5)
        inside = shapely.contains_xy(station.area, x, y)
        result_lon[todo[inside]] = x[inside]
        result_lat[todo[inside]] = y[inside]
        todo = todo[~inside]
    if len(todo):
        x, y = points_inside(rng, station, len(todo))
        result_lon[todo], result_lat[todo] = x, y
    return result_lon, result_lat


def points_inside(rng, station: StationArea, count: int):
    """Return ``count`` points drawn uniformly inside the station area."""
    minx, miny, maxx, maxy = station.area.bounds
    result_lon = np.full(count, station.lon)
    result_lat = np.full(count, station.lat)
    todo = np.arange(count)
    for _ in range(MAX_ROUNDS):
        if not len(todo):
            break
        batch = len(todo) * 4
        x = np.round(rng.uniform(minx, maxx, batch), 5)
        y = np.round(rng.uniform(miny, maxy, batch), 5)
        inside = np.flatnonzero(shapely.contains_xy(station.area, x, y))
        accepted = inside[: len(todo)]
        result_lon[todo[: len(accepted)]] = x[accepted]
        result_lat[todo[: len(accepted)]] = y[accepted]
        todo = todo[len(accepted) :]
    # NOTE: points still left after MAX_ROUNDS stay on the station point, which
    # lies inside its area.
    return result_lon, result_lat
