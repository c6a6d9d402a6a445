"""The summed rollups: the monthly ones summed by country, and by year."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, insert, select

from data_access import indicator_queries as queries
from data_access import schema
from data_access.ingest.rollups import fill_missing_summed_rollups, rebuild_rollups
from data_access.scope import Scope

EVERYTHING = Scope.everything()


def _incident(id_, month, iccs, station_id=1, firearm=False, reported_month=None):
    year, month_of_year = divmod(month, 100)
    occurred = dt.datetime(year, month_of_year, 28, 21, 0)
    return {
        "id": id_,
        "country_code": "LCA",
        "source_id": f"Y{id_}",
        "station_id": station_id,
        "occurred_from": occurred,
        "reported_at": occurred + dt.timedelta(days=5),
        "occurred_month": month,
        "reported_month": reported_month or month,
        "principal_iccs_code": iccs,
        "principal_attempted": False,
        "firearm": firearm,
        "content_hash": f"h{id_}",
    }


def _person(id_, incident_id, sex, age, relationship=None):
    return {
        "id": id_,
        "incident_id": incident_id,
        "seq": id_,
        "sex": sex,
        "age": age,
        "relationship": relationship,
    }


def _suspect(id_, incident_id, sex, age):
    return {"id": id_, "incident_id": incident_id, "seq": id_, "sex": sex, "age": age}


def _offence(id_, incident_id, iccs):
    return {
        "id": id_,
        "incident_id": incident_id,
        "seq": 1,
        "national_code": "X",
        "iccs_code": iccs,
        "attempted": False,
    }


@pytest.fixture
def yearly_engine(engine):
    """Return a warehouse with six incidents over 2023 and 2024, rolled up."""
    with engine.begin() as connection:
        connection.execute(
            insert(schema.station),
            [
                {"id": 1, "country_code": "LCA", "code": "CAS", "name": "Castries"},
                {"id": 2, "country_code": "LCA", "code": "GRI", "name": "Gros Islet"},
            ],
        )
        connection.execute(
            insert(schema.incident),
            [
                _incident(1, 202303, "0101", firearm=True),
                _incident(2, 202312, "0101", station_id=2, reported_month=202401),
                _incident(3, 202401, "0501", station_id=None),
                _incident(4, 202406, "0501", station_id=2),
                _incident(5, 202406, "EXCLUDED"),
                _incident(6, 202406, "05012"),
            ],
        )
        connection.execute(
            insert(schema.offence),
            [_offence(i, i, code) for i, code in enumerate(["0101"] * 2, start=1)]
            + [_offence(3, 3, "0501"), _offence(4, 4, "0501")]
            + [_offence(6, 6, "05012")],
        )
        connection.execute(
            insert(schema.victim),
            [
                _person(1, 1, "M", 20, "family"),
                _person(2, 2, "M", 22, "stranger"),
                _person(3, 2, "F", 40, "intimate_partner"),
                _person(4, 4, "F", 16, None),
                _person(5, 5, "F", 30, "family"),
            ],
        )
        connection.execute(insert(schema.suspect), [_suspect(1, 1, "M", 25)])
        rebuild_rollups(connection, "LCA")
    return engine


def _sums(engine, table, keys, value):
    query = (
        select(*(table.c[key] for key in keys), func.sum(table.c[value]))
        .where(table.c.country_code == "LCA")
        .group_by(*(table.c[key] for key in keys))
    )
    with engine.connect() as connection:
        return {tuple(row[:-1]): row[-1] for row in connection.execute(query)}


def test_incidents_by_year_of_occurrence(yearly_engine):
    table = schema.rollup_yearly
    incidents = _sums(
        yearly_engine, table, ["year", "iccs_code", "person_role"], "incidents"
    )

    # Incident 2 occurred in December 2023 and was reported in January 2024;
    # incident 6 (05012) counts in its division.
    assert incidents[(2023, "0101", "all")] == 2
    assert incidents[(2024, "0501", "all")] == 3
    assert (2024, "05012", "all") not in incidents
    assert incidents[(2024, "EXCLUDED", "all")] == 1
    assert (2024, "0101", "all") not in incidents


def test_country_months_sum_stations(yearly_engine):
    table = schema.rollup_country_monthly
    keys = ["basis", "month", "iccs_code", "person_role"]
    incidents = _sums(yearly_engine, table, keys, "incidents")

    # Incidents 4 and 6 occurred in June 2024 at GRI and CAS; 6 is coded below
    # division level, which the monthly sums keep.
    assert incidents[("occurred", 202406, "0501", "all")] == 1
    assert incidents[("occurred", 202406, "05012", "all")] == 1
    assert incidents[("reported", 202401, "0101", "all")] == 1
    assert ("reported", 202312, "0101", "all") not in incidents
    assert incidents[("occurred", 202312, "0101", "all")] == 1


def test_firearms_and_offences_by_year(yearly_engine):
    table = schema.rollup_yearly
    firearms = _sums(yearly_engine, table, ["year", "iccs_code"], "firearm_incidents")
    offences = _sums(yearly_engine, table, ["year", "iccs_code"], "offences")

    assert firearms[(2023, "0101")] == 1
    assert firearms[(2024, "0501")] == 0
    assert offences[(2023, "0101")] == 2
    assert offences[(2024, "0501")] == 3


def test_people_by_year_sex_and_age(yearly_engine):
    table = schema.rollup_yearly
    keys = ["year", "person_role", "sex", "age_band"]
    persons = _sums(yearly_engine, table, keys, "persons")

    assert persons[(2023, "victim", "M", "18-24")] == 2
    assert persons[(2023, "victim", "F", "30-44")] == 1
    assert persons[(2024, "victim", "F", "15-17")] == 1
    assert persons[(2024, "victim", "F", "30-44")] == 1  # of the excluded incident
    assert persons[(2023, "suspect", "M", "25-29")] == 1
    assert sum(persons.values()) == 6


def test_relationships_by_year(yearly_engine):
    table = schema.rollup_yearly_relationship
    victims = _sums(yearly_engine, table, ["year", "relationship", "sex"], "victims")

    assert victims == {
        (2023, "family", "M"): 1,
        (2023, "stranger", "M"): 1,
        (2023, "intimate_partner", "F"): 1,
        (2024, "unknown", "F"): 1,
        (2024, "family", "F"): 1,
    }


def test_stations_leave_out_excluded(yearly_engine):
    table = schema.rollup_yearly_station
    incidents = _sums(yearly_engine, table, ["year", "station_id"], "incidents")

    # Incident 3 has no station (id 0); incident 5 is excluded as not a crime.
    assert incidents == {
        (2023, 1): 1,
        (2023, 2): 1,
        (2024, 0): 1,
        (2024, 1): 1,
        (2024, 2): 1,
    }


def test_reads_match_monthly_sums(yearly_engine):
    incidents = queries.yearly_incidents(yearly_engine, EVERYTHING, "LCA", 2023, 2024)
    persons = queries.yearly_persons(
        yearly_engine, EVERYTHING, "LCA", 2023, 2024, "victim", ("0101",), True
    )

    counts = {
        (row.year, row.iccs_code): row.incidents
        for row in incidents.itertuples(index=False)
    }
    assert counts == {(2023, "0101"): 2, (2024, "0501"): 3}
    assert int(persons["persons"].sum()) == 3


def test_missing_summed_rollups_filled(yearly_engine):
    generations = select(func.count()).select_from(schema.warehouse_generation)
    with yearly_engine.begin() as connection:
        before = connection.scalar(generations)
        for table in (
            schema.rollup_country_monthly,
            schema.rollup_yearly,
            schema.rollup_yearly_relationship,
            schema.rollup_yearly_station,
        ):
            connection.execute(delete(table))
    with pytest.raises(queries.RollupsMissing, match="'LCA'.*crimedash init-db"):
        queries.data_months(yearly_engine, EVERYTHING, "LCA")

    with yearly_engine.begin() as connection:
        built = fill_missing_summed_rollups(connection)
        after = connection.scalar(generations)

    assert built == ["LCA"]
    assert after == before + 1
    assert queries.data_months(yearly_engine, EVERYTHING, "LCA") == (202303, 202406)
    table = schema.rollup_yearly_station
    incidents = _sums(yearly_engine, table, ["year", "station_id"], "incidents")
    assert incidents[(2024, 2)] == 1


def test_fill_leaves_built_countries(yearly_engine):
    with yearly_engine.begin() as connection:
        assert fill_missing_summed_rollups(connection) == []
