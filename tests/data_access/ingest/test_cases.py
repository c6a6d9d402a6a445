"""Small inputs that broke import tools of this kind, each with its right result."""

import datetime as dt

import pytest

from data_access import schema
from data_access.ingest import ingest_file
from data_access.ingest.reading import read_export
from tests.data_access.ingest.helpers import (
    count_rows,
    fetch_incidents,
    monthly_incidents,
    quarantined,
    write_source_map,
)

ICCS_CODED = """
    country = "LCA"
    offence_code_system = "iccs"
    {extra}
    [station]
    mode = "fixed"
    code = "CASTRIES"
    create_missing = true
    [columns]
    source_id = "incident_no"
    offence_codes = "iccs_code"
    {columns}
"""


def iccs_map(tmp_path, columns: str, extra: str = ""):
    return write_source_map(tmp_path, ICCS_CODED.format(columns=columns, extra=extra))


def test_day_first_column_read_one_way(engine, tmp_path, cases):
    source = iccs_map(
        tmp_path, 'occurred_from = "occurred_at"', extra='date_order = "day_first"'
    )
    ingest_file(engine, cases / "13_mixed_day_month.csv", source)
    incidents = fetch_incidents(engine, "LCA")

    assert incidents["INC-0501"]["occurred_from"] == dt.datetime(2024, 4, 3, 22, 15)
    assert incidents["INC-0502"]["occurred_from"] == dt.datetime(2024, 4, 25, 8, 5)
    assert incidents["INC-0503"]["occurred_from"] == dt.datetime(2024, 5, 4, 13, 40)


def test_end_of_day_2400_is_next_midnight(engine, tmp_path, cases):
    # This export has no offence column; count every row as an ICCS 0501 burglary.
    csv = cases / "18_time_2400.csv"
    data = tmp_path / "times.csv"
    lines = csv.read_text().splitlines()
    data.write_text(
        "\n".join([lines[0] + ",iccs_code"] + [line + ",0501" for line in lines[1:]])
    )
    source = iccs_map(
        tmp_path, 'occurred_date = "incident_date"\noccurred_time = "incident_time"'
    )
    ingest_file(engine, data, source)
    incidents = fetch_incidents(engine, "LCA")

    assert incidents["INC-0801"]["occurred_from"] == dt.datetime(2024, 3, 10, 0, 0)
    assert incidents["INC-0802"]["occurred_from"] == dt.datetime(2024, 4, 1, 0, 0)
    assert incidents["INC-0803"]["occurred_from"] == dt.datetime(2024, 4, 1, 0, 0)
    assert incidents["INC-0804"]["occurred_from"] == dt.datetime(2024, 3, 31, 23, 59)
    assert monthly_incidents(engine, "LCA") == {202403: 2, 202404: 3}


def test_bad_time_fails_its_row_alone(engine, tmp_path):
    data = tmp_path / "times.csv"
    data.write_text(
        "incident_no,incident_date,incident_time,iccs_code\n"
        "A,2024-03-09,24:00,0501\n"
        "B,2024-03-09,24:30,0501\n"
        "C,2024-03-09,7:05,0501\n"
    )
    source = iccs_map(
        tmp_path, 'occurred_date = "incident_date"\noccurred_time = "incident_time"'
    )
    report = ingest_file(engine, data, source)

    assert sorted(fetch_incidents(engine, "LCA")) == ["A", "C"]
    assert report.rejected == 1
    assert quarantined(engine) == [
        (3, "incident_time", "24:30", "not a time of day (HH:MM, HHMM or hour)")
    ]


def test_excel_serial_dates_and_times(engine, tmp_path, cases):
    source = iccs_map(
        tmp_path,
        'reported_date = "date_reported"\nreported_time = "time_reported"\n'
        'occurred_date = "date_reported"\noccurred_time = "time_reported"',
    )
    report = ingest_file(engine, cases / "12_excel_serial_dates.xlsx", source)
    incidents = fetch_incidents(engine, "LCA")

    assert incidents["INC-0301"]["occurred_from"] == dt.datetime(2024, 1, 1, 15, 30)
    assert incidents["INC-0302"]["occurred_from"] == dt.datetime(2024, 1, 2, 0, 0)
    assert incidents["INC-0303"]["occurred_from"] == dt.datetime(2024, 2, 29, 23, 59)
    assert incidents["INC-0305"]["occurred_from"] == dt.datetime(1900, 3, 1, 6, 0)
    assert "INC-0304" not in incidents
    assert report.rejected == 1
    reasons = {row[1]: row[3] for row in quarantined(engine)}
    assert "1900-02-29" in reasons["date_reported"]


