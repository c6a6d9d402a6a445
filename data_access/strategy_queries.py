"""Reads behind the Strategy view: a country's monthly rollups and populations.

Every function reads ``rollup_monthly``, its country-wide sums
``rollup_country_monthly`` and ``rollup_country_people`` (when no division is
chosen), ``rollup_quality``, ``population`` or the station and division lists,
never ``incident``. Each takes the caller's ``Scope`` and raises ``OutOfScope``
unless the scope covers the whole country: a division or station scope may not
read country-wide totals. What the user
narrows the view to (division, ICCS categories, unit, basis) travels in a
``Selection``.

Incident and offence counts come from rows with person role ``all``, victim
counts from rows with person role ``victim``. Offences the correspondence
table excludes as not a crime (``EXCLUDED``) are never counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, case, exists, func, or_, select

from data_access.cache import cached_read
from data_access.indicator_queries import RollupsMissing
from data_access.schema import (
    ALL,
    EXCLUDED,
    UNMAPPED,
    division,
    population,
    rollup_country_monthly,
    rollup_country_people,
    rollup_monthly,
    rollup_quality,
    station,
)
from data_access.scope import OutOfScope, Scope

BASES = ("occurred", "reported")
UNITS = ("incidents", "offences", "victims")
PERSON_ROLES = ("victim", "suspect")
FIREARM_CODES = ("0101", "0401")

_QUALITY_COLUMNS = [
    column for column in rollup_quality.c if column.name not in ("country_code",)
]


class QueryError(ValueError):
    """A query argument is invalid; the message names the argument and value."""


@dataclass(frozen=True)
class Selection:
    """The Strategy view's reading: country, basis, unit, division, categories.

    Attributes
    ----------
    country_code
        The country read.
    basis
        Month of occurrence or of report, one of ``BASES``.
    unit
        What is counted, one of ``UNITS``.
    division_code
        Code of the one division read, or ``None`` for the whole country.
    categories
        ICCS code prefixes (sections, divisions); empty means every category.
    """

    country_code: str
    basis: str = "occurred"
    unit: str = "incidents"
    division_code: str | None = None
    categories: tuple[str, ...] = ()

    def __post_init__(self):
        _check_choice("date basis", self.basis, BASES)
        _check_choice("counting unit", self.unit, UNITS)
        for code in self.categories:
            if not (isinstance(code, str) and code.isdigit() and len(code) <= 6):
                raise QueryError(
                    f"category {code!r} is not an ICCS code; use digits such as "
                    "'01' or '0501'."
                )


def _check_choice(name: str, value, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise QueryError(f"{name} {value!r} is invalid; use one of {allowed}.")


def check_national(scope: Scope, country_code: str) -> None:
    """Raise ``OutOfScope`` unless ``scope`` covers all of ``country_code``."""
    scope.check_country(country_code)
    if scope.division_code is not None or scope.station_code is not None:
        raise OutOfScope(
            f"country-wide totals of {country_code!r} are outside a scope limited "
            "to one division or station"
        )


def _months(table, first: int, last: int):
    return table.c.month.between(int(first), int(last))


def _counts_table(selection: Selection):
    """Return the rollup to read: summed over the country unless a division is read."""
    if selection.division_code is None:
        return rollup_country_monthly
    return rollup_monthly


def _station_ids(country_code: str, division_code: str):
    """Return a subquery of the ids of one division's stations."""
    return (
        select(station.c.id)
        .join(division, station.c.division_id == division.c.id)
        .where(
            station.c.country_code == country_code,
            division.c.code == division_code,
        )
    )


def _narrow(query, table, selection: Selection, categories: bool = True):
    """Add the selection's division and category conditions to ``query``."""
    if selection.division_code is not None:
        query = query.where(
            table.c.station_id.in_(
                _station_ids(selection.country_code, selection.division_code)
            )
        )
    if categories and selection.categories:
        query = query.where(
            or_(
                *(
                    table.c.iccs_code.startswith(code, autoescape=True)
                    for code in selection.categories
                )
            )
        )
    return query


