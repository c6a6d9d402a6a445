"""Reads behind the Policy indicators page: yearly counts and populations.

Every function reads the rollups and the population table only, never the
incident tables, so that it serves aggregate-only users (ministry officials and
the regional observatory). Each takes the caller's ``Scope`` and raises
``OutOfScope`` for a country outside it. Counts are by month of occurrence;
a year is the twelve months ``YYYY01`` to ``YYYY12``, summed in the yearly
rollups when the monthly ones are rebuilt. Database errors propagate: a failed
read never looks like a year without crime.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, and_, func, or_, select

from data_access.cache import cached_read
from data_access.schema import (
    ALL,
    EXCLUDED,
    admin_area,
    iccs_category,
    population,
    rollup_monthly,
    rollup_yearly,
    rollup_yearly_relationship,
    rollup_yearly_station,
    station,
)
from data_access.scope import Scope

BASIS = "occurred"
ROLES = ("victim", "suspect")


class QueryError(ValueError):
    """A query argument is invalid; the message names the argument and value."""


class RollupsMissing(RuntimeError):
    """A country has monthly rollups but not their country-wide and yearly sums."""


def _check_years(year_from: int, year_to: int) -> None:
    if not (1900 <= int(year_from) <= int(year_to) <= 2200):
        raise QueryError(
            f"years {year_from!r} to {year_to!r} are invalid; give a first year "
            "no later than the last, between 1900 and 2200."
        )


def in_years(table, year_from: int, year_to: int):
    """Return the condition on ``table.c.year`` of the years asked for."""
    _check_years(year_from, year_to)
    return table.c.year.between(int(year_from), int(year_to))


def code_starts_with(code_column, prefix: str):
    """Return the condition that a code starts with the digits ``prefix``.

    Beside ``LIKE 'prefix%'``, the codes are bounded by ``prefix`` and the
    prefix with its last digit raised by one, so that an index on the codes is
    read from the first match to the last only. ICCS codes are digits, which
    sort in the same order under every collation.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(
        code_column >= prefix,
        code_column < upper,
        code_column.startswith(prefix, autoescape=True),
    )


