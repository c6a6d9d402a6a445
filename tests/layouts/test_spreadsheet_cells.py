"""Cell text of CSV exports: formula syntax quoted, everything else unchanged."""

from __future__ import annotations

import pytest

from layouts.spreadsheet_cells import csv_cell_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("http://127.0.0.1/")', '\'=HYPERLINK("http://127.0.0.1/")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+2", "'\t=1+2"),
        ("\r=1+2", "'\r=1+2"),
        ("-", "'-"),
        ("-61.5", "-61.5"),
        ("+4", "+4"),
        ("-0,25", "-0,25"),
        ("-1.5e3", "-1.5e3"),
        ("Castries", "Castries"),
        (" =1+2", " =1+2"),
        ("", ""),
        (-61.5, -61.5),
        (None, None),
    ],
    ids=[
        "equals",
        "hyperlink",
        "plus",
        "minus",
        "at",
        "tab",
        "carriage-return",
        "lone-minus",
        "negative-number",
        "signed-number",
        "comma-decimal",
        "exponent",
        "plain-text",
        "leading-space",
        "empty",
        "float",
        "none",
    ],
)
def test_csv_cell_text(value, expected):
    assert csv_cell_text(value) == expected
