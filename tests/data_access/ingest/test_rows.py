"""Validation of single rows: offences, people, coordinates and stations."""

import datetime as dt

import pytest
from sqlalchemy import insert, select

from data_access import schema
from data_access.ingest import IngestError, import_correspondence, ingest_file
from data_access.ingest.prepare import NOT_DEGREES
from tests.data_access.ingest.helpers import (
    count_rows,
    fetch_incidents,
    quarantined,
    write_source_map,
)

FULL_MAP = """
    country = "LCA"
    date_order = "day_first"
    [station]
    mode = "{mode}"
    column = "station"
    [columns]
    source_id = "no"
    occurred_from = "from"
    occurred_to = "to"
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
    "no,station,from,to,entered,x,y,weapon,codes,attempted,"
    "v_sex,v_age,v_rel,s_sex,s_age"
)
# Two square station areas side by side near Castries, in WGS84.
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


@pytest.fixture
def warehouse(engine, tmp_path):
    with engine.begin() as connection:
        connection.execute(
            insert(schema.station),
            [
                {"country_code": "LCA", "code": "W", "name": "West", "area_wkt": WEST},
                {"country_code": "LCA", "code": "E", "name": "East", "area_wkt": EAST},
            ],
        )
    codes = tmp_path / "codes.csv"
    codes.write_text(CODES)
    import_correspondence(engine, codes, "LCA")
    return engine


def ingest_rows(engine, tmp_path, lines, mode="column"):
    data = tmp_path / "export.csv"
    data.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    source = write_source_map(tmp_path, FULL_MAP.format(mode=mode))
    return ingest_file(engine, data, source)


def test_principal_offence_by_seriousness(warehouse, tmp_path):
    ingest_rows(
        warehouse,
        tmp_path,
        [
            "1,W,01/03/2024 22:00,,,-60.995,14.005,Pistol,BUR;WND;MUR,no;no;yes,"
            "M,24,,M,19",
            "2,W,01/03/2024 22:00,,,-60.995,14.005,,SD;BUR,,,,,,",
            "3,W,01/03/2024 22:00,,,-60.995,14.005,,ZZZ;SD,,,,,,",
        ],
    )
    incidents = fetch_incidents(warehouse, "LCA")

    # Attempted murder (section 01) outranks a completed wounding (section 02).
    assert incidents["1"]["principal_iccs_code"] == "0101"
    assert incidents["1"]["principal_attempted"] is True
    assert incidents["1"]["firearm"] is True
    assert incidents["1"]["offence_count"] == 3
    # A crime outranks a code excluded as not a crime.
    assert incidents["2"]["principal_iccs_code"] == "0501"
    # An unmapped code outranks an excluded one, and is counted as unmapped.
    assert incidents["3"]["principal_iccs_code"] == schema.UNMAPPED
    assert incidents["3"]["unmapped_count"] == 1


def test_several_victims_in_one_cell(warehouse, tmp_path):
    ingest_rows(
        warehouse,
        tmp_path,
        [
            "1,W,01/03/2024 22:00,,,-60.995,14.005,,WND,,F;M;F,31;;8,"
            "partner;;family,M,40"
        ],
    )
    with warehouse.connect() as connection:
        victims = connection.execute(
            select(
                schema.victim.c.sex, schema.victim.c.age, schema.victim.c.relationship
            ).order_by(schema.victim.c.seq)
        ).all()
    incident = fetch_incidents(warehouse, "LCA")["1"]

    assert [tuple(v) for v in victims] == [
        ("F", 31, "intimate_partner"),
        ("M", None, None),
        ("F", 8, "family"),
    ]
    assert incident["victim_count"] == 3
    assert incident["victims_missing_age"] == 1
    assert incident["victims_missing_sex"] == 0


@pytest.mark.parametrize(
    ("x", "y", "flag"),
    [
        ("-60.995", "14.005", ""),
        ("", "", "missing"),
        ("0", "0", "zero"),
        ("14.005", "-60.995", "swapped"),
        ("-200", "14.005", "out_of_range"),
    ],
    ids=["usable", "missing", "zero", "swapped", "out-of-range"],
)
def test_bad_coordinates_flagged_not_mapped(warehouse, tmp_path, x, y, flag):
    report = ingest_rows(
        warehouse, tmp_path, [f"1,W,01/03/2024 22:00,,,{x},{y},,BUR,,,,,,"]
    )
    incident = fetch_incidents(warehouse, "LCA")["1"]

    assert incident["coord_flag"] == flag
    assert report.without_coordinates == (0 if flag == "" else 1)
    assert report.rejected == 0


def test_point_mode_finds_station_area(warehouse, tmp_path):
    report = ingest_rows(
        warehouse,
        tmp_path,
        [
            "1,,01/03/2024 22:00,,,-60.995,14.005,,BUR,,,,,,",
            "2,,01/03/2024 22:00,,,-60.985,14.005,,BUR,,,,,,",
            "3,,01/03/2024 22:00,,,-60.900,14.005,,BUR,,,,,,",
        ],
        mode="point",
    )
    incidents = fetch_incidents(warehouse, "LCA")
    with warehouse.connect() as connection:
        ids = dict(
            connection.execute(select(schema.station.c.code, schema.station.c.id)).all()
        )

    assert incidents["1"]["station_id"] == ids["W"]
    assert incidents["2"]["station_id"] == ids["E"]
    assert incidents["3"]["station_id"] is None
    assert incidents["3"]["coord_flag"] == "outside_station_areas"
    assert report.outside_station_areas == 1


def test_unknown_station_rejected_with_reason(warehouse, tmp_path):
    report = ingest_rows(
        warehouse, tmp_path, ["1,Q,01/03/2024 22:00,,,-60.995,14.005,,BUR,,,,,,"]
    )

    assert report.rejected == 1
    assert quarantined(warehouse) == [
        (
            2,
            "station",
            "Q",
            "unknown station code; add the station to the warehouse or fix the code",
        )
    ]


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        (
            "1,W,01/03/2024 22:00,28/02/2024 10:00,,,,,BUR,,,,,,",
            "to",
            "ends before the occurrence starts",
        ),
        (
            "1,W,01/03/2099 22:00,,,,,,BUR,,,,,,",
            "from",
            "the occurrence date is in the future",
        ),
        (
            "1,W,01/03/2024 22:00,,,,,,BUR,,Q,,,,",
            "v_sex",
            "not a sex code (M, F or empty)",
        ),
        (
            "1,W,01/03/2024 22:00,,,,,,BUR,,,-3,,,",
            "v_age",
            "not an age in whole years from 0 to 120",
        ),
        ("1,W,01/03/2024 22:00,,,,,,BUR,maybe,,,,,", "attempted", "not a yes/no value"),
        ("1,W,01/03/2024 22:00,,,abc,14.0,,BUR,,,,,,", "x", NOT_DEGREES),
        (
            "1,W,03/13/2024 22:00,,,,,,BUR,,,,,,",
            "from",
            "not a date or date-time readable as day-first or ISO 8601",
        ),
    ],
    ids=[
        "reversed-window",
        "future",
        "sex",
        "age",
        "attempted",
        "longitude",
        "month-first-date",
    ],
)
def test_invalid_cell_rejects_row(warehouse, tmp_path, line, field, reason):
    report = ingest_rows(
        warehouse, tmp_path, [line, "2,W,02/03/2024 10:00,,,,,,BUR,,,,,,"]
    )

    assert report.rejected == 1
    assert report.inserted == 1
    assert [(row[1], row[3]) for row in quarantined(warehouse)] == [(field, reason)]


def test_record_delay_from_entry_time(warehouse, tmp_path):
    ingest_rows(
        warehouse,
        tmp_path,
        ["1,W,01/03/2024 22:00,02/03/2024 06:00,15/04/2024 09:00,,,,BUR,,,,,,"],
    )
    incident = fetch_incidents(warehouse, "LCA")["1"]

    assert incident["occurred_to"] == dt.datetime(2024, 3, 2, 6, 0)
    assert incident["record_delay_days"] == 44
    with warehouse.connect() as connection:
        late = connection.scalar(select(schema.rollup_quality.c.recorded_late))
    assert late == 1


def test_failed_write_leaves_warehouse_unchanged(warehouse, tmp_path, monkeypatch):
    ingest_rows(warehouse, tmp_path, ["1,W,01/03/2024 22:00,,,,,,BUR,,,,,,"])
    before = fetch_incidents(warehouse, "LCA")

    def fail(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(
        "data_access.ingest.pipeline.rebuild_rollups_after_import", fail
    )
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_rows(
            warehouse,
            tmp_path,
            [
                "1,W,01/03/2024 22:00,,,,,,WND,,,,,,",
                "2,W,02/03/2024 10:00,,,,,,BUR,,,,,,",
            ],
        )

    assert fetch_incidents(warehouse, "LCA") == before
    assert count_rows(warehouse, schema.import_run) == 1
    assert count_rows(warehouse, schema.offence) == 1


def test_unknown_country_needs_jurisdiction(engine, tmp_path):
    data = tmp_path / "export.csv"
    data.write_text("no,when,code\n1,2024-01-01 10:00,X\n")
    source = write_source_map(
        tmp_path,
        """
        country = "XYZ"
        [station]
        mode = "fixed"
        code = "A"
        [columns]
        occurred_from = "when"
        offence_codes = "code"
        """,
    )
    with pytest.raises(IngestError, match=r"country 'XYZ' is not in the warehouse"):
        ingest_file(engine, data, source)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("country = ", "not valid TOML"),
        ('country = "LCA"\n[station]\nmode = "fixed"\ncode = "A"\n', r"\[columns\]"),
        (
            'country = "LCA"\n[station]\nmode = "nearest"\n[columns]\n'
            'occurred_from = "a"\noffence_codes = "b"\n',
            r"mode='nearest' is invalid",
        ),
        (
            'country = "LCA"\ndate_order = "dmy"\n[station]\nmode = "point"\n'
            '[columns]\noccurred_from = "a"\noffence_codes = "b"\n',
            r"date_order='dmy' is invalid",
        ),
        (
            'country = "LCA"\n[station]\nmode = "point"\n[columns]\n'
            'occurred_from = "a"\noffence = "b"\n',
            r"unknown setting 'offence' in \[columns\]; did you mean 'offence_codes'",
        ),
    ],
    ids=["toml", "no-columns", "station-mode", "date-order", "unknown-field"],
)
def test_wrong_source_map_names_the_problem(engine, tmp_path, body, message):
    data = tmp_path / "export.csv"
    data.write_text("a,b\n2024-01-01,X\n")
    source = tmp_path / "map.toml"
    source.write_text(body)
    with pytest.raises(IngestError, match=message):
        ingest_file(engine, data, source)

    assert count_rows(engine, schema.import_run) == 0
