"""Tests of the shipped geography: station areas, divisions and population."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import func, select

from dashboard.config import GEODATA_DIR
from data_access.geography import load_geography
from data_access.schema import ALL, admin_area, population, station

STATION_COUNTS = {
    "ATG": 13,
    "BRB": 12,
    "GRD": 14,
    "GUY": 124,
    "KNA": 11,
    "LCA": 15,
    "SUR": 65,
    "VCT": 21,
}
UTM_ZONE = {
    "ATG": 32620,
    "BRB": 32621,
    "GRD": 32620,
    "GUY": 32621,
    "KNA": 32620,
    "LCA": 32620,
    "SUR": 32621,
    "VCT": 32620,
}


@pytest.fixture
def geography(engine):
    """Return an engine on a warehouse loaded with the shipped geography."""
    load_geography(engine, GEODATA_DIR)
    return engine


def _read(engine, query) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def _metric(wkt_values, country_code: str):
    to_metric = Transformer.from_crs(4326, UTM_ZONE[country_code], always_xy=True)

    def project(coords):
        x, y = to_metric.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return [shapely.transform(shapely.from_wkt(w), project) for w in wkt_values]


def _stations(engine) -> pd.DataFrame:
    return _read(engine, select(station))


def test_station_counts_per_country(geography):
    counts = _stations(geography).groupby("country_code").size().to_dict()
    assert counts == STATION_COUNTS


@pytest.mark.parametrize("country_code", sorted(STATION_COUNTS))
def test_station_areas_tile_country(geography, country_code):
    stations = _stations(geography)
    areas = _metric(
        stations.loc[stations["country_code"] == country_code, "area_wkt"],
        country_code,
    )
    parishes = _read(
        geography,
        select(admin_area.c.geometry_wkt).where(
            admin_area.c.country_code == country_code
        ),
    )
    territory = shapely.union_all(_metric(parishes["geometry_wkt"], country_code))
    covered = shapely.union_all(areas)

    gap_or_excess = shapely.symmetric_difference(covered, territory).area
    assert gap_or_excess < 1e-6 * territory.area
    for first, second in itertools.combinations(areas, 2):
        assert shapely.intersection(first, second).area < 1e-6  # square metres


def test_station_point_inside_area(geography):
    stations = _stations(geography)
    areas = shapely.from_wkt(stations["area_wkt"].to_numpy())
    inside = shapely.contains_xy(areas, stations["lon"], stations["lat"])
    outside = stations.loc[~inside, "code"].tolist()
    assert outside == []


def test_saint_lucia_stations_real_names(geography):
    stations = _stations(geography)
    lucia = stations[stations["country_code"] == "LCA"]
    assert "Castries Central Police Station" in set(lucia["name"])
    assert not lucia["is_demo"].any()
    assert stations.loc[stations["country_code"] != "LCA", "is_demo"].all()


def test_barima_waini_usual_spelling(geography):
    names = set(_read(geography, select(admin_area.c.name))["name"])
    assert "Barima-Waini" in names
    assert "Barina-Waini" not in names


def _totals(engine, area_type: str) -> pd.DataFrame:
    columns = population.c
    return _read(
        engine,
        select(
            columns.country_code,
            columns.area_code,
            columns.year,
            columns.population,
            columns.is_estimate,
        ).where(
            columns.area_type == area_type,
            columns.sex == ALL,
            columns.age_band == ALL,
        ),
    )


def test_national_totals_match_world_bank(geography, shared_data):
    published = pd.read_csv(
        shared_data / "stats" / "population_worldbank_SP.POP.TOTL.csv"
    )
    published = published[
        published["iso3"].isin(STATION_COUNTS) & published["year"].between(2015, 2023)
    ]
    stored = _totals(geography, "country").set_index(["area_code", "year"])
    for row in published.itertuples():
        assert stored.loc[(row.iso3, row.year), "population"] == row.population
        assert not stored.loc[(row.iso3, row.year), "is_estimate"]


def test_2024_population_is_projection(geography):
    stored = _totals(geography, "country").set_index(["area_code", "year"])
    for code in STATION_COUNTS:
        assert stored.loc[(code, 2024), "is_estimate"]
        # Linear trend of 2019-2023: within 2% of the 2023 figure for all eight.
        ratio = (
            stored.loc[(code, 2024), "population"]
            / stored.loc[(code, 2023), "population"]
        )
        assert 0.98 < ratio < 1.02


@pytest.mark.parametrize("area_type", ["admin_area", "station"])
def test_area_populations_sum_to_national(geography, area_type):
    national = _totals(geography, "country").set_index(["country_code", "year"])
    parts = _totals(geography, area_type).groupby(["country_code", "year"])
    summed = parts["population"].sum()
    assert len(summed) == 80
    for key, value in summed.items():
        assert value == national.loc[key, "population"]


def test_census_share_applied_to_total(geography):
    # Saint Michael, Barbados: 69,604 of 226,193 enumerated in the 2010 census,
    # applied to the World Bank 2015 total of 278,990.
    parishes = _totals(geography, "admin_area").set_index(["area_code", "year"])
    expected = 278_990 * 69_604 / 226_193
    assert abs(parishes.loc[("BB-08", 2015), "population"] - expected) <= 1


def test_sex_and_age_rows_sum(geography):
    columns = population.c
    rows = _read(
        geography,
        select(columns.sex, columns.age_band, columns.population).where(
            columns.area_type == "country",
            columns.area_code == "LCA",
            columns.year == 2020,
        ),
    )
    total = rows.query("sex == 'all' and age_band == 'all'")["population"].item()
    by_band = rows.query("sex == 'all' and age_band != 'all'")["population"].sum()
    by_sex = rows.query("sex != 'all' and age_band == 'all'")["population"].sum()
    both = rows.query("sex != 'all' and age_band != 'all'")["population"].sum()
    assert by_band == pytest.approx(total, abs=1)
    assert by_sex == pytest.approx(total, abs=1)
    assert both == pytest.approx(total, abs=1)
    assert len(rows) == 27


def test_loading_twice_keeps_ids(geography):
    before = _stations(geography)[["code", "id"]].sort_values("code")
    counts = load_geography(geography, GEODATA_DIR)
    after = _stations(geography)[["code", "id"]].sort_values("code")
    assert before.to_numpy().tolist() == after.to_numpy().tolist()
    with geography.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(population))
    assert stored == counts.population_rows
