"""Loading of the shipped geography: divisions, parishes, stations and population.

The files live in the ``geodata`` folder of the project (``dashboard.config.
GEODATA_DIR``), built once by ``scripts/build_geodata.py``:

- ``divisions.csv``: country_code, code, name;
- ``adm1.geojson``: parishes, districts and regions with code, name and source;
- ``stations.geojson``: station areas as geometries, with the station point in the
  ``lon`` and ``lat`` properties;
- ``population.csv`` and ``population_sources.csv``: population totals of countries,
  admin areas and station areas by year, with a key to the source text;
- ``age_sex_structure.csv``: assumed shares by age band and the male share of each.
"""

from __future__ import annotations

import csv
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import shape
from sqlalchemy import Engine, bindparam, delete, insert, select, update

from data_access.cache import bump_generation
from data_access.schema import ALL, admin_area, division, population, station

logger = logging.getLogger(__name__)

AGE_SEX_SOURCE = "age_sex"

# Population by sex and age band is derived for these area types only; station
# areas carry totals.
BREAKDOWN_AREA_TYPES = ("country", "admin_area")


class GeodataError(ValueError):
    """A geodata file is missing or inconsistent."""


@dataclass(frozen=True)
class GeographyCounts:
    """Rows of each kind written by ``load_geography``."""

    divisions: int
    admin_areas: int
    stations: int
    population_rows: int


def load_geography(engine: Engine, geodata_dir: str | Path) -> GeographyCounts:
    """Insert or update divisions, admin areas, stations and population rows.

    Rows are matched on country and code, so loading again updates them in place
    and keeps station ids (and the incidents that refer to them). The population
    rows of the countries in the files are replaced. Everything is written in one
    transaction, which also changes the warehouse generation, so cached results
    from before the load are not served after it.

    Parameters
    ----------
    engine
        Warehouse engine; the countries must already exist (``init_warehouse``).
    geodata_dir
        Folder holding the files listed in this module's docstring.

    Returns
    -------
    GeographyCounts
        Rows written of each kind.

    Raises
    ------
    GeodataError
        If a file is missing or a station names an unknown division.
    """
    folder = Path(geodata_dir)
    divisions = _read_csv(folder / "divisions.csv")
    areas = _read_features(folder / "adm1.geojson")
    stations = _read_features(folder / "stations.geojson")
    populations = population_rows(folder)

    with engine.begin() as connection:
        _upsert(connection, division, divisions, ("name",))
        _upsert(connection, admin_area, [_area_row(f) for f in areas], _AREA_FIELDS)
        division_ids = _division_ids(connection)
        station_rows = [_station_row(f, division_ids) for f in stations]
        _upsert(connection, station, station_rows, _STATION_FIELDS)
        countries = sorted({row["country_code"] for row in populations})
        connection.execute(
            delete(population).where(population.c.country_code.in_(countries))
        )
        connection.execute(insert(population), populations)
        bump_generation(connection, f"geography {folder.name}")
    logger.info(
        "loaded geography from %s: %d stations, %d population rows",
        folder,
        len(station_rows),
        len(populations),
    )
    return GeographyCounts(len(divisions), len(areas), len(stations), len(populations))


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        raise GeodataError(
            f"geodata file {str(path)!r} is missing; run "
            "scripts/build_geodata.py to create it."
        )
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _read_features(path: Path) -> list[dict]:
    if not path.is_file():
        raise GeodataError(
            f"geodata file {str(path)!r} is missing; run "
            "scripts/build_geodata.py to create it."
        )
    return json.loads(path.read_text("utf-8"))["features"]


def _wkt(feature: dict) -> str:
    return shapely.to_wkt(shape(feature["geometry"]), rounding_precision=5)


_AREA_FIELDS = ("name", "geometry_wkt", "source")