def _unit_rows(table, selection: Selection):
    """Return the count column and the row condition of the selection's unit."""
    counts = table.c
    if selection.unit == "victims":
        return counts.persons, counts.person_role == "victim"
    return counts[selection.unit], counts.person_role == ALL


def _frame(engine: Engine, query, columns: list[str]) -> pd.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    if not rows:
        return pd.DataFrame(columns=columns)
    # Column-wise construction: pandas probes each Row object when given rows.
    columns_of_rows = zip(*rows, strict=True)
    return pd.DataFrame(dict(zip(columns, columns_of_rows, strict=True)))


def country_divisions(
    engine: Engine, scope: Scope, country_code: str
) -> list[tuple[str, str]]:
    """Return ``(code, name)`` of the country's divisions, ordered by name."""
    check_national(scope, country_code)
    query = (
        select(division.c.code, division.c.name)
        .where(division.c.country_code == country_code)
        .order_by(division.c.name)
    )
    with engine.connect() as connection:
        return [(row.code, row.name) for row in connection.execute(query)]


def country_stations(
    engine: Engine, scope: Scope, country_code: str, division_code: str | None = None
) -> pd.DataFrame:
    """Return the country's stations, optionally of one division.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``code``, ``name``, ``division_code`` and
        ``division_name``, ordered by station name.
    """
    check_national(scope, country_code)
    query = (
        select(
            station.c.id,
            station.c.code,
            station.c.name,
            division.c.code.label("division_code"),
            division.c.name.label("division_name"),
        )
        .select_from(
            station.outerjoin(division, station.c.division_id == division.c.id)
        )
        .where(station.c.country_code == country_code)
        .order_by(station.c.name)
    )
    if division_code is not None:
        query = query.where(division.c.code == division_code)
    columns = ["id", "code", "name", "division_code", "division_name"]
    return _frame(engine, query, columns)


def station_areas(
    engine: Engine, scope: Scope, country_code: str
) -> list[tuple[str, str]]:
    """Return ``(code, area WKT)`` of the country's stations that have an area."""
    check_national(scope, country_code)
    query = select(station.c.code, station.c.area_wkt).where(
        station.c.country_code == country_code, station.c.area_wkt.is_not(None)
    )
    with engine.connect() as connection:
        return [(row.code, row.area_wkt) for row in connection.execute(query)]


@cached_read
def data_months(
    engine: Engine, scope: Scope, country_code: str, basis: str
) -> tuple[int, int] | None:
    """Return the country's first and last month with counts, or ``None``.

    Raises
    ------
    RollupsMissing
        If the country has monthly counts but no country-wide sums, as in a
        warehouse built before they existed.
    """
    check_national(scope, country_code)
    _check_choice("date basis", basis, BASES)
    counts = rollup_monthly.c
    rows = (counts.country_code == country_code, counts.basis == basis)
    # Two subqueries, because SQLite reads a lone min() or max() from the end of
    # the index, but scans every row for both in one select.
    query = select(
        select(func.min(counts.month)).where(*rows).scalar_subquery(),
        select(func.max(counts.month)).where(*rows).scalar_subquery(),
        exists().where(rollup_country_monthly.c.country_code == country_code),
    )
    with engine.connect() as connection:
        first, last, has_sums = connection.execute(query).one()
    if first is not None and not has_sums:
        raise RollupsMissing(
            f"the country-wide rollups of {country_code!r} are missing; run "
            "'crimedash init-db' to sum them from the monthly rollups."
        )
    return None if first is None else (int(first), int(last))


