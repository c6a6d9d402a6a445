"""The content hash and derived source id stored for each imported row.

Both must stay as earlier versions stored them: a repeated import finds its
incidents by source id and leaves those whose hash is unchanged.
"""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import insert

from data_access import schema
from data_access.ingest import ingest_file
from tests.data_access.ingest.helpers import fetch_incidents, write_source_map

WITH_IDS = """
    country = "LCA"
    offence_code_system = "iccs"
    [station]
    mode = "column"
    column = "station"
    [columns]
    source_id = "no"
    occurred_from = "when"
    offence_codes = "code"
    location_type = "place"
"""
WITHOUT_IDS = """
    country = "LCA"
    offence_code_system = "iccs"
    [station]
    mode = "column"
    column = "station"
    [columns]
    occurred_from = "when"
    offence_codes = "code"
"""


@pytest.fixture
def warehouse(engine):
    with engine.begin() as connection:
        connection.execute(
            insert(schema.station),
            [{"country_code": "LCA", "code": "CAS", "name": "Castries"}],
        )
    return engine


def _digest(cells: list[str]) -> str:
    text = "\x1f".join(cells)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _ingest(engine, folder, source_map, text):
    data = folder / "export.csv"
    data.write_text(text, encoding="utf-8")
    return ingest_file(engine, data, write_source_map(folder, source_map))


def test_content_hash_of_sorted_cells(warehouse, tmp_path):
    _ingest(
        warehouse,
        tmp_path,
        WITH_IDS,
        "no,station,when,code,place,unused\n"
        "A1, CAS ,2024-01-05 10:00,0501,Rum shop – bar,x\n",
    )
    incident = fetch_incidents(warehouse, "LCA")["A1"]

    # The mapped cells as read, in the order of their column names: code,
    # no, place, station, when. Unmapped columns are left out.
    cells = ["0501", "A1", "Rum shop – bar", " CAS ", "2024-01-05 10:00"]
    assert incident["content_hash"] == _digest(cells)


def test_derived_ids_count_repeated_rows(warehouse, tmp_path):
    row = "CAS,2024-01-05 10:00,0501\n"
    report = _ingest(
        warehouse, tmp_path, WITHOUT_IDS, "station,when,code\n" + row + row
    )
    incidents = fetch_incidents(warehouse, "LCA")

    digest = _digest(["0501", "CAS", "2024-01-05 10:00"])
    assert report.inserted == 2
    assert sorted(incidents) == [f"row-{digest[:24]}-1", f"row-{digest[:24]}-2"]


def test_repeated_import_without_ids_unchanged(warehouse, tmp_path):
    text = "station,when,code\nCAS,2024-01-05 10:00,0501\nCAS,2024-01-06 11:00,0101\n"
    _ingest(warehouse, tmp_path, WITHOUT_IDS, text)
    report = _ingest(warehouse, tmp_path, WITHOUT_IDS, text)

    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 2)
