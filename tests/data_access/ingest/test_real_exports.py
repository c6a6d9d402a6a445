"""Imports of two real police exports, checked against counts taken from the CSV."""

import csv
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_access import schema
from data_access.ingest import IngestError, import_correspondence, ingest_file
from tests.data_access.ingest.helpers import count_rows, quarantined

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
LEEDS = "uk_police_west_yorkshire_leeds_2018-07_street.csv"
TORONTO = "toronto_mci_2014-2021_sample30k.csv"


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def correspondence(example: str) -> dict[str, str]:
    """Return national code -> ICCS code, UNMAPPED or EXCLUDED, from the example."""
    codes = {}
    for row in read_rows(EXAMPLES / example / "offence_codes.csv"):
        codes[row["national_code"]] = {
            "mapped": row["iccs_code"],
            "excluded": schema.EXCLUDED,
            "pending": schema.UNMAPPED,
        }[row["status"]]
    return codes


def import_example(engine, example: str, data: Path, country: str):
    source = EXAMPLES / example / "source.toml"
    first = ingest_file(engine, data, source)
    import_correspondence(engine, EXAMPLES / example / "offence_codes.csv", country)
    # The first import created the jurisdiction; import again now that its
    # correspondence table is loaded, so that every code is mapped.
    return first, ingest_file(engine, data, source)


def stored_counts(engine, country: str, column) -> Counter:
    with engine.connect() as connection:
        rows = connection.execute(
            select(column, func.count())
            .where(schema.incident.c.country_code == country)
            .group_by(column)
        ).all()
    return Counter(dict(rows))


@pytest.mark.parametrize(
    ("example", "file_name", "country", "category_column"),
    [
        ("leeds", LEEDS, "GBR-WYP", "Crime type"),
        ("toronto", TORONTO, "CAN-TPS", "MCI"),
    ],
    ids=["leeds", "toronto"],
)
def test_counts_match_the_csv(
    engine, shared_data, example, file_name, country, category_column
):
    data = shared_data / "incidents" / file_name
    rows = read_rows(data)
    mapping = correspondence(example)
    by_category = Counter(row[category_column] for row in rows)
    by_iccs = Counter(mapping[row[category_column]] for row in rows)

    import_example(engine, example, data, country)
    incident = schema.incident.c

    assert stored_counts(engine, country, incident.principal_national_code) == (
        by_category
    )
    assert stored_counts(engine, country, incident.principal_iccs_code) == by_iccs
    assert count_rows(engine, schema.incident) == len(rows)


@pytest.mark.parametrize(
    ("example", "file_name", "country"),
    [("leeds", LEEDS, "GBR-WYP"), ("toronto", TORONTO, "CAN-TPS")],
    ids=["leeds", "toronto"],
)
def test_second_import_changes_nothing(
    engine, shared_data, example, file_name, country
):
    data = shared_data / "incidents" / file_name
    first, second = import_example(engine, example, data, country)
    before = count_rows(engine, schema.incident)
    third = ingest_file(engine, data, EXAMPLES / example / "source.toml")

    assert first.inserted == before
    assert second.inserted == 0
    assert third.inserted == 0
    assert third.updated == 0
    assert third.unchanged == before
    assert count_rows(engine, schema.incident) == before


def test_leeds_rollup_equals_incident_count(engine, shared_data):
    data = shared_data / "incidents" / LEEDS
    rows = read_rows(data)
    import_example(engine, "leeds", data, "GBR-WYP")
    rollup = schema.rollup_monthly.c
    with engine.connect() as connection:
        burglaries = connection.scalar(
            select(func.sum(rollup.incidents)).where(
                rollup.country_code == "GBR-WYP",
                rollup.basis == "occurred",
                rollup.month == 201807,
                rollup.iccs_code == "0501",
                rollup.person_role == schema.ALL,
            )
        )

    assert burglaries == sum(row["Crime type"] == "Burglary" for row in rows)


