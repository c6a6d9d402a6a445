"""Reads behind the Station workspace: one station, its months and its incidents.

Every function takes the caller's ``Scope`` and a ``StationRecord`` obtained from
``find_station``, which checks the scope before it looks the station up. Monthly
counts come from ``rollup_monthly``; incident-level reads (map points, times,
places) read ``incident`` by station and month through the index
``ix_incident_station_month`` (or ``ix_incident_station_reported`` for the reported
basis), and need a scope that may read incident rows. Functions that take a scope
are wrapped in ``cached_read``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from data_access.cache import cached_read
from data_access.schema import (
    ALL,
    EXCLUDED,
    UNMAPPED,
    admin_area,
    division,
    iccs_category,
    incident,
    offence,
    rollup_monthly,
    rollup_quality,
    station,
)
from data_access.scope import Scope

BASES = ("occurred", "reported")
UNITS = ("incidents", "offences", "victims")

# Decimal places kept for map coordinates: 4 places of a degree is about 11 m.
COORDINATE_DECIMALS = 4


class StationNotFound(LookupError):
    """No station has the given country and code."""


class QueryError(ValueError):
    """A query argument is invalid; the message names the argument and value."""


@dataclass(frozen=True)
class StationRecord:
    """A station as the workspace needs it.

    Attributes
    ----------
    id
        Warehouse id, the key of incidents and rollups.
    division_code
        Code of the station's division, or ``None``.
    area_wkt
        The station area in WGS84 as WKT, or ``None`` when unknown.
    lon, lat
        The station building, or ``None``.
    """

    id: int
    country_code: str
    code: str
    name: str
    division_code: str | None
    area_wkt: str | None
    lon: float | None
    lat: float | None


@cached_read
def find_station(
    engine: Engine, scope: Scope, country_code: str, station_code: str
) -> StationRecord:
    """Return a station after checking that ``scope`` includes it.

    Parameters
    ----------
    engine
        Warehouse engine.
    scope
        The caller's scope.
    country_code, station_code
        The station asked for, as sent by the browser.

    Returns
    -------
    StationRecord

    Raises
    ------
    OutOfScope
        If the station is outside ``scope``. This is checked before existence, so
        a user learns nothing about stations outside the scope.
    StationNotFound
        If the scope allows the station but the warehouse has no such station.
    """
    scope.check_country(country_code)
    query = (
        select(station, division.c.code.label("division_code"))
        .select_from(
            station.outerjoin(division, station.c.division_id == division.c.id)
        )
        .where(station.c.country_code == country_code, station.c.code == station_code)
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    scope.check_station(country_code, station_code, row and row.division_code)
    if row is None:
        raise StationNotFound(
            f"station {station_code!r} of country {country_code!r} not found."
        )
    return StationRecord(
        id=row.id,
        country_code=row.country_code,
        code=row.code,
        name=row.name,
        division_code=row.division_code,
        area_wkt=row.area_wkt,
        lon=row.lon,
        lat=row.lat,
    )


@cached_read
def base_map_shapes(
    engine: Engine, scope: Scope, record: StationRecord
) -> dict[str, list[tuple[str, str]]]:
    """Return the shapes of the offline base map of a station, as WKT.

    Parameters
    ----------
    engine
        Warehouse engine.
    scope
        The caller's scope; it must include ``record``'s country.
    record
        The station, from ``find_station``.

    Returns
    -------
    dict
        ``"stations"``: ``(code, wkt)`` of every station area of the country (the
        caller picks the station and its neighbours); ``"admin_areas"``:
        ``(name, wkt)`` of the country's parishes or districts, whose union is the
        country outline.
    """
    _check(scope, record)
    with engine.connect() as connection:
        stations = connection.execute(
            select(station.c.code, station.c.area_wkt).where(
                station.c.country_code == record.country_code,
                station.c.area_wkt.is_not(None),
            )
        ).all()
        areas = connection.execute(
            select(admin_area.c.name, admin_area.c.geometry_wkt).where(
                admin_area.c.country_code == record.country_code
            )
        ).all()
    return {
        "stations": [(row.code, row.area_wkt) for row in stations],
        "admin_areas": [(row.name, row.geometry_wkt) for row in areas],
    }


def _check(scope: Scope, record: StationRecord, basis: str | None = None) -> None:
    """Check the scope again, so a hand-built record cannot widen it."""
    scope.check_station(record.country_code, record.code, record.division_code)
    if basis is not None:
        _check_basis(basis)


def _check_basis(basis: str) -> None:
    if basis not in BASES:
        raise QueryError(f"date basis {basis!r} is invalid; use one of {BASES}.")


@cached_read
def data_months(
    engine: Engine, scope: Scope, record: StationRecord, basis: str
) -> tuple[int, int] | None:
    """Return the first and last month with counts for a station, or ``None``.

    Raises
    ------
    QueryError
        If ``basis`` is not one of ``BASES``.
    """
    _check(scope, record, basis)
    counts = rollup_monthly.c
    query = select(func.min(counts.month), func.max(counts.month)).where(
        counts.station_id == record.id, counts.basis == basis
    )
    with engine.connect() as connection:
        first, last = connection.execute(query).one()
    return None if first is None else (int(first), int(last))


@cached_read
def monthly_counts(
    engine: Engine,
    scope: Scope,
    record: StationRecord,
    basis: str,
    first_month: int,
    last_month: int,
) -> pd.DataFrame:
    """Return a station's counts by month and ICCS code from ``rollup_monthly``.

    Parameters
    ----------
    engine
        Warehouse engine.
    scope
        The caller's scope; aggregates are allowed for every scope that includes
        the station.
    record
        The station, from ``find_station``.
    basis
        ``"occurred"`` or ``"reported"``.
    first_month, last_month
        Inclusive range of integer ``YYYYMM`` months.

    Returns
    -------
    pandas.DataFrame
        Columns ``month``, ``iccs_code`` (as mapped, ``UNMAPPED`` for national
        codes without an ICCS code; excluded offences are left out),
        ``incidents``, ``offences`` and ``victims``; one row per month and code
        with a non-zero count, summed over attempted flags, sexes and age bands.
    """
    _check(scope, record, basis)
    counts = rollup_monthly.c
    role_all = counts.person_role == ALL
    query = (
        select(
            counts.month,
            counts.iccs_code,
            func.sum(_when(role_all, counts.incidents)).label("incidents"),
            func.sum(_when(role_all, counts.offences)).label("offences"),
            func.sum(_when(counts.person_role == "victim", counts.persons)).label(
                "victims"
            ),
        )
        .where(
            counts.station_id == record.id,
            counts.basis == basis,
            counts.month.between(first_month, last_month),
            counts.iccs_code != EXCLUDED,
            or_(
                and_(role_all, counts.sex == ALL, counts.age_band == ALL),
                counts.person_role == "victim",
            ),
        )
        .group_by(counts.month, counts.iccs_code)
        .order_by(counts.month, counts.iccs_code)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame(
        [tuple(row) for row in rows],
        columns=["month", "iccs_code", "incidents", "offences", "victims"],
    )
    for column in ("month", *UNITS):
        frame[column] = frame[column].astype("int64")
    return frame


def _when(condition, value):
    return case((condition, value), else_=0)


def _month_column(basis: str):
    return (
        incident.c.occurred_month if basis == "occurred" else incident.c.reported_month
    )


def _category_filter(column, categories: list[str] | tuple[str, ...]):
    """Match ICCS codes that start with any of ``categories``; none means all."""
    if not categories:
        return column != EXCLUDED
    return or_(*(column.startswith(code, autoescape=True) for code in categories))


@cached_read
def incident_rows(
    engine: Engine,
    scope: Scope,
    record: StationRecord,
    basis: str,
    first_month: int,
    last_month: int,
    categories: list[str] | tuple[str, ...] = (),
) -> pd.DataFrame:
    """Return a station's incidents in a month range, without personal details.

    Parameters
    ----------
    engine
        Warehouse engine.
    scope
        The caller's scope; it must include the station and allow incident rows.
    record
        The station, from ``find_station``.
    basis
        ``"occurred"`` or ``"reported"``: which month column selects the rows.
    first_month, last_month
        Inclusive range of integer ``YYYYMM`` months.
    categories
        ICCS codes at any level; an incident matches when its principal code starts
        with one of them. Empty keeps every incident but excluded ones.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``month``, ``occurred_from``, ``occurred_to``,
        ``reported_at``, ``lon`` and ``lat`` (rounded to ``COORDINATE_DECIMALS``),
        ``coord_flag``, ``location_type``, ``iccs_code``, ``offence_count`` and
        ``victim_count``.

    Raises
    ------
    OutOfScope
        If the scope may read aggregates only.
    """
    _check(scope, record, basis)
    scope.check_incident_rows()
    month = _month_column(basis)
    query = select(
        incident.c.id,
        month.label("month"),
        incident.c.occurred_from,
        incident.c.occurred_to,
        incident.c.reported_at,
        incident.c.lon,
        incident.c.lat,
        incident.c.coord_flag,
        incident.c.location_type,
        incident.c.principal_iccs_code.label("iccs_code"),
        incident.c.offence_count,
        incident.c.victim_count,
    ).where(
        incident.c.station_id == record.id,
        month.between(first_month, last_month),
        _category_filter(incident.c.principal_iccs_code, categories),
    )
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(query).mappings().all())
    if frame.empty:
        return _empty_incidents()
    for column in ("lon", "lat"):
        frame[column] = frame[column].astype("float64").round(COORDINATE_DECIMALS)
    frame["coord_flag"] = frame["coord_flag"].fillna("")
    return frame


def _empty_incidents() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "id": pd.Series(dtype="int64"),
            "month": pd.Series(dtype="int64"),
            "occurred_from": pd.Series(dtype="datetime64[us]"),
            "occurred_to": pd.Series(dtype="datetime64[us]"),
            "reported_at": pd.Series(dtype="datetime64[us]"),
            "lon": pd.Series(dtype="float64"),
            "lat": pd.Series(dtype="float64"),
            "coord_flag": pd.Series(dtype="object"),
            "location_type": pd.Series(dtype="object"),
            "iccs_code": pd.Series(dtype="object"),
            "offence_count": pd.Series(dtype="int64"),
            "victim_count": pd.Series(dtype="int64"),
        }
    )
    return frame


@cached_read
def offence_days(
    engine: Engine,
    scope: Scope,
    record: StationRecord,
    basis: str,
    first_month: int,
    last_month: int,
) -> pd.DataFrame:
    """Return the date and ICCS code of each offence of a station's incidents.

    Offences are counted by their own ICCS code, as in the monthly rollups. The
    date is the occurrence start or the report time, following ``basis``.

    Returns
    -------
    pandas.DataFrame
        Columns ``day`` (a ``datetime.date``) and ``iccs_code``.

    Raises
    ------
    OutOfScope
        If the scope may read aggregates only.
    """
    _check(scope, record, basis)
    scope.check_incident_rows()
    month = _month_column(basis)
    moment = incident.c.occurred_from if basis == "occurred" else incident.c.reported_at
    query = (
        select(moment.label("moment"), offence.c.iccs_code)
        .select_from(incident.join(offence, offence.c.incident_id == incident.c.id))
        .where(
            incident.c.station_id == record.id,
            month.between(first_month, last_month),
            offence.c.iccs_code != EXCLUDED,
        )
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(
        [(_day(row.moment), row.iccs_code) for row in rows],
        columns=["day", "iccs_code"],
    )


@cached_read
def incident_days(
    engine: Engine,
    scope: Scope,
    record: StationRecord,
    basis: str,
    first_month: int,
    last_month: int,
) -> pd.DataFrame:
    """Return the date, principal ICCS code and victims of a station's incidents.

    The rows are those of ``incident_rows`` with no categories, reduced to what
    the 28-day CompStat windows need. The date is the occurrence start or the
    report time, following ``basis``.

    Returns
    -------
    pandas.DataFrame
        Columns ``day`` (a ``datetime.date``), ``iccs_code`` and
        ``victim_count``.

    Raises
    ------
    OutOfScope
        If the scope may read aggregates only.
    """
    _check(scope, record, basis)
    scope.check_incident_rows()
    month = _month_column(basis)
    moment = incident.c.occurred_from if basis == "occurred" else incident.c.reported_at
    query = select(
        moment.label("moment"),
        incident.c.principal_iccs_code.label("iccs_code"),
        incident.c.victim_count,
    ).where(
        incident.c.station_id == record.id,
        month.between(first_month, last_month),
        _category_filter(incident.c.principal_iccs_code, ()),
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(
        [(_day(row.moment), row.iccs_code, row.victim_count) for row in rows],
        columns=["day", "iccs_code", "victim_count"],
    )


def _day(moment) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


@cached_read
def unmapped_codes(
    engine: Engine, scope: Scope, record: StationRecord, basis: str, month: int
) -> pd.DataFrame:
    """Return the national codes without an ICCS code in a station's month.

    Returns
    -------
    pandas.DataFrame
        Columns ``national_code`` and ``offences``, most frequent first.

    Raises
    ------
    OutOfScope
        If the scope may read aggregates only.
    """
    _check(scope, record, basis)
    scope.check_incident_rows()
    month_column = _month_column(basis)
    query = (
        select(offence.c.national_code, func.count().label("offences"))
        .select_from(incident.join(offence, offence.c.incident_id == incident.c.id))
        .where(
            incident.c.station_id == record.id,
            month_column == month,
            offence.c.iccs_code == UNMAPPED,
        )
        .group_by(offence.c.national_code)
        .order_by(func.count().desc(), offence.c.national_code)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(
        [(row.national_code, int(row.offences)) for row in rows],
        columns=["national_code", "offences"],
    )


@cached_read
def quality_counts(
    engine: Engine, scope: Scope, record: StationRecord, month: int
) -> dict[str, int]:
    """Return the data-quality counts of a station's month of occurrence.

    Returns
    -------
    dict
        The counting columns of ``rollup_quality`` summed over its rows for the
        station and month, all zero when the month has no incidents.
    """
    _check(scope, record)
    names = [
        "incidents",
        "without_coordinates",
        "offences",
        "unmapped_offences",
        "victims",
        "victims_missing_age",
        "victims_missing_sex",
        "recorded_late",
    ]
    query = select(
        *(func.coalesce(func.sum(rollup_quality.c[name]), 0) for name in names)
    ).where(rollup_quality.c.station_id == record.id, rollup_quality.c.month == month)
    with engine.connect() as connection:
        values = connection.execute(query).one()
    return {name: int(value) for name, value in zip(names, values, strict=True)}


def iccs_categories(engine: Engine) -> pd.DataFrame:
    """Return the ICCS list: ``code``, ``level``, ``parent_code`` and ``name``."""
    query = select(
        iccs_category.c.code,
        iccs_category.c.level,
        iccs_category.c.parent_code,
        iccs_category.c.name,
    ).order_by(iccs_category.c.code)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(
        [tuple(row) for row in rows], columns=["code", "level", "parent_code", "name"]
    )
