"""Countries and stations a user may read, and a station's monthly incident counts.

Every function takes the caller's ``Scope`` and raises ``OutOfScope`` for a request
outside it, rather than returning less data silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from data_access.schema import ALL, EXCLUDED, country, division, rollup_monthly, station
from data_access.scope import Scope


class StationNotFound(LookupError):
    """No station has the given country and code."""


@dataclass(frozen=True)
class StationInfo:
    """A station as listed in pickers.

    Attributes
    ----------
    division_code
        Code of the station's division, or ``None`` if it has none.
    """

    country_code: str
    code: str
    name: str
    division_code: str | None


def list_countries(engine: Engine, scope: Scope) -> list[tuple[str, str]]:
    """Return ``(code, name)`` of every country in ``scope``, ordered by name."""
    query = select(country.c.code, country.c.name).order_by(country.c.name)
    if scope.countries is not None:
        query = query.where(country.c.code.in_(sorted(scope.countries)))
    with engine.connect() as connection:
        return [(row.code, row.name) for row in connection.execute(query)]


def _station_query():
    return select(
        station.c.id,
        station.c.country_code,
        station.c.code,
        station.c.name,
        division.c.code.label("division_code"),
    ).select_from(station.outerjoin(division, station.c.division_id == division.c.id))


def list_stations(
    engine: Engine, scope: Scope, country_code: str | None = None
) -> list[StationInfo]:
    """Return the stations in ``scope``, optionally of one country.

    Parameters
    ----------
    engine
        Warehouse engine.
    scope
        The caller's scope; a station commander gets one station, a divisional
        commander the stations of the division.
    country_code
        Keep only this country's stations.

    Returns
    -------
    list of StationInfo
        Ordered by country code and station name.

    Raises
    ------
    OutOfScope
        If ``country_code`` is outside ``scope``.
    """
    query = _station_query().order_by(station.c.country_code, station.c.name)
    if country_code is not None:
        scope.check_country(country_code)
        query = query.where(station.c.country_code == country_code)
    if scope.countries is not None:
        query = query.where(station.c.country_code.in_(sorted(scope.countries)))
    if scope.station_code is not None:
        query = query.where(station.c.code == scope.station_code)
    if scope.division_code is not None:
        query = query.where(division.c.code == scope.division_code)
    with engine.connect() as connection:
        return [
            StationInfo(row.country_code, row.code, row.name, row.division_code)
            for row in connection.execute(query)
        ]


def station_summary(
    engine: Engine, scope: Scope, station_code: str, country_code: str
) -> pd.DataFrame:
    """Return a station's incidents per month of occurrence.

    Counts come from ``rollup_monthly`` (basis ``occurred``, person role, sex and
    age band ``all``), summed over ICCS codes and attempted flags. Incidents whose
    principal offence the correspondence table excludes as not a crime are left out.

    Parameters
    ----------
    engine
        Warehouse engine.
    scope
        The caller's scope.
    station_code, country_code
        The station asked for; station codes are unique within a country.

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (integer ``YYYYMM``) and ``incidents``, one row per month
        with at least one incident, in month order.

    Raises
    ------
    OutOfScope
        If the station is outside ``scope``. This is checked before existence, so a
        user learns nothing about stations outside the scope.
    StationNotFound
        If the scope allows the station but the warehouse has no such station.
    """
    scope.check_country(country_code)
    with engine.connect() as connection:
        found = connection.execute(
            _station_query().where(
                station.c.country_code == country_code, station.c.code == station_code
            )
        ).first()
        division_code = None if found is None else found.division_code
        scope.check_station(country_code, station_code, division_code)
        if found is None:
            raise StationNotFound(
                f"station {station_code!r} of country {country_code!r} not found."
            )
        rows = connection.execute(_monthly_counts(found.id)).all()
    return pd.DataFrame(
        [(row.month, int(row.incidents)) for row in rows],
        columns=["month", "incidents"],
    )


def _monthly_counts(station_id: int):
    counts = rollup_monthly.c
    return (
        select(counts.month, func.sum(counts.incidents).label("incidents"))
        .where(
            and_(
                counts.station_id == station_id,
                counts.basis == "occurred",
                counts.person_role == ALL,
                counts.sex == ALL,
                counts.age_band == ALL,
                counts.iccs_code != EXCLUDED,
            )
        )
        .group_by(counts.month)
        .having(func.sum(counts.incidents) > 0)
        .order_by(counts.month)
    )