def read_frame(engine: Engine, query, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


@cached_read
def data_months(engine: Engine, scope: Scope, country_code: str) -> tuple:
    """Return the first and last month with counts for a country.

    Returns
    -------
    tuple of int or None
        ``(first, last)`` as ``YYYYMM``, or ``(None, None)`` without counts.

    Raises
    ------
    RollupsMissing
        If the country has monthly counts but no yearly rollups, as in a
        warehouse built before they existed: every yearly read would be empty.
    """
    return countries_data_months(engine, scope, (country_code,))[country_code]


@cached_read
def countries_data_months(
    engine: Engine, scope: Scope, country_codes: tuple[str, ...]
) -> dict[str, tuple]:
    """Return ``data_months`` of several countries, read in one query."""
    for code in country_codes:
        scope.check_country(code)
    counts = rollup_monthly.c
    yearly = rollup_yearly.c
    columns = []
    for code in country_codes:
        rows = (counts.country_code == code, counts.basis == BASIS)
        # Subqueries, because SQLite reads a lone min() or max() from the end
        # of the index, but scans every row for both in one select. min() of
        # the yearly rollups' second index column is NULL when the country has
        # no yearly rows, and both engines read it from the index, where
        # PostgreSQL 15 plans EXISTS as a scan of the table.
        columns += [
            select(func.min(counts.month)).where(*rows).scalar_subquery(),
            select(func.max(counts.month)).where(*rows).scalar_subquery(),
            select(func.min(yearly.person_role))
            .where(yearly.country_code == code)
            .scalar_subquery(),
        ]
    if not columns:
        return {}
    with engine.connect() as connection:
        values = connection.execute(select(*columns)).one()
    found = {}
    for index, code in enumerate(country_codes):
        first, last, yearly_role = values[3 * index : 3 * index + 3]
        if first is not None and yearly_role is None:
            raise RollupsMissing(
                f"the yearly rollups of {code!r} are missing; run "
                "'crimedash init-db' to sum them from the monthly rollups."
            )
        found[code] = (first, last)
    return found


@cached_read
def yearly_incidents(
    engine: Engine, scope: Scope, country_code: str, year_from: int, year_to: int
) -> pd.DataFrame:
    """Return incidents and firearm incidents by year and principal ICCS division.

    Codes below division level are summed into their division (the first four
    digits) in ``rollup_yearly``, the finest level the policy cubes show.

    Parameters
    ----------
    engine
        Warehouse engine.
    scope
        The caller's scope.
    country_code
        Country read.
    year_from, year_to
        First and last year, both included.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``iccs_code`` (a section or division, or
        ``UNMAPPED``; ``EXCLUDED`` left out), ``incidents`` and
        ``firearm_incidents``.

    Raises
    ------
    OutOfScope
        If ``country_code`` is outside ``scope``.
    QueryError
        If the years are invalid.
    """
    scope.check_country(country_code)
    table = rollup_yearly
    query = (
        select(
            table.c.year,
            table.c.iccs_code,
            func.sum(table.c.incidents),
            func.sum(table.c.firearm_incidents),
        )
        .where(
            table.c.country_code == country_code,
            table.c.person_role == ALL,
            table.c.iccs_code != EXCLUDED,
            in_years(table, year_from, year_to),
        )
        .group_by(table.c.year, table.c.iccs_code)
    )
    columns = ["year", "iccs_code", "incidents", "firearm_incidents"]
    return read_frame(engine, query, columns)


@cached_read
def yearly_persons(
    engine: Engine,
    scope: Scope,
    country_code: str,
    year_from: int,
    year_to: int,
    role: str,
    code_prefixes: tuple[str, ...] = (),
    completed_only: bool = False,
) -> pd.DataFrame:
    """Return victims or suspects by year, sex and age band.

    People are counted under the principal offence of their incident.

    Parameters
    ----------
    engine, scope, country_code, year_from, year_to
        As in ``yearly_incidents``.
    role
        ``"victim"`` or ``"suspect"``.
    code_prefixes
        Keep principal ICCS codes that start with one of these, such as
        ``("0101",)`` for intentional homicide; empty keeps every ICCS code
        and ``UNMAPPED``.
    completed_only
        Leave out attempts, as intentional homicide requires.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``sex`` (M, F or unknown), ``age_band`` (the
        warehouse's age bands or unknown) and ``persons``.

    Raises
    ------
    OutOfScope
        If ``country_code`` is outside ``scope``.
    QueryError
        If ``role`` or the years are invalid.
    """
    scope.check_country(country_code)
    if role not in ROLES:
        raise QueryError(f"role {role!r} is unknown; use one of {ROLES!r}.")
    table = rollup_yearly
    conditions = [
        table.c.country_code == country_code,
        table.c.person_role == role,
        table.c.iccs_code != EXCLUDED,
        in_years(table, year_from, year_to),
    ]
    if code_prefixes:
        conditions.append(
            or_(*[code_starts_with(table.c.iccs_code, p) for p in code_prefixes])
        )
    if completed_only:
        conditions.append(table.c.attempted.is_(False))
    keys = [table.c.year, table.c.sex, table.c.age_band]
    query = select(*keys, func.sum(table.c.persons)).where(*conditions).group_by(*keys)
    return read_frame(engine, query, ["year", "sex", "age_band", "persons"])


@cached_read
def yearly_relationships(
    engine: Engine, scope: Scope, country_code: str, year_from: int, year_to: int
) -> pd.DataFrame:
    """Return victims by year, relationship to the suspect and sex.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``relationship`` (intimate_partner, family,
        acquaintance, stranger, other or unknown), ``sex`` and ``victims``;
        victims of excluded offences are left out.

    Raises
    ------
    OutOfScope
        If ``country_code`` is outside ``scope``.
    """
    scope.check_country(country_code)
    table = rollup_yearly_relationship
    keys = [table.c.year, table.c.relationship, table.c.sex]
    query = (
        select(*keys, func.sum(table.c.victims))
        .where(
            table.c.country_code == country_code,
            table.c.iccs_code != EXCLUDED,
            in_years(table, year_from, year_to),
        )
        .group_by(*keys)
    )
    return read_frame(engine, query, ["year", "relationship", "sex", "victims"])


@cached_read
def country_population(
    engine: Engine, scope: Scope, country_code: str, year_from: int, year_to: int
) -> pd.DataFrame:
    """Return the country's population by year, sex and age band.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``sex`` (M, F or all), ``age_band`` (a band or all),
        ``population``, ``is_estimate`` and ``source``; a year, sex or band
        without a row is unknown, not zero.

    Raises
    ------
    OutOfScope
        If ``country_code`` is outside ``scope``.
    """
    scope.check_country(country_code)
    _check_years(year_from, year_to)
    query = select(
        population.c.year,
        population.c.sex,
        population.c.age_band,
        population.c.population,
        population.c.is_estimate,
        population.c.source,
    ).where(
        population.c.country_code == country_code,
        population.c.area_type == "country",
        population.c.year.between(int(year_from), int(year_to)),
    )
    columns = ["year", "sex", "age_band", "population", "is_estimate", "source"]
    return read_frame(engine, query, columns)


@cached_read
def parish_incidents(
    engine: Engine, scope: Scope, country_code: str, year_from: int, year_to: int
) -> pd.DataFrame:
    """Return incidents by year and the admin area (parish) of their station.

    Every offence but the excluded ones is counted: a second table by area for
    one category would let a reader subtract the two.

    Parameters
    ----------
    engine, scope, country_code, year_from, year_to
        As in ``yearly_incidents``.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``area_code`` (empty for incidents of no station or
        of a station without an admin area) and ``incidents``.

    Raises
    ------
    OutOfScope
        If ``country_code`` is outside ``scope``.
    """
    scope.check_country(country_code)
    table = rollup_yearly_station
    area = func.coalesce(station.c.admin_area_code, "")
    rows = (
        select(table.c.year, area.label("area_code"), table.c.incidents)
        .select_from(table.outerjoin(station, station.c.id == table.c.station_id))
        .where(
            table.c.country_code == country_code,
            in_years(table, year_from, year_to),
        )
        .subquery()
    )
    query = select(rows.c.year, rows.c.area_code, func.sum(rows.c.incidents)).group_by(
        rows.c.year, rows.c.area_code
    )
    return read_frame(engine, query, ["year", "area_code", "incidents"])


@cached_read
def parish_population(
    engine: Engine, scope: Scope, country_code: str, year_from: int, year_to: int
) -> pd.DataFrame:
    """Return the total population of each admin area by year, with its name.

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``area_code``, ``name``, ``population`` and
        ``is_estimate``.

    Raises
    ------
    OutOfScope
        If ``country_code`` is outside ``scope``.
    """
    scope.check_country(country_code)
    _check_years(year_from, year_to)
    query = (
        select(
            population.c.year,
            population.c.area_code,
            func.coalesce(admin_area.c.name, population.c.area_code),
            population.c.population,
            population.c.is_estimate,
        )
        .select_from(
            population.outerjoin(
                admin_area,
                (admin_area.c.country_code == population.c.country_code)
                & (admin_area.c.code == population.c.area_code),
            )
        )
        .where(
            population.c.country_code == country_code,
            population.c.area_type == "admin_area",
            population.c.sex == ALL,
            population.c.age_band == ALL,
            population.c.year.between(int(year_from), int(year_to)),
        )
    )
    columns = ["year", "area_code", "name", "population", "is_estimate"]
    return read_frame(engine, query, columns)


@cached_read
def parish_codes(engine: Engine, scope: Scope, country_code: str) -> list[str]:
    """Return the codes of the country's admin areas with a population in any year.

    Raises
    ------
    OutOfScope
        If ``country_code`` is outside ``scope``.
    """
    scope.check_country(country_code)
    query = (
        select(population.c.area_code)
        .distinct()
        .where(
            population.c.country_code == country_code,
            population.c.area_type == "admin_area",
            population.c.sex == ALL,
            population.c.age_band == ALL,
        )
        .order_by(population.c.area_code)
    )
    with engine.connect() as connection:
        return list(connection.scalars(query))


@cached_read
def iccs_categories(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Return the ICCS sections and divisions: ``code``, ``level`` and ``name``.

    The list is public reference data, so every scope may read it.
    """
    query = (
        select(iccs_category.c.code, iccs_category.c.level, iccs_category.c.name)
        .where(iccs_category.c.level <= 2)
        .order_by(iccs_category.c.code)
    )
    return read_frame(engine, query, ["code", "level", "name"])
