"""Text and files of the policy panels: marks, hidden cells, metadata."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from layouts import policy_files
from layouts import policy_panels as ui


@pytest.mark.parametrize(
    ("row", "text"),
    [
        ({"incidents": 45, "per_100k": 25.0, "unstable": False}, "25.0 (45)"),
        ({"incidents": 12, "per_100k": 6.666, "unstable": True}, "6.7* (12)"),
        (
            {
                "incidents": 30,
                "per_100k": 20.0,
                "unstable": False,
                "population_estimate": True,
            },
            "20.0e (30)",
        ),
        ({"incidents": None, "per_100k": None, "unstable": None}, "–"),
        ({"incidents": 40, "per_100k": None, "unstable": False}, "n/a (40)"),
    ],
    ids=["plain", "unstable", "estimate", "hidden", "no-population"],
)
def test_rate_text_marks(row, text):
    assert ui.rate_text(row) == text


def _panel():
    table = pd.DataFrame(
        {"code": ["0101", "0102"], "year": [2023, 2023], "incidents": [25, None]}
    )
    return ui.Panel(
        "divisions",
        "Divisions",
        table,
        (("Counting unit", "Incidents"), ("Suppression rule", "1 to 3 hidden")),
        "A note.",
    )


def test_excel_hidden_cell_is_empty():
    book = load_workbook(io.BytesIO(policy_files.xlsx([_panel()], "Report")))

    sheet = book["divisions"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("code", "year", "incidents")
    assert rows[1] == ("0101", 2023, 25)
    assert rows[2] == ("0102", 2023, None)
    metadata = list(book["metadata"].iter_rows(values_only=True))
    assert ("divisions", "Suppression rule", "1 to 3 hidden") in metadata
    assert ("divisions", "Note", "A note.") in metadata


def test_csv_zip_has_table_and_metadata():
    archive = zipfile.ZipFile(io.BytesIO(policy_files.csv_zip([_panel()], "Report")))

    assert sorted(archive.namelist()) == ["divisions.csv", "metadata.csv"]
    data = archive.read("divisions.csv").decode().splitlines()
    assert data == ["code,year,incidents", "0101,2023,25", "0102,2023,"]
    metadata = archive.read("metadata.csv").decode()
    assert "divisions,Counting unit,Incidents" in metadata


def test_records_match_to_dict():
    frame = pd.DataFrame(
        {
            "code": ["0101", "0501", "UNMAPPED"],
            "year": [2023, 2023, 2024],
            "incidents": [45, None, 3],
            "unstable": [False, None, True],
            "estimate": [True, False, True],
            "per_100k": [25.0, float("nan"), 1.5],
        }
    )

    found = ui.records(frame)
    expected = frame.to_dict("records")

    assert len(found) == len(expected)
    for row, want in zip(found, expected, strict=True):
        assert row.keys() == want.keys()
        for column in want:
            assert type(row[column]) is type(want[column]), column
            assert row[column] == want[column] or (
                pd.isna(row[column]) and pd.isna(want[column])
            )


FORMULA_NAME = '=HYPERLINK("http://127.0.0.1/?"&A1)'


def _named_panel():
    table = pd.DataFrame(
        {
            "area_code": ["A1", "A2", "A3"],
            "name": [FORMULA_NAME, "-Gros Islet", "Castries"],
            "per_100k": [-1.5, 2.0, None],
        }
    )
    return ui.Panel("areas", "Areas", table, (("Source", "@geodata"),), "")


def test_csv_zip_quotes_formula_text():
    archive = zipfile.ZipFile(
        io.BytesIO(policy_files.csv_zip([_named_panel()], "+Report"))
    )
    data = list(csv.reader(io.StringIO(archive.read("areas.csv").decode())))
    metadata = list(csv.reader(io.StringIO(archive.read("metadata.csv").decode())))

    assert data[1] == ["A1", "'" + FORMULA_NAME, "-1.5"]
    assert data[2] == ["A2", "'-Gros Islet", "2"]
    assert data[3] == ["A3", "Castries", ""]
    assert ["", "Report", "'+Report"] in metadata
    assert ["areas", "Source", "'@geodata"] in metadata


def test_excel_formula_text_stored_as_text():
    book = load_workbook(io.BytesIO(policy_files.xlsx([_named_panel()], "=Report")))

    name = book["areas"]["B2"]
    title = book["metadata"]["C2"]
    assert name.value == FORMULA_NAME
    assert name.data_type == "s"
    assert title.value == "=Report"
    assert title.data_type == "s"
    assert book["areas"]["B3"].value == "-Gros Islet"
    assert book["areas"]["C2"].value == -1.5
