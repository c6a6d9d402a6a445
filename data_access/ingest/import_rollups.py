"""Rebuilding a country's rollups at the end of an import, grouped with pandas.

``rollups.rebuild_rollups`` groups every incident of the country in SQL, which took
39 s of CPU for 2,000,000 incidents on SQLite (``bench/ingest_throughput.py``). An
import already has the incidents it wrote in memory, so only the country's other
incidents are read back, and the groups of ``rollups`` are counted in pandas. The
tests compare both ways on the same warehouse. The country-wide and yearly sums
are still built in SQL from the monthly rollups, as ``rollups`` builds them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import delete, or_, select

from data_access.ingest.prepare import Prepared
from data_access.ingest.rollups import rebuild_summed_rollups
from data_access.ingest.writer import bulk_insert, indexes_built_after_load
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

# The incident columns the rollups read, besides the incident id.
FACT_COLUMNS = (
    "station_id",
    "occurred_month",
    "reported_month",
    "principal_iccs_code",
    "principal_attempted",
    "firearm",
    "coord_flag",
    "offence_count",
    "unmapped_count",
    "victim_count",
    "victims_missing_age",
    "victims_missing_sex",
    "record_delay_days",
)
_CHILD_COLUMNS = {
    "offences": ("iccs_code", "attempted"),
    "victims": ("sex", "age", "relationship"),
    "suspects": ("sex", "age"),
}
_CHILD_TABLES = {"offences": offence, "victims": victim, "suspects": suspect}
_BASES = (("occurred", "occurred_month"), ("reported", "reported_month"))
_KEYS = ["station_id", "month", "iccs_code", "attempted"]


@dataclass
class Facts:
    """The columns the rollups read, of a set of incidents and of their children.

    Each frame has an ``incident_id`` column. ``incidents`` has the
    ``FACT_COLUMNS`` too, and each child frame the columns of ``_CHILD_COLUMNS``.
    """

    incidents: pd.DataFrame
    offences: pd.DataFrame
    victims: pd.DataFrame
    suspects: pd.DataFrame


def written_facts(prepared: Prepared, ids: pd.Series) -> Facts:
    """Return the facts of the prepared incidents that an import wrote.

    ``ids`` is the incident id of each written row, indexed like
    ``prepared.incidents``.
    """
    incidents = prepared.incidents.loc[ids.index, list(FACT_COLUMNS)]
    incidents.insert(0, "incident_id", ids.to_numpy())
    children = {}
    for name, columns in _CHILD_COLUMNS.items():
        frame = getattr(prepared, name)
        frame = frame[frame["row"].isin(ids.index)]
        part = frame[list(columns)].copy()
        part.insert(0, "incident_id", ids.reindex(frame["row"]).to_numpy())
        children[name] = part
    return Facts(incidents, **children)


def rebuild_rollups_after_import(
    connection, country_code: str, import_id: int, written: Facts, untouched: int
) -> None:
    """Replace every rollup of one country after an import has written its rows.

    ``written`` contains the incidents the import inserted or updated, with their
    children. The country's ``untouched`` other incidents are read from the
    warehouse: those whose ``last_import_id`` is another import's, or empty.
    """
    facts = written
    if untouched:
        stored = _stored_facts(connection, country_code, import_id)
        facts = _combine(stored, written)
    facts = _normalise(facts)
    for table in (rollup_monthly, rollup_quality, rollup_relationship):
        connection.execute(delete(table).where(table.c.country_code == country_code))
    tables = (
        (rollup_monthly, monthly_rows(facts)),
        (rollup_relationship, relationship_rows(facts)),
        (rollup_quality, quality_rows(facts)),
    )
    with indexes_built_after_load(connection, [table for table, _ in tables]):
        for table, rows in tables:
            rows.insert(0, "country_code", country_code)
            bulk_insert(connection, table, rows)
    rebuild_summed_rollups(connection, country_code)


def _stored_facts(connection, country_code: str, import_id: int) -> Facts:
    """Return the facts of the country's incidents not written by ``import_id``."""
    untouched = (
        incident.c.country_code == country_code,
        or_(
            incident.c.last_import_id.is_(None),
            incident.c.last_import_id != import_id,
        ),
    )
    columns = [incident.c.id, *(incident.c[name] for name in FACT_COLUMNS)]
    incidents = _read_frame(connection, select(*columns).where(*untouched))
    children = {}
    for name, table in _CHILD_TABLES.items():
        columns = [table.c.incident_id, *(table.c[c] for c in _CHILD_COLUMNS[name])]
        query = (
            select(*columns)
            .select_from(table.join(incident, table.c.incident_id == incident.c.id))
            .where(*untouched)
        )
        children[name] = _read_frame(connection, query)
    return Facts(incidents.rename(columns={"id": "incident_id"}), **children)


