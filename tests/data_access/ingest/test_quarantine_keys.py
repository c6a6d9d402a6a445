"""Re-imports add no second quarantine entry for a cell already quarantined."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from data_access import schema
from data_access.ingest import ingest_file
from data_access.ingest.errors import Problem
from data_access.ingest.writer import cell_keys
from tests.data_access.ingest.helpers import count_rows, quarantined, write_source_map

MAP = """
    country = "LCA"
    offence_code_system = "iccs"
    [station]
    mode = "column"
    column = "station"
    [columns]
    source_id = "no"
    occurred_from = "from"
    offence_codes = "code"
    latitude = "lat"
    longitude = "lon"
"""
HEADER = "no,station,from,code,lat,lon"
GOOD = "1,W,2024-03-01 10:00,0101,14.0,-61.0"
BAD_ROWS = [
    "2,W,2024-31-31,0101,14.0,-61.0",
    "3,W,2024-03-01 10:00,0101,14.0,-200",
    "4,W,2024-03-01",
    '5,W,"2024-03-01 10:00,0101,14.0,-61.0',
]


@pytest.fixture
def warehouse(engine):
    with engine.begin() as connection:
        connection.execute(
            insert(schema.station),
            [{"country_code": "LCA", "code": "W", "name": "West"}],
        )
    return engine


def ingest(engine, folder, lines, name="export.csv"):
    data = folder / name
    data.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return ingest_file(engine, data, write_source_map(folder, MAP))


def rejected_by_run(engine) -> list[int]:
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(schema.import_run.c.rows_rejected).order_by(
                    schema.import_run.c.id
                )
            )
        )


def test_reimport_adds_no_duplicate_cells(warehouse, tmp_path):
    first = ingest(warehouse, tmp_path, [GOOD, *BAD_ROWS])
    stored = quarantined(warehouse)
    second = ingest(warehouse, tmp_path, [GOOD, *BAD_ROWS])

    assert len(stored) == 4
    assert quarantined(warehouse) == stored
    assert first.already_quarantined == 0
    assert second.already_quarantined == 4
    assert second.rejected == first.rejected == 3
    assert rejected_by_run(warehouse) == [3, 3]
    assert "4 of the quarantined cells were already in the quarantine" in (
        second.format()
    )


def test_moved_rows_in_renamed_file_not_added(warehouse, tmp_path):
    ingest(warehouse, tmp_path, [GOOD, *BAD_ROWS])
    later = ["9,W,2024-03-02 10:00,0101,14.0,-61.0", *reversed(BAD_ROWS), GOOD]
    report = ingest(warehouse, tmp_path, later, name="export-2024-03.csv")

    assert report.already_quarantined == 4
    assert count_rows(warehouse, schema.quarantine) == 4
    assert {row[0] for row in quarantined(warehouse)} == {3, 4, 5, 6}


def test_changed_cell_added_again(warehouse, tmp_path):
    ingest(warehouse, tmp_path, [GOOD, BAD_ROWS[0]])
    report = ingest(warehouse, tmp_path, [GOOD, "2,W,2024-32-31,0101,14.0,-61.0"])

    assert report.already_quarantined == 0
    assert [row[2] for row in quarantined(warehouse)] == ["2024-31-31", "2024-32-31"]


def test_identical_rows_keep_their_entries(warehouse, tmp_path):
    lines = [GOOD, BAD_ROWS[0], BAD_ROWS[0]]
    first = ingest(warehouse, tmp_path, lines)
    second = ingest(warehouse, tmp_path, lines)

    assert first.rejected == 2
    assert [row[:2] for row in quarantined(warehouse)] == [(3, "from"), (4, "from")]
    assert second.already_quarantined == 2


def test_cell_keys_depend_on_country_and_cell():
    problem = Problem(3, "from", "2024-31-31", "not a date")
    other_row = Problem(5, "from", "2024-31-31", "not a date")
    hashes = {3: "a" * 32, 5: "b" * 32}

    lca = cell_keys("LCA", [problem], hashes)
    brb = cell_keys("BRB", [problem], hashes)
    moved = cell_keys(
        "LCA", [Problem(7, "from", "2024-31-31", "not a date")], {7: "a" * 32}
    )
    both = cell_keys("LCA", [problem, other_row], hashes)

    assert lca != brb
    assert moved == lca
    assert both[0] == lca[0]
    assert both[1] != lca[0]
    assert len(lca[0]) == 32
