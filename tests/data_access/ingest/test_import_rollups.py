"""The rollups an import builds in pandas equal those the SQL rebuild builds.

After each import, every rollup table of the country is read, rebuilt with
``rebuild_rollups`` from the stored incidents, and read again. The imports add,
correct, move and leave out incidents, so that the rollups mix incidents written
by the import with incidents the warehouse already held.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import insert, select

from data_access import schema
from data_access.ingest import import_correspondence, ingest_file
from data_access.ingest.rollups import rebuild_rollups
from tests.data_access.ingest.helpers import write_source_map

SOURCE_MAP = """
    country = "LCA"
    date_order = "day_first"
    [station]
    mode = "{mode}"
    column = "station"
    [columns]
    source_id = "no"
    occurred_from = "from"
    recorded_at = "entered"
    longitude = "x"
    latitude = "y"
    weapon = "weapon"
    offence_codes = "codes"
    attempted = "attempted"
    victim_sex = "v_sex"
    victim_age = "v_age"
    victim_relationship = "v_rel"
    suspect_sex = "s_sex"
    suspect_age = "s_age"
"""
HEADER = (
    "no,station,from,entered,x,y,weapon,codes,attempted,v_sex,v_age,v_rel,s_sex,s_age"
)
WEST = (
    "POLYGON ((-61.00 14.00, -60.99 14.00, -60.99 14.01, -61.00 14.01, -61.00 14.00))"
)
EAST = (
    "POLYGON ((-60.99 14.00, -60.98 14.00, -60.98 14.01, -60.99 14.01, -60.99 14.00))"
)
CODES = """national_code,description,iccs_code,status
MUR,Murder,0101,mapped
WND,Wounding,020111,mapped
BUR,Burglary,0501,mapped
SD,Sudden death,,excluded
"""
# Several offences and victims, an excluded and an unmapped code, and ages in no
# band or none. Delays of 0, 1, 2, 8 and 40 days, and a row without an entry
# time, so without a reported month. A row without coordinates, and one rejected
# for its victim's age.
FIRST_EXPORT = [
    "1,W,01/03/2024 22:00,01/03/2024 23:00,-60.995,14.005,Pistol,BUR;WND;MUR,"
    "no;no;yes,M;F,24;8,partner;,M,19",
    "2,W,15/03/2024 10:00,16/03/2024 11:00,,,,SD;BUR,,,,,,",
    "3,E,20/04/2024 08:00,30/05/2024 08:00,-60.985,14.005,Knife,ZZZ,,F,61,stranger,,",
    "4,E,02/05/2023 12:00,,,,,WND,yes,U,,family,F;M,15;70",
    "5,W,28/02/2024 23:30,02/03/2024 09:00,-60.995,14.005,Rifle,MUR;WND,,,unknown,,M,",
    "6,E,10/01/2024 09:00,,,,,BUR,,M,abc,,,",
    "7,W,10/01/2024 09:00,18/01/2024 09:00,,,,BUR;BUR,,F;F;M,3;12;45,"
    "family;family;other,,",
]
# Corrects incident 1, moves incident 3 to another station, repeats incident 2
# unchanged, adds incident 8 and leaves out incidents 4, 5 and 7.
SECOND_EXPORT = [
    "1,W,01/03/2024 22:00,01/03/2024 23:00,-60.995,14.005,,WND,,F,24,partner,,",
    "2,W,15/03/2024 10:00,16/03/2024 11:00,,,,SD;BUR,,,,,,",
    "3,W,20/04/2024 08:00,30/05/2024 08:00,-60.995,14.005,Knife,ZZZ,,F,61,stranger,,",
    "8,E,03/06/2024 08:00,03/06/2024 09:00,-60.985,14.005,Gun,MUR,no,M,33,"
    "acquaintance,M,35",
]
# In point mode: one point in the east area, one outside every area.
POINT_EXPORT = [
    "9,,03/06/2024 08:00,,-60.985,14.005,,BUR,,,,,,",
    "10,,04/06/2024 08:00,,-61.5,14.5,,WND,,M,40,,,",
]
ROLLUP_TABLES = (
    schema.rollup_monthly,
    schema.rollup_relationship,
    schema.rollup_quality,
    schema.rollup_country_monthly,
    schema.rollup_country_people,
    schema.rollup_yearly,
    schema.rollup_yearly_relationship,
    schema.rollup_yearly_station,
)


@pytest.fixture
def warehouse(engine, tmp_path):
    """Return a warehouse with two station areas and one incident stored by hand.

    The incident has no import id, as one written before imports recorded it,
    no station and no record delay.
    """
    with engine.begin() as connection:
        connection.execute(
            insert(schema.station),
            [
                {"country_code": "LCA", "code": "W", "name": "West", "area_wkt": WEST},
                {"country_code": "LCA", "code": "E", "name": "East", "area_wkt": EAST},
            ],
        )
        _store_incident_without_import(connection)
    codes = tmp_path / "codes.csv"
    codes.write_text(CODES)
    import_correspondence(engine, codes, "LCA")
    return engine


def _store_incident_without_import(connection) -> None:
    occurred = dt.datetime(2023, 11, 5, 14, 0)
    incident_id = connection.execute(
        insert(schema.incident).values(
            country_code="LCA",
            source_id="OLD-1",
            station_id=None,
            occurred_from=occurred,
            occurred_month=202311,
            reported_month=202312,
            principal_iccs_code="0501",
            offence_count=1,
            victim_count=1,
            record_delay_days=None,
            content_hash="old",
        )
    ).inserted_primary_key[0]
    connection.execute(
        insert(schema.offence).values(
            incident_id=incident_id, seq=0, national_code="BUR", iccs_code="0501"
        )
    )
    connection.execute(
        insert(schema.victim).values(
            incident_id=incident_id, seq=0, sex="F", age=17, relationship=""
        )
    )


def _ingest(engine, folder, lines, mode="column"):
    data = folder / "export.csv"
    data.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    source = write_source_map(folder, SOURCE_MAP.format(mode=mode))
    return ingest_file(engine, data, source)


def _rollups(engine) -> dict[str, Counter]:
    """Return the rows of every rollup table of the country, counted."""
    with engine.connect() as connection:
        return {
            table.name: Counter(
                tuple(row)
                for row in connection.execute(
                    select(table).where(table.c.country_code == "LCA")
                )
            )
            for table in ROLLUP_TABLES
        }


def _rebuilt_in_sql(engine) -> dict[str, Counter]:
    with engine.begin() as connection:
        rebuild_rollups(connection, "LCA")
    return _rollups(engine)


def _assert_same_rollups(built, rebuilt) -> None:
    for table in ROLLUP_TABLES:
        assert built[table.name] == rebuilt[table.name], table.name


def test_first_import_rollups_match_sql(warehouse, tmp_path):
    report = _ingest(warehouse, tmp_path, FIRST_EXPORT)
    built = _rollups(warehouse)

    assert report.inserted == 6
    assert report.rejected == 1
    for table in ROLLUP_TABLES:
        assert built[table.name], f"{table.name} is empty"
    _assert_same_rollups(built, _rebuilt_in_sql(warehouse))


def test_corrected_import_rollups_match_sql(warehouse, tmp_path):
    _ingest(warehouse, tmp_path, FIRST_EXPORT)
    report = _ingest(warehouse, tmp_path, SECOND_EXPORT)
    built = _rollups(warehouse)

    assert (report.inserted, report.updated, report.unchanged) == (1, 2, 1)
    _assert_same_rollups(built, _rebuilt_in_sql(warehouse))


def test_repeated_import_keeps_rollups(warehouse, tmp_path):
    _ingest(warehouse, tmp_path, FIRST_EXPORT)
    _ingest(warehouse, tmp_path, SECOND_EXPORT)
    before = _rollups(warehouse)
    report = _ingest(warehouse, tmp_path, SECOND_EXPORT)

    assert report.unchanged == 4
    assert _rollups(warehouse) == before


def test_point_import_rollups_match_sql(warehouse, tmp_path):
    _ingest(warehouse, tmp_path, FIRST_EXPORT)
    report = _ingest(warehouse, tmp_path, POINT_EXPORT, mode="point")
    built = _rollups(warehouse)

    assert report.outside_station_areas == 1
    stations = {row[1] for row in built[schema.rollup_monthly.name]}
    assert schema.NO_STATION in stations
    _assert_same_rollups(built, _rebuilt_in_sql(warehouse))


def test_empty_country_import_rollups_match_sql(engine, tmp_path):
    with engine.begin() as connection:
        connection.execute(
            insert(schema.station),
            [{"country_code": "LCA", "code": "W", "name": "West"}],
        )
    codes = tmp_path / "codes.csv"
    codes.write_text(CODES)
    import_correspondence(engine, codes, "LCA")
    report = _ingest(engine, tmp_path, FIRST_EXPORT[:2])
    built = _rollups(engine)

    assert report.inserted == 2
    assert built[schema.rollup_monthly.name]
    _assert_same_rollups(built, _rebuilt_in_sql(engine))


def test_rejected_rows_only_leave_no_rollups(engine, tmp_path):
    with engine.begin() as connection:
        connection.execute(
            insert(schema.station),
            [{"country_code": "LCA", "code": "W", "name": "West"}],
        )
    report = _ingest(engine, tmp_path, ["1,W,31/02/2024 10:00,,,,,BUR,,,,,,"])
    built = _rollups(engine)

    assert report.rejected == 1
    for table in ROLLUP_TABLES:
        assert not built[table.name], f"{table.name} has rows"
