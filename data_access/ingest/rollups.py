"""Rebuilding a country's monthly and yearly rollups after an import.

The rollups are rebuilt with INSERT ... SELECT statements written in SQLAlchemy Core,
so the same grouping runs on SQLite and PostgreSQL. Months are the integer
``YYYYMM`` columns of ``incident``, already in the country's local time. The
country-wide and yearly rollups are sums of the monthly ones.
"""

from __future__ import annotations

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    union_all,
)

from data_access.cache import bump_generation
from data_access.schema import (
    AGE_BANDS,
    AGE_UNKNOWN,
    ALL,
    EXCLUDED,
    LATE_ENTRY_DAYS,
    NO_STATION,
    RELATIONSHIP_UNKNOWN,
    UNMAPPED,
    country,
    incident,
    offence,
    rollup_country_monthly,
    rollup_country_people,
    rollup_monthly,
    rollup_quality,
    rollup_relationship,
    rollup_yearly,
    rollup_yearly_relationship,
    rollup_yearly_station,
    suspect,
    victim,
)

_BASES = (
    ("occurred", incident.c.occurred_month),
    ("reported", incident.c.reported_month),
)


def rebuild_rollups(connection, country_code: str) -> None:
    """Replace every rollup of one country: monthly, yearly and data quality."""
    connection.execute(
        delete(rollup_monthly).where(rollup_monthly.c.country_code == country_code)
    )
    connection.execute(
        delete(rollup_quality).where(rollup_quality.c.country_code == country_code)
    )
    connection.execute(
        delete(rollup_relationship).where(
            rollup_relationship.c.country_code == country_code
        )
    )
    for basis, month in _BASES:
        connection.execute(_insert_counts(country_code, basis, month))
        for role, table in (("victim", victim), ("suspect", suspect)):
            connection.execute(_insert_people(country_code, basis, month, role, table))
        connection.execute(_insert_relationships(country_code, basis, month))
    connection.execute(_insert_quality(country_code))
    rebuild_summed_rollups(connection, country_code)


_SUMMED = (
    rollup_country_monthly,
    rollup_yearly,
    rollup_country_people,
    rollup_yearly_relationship,
    rollup_yearly_station,
)


def rebuild_summed_rollups(connection, country_code: str) -> None:
    """Replace the country-wide and yearly sums of one country's monthly rollups."""
    for table in _SUMMED:
        connection.execute(delete(table).where(table.c.country_code == country_code))
    connection.execute(_insert_country_months(country_code))
    connection.execute(_insert_country_people(country_code))
    connection.execute(_insert_yearly_counts(country_code))
    connection.execute(_insert_yearly_relationships(country_code))
    connection.execute(_insert_yearly_stations(country_code))


def fill_missing_summed_rollups(connection) -> list[str]:
    """Build the summed rollups of each country that has monthly ones only.

    A warehouse built before the country-wide and yearly rollups existed gets
    them here, from its monthly rollups, without a new import. Cached query
    results are then invalidated. Returns the codes of the countries built.
    """
    # Every country with monthly rollups has rows in these two, unlike the
    # people and relationship sums of a country whose exports list no person.
    monthly = exists().where(rollup_monthly.c.country_code == country.c.code)
    summed = [
        exists().where(table.c.country_code == country.c.code)
        for table in (rollup_country_monthly, rollup_yearly)
    ]
    query = (
        select(country.c.code).where(monthly, ~and_(*summed)).order_by(country.c.code)
    )
    codes = list(connection.scalars(query))
    for code in codes:
        rebuild_summed_rollups(connection, code)
    if codes:
        bump_generation(connection, f"summed rollups of {', '.join(codes)}")
    return codes


def _station():
    return func.coalesce(incident.c.station_id, NO_STATION)


def _age_band(age):
    whens = [(age.between(low, high), label) for label, low, high in AGE_BANDS]
    return case(*whens, else_=AGE_UNKNOWN)