def _read_frame(connection, query) -> pd.DataFrame:
    result = connection.execute(query)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def _combine(first: Facts, second: Facts) -> Facts:
    frames = {}
    for name in ("incidents", *_CHILD_COLUMNS):
        parts = [getattr(first, name), getattr(second, name)]
        # Concatenating an empty frame is deprecated in pandas 2 when its column
        # types differ, and adds nothing.
        non_empty = [part for part in parts if not part.empty] or parts[:1]
        frames[name] = pd.concat(non_empty, ignore_index=True)
    return Facts(**frames)


def _normalise(facts: Facts) -> Facts:
    """Give every fact column one type, whether it was read or prepared.

    A missing station becomes ``NO_STATION``. Other missing values become NaN or
    None, and compare and group as NULL does in the SQL of ``rollups``.
    """
    incidents = facts.incidents
    normal = pd.DataFrame(
        {
            "incident_id": incidents["incident_id"].astype("int64"),
            "station_id": _integers(incidents["station_id"], NO_STATION),
            "occurred_month": _numbers(incidents["occurred_month"]),
            "reported_month": _numbers(incidents["reported_month"]),
            "iccs_code": _texts(incidents["principal_iccs_code"]),
            "attempted": incidents["principal_attempted"].astype(bool),
            "firearm": incidents["firearm"].astype(bool).astype("int64"),
            "without_coordinates": (_texts(incidents["coord_flag"]) != "").astype(
                "int64"
            ),
            "record_delay_days": _numbers(incidents["record_delay_days"]),
        }
    )
    for name in _QUALITY_SUMS.values():
        normal[name] = _integers(incidents[name], 0)
    offences = pd.DataFrame(
        {
            "incident_id": facts.offences["incident_id"].astype("int64"),
            "iccs_code": _texts(facts.offences["iccs_code"]),
            "attempted": facts.offences["attempted"].astype(bool),
        }
    )
    return Facts(normal, offences, _people(facts.victims), _people(facts.suspects))


def _people(frame: pd.DataFrame) -> pd.DataFrame:
    people = pd.DataFrame(
        {
            "incident_id": frame["incident_id"].astype("int64"),
            "sex": _texts(frame["sex"]).fillna(AGE_UNKNOWN),
            "age_band": _age_bands(_numbers(frame["age"])),
        }
    )
    if "relationship" in frame:
        relationship = _texts(frame["relationship"]).replace("", None)
        people["relationship"] = relationship.fillna(RELATIONSHIP_UNKNOWN)
    return people


def _integers(values: pd.Series, missing: int) -> pd.Series:
    return _numbers(values).fillna(missing).astype("int64")


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.astype(object), errors="raise").astype("float64")


def _texts(values: pd.Series) -> pd.Series:
    """Return text values as an object Series, with None where missing."""
    objects = values.astype(object)
    return objects.where(objects.notna(), None)


def _age_bands(ages: pd.Series) -> pd.Series:
    """Return the band of each age, or ``AGE_UNKNOWN`` if missing or in no band."""
    conditions = [ages.between(low, high).to_numpy() for _, low, high in AGE_BANDS]
    labels = [label for label, _, _ in AGE_BANDS]
    bands = np.select(conditions, labels, default=AGE_UNKNOWN)
    return pd.Series(bands, index=ages.index, dtype=object)


# Columns of ``rollup_quality`` that sum an incident column, by that column.
_QUALITY_SUMS = {
    "offences": "offence_count",
    "unmapped_offences": "unmapped_count",
    "victims": "victim_count",
    "victims_missing_age": "victims_missing_age",
    "victims_missing_sex": "victims_missing_sex",
}


