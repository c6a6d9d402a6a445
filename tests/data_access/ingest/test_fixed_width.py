"""Fixed-width date-times read from their digits, checked against pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from data_access.ingest.fixed_width import parse_fixed_width

DAY_FIRST = "%d/%m/%Y %H:%M"
# Values of the width of DAY_FIRST that are read from their digits.
READ = [
    "01/03/2024 10:00",
    "29/02/2024 23:59",
    "31/12/1999 00:00",
    "01/01/1000 00:00",
    "31/12/2999 23:59",
]
# Values left for pandas: invalid dates and times, other widths, separators or
# digits, and years outside 1000 to 2999.
LEFT = [
    "29/02/2023 10:00",
    "31/04/2024 10:00",
    "00/01/2024 10:00",
    "01/00/2024 10:00",
    "01/13/2024 10:00",
    "01/03/2024 24:00",
    "01/03/2024 10:60",
    "01/03/2024 1a:00",
    "01-03-2024 10:00",
    "01/03/2024 10:00 ",
    "1/3/2024 9:05",
    "01/03/0999 10:00",
    "01/03/3000 10:00",
    "٠١/٠٣/٢٠٢٤ 10:00",
    "",
]


def test_read_values_match_pandas():
    text = pd.Series(READ)
    parsed = parse_fixed_width(text, DAY_FIRST)
    expected = pd.to_datetime(text, format=DAY_FIRST).astype("datetime64[us]")

    assert parsed.notna().all()
    assert parsed.equals(expected)


@pytest.mark.parametrize("value", LEFT, ids=repr)
def test_other_values_left_for_pandas(value):
    parsed = parse_fixed_width(pd.Series([value]), DAY_FIRST)

    assert parsed.isna()[0]


@pytest.mark.parametrize(
    ("date_format", "value"),
    [
        ("%Y-%m-%d %H:%M:%S", "2024-02-29 13:45:59"),
        ("%Y-%m-%dT%H:%M", "2024-02-29T13:45"),
        ("%d.%m.%Y", "29.02.2024"),
        ("%m/%d/%Y", "02/29/2024"),
        ("%Y/%m/%d", "2024/02/29"),
    ],
)
def test_other_formats_match_pandas(date_format, value):
    parsed = parse_fixed_width(pd.Series([value, value]), date_format)
    expected = pd.to_datetime(pd.Series([value, value]), format=date_format)

    assert parsed.equals(expected.astype("datetime64[us]"))


@pytest.mark.parametrize("date_format", ["%Y-%m-%d %H:%M:%S.%f", "%Y-%m", "%H:%M"])
def test_unsupported_formats_left_for_pandas(date_format):
    value = pd.Timestamp("2024-02-29 13:45").strftime(date_format)
    parsed = parse_fixed_width(pd.Series([value]), date_format)

    assert parsed.isna()[0]


def test_index_and_mixed_rows_kept():
    text = pd.Series(["01/03/2024 10:00", "bad", "02/03/2024 11:30"], index=[7, 3, 5])
    parsed = parse_fixed_width(text, DAY_FIRST)

    assert list(parsed.index) == [7, 3, 5]
    assert parsed[7] == pd.Timestamp("2024-03-01 10:00")
    assert pd.isna(parsed[3])
    assert parsed[5] == pd.Timestamp("2024-03-02 11:30")