@pytest.mark.parametrize(
    "file_name", ["16a_leading_zero_codes.csv", "16b_leading_zero_codes.xlsx"]
)
def test_codes_keep_leading_zeros(engine, tmp_path, cases, file_name):
    data = cases / file_name
    frame = read_export(data)
    expected = {
        "16a_leading_zero_codes.csv": ["0101", "0201", "02011", "0501", "1101"],
        "16b_leading_zero_codes.xlsx": ["0101", "0201", "02011", "0501"],
    }[file_name]

    assert list(frame["iccs_code"]) == expected
    if "station_code" in frame:
        assert list(frame["station_code"]) == ["007", "012", "031", "007", "012"]


def test_leading_zero_codes_map_to_iccs(engine, tmp_path, cases):
    # The case file has no dates; give every row the same occurrence time.
    lines = (cases / "16a_leading_zero_codes.csv").read_text().splitlines()
    data = tmp_path / "codes.csv"
    data.write_text(
        "\n".join(
            [lines[0] + ",occurred_at"]
            + [line + ",2024-01-05 10:00" for line in lines[1:]]
        )
    )
    source = write_source_map(
        tmp_path,
        """
        country = "LCA"
        offence_code_system = "iccs"
        [station]
        mode = "column"
        column = "station_code"
        create_missing = true
        [columns]
        source_id = "incident_no"
        occurred_from = "occurred_at"
        offence_codes = "iccs_code"
        """,
    )
    ingest_file(engine, data, source)
    incidents = fetch_incidents(engine, "LCA")
    codes = {key: row["principal_iccs_code"] for key, row in incidents.items()}

    assert codes == {
        "INC-0701": "0101",
        "INC-0702": "0201",
        "INC-0703": "02011",
        "INC-0704": "0501",
        "INC-0705": "1101",
    }
    stations = {row[0] for row in _station_codes(engine)}
    assert stations == {"007", "012", "031"}


def _station_codes(engine):
    from sqlalchemy import select

    with engine.connect() as connection:
        return connection.execute(select(schema.station.c.code)).all()


def test_windows_1252_export_reads_accents(cases):
    frame = read_export(cases / "15a_export_cp1252.csv")

    assert list(frame["station_name"]) == ["St. André", "Núñez Road", "Café Junction"]


def test_byte_order_mark_not_in_column_name(cases):
    frame = read_export(cases / "15b_export_utf8_bom.csv")

    assert list(frame.columns[:2]) == ["station_code", "incidents"]
    assert list(frame["station_code"]) == ["007", "012"]


@pytest.mark.parametrize("imports", [1, 2, 3])
def test_reimport_keeps_latest_version(engine, tmp_path, cases, imports):
    source = iccs_map(
        tmp_path,
        'occurred_from = "occurred_at"\nstatus = "status"\n'
        'last_modified = "last_modified"',
    )
    for _ in range(imports):
        ingest_file(engine, cases / "20_reimport_duplicates.csv", source)
    incidents = fetch_incidents(engine, "LCA")

    assert sorted(incidents) == ["INC-1001", "INC-1002", "INC-1003"]
    assert incidents["INC-1002"]["status"] == "closed"
    assert count_rows(engine, schema.offence) == 3


@pytest.mark.parametrize(
    ("country", "timezone", "expected"),
    [
        ("UTC", "UTC", {202401: 2, 202402: 1}),
        ("LCA", None, {202401: 3}),
    ],
    ids=["utc-months", "saint-lucia-local-months"],
)
def test_offsets_become_local_months(
    engine, tmp_path, cases, country, timezone, expected
):
    jurisdiction = (
        f'[jurisdiction]\nname = "Test UTC"\ntimezone = "{timezone}"'
        if timezone
        else ""
    )
    source = write_source_map(
        tmp_path,
        f"""
        country = "{country}"
        offence_code_system = "iccs"
        [station]
        mode = "fixed"
        code = "HQ"
        create_missing = true
        [columns]
        source_id = "incident_no"
        occurred_from = "occurred_at"
        offence_codes = "code"
        {jurisdiction}
        """.replace("        [jurisdiction]", "[jurisdiction]"),
    )
    data = tmp_path / "offsets.csv"
    lines = (cases / "21_sqlite_vs_postgres.csv").read_text().splitlines()
    data.write_text(
        "\n".join([lines[0] + ",code"] + [line + ",0501" for line in lines[1:]])
    )
    ingest_file(engine, data, source)

    assert monthly_incidents(engine, country) == expected
