"""Reads behind the Regional comparison page: several countries side by side.

Like ``data_access.indicator_queries``, every function reads the yearly
rollups and the population table only, by month of occurrence, and checks each country
asked for against the caller's ``Scope``. The published homicide rates come
from a file shipped under ``geodata/stats``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select

from data_access.cache import cached_read
from data_access.indicator_queries import code_starts_with, in_years, read_frame
from data_access.schema import ALL, EXCLUDED, population, rollup_yearly
from data_access.scope import Scope

# The product's geodata folder, the same as dashboard.config.GEODATA_DIR.
GEODATA_DIR = Path(__file__).resolve().parents[1] / "geodata"
# Intentional homicide victims per 100,000, UNODC data as republished by Our
# World in Data (CC BY 4.0); see geodata/README.md.
UNODC_HOMICIDE_FILE = Path("stats") / "homicide_rate_unodc_owid_caribbean.csv"
UNODC_SOURCE = (
    "UNODC intentional homicide data as republished by Our World in Data, CC BY 4.0"
)


def _check_countries(scope: Scope, country_codes: Sequence[str]) -> list[str]:
    codes = sorted(set(country_codes))
    for code in codes:
        scope.check_country(code)
    return codes


@cached_read
def regional_incidents(
    engine: Engine,
    scope: Scope,
    country_codes: tuple[str, ...],
    year_from: int,
    year_to: int,
) -> pd.DataFrame:
    """Return incidents by country, year and principal ICCS division.

    Codes below division level are summed into their division in
    ``rollup_yearly``.

    Parameters
    ----------
    engine
        Warehouse engine.
    scope
        The caller's scope; every country asked for must be in it.
    country_codes
        Countries read.
    year_from, year_to
        First and last year, both included.

    Returns
    -------
    pandas.DataFrame
        Columns ``country_code``, ``year``, ``iccs_code`` (a section or
        division, or ``UNMAPPED``; ``EXCLUDED`` left out) and ``incidents``.

    Raises
    ------
    OutOfScope
        If a country is outside ``scope``.
    """
    codes = _check_countries(scope, country_codes)
    table = rollup_yearly
    keys = [table.c.country_code, table.c.year, table.c.iccs_code]
    query = (
        select(*keys, func.sum(table.c.incidents))
        .where(
            table.c.country_code.in_(codes),
            table.c.person_role == ALL,
            table.c.iccs_code != EXCLUDED,
            in_years(table, year_from, year_to),
        )
        .group_by(*keys)
    )
    return read_frame(engine, query, ["country_code", "year", "iccs_code", "incidents"])


@cached_read
def regional_homicide_victims(
    engine: Engine,
    scope: Scope,
    country_codes: tuple[str, ...],
    year_from: int,
    year_to: int,
) -> pd.DataFrame:
    """Return victims of completed intentional homicide (ICCS 0101).

    Returns
    -------
    pandas.DataFrame
        Columns ``country_code``, ``year``, ``sex``, ``age_band`` and
        ``persons``.

    Raises
    ------
    OutOfScope
        If a country is outside ``scope``.
    """
    codes = _check_countries(scope, country_codes)
    table = rollup_yearly
    keys = [table.c.country_code, table.c.year, table.c.sex, table.c.age_band]
    query = (
        select(*keys, func.sum(table.c.persons))
        .where(
            table.c.country_code.in_(codes),
            table.c.person_role == "victim",
            code_starts_with(table.c.iccs_code, "0101"),
            table.c.attempted.is_(False),
            in_years(table, year_from, year_to),
        )
        .group_by(*keys)
    )
    columns = ["country_code", "year", "sex", "age_band", "persons"]
    return read_frame(engine, query, columns)


@cached_read
def regional_population(
    engine: Engine,
    scope: Scope,
    country_codes: tuple[str, ...],
    year_from: int,
    year_to: int,
) -> pd.DataFrame:
    """Return each country's total population by year.

    Returns
    -------
    pandas.DataFrame
        Columns ``country_code``, ``year``, ``population``, ``is_estimate`` and
        ``source``.

    Raises
    ------
    OutOfScope
        If a country is outside ``scope``.
    """
    codes = _check_countries(scope, country_codes)
    query = select(
        population.c.country_code,
        population.c.year,
        population.c.population,
        population.c.is_estimate,
        population.c.source,
    ).where(
        population.c.country_code.in_(codes),
        population.c.area_type == "country",
        population.c.sex == ALL,
        population.c.age_band == ALL,
        population.c.year.between(int(year_from), int(year_to)),
    )
    columns = ["country_code", "year", "population", "is_estimate", "source"]
    return read_frame(engine, query, columns)


def read_unodc_homicide_rates(geodata_dir: Path = GEODATA_DIR) -> pd.DataFrame:
    """Read the published intentional homicide rates shipped with the product.

    Parameters
    ----------
    geodata_dir
        The product's ``geodata`` folder, by default the one shipped.

    Returns
    -------
    pandas.DataFrame
        Columns ``country_code``, ``year`` and ``published_rate`` (victims
        per 100,000).

    Raises
    ------
    FileNotFoundError
        If the file is missing from ``geodata/stats``.
    """
    path = Path(geodata_dir) / UNODC_HOMICIDE_FILE
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [
            (row["iso3"], int(row["year"]), float(row["homicide_rate_per_100k"]))
            for row in csv.DictReader(handle)
        ]
    return pd.DataFrame(rows, columns=["country_code", "year", "published_rate"])