def _insert_counts(country_code: str, basis: str, month):
    """Incident, offence and firearm counts, under person role, sex and age 'all'."""
    by_incident = select(
        _station().label("station_id"),
        month.label("month"),
        incident.c.principal_iccs_code.label("iccs_code"),
        incident.c.principal_attempted.label("attempted"),
        literal(1).label("incidents"),
        literal(0).label("offences"),
        cast(incident.c.firearm, Integer).label("firearm_incidents"),
    ).where(incident.c.country_code == country_code, month.is_not(None))
    by_offence = (
        select(
            _station(),
            month,
            offence.c.iccs_code,
            offence.c.attempted,
            literal(0),
            literal(1),
            literal(0),
        )
        .select_from(offence.join(incident, offence.c.incident_id == incident.c.id))
        .where(incident.c.country_code == country_code, month.is_not(None))
    )
    rows = union_all(by_incident, by_offence).subquery()
    grouped = select(
        literal(country_code),
        rows.c.station_id,
        literal(basis),
        rows.c.month,
        rows.c.iccs_code,
        rows.c.attempted,
        literal(ALL),
        literal(ALL),
        literal(ALL),
        func.sum(rows.c.incidents),
        func.sum(rows.c.offences),
        literal(0),
        func.sum(rows.c.firearm_incidents),
    ).group_by(rows.c.station_id, rows.c.month, rows.c.iccs_code, rows.c.attempted)
    return insert(rollup_monthly).from_select(_ROLLUP_COLUMNS, grouped)


def _insert_people(country_code: str, basis: str, month, role: str, table):
    """Victims or suspects of each incident's principal offence, by sex and age.

    The keys are computed in a subquery and grouped outside it: PostgreSQL does
    not treat two bound copies of the same expression as one grouping key.
    """
    people = (
        select(
            _station().label("station_id"),
            month.label("month"),
            incident.c.principal_iccs_code.label("iccs_code"),
            incident.c.principal_attempted.label("attempted"),
            func.coalesce(table.c.sex, AGE_UNKNOWN).label("sex"),
            _age_band(table.c.age).label("age_band"),
        )
        .select_from(table.join(incident, table.c.incident_id == incident.c.id))
        .where(incident.c.country_code == country_code, month.is_not(None))
        .subquery()
    )
    keys = [
        people.c.station_id,
        people.c.month,
        people.c.iccs_code,
        people.c.attempted,
        people.c.sex,
        people.c.age_band,
    ]
    grouped = select(
        literal(country_code),
        keys[0],
        literal(basis),
        *keys[1:4],
        literal(role),
        *keys[4:],
        literal(0),
        literal(0),
        func.count(),
        literal(0),
    ).group_by(*keys)
    return insert(rollup_monthly).from_select(_ROLLUP_COLUMNS, grouped)


_ROLLUP_COLUMNS = [
    "country_code",
    "station_id",
    "basis",
    "month",
    "iccs_code",
    "attempted",
    "person_role",
    "sex",
    "age_band",
    "incidents",
    "offences",
    "persons",
    "firearm_incidents",
]


def _insert_relationships(country_code: str, basis: str, month):
    """Victims of each incident's principal offence, by relationship and sex."""
    relationship = func.coalesce(
        func.nullif(victim.c.relationship, ""), RELATIONSHIP_UNKNOWN
    )
    people = (
        select(
            _station().label("station_id"),
            month.label("month"),
            incident.c.principal_iccs_code.label("iccs_code"),
            incident.c.principal_attempted.label("attempted"),
            relationship.label("relationship"),
            func.coalesce(victim.c.sex, AGE_UNKNOWN).label("sex"),
        )
        .select_from(victim.join(incident, victim.c.incident_id == incident.c.id))
        .where(incident.c.country_code == country_code, month.is_not(None))
        .subquery()
    )
    keys = [
        people.c.station_id,
        people.c.month,
        people.c.iccs_code,
        people.c.attempted,
        people.c.relationship,
        people.c.sex,
    ]
    grouped = select(
        literal(country_code), keys[0], literal(basis), *keys[1:], func.count()
    ).group_by(*keys)
    columns = [column.name for column in rollup_relationship.columns]
    return insert(rollup_relationship).from_select(columns, grouped)


def _count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def _insert_quality(country_code: str):
    """Data-quality counts of each station and month of occurrence."""
    rows = (
        select(
            _station().label("station_id"),
            incident.c.occurred_month,
            incident.c.coord_flag,
            incident.c.offence_count,
            incident.c.unmapped_count,
            incident.c.victim_count,
            incident.c.victims_missing_age,
            incident.c.victims_missing_sex,
            incident.c.record_delay_days,
        )
        .where(incident.c.country_code == country_code)
        .subquery()
    )
    delay = rows.c.record_delay_days
    grouped = select(
        literal(country_code),
        rows.c.station_id,
        rows.c.occurred_month,
        func.count(),
        _count_if(rows.c.coord_flag != ""),
        func.sum(rows.c.offence_count),
        func.sum(rows.c.unmapped_count),
        func.sum(rows.c.victim_count),
        func.sum(rows.c.victims_missing_age),
        func.sum(rows.c.victims_missing_sex),
        _count_if(delay > LATE_ENTRY_DAYS),
        _count_if(delay == 0),
        _count_if(delay == 1),
        _count_if(and_(delay >= 2, delay <= 7)),
        _count_if(and_(delay >= 8, delay <= 30)),
        _count_if(delay > 30),
        _count_if(delay.is_(None)),
    ).group_by(rows.c.station_id, rows.c.occurred_month)
    columns = [column.name for column in rollup_quality.columns]
    return insert(rollup_quality).from_select(columns, grouped)