@cached_read
def category_months(
    engine: Engine, scope: Scope, selection: Selection, first: int, last: int
) -> pd.DataFrame:
    """Return the selection's monthly counts by ICCS code as mapped.

    Returns
    -------
    pandas.DataFrame
        Columns ``month``, ``iccs_code`` (``UNMAPPED`` too) and ``count``, one
        row per month and code with a count.
    """
    check_national(scope, selection.country_code)
    table = _counts_table(selection)
    counts = table.c
    value, rows = _unit_rows(table, selection)
    query = (
        select(counts.month, counts.iccs_code, func.sum(value))
        .where(
            counts.country_code == selection.country_code,
            counts.basis == selection.basis,
            rows,
            _months(table, first, last),
            counts.iccs_code != EXCLUDED,
        )
        .group_by(counts.month, counts.iccs_code)
    )
    query = _narrow(query, table, selection)
    return _frame(engine, query, ["month", "iccs_code", "count"])


@cached_read
def section_months(
    engine: Engine, scope: Scope, selection: Selection, first: int, last: int
) -> pd.DataFrame:
    """Return the selection's monthly counts by ICCS section.

    The counts of ``category_months`` summed by the first two digits of the
    code in the database, so that one row per section and month is read back
    rather than one per code and month.

    Returns
    -------
    pandas.DataFrame
        Columns ``month``, ``iccs_code`` (a section such as ``"05"``, or
        ``UNMAPPED``) and ``count``, one row per month and section with a count.
    """
    check_national(scope, selection.country_code)
    table = _counts_table(selection)
    counts = table.c
    value, rows = _unit_rows(table, selection)
    section = case(
        (counts.iccs_code == UNMAPPED, UNMAPPED),
        else_=func.substr(counts.iccs_code, 1, 2),
    )
    found = select(counts.month, section.label("section"), value.label("count")).where(
        counts.country_code == selection.country_code,
        counts.basis == selection.basis,
        rows,
        _months(table, first, last),
        counts.iccs_code != EXCLUDED,
    )
    found = _narrow(found, table, selection).subquery()
    # Grouped outside the subquery: PostgreSQL does not treat two bound copies
    # of the section expression as one grouping key.
    query = select(found.c.month, found.c.section, func.sum(found.c.count)).group_by(
        found.c.month, found.c.section
    )
    return _frame(engine, query, ["month", "iccs_code", "count"])


@cached_read
def station_months(
    engine: Engine, scope: Scope, selection: Selection, first: int, last: int
) -> pd.DataFrame:
    """Return the selection's monthly counts by station.

    Returns
    -------
    pandas.DataFrame
        Columns ``station_id``, ``month`` and ``count``. Incidents outside
        every station area have station id 0 (``schema.NO_STATION``).
    """
    check_national(scope, selection.country_code)
    counts = rollup_monthly.c
    value, rows = _unit_rows(rollup_monthly, selection)
    query = (
        select(counts.station_id, counts.month, func.sum(value))
        .where(
            counts.country_code == selection.country_code,
            counts.basis == selection.basis,
            rows,
            _months(rollup_monthly, first, last),
            counts.iccs_code != EXCLUDED,
        )
        .group_by(counts.station_id, counts.month)
    )
    query = _narrow(query, rollup_monthly, selection)
    return _frame(engine, query, ["station_id", "month", "count"])


@cached_read
def person_months(
    engine: Engine, scope: Scope, selection: Selection, first: int, last: int
) -> pd.DataFrame:
    """Return victims and suspects by month, role, sex and age band.

    The selection's unit does not apply: people are counted. A person is
    counted under the ICCS code of the incident's principal offence. Without a
    division or category chosen, the sums of ``rollup_country_people`` are read.

    Returns
    -------
    pandas.DataFrame
        Columns ``month``, ``person_role``, ``sex``, ``age_band`` and
        ``persons``.
    """
    check_national(scope, selection.country_code)
    columns = ["month", "person_role", "sex", "age_band", "persons"]
    if selection.division_code is None and not selection.categories:
        people = rollup_country_people.c
        keys = [people.month, people.person_role, people.sex, people.age_band]
        query = (
            select(*keys, func.sum(people.persons))
            .where(
                people.country_code == selection.country_code,
                people.basis == selection.basis,
                _months(rollup_country_people, first, last),
            )
            .group_by(*keys)
        )
        return _frame(engine, query, columns)
    table = _counts_table(selection)
    counts = table.c
    keys = [counts.month, counts.person_role, counts.sex, counts.age_band]
    query = (
        select(*keys, func.sum(counts.persons))
        .where(
            counts.country_code == selection.country_code,
            counts.basis == selection.basis,
            counts.person_role.in_(PERSON_ROLES),
            _months(table, first, last),
            counts.iccs_code != EXCLUDED,
        )
        .group_by(*keys)
    )
    query = _narrow(query, table, selection)
    return _frame(engine, query, columns)


