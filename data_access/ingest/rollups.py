"""Rebuilding a country's monthly rollups after an import.

The rollups are rebuilt with INSERT ... SELECT statements written in SQLAlchemy Core,
so the same grouping runs on SQLite and PostgreSQL. Months are the integer
``YYYYMM`` columns of ``incident``, already in the country's local time.
"""

from __future__ import annotations

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)

from data_access.schema import (
    AGE_BANDS,
    AGE_UNKNOWN,
    ALL,
    LATE_ENTRY_DAYS,
    NO_STATION,
    RELATIONSHIP_UNKNOWN,
    incident,
    offence,
    rollup_monthly,
    rollup_quality,
    rollup_relationship,
    suspect,
    victim,
)

_BASES = (
    ("occurred", incident.c.occurred_month),
    ("reported", incident.c.reported_month),
)


def rebuild_rollups(connection, country_code: str) -> None:
    """Replace the monthly, relationship and data-quality rollups of one country."""
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