def _year(month):
    # Integer division by a literal 100: with a bound parameter, PostgreSQL would
    # treat the select list and GROUP BY copies as different expressions.
    return (month // literal_column("100", Integer)).label("year")


_COUNT_KEYS = ["iccs_code", "attempted", "person_role", "sex", "age_band"]
_COUNTS = ["incidents", "offences", "persons", "firearm_incidents"]


def _insert_country_months(country_code: str):
    """Counts of every station of the country summed, by basis and month."""
    monthly = rollup_monthly.c
    keys = [monthly.basis, monthly.month, *(monthly[name] for name in _COUNT_KEYS)]
    grouped = (
        select(
            literal(country_code),
            *keys,
            *(func.sum(monthly[name]) for name in _COUNTS),
        )
        .where(monthly.country_code == country_code)
        .group_by(*keys)
    )
    columns = [column.name for column in rollup_country_monthly.columns]
    return insert(rollup_country_monthly).from_select(columns, grouped)


def _insert_country_people(country_code: str):
    """Victims and suspects by basis, month, sex and age band; no excluded offence."""
    months = rollup_country_monthly.c
    keys = [months.basis, months.month, months.person_role, months.sex, months.age_band]
    grouped = (
        select(literal(country_code), *keys, func.sum(months.persons))
        .where(
            months.country_code == country_code,
            months.person_role != ALL,
            months.iccs_code != EXCLUDED,
        )
        .group_by(*keys)
    )
    columns = [column.name for column in rollup_country_people.columns]
    return insert(rollup_country_people).from_select(columns, grouped)


def _division(code):
    """Return an ICCS code cut to its division; ``UNMAPPED`` and ``EXCLUDED`` kept."""
    return case(
        (code.in_([UNMAPPED, EXCLUDED]), code), else_=func.substr(code, 1, 4)
    ).label("iccs_code")


def _insert_yearly_counts(country_code: str):
    """Incident, offence and person counts by year of occurrence and division."""
    months = rollup_country_monthly.c
    rows = (
        select(
            _year(months.month),
            _division(months.iccs_code),
            *(months[name] for name in _COUNT_KEYS[1:] + _COUNTS),
        )
        .where(months.country_code == country_code, months.basis == "occurred")
        .subquery()
    )
    grouped = select(
        literal(country_code),
        rows.c.year,
        *(rows.c[name] for name in _COUNT_KEYS),
        *(func.sum(rows.c[name]) for name in _COUNTS),
    ).group_by(rows.c.year, *(rows.c[name] for name in _COUNT_KEYS))
    columns = [column.name for column in rollup_yearly.columns]
    return insert(rollup_yearly).from_select(columns, grouped)


def _insert_yearly_relationships(country_code: str):
    """Victims by year of occurrence, division, relationship and sex."""
    monthly = rollup_relationship.c
    keys = ["iccs_code", "attempted", "relationship", "sex"]
    rows = (
        select(
            _year(monthly.month),
            _division(monthly.iccs_code),
            *(monthly[name] for name in keys[1:]),
            monthly.victims,
        )
        .where(monthly.country_code == country_code, monthly.basis == "occurred")
        .subquery()
    )
    grouped = select(
        literal(country_code),
        rows.c.year,
        *(rows.c[name] for name in keys),
        func.sum(rows.c.victims),
    ).group_by(rows.c.year, *(rows.c[name] for name in keys))
    columns = [column.name for column in rollup_yearly_relationship.columns]
    return insert(rollup_yearly_relationship).from_select(columns, grouped)


def _insert_yearly_stations(country_code: str):
    """Incidents of each station by year of occurrence, excluded offences left out."""
    monthly = rollup_monthly.c
    rows = (
        select(_year(monthly.month), monthly.station_id, monthly.incidents)
        .where(
            monthly.country_code == country_code,
            monthly.basis == "occurred",
            monthly.person_role == ALL,
            monthly.iccs_code != EXCLUDED,
        )
        .subquery()
    )
    grouped = select(
        literal(country_code),
        rows.c.year,
        rows.c.station_id,
        func.sum(rows.c.incidents),
    ).group_by(rows.c.year, rows.c.station_id)
    columns = [column.name for column in rollup_yearly_station.columns]
    return insert(rollup_yearly_station).from_select(columns, grouped)