@cached_read
def firearm_months(
    engine: Engine, scope: Scope, selection: Selection, first: int, last: int
) -> pd.DataFrame:
    """Return incidents and firearm incidents of homicide and robbery by month.

    Incidents count under their principal offence; ICCS 0101 (intentional
    homicide) and 0401 (robbery) include their subdivisions. The selection's
    unit and categories do not apply.

    Returns
    -------
    pandas.DataFrame
        Columns ``month``, ``code`` (``0101`` or ``0401``), ``incidents`` and
        ``firearm_incidents``.
    """
    check_national(scope, selection.country_code)
    table = _counts_table(selection)
    counts = table.c
    code = func.substr(counts.iccs_code, 1, 4)
    query = (
        select(
            counts.month,
            code,
            func.sum(counts.incidents),
            func.sum(counts.firearm_incidents),
        )
        .where(
            counts.country_code == selection.country_code,
            counts.basis == selection.basis,
            counts.person_role == ALL,
            _months(table, first, last),
            or_(*(counts.iccs_code.startswith(c) for c in FIREARM_CODES)),
        )
        .group_by(counts.month, code)
    )
    query = _narrow(query, table, selection, categories=False)
    return _frame(engine, query, ["month", "code", "incidents", "firearm_incidents"])


@cached_read
def quality_months(
    engine: Engine,
    scope: Scope,
    country_code: str,
    division_code: str | None,
    first: int,
    last: int,
) -> pd.DataFrame:
    """Return the data-quality counts of each station and month (occurred basis).

    Returns
    -------
    pandas.DataFrame
        Columns ``station_id``, ``month`` and every count column of
        ``rollup_quality``, summed over rows that share a station and month.
    """
    check_national(scope, country_code)
    quality = rollup_quality.c
    sums = [func.sum(column) for column in _QUALITY_COLUMNS[2:]]
    query = (
        select(quality.station_id, quality.month, *sums)
        .where(
            quality.country_code == country_code,
            quality.month.between(int(first), int(last)),
        )
        .group_by(quality.station_id, quality.month)
    )
    selection = Selection(country_code, division_code=division_code)
    query = _narrow(query, rollup_quality, selection, categories=False)
    return _frame(engine, query, [column.name for column in _QUALITY_COLUMNS])


@cached_read
def station_populations(
    engine: Engine, scope: Scope, country_code: str, year: int
) -> pd.DataFrame:
    """Return each station area's population of the latest year up to ``year``.

    Only totals (sex and age band ``all``) of area type ``station`` are read.

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``year``, ``population`` and ``is_estimate``, one row
        per station area with a population.
    """
    check_national(scope, country_code)
    people = population.c
    conditions = and_(
        people.country_code == country_code,
        people.area_type == "station",
        people.sex == ALL,
        people.age_band == ALL,
    )
    latest = (
        select(people.area_code, func.max(people.year).label("year"))
        .where(conditions, people.year <= int(year))
        .group_by(people.area_code)
        .subquery()
    )
    query = select(
        people.area_code, people.year, people.population, people.is_estimate
    ).join(
        latest,
        and_(people.area_code == latest.c.area_code, people.year == latest.c.year),
    )
    query = query.where(conditions)
    frame = _frame(engine, query, ["code", "year", "population", "is_estimate"])
    return frame.astype({"is_estimate": bool})