def test_toronto_time_is_local_date_and_hour(engine, shared_data, tmp_path):
    data = tmp_path / "one.csv"
    lines = (shared_data / "incidents" / TORONTO).read_text().splitlines()
    # 2017/02/28 05:00 UTC is midnight in Toronto (UTC-5); the hour column says 11.
    data.write_text("\n".join(lines[:2]) + "\n")
    import_example(engine, "toronto", data, "CAN-TPS")
    with engine.connect() as connection:
        occurred = connection.scalar(select(schema.incident.c.occurred_from))

    assert lines[1].startswith("2017/02/28 05:00:00+00,11,")
    assert occurred.isoformat() == "2017-02-28T11:00:00"


def broken_leeds_copy(shared_data, tmp_path) -> tuple[Path, dict]:
    """Write a Leeds copy with broken rows in Windows-1252; return it and the faults.

    Data rows 1 to 4 are broken: a bad month, an empty offence type and an
    unknown month value; row 5 loses its coordinates and row 6 gets an offence
    type that is not in the correspondence table. Row 7 gets an accented street.
    """
    rows = read_rows(shared_data / "incidents" / LEEDS)[:200]
    fields = list(rows[0])
    rows[0]["Month"] = "2018-13"
    rows[1]["Month"] = "July"
    rows[2]["Crime type"] = ""
    rows[3]["Month"] = ""
    rows[4]["Longitude"] = ""
    rows[4]["Latitude"] = ""
    rows[5]["Crime type"] = "Fraud by false representation"
    rows[6]["Location"] = "On or near Rue de l'Église"
    path = tmp_path / "broken.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path, {"rows": rows}


def test_broken_rows_quarantined_rest_imported(engine, shared_data, tmp_path):
    path, _ = broken_leeds_copy(shared_data, tmp_path)
    import_correspondence_first(engine)
    report = ingest_file(engine, path, EXAMPLES / "leeds" / "source.toml")

    assert report.rows_read == 200
    assert report.rejected == 4
    assert report.inserted == 196
    assert report.without_coordinates == 1
    assert report.unmapped_codes.get("Fraud by false representation") == 1
    assert quarantined(engine) == [
        (
            2,
            "Month",
            "2018-13",
            "not a date or date-time readable as year-first or ISO 8601",
        ),
        (
            3,
            "Month",
            "July",
            "not a date or date-time readable as year-first or ISO 8601",
        ),
        (4, "Crime type", "", "the offence code is missing"),
        (5, "Month", "", "the occurrence date is missing"),
    ]
    flags = stored_counts(engine, "GBR-WYP", schema.incident.c.coord_flag)
    assert flags["missing"] == 1


def import_correspondence_first(engine):
    """Create the Leeds jurisdiction and its correspondence table."""
    from sqlalchemy import insert

    with engine.begin() as connection:
        connection.execute(
            insert(schema.country).values(
                code="GBR-WYP", name="West Yorkshire Police", timezone="Europe/London"
            )
        )
    import_correspondence(engine, EXAMPLES / "leeds" / "offence_codes.csv", "GBR-WYP")


def test_declared_utf8_stops_on_cp1252(engine, shared_data, tmp_path):
    path, _ = broken_leeds_copy(shared_data, tmp_path)
    source = tmp_path / "utf8.toml"
    source.write_text(
        (EXAMPLES / "leeds" / "source.toml")
        .read_text()
        .replace(
            'date_order = "year_first"', 'date_order = "year_first"\nencoding = "utf-8"'
        )
    )
    with pytest.raises(
        IngestError, match=r"broken\.csv: cannot decode the file as utf-8"
    ):
        ingest_file(engine, path, source)

    assert count_rows(engine, schema.incident) == 0
    assert count_rows(engine, schema.import_run) == 0


def test_missing_column_stops_before_writing(engine, shared_data, tmp_path):
    source = tmp_path / "wrong.toml"
    source.write_text(
        (EXAMPLES / "leeds" / "source.toml")
        .read_text()
        .replace('"Crime type"', '"Offence"')
    )
    with pytest.raises(IngestError, match=r"'Offence' \(for offence_codes\)"):
        ingest_file(engine, shared_data / "incidents" / LEEDS, source)

    assert count_rows(engine, schema.incident) == 0
    assert count_rows(engine, schema.import_run) == 0