def _area_row(feature: dict) -> dict:
    props = feature["properties"]
    return {
        "country_code": props["country_code"],
        "code": props["code"],
        "name": props["name"],
        "geometry_wkt": _wkt(feature),
        "source": props["source"],
    }


_STATION_FIELDS = (
    "name",
    "division_id",
    "admin_area_code",
    "lon",
    "lat",
    "area_wkt",
    "is_demo",
)


def _station_row(feature: dict, division_ids: dict) -> dict:
    props = feature["properties"]
    key = (props["country_code"], props["division_code"])
    if key not in division_ids:
        raise GeodataError(
            f"station {props['code']!r} names division {key[1]!r}, which "
            f"divisions.csv does not list for {key[0]!r}."
        )
    return {
        "country_code": props["country_code"],
        "code": props["code"],
        "name": props["name"],
        "division_id": division_ids[key],
        "admin_area_code": props["admin_area_code"],
        "lon": props["lon"],
        "lat": props["lat"],
        "area_wkt": _wkt(feature),
        "is_demo": bool(props["is_demo"]),
    }


def _division_ids(connection) -> dict[tuple[str, str], int]:
    rows = connection.execute(
        select(division.c.id, division.c.country_code, division.c.code)
    )
    return {(row.country_code, row.code): row.id for row in rows}


def _upsert(connection, table, rows: list[dict], fields: tuple[str, ...]) -> None:
    """Insert rows with a new (country_code, code) and update the others in place."""
    existing = {
        (row.country_code, row.code): row.id
        for row in connection.execute(
            select(table.c.id, table.c.country_code, table.c.code)
        )
    }
    new = [row for row in rows if (row["country_code"], row["code"]) not in existing]
    old = [
        {"row_id": existing[(row["country_code"], row["code"])]}
        | {field: row[field] for field in fields}
        for row in rows
        if (row["country_code"], row["code"]) in existing
    ]
    if new:
        connection.execute(insert(table), new)
    if old:
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({field: bindparam(field) for field in fields})
        )
        connection.execute(statement, old)


def population_rows(geodata_dir: str | Path) -> list[dict]:
    """Return the population rows to store: totals and their sex and age breakdown.

    The breakdown applies the shares of ``age_sex_structure.csv`` to each total of
    a country or admin area, and is always marked as an estimate.
    """
    folder = Path(geodata_dir)
    sources = {
        row["source"]: row["text"]
        for row in _read_csv(folder / "population_sources.csv")
    }
    structure = _read_csv(folder / "age_sex_structure.csv")
    rows = []
    for total in _read_csv(folder / "population.csv"):
        row = {
            "country_code": total["country_code"],
            "area_type": total["area_type"],
            "area_code": total["area_code"],
            "year": int(total["year"]),
            "sex": ALL,
            "age_band": ALL,
            "population": float(total["population"]),
            "is_estimate": total["is_estimate"] == "1",
            "source": sources[total["source"]],
        }
        rows.append(row)
        if row["area_type"] in BREAKDOWN_AREA_TYPES:
            rows.extend(_breakdown(row, structure, sources[AGE_SEX_SOURCE]))
    return rows


def _breakdown(total: dict, structure: list[dict], source: str) -> list[dict]:
    """Return the rows by sex, by age band and by both for one total."""
    base = {**total, "is_estimate": True, "source": source}
    value = total["population"]
    by_sex = {"M": 0.0, "F": 0.0}
    rows = []
    for band in structure:
        in_band = value * float(band["share_percent"]) / 100
        male = in_band * float(band["male_share"])
        rows.append(
            base | {"age_band": band["age_band"], "population": round(in_band, 1)}
        )
        for sex, count in (("M", male), ("F", in_band - male)):
            by_sex[sex] += count
            rows.append(
                base
                | {
                    "sex": sex,
                    "age_band": band["age_band"],
                    "population": round(count, 1),
                }
            )
    for sex, count in by_sex.items():
        rows.append(base | {"sex": sex, "population": round(count, 1)})
    return rows
