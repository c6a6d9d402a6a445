"""Finding each row's station, and checking points against station areas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import insert, select

from data_access.schema import station


def load_stations(connection, country_code: str) -> pd.DataFrame:
    """Return the country's stations: id, code, area_wkt."""
    rows = connection.execute(
        select(station.c.id, station.c.code, station.c.area_wkt).where(
            station.c.country_code == country_code
        )
    ).all()
    return pd.DataFrame(rows, columns=["id", "code", "area_wkt"])


def create_missing_stations(
    connection, country_code: str, codes, name_template: str
) -> None:
    """Insert a station for each code in ``codes`` that the country lacks."""
    known = set(load_stations(connection, country_code)["code"])
    new = sorted(set(codes) - known - {None, ""})
    if new:
        connection.execute(
            insert(station),
            [
                {
                    "country_code": country_code,
                    "code": code,
                    "name": name_template.format(code=code),
                    "is_demo": False,
                }
                for code in new
            ],
        )


def containing_areas(
    stations: pd.DataFrame, lon: pd.Series, lat: pd.Series
) -> pd.Series:
    """Return, for each usable point, the id of the station area containing it.

    Points outside every area, and points that are missing, get <NA>. A point on
    the shared edge of two areas goes to the station with the lower id.
    """
    result = pd.Series(pd.NA, index=lon.index, dtype="Int64")
    with_area = stations.dropna(subset=["area_wkt"])
    usable = lon.notna() & lat.notna()
    if with_area.empty or not usable.any():
        return result
    areas = shapely.from_wkt(with_area["area_wkt"].to_numpy())
    tree = shapely.STRtree(areas)
    points = shapely.points(lon[usable].to_numpy(), lat[usable].to_numpy())
    point_index, area_index = tree.query(points, predicate="intersects")
    ids = with_area["id"].to_numpy()[area_index]
    found = (
        pd.DataFrame({"point": point_index, "id": ids})
        .sort_values(["point", "id"])
        .drop_duplicates("point")
    )
    positions = np.flatnonzero(usable.to_numpy())[found["point"].to_numpy()]
    result.iloc[positions] = found["id"].to_numpy()
    return result


# Margin around the station areas, in degrees, inside which a point is plausible.
BOUNDS_MARGIN = 0.5


def flag_swapped_points(incidents: pd.DataFrame, stations: pd.DataFrame) -> None:
    """Flag as swapped the points that fall near the stations only when swapped.

    Needs station areas: a point whose longitude and latitude are both in range
    can be recognised as swapped only against where the country lies.
    """
    with_area = stations.dropna(subset=["area_wkt"])
    if with_area.empty:
        return
    west, south, east, north = shapely.total_bounds(
        shapely.from_wkt(with_area["area_wkt"].to_numpy())
    )

    def near(lon, lat):
        return lon.between(west - BOUNDS_MARGIN, east + BOUNDS_MARGIN) & lat.between(
            south - BOUNDS_MARGIN, north + BOUNDS_MARGIN
        )

    lon, lat = incidents["lon"], incidents["lat"]
    swapped = (incidents["coord_flag"] == "") & ~near(lon, lat) & near(lat, lon)
    incidents.loc[swapped, "coord_flag"] = "swapped"