def monthly_rows(facts: Facts) -> pd.DataFrame:
    """Return the rows of ``rollup_monthly``, without the country code."""
    parts = []
    for basis, month in _BASES:
        keys = _incident_keys(facts.incidents, month)
        counts = [_count_rows(keys, facts.offences)]
        for role, people in (("victim", facts.victims), ("suspect", facts.suspects)):
            counts.append(_person_rows(keys, people, role))
        part = pd.concat(counts, ignore_index=True)
        part["basis"] = basis
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[_columns(rollup_monthly)]


def relationship_rows(facts: Facts) -> pd.DataFrame:
    """Return the rows of ``rollup_relationship``, without the country code."""
    parts = []
    for basis, month in _BASES:
        keys = _incident_keys(facts.incidents, month)
        victims = _locate(facts.victims, keys[_KEYS])
        groups = [*_KEYS, "relationship", "sex"]
        counts = victims.groupby(groups, dropna=False).size()
        part = counts.rename("victims").reset_index()
        part["basis"] = basis
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[_columns(rollup_relationship)]


def quality_rows(facts: Facts) -> pd.DataFrame:
    """Return the rows of ``rollup_quality``, without the country code."""
    incidents = facts.incidents
    delay = incidents["record_delay_days"]
    flags = {
        "recorded_late": delay > LATE_ENTRY_DAYS,
        "delay_days_0": delay == 0,
        "delay_days_1": delay == 1,
        "delay_days_2_7": delay.between(2, 7),
        "delay_days_8_30": delay.between(8, 30),
        "delay_days_31_plus": delay > 30,
        "delay_unknown": delay.isna(),
    }
    frame = pd.DataFrame(
        {
            "station_id": incidents["station_id"],
            "month": incidents["occurred_month"].astype("int64"),
            "incidents": np.ones(len(incidents), dtype="int64"),
            "without_coordinates": incidents["without_coordinates"],
            **{name: incidents[source] for name, source in _QUALITY_SUMS.items()},
            **{name: flag.astype("int64") for name, flag in flags.items()},
        }
    )
    grouped = frame.groupby(["station_id", "month"], as_index=False).sum()
    return grouped[_columns(rollup_quality)]


def _columns(table) -> list[str]:
    return [column.name for column in table.columns if column.name != "country_code"]


def _incident_keys(incidents: pd.DataFrame, month: str) -> pd.DataFrame:
    """Return the keys of each incident with a month on one basis, by incident id."""
    dated = incidents[incidents[month].notna()]
    keys = dated[["station_id", "iccs_code", "attempted", "firearm"]].copy()
    keys["month"] = dated[month].astype("int64")
    return keys.set_index(dated["incident_id"].to_numpy())


def _locate(children: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Join each child row to the keys of its incident, dropping it if none."""
    return children.join(keys, on="incident_id", how="inner")


def _count_rows(keys: pd.DataFrame, offences: pd.DataFrame) -> pd.DataFrame:
    """Return incident, offence and firearm counts under role, sex and age 'all'.

    Incidents count under their principal offence, and each offence under its own
    code, as the union of both in ``rollups`` counts them.
    """
    by_incident = keys[_KEYS].assign(
        incidents=1, offences=0, firearm_incidents=keys["firearm"]
    )
    located = _locate(offences, keys[["station_id", "month"]])
    by_offence = located[_KEYS].assign(incidents=0, offences=1, firearm_incidents=0)
    rows = pd.concat([by_incident, by_offence], ignore_index=True)
    counts = rows.groupby(_KEYS, as_index=False, dropna=False).sum()
    return counts.assign(person_role=ALL, sex=ALL, age_band=ALL, persons=0)


def _person_rows(keys: pd.DataFrame, people: pd.DataFrame, role: str) -> pd.DataFrame:
    """Return counts of victims or suspects by sex and age band.

    Each person counts under the principal offence of their incident.
    """
    located = _locate(people, keys[_KEYS])
    counts = located.groupby([*_KEYS, "sex", "age_band"], dropna=False).size()
    rows = counts.rename("persons").reset_index()
    return rows.assign(person_role=role, incidents=0, offences=0, firearm_incidents=0)
