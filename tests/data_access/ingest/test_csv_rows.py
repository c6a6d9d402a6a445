"""Record-by-record reading of CSV text: row and line numbers, misaligned rows."""

from __future__ import annotations

import pytest

from data_access.ingest.csv_rows import (
    UNCLOSED_QUOTE_REASON,
    UnclosedHeaderQuoteError,
    may_have_short_rows,
    read_csv_rows,
)


def test_blank_lines_not_counted():
    rows = read_csv_rows("a,b,c\n1,2,3\n\n   \n4,5,6\n", ",", 3)

    assert rows.records == [["1", "2", "3"], ["4", "5", "6"]]
    assert rows.row_numbers == [2, 3]
    assert rows.malformed == []


def test_short_row_set_aside():
    rows = read_csv_rows("a,b,c\n1,2\n\n4,5,6\n7\n", ",", 3)

    assert rows.records == [["4", "5", "6"]]
    assert rows.row_numbers == [3]
    assert [(row.row_number, row.text) for row in rows.malformed] == [
        (2, "1,2"),
        (4, "7"),
    ]
    assert rows.malformed[0].reason == (
        "2 fields, header has 3; the row is short, so add the missing fields or "
        "delimiters"
    )


def test_joined_lines_named_in_reason():
    rows = read_csv_rows('a,b,c\n1,"x\n2,y",3\n', ",", 2)

    assert rows.malformed[0].reason.endswith(
        "(the row spans lines 2 to 3; check its quotes)"
    )


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("a,b\n1,2\n\n3,4\n", 2, False),
        ("a,b\r\n1,2\r\n3\r\n", 2, True),
        ("a,b\r1,2\r3\r", 2, True),
        ("a,b\n1,2\n   \n", 2, False),
        ("a\n1\n\n2\n", 1, False),
        ('a,b\n"1,x",2\n', 2, False),
        ('a,b\n"1,x"\n', 2, True),
        ('a,b,c\n"1\n2",3,4\n', 3, False),
    ],
    ids=[
        "full",
        "crlf-short",
        "cr-short",
        "spaces",
        "one-column",
        "quoted-full",
        "quoted-short",
        "quoted-multiline",
    ],
)
def test_may_have_short_rows(text, width, expected):
    assert may_have_short_rows(text, ",", width) is expected


def test_long_row_keeps_its_text():
    rows = read_csv_rows('a,b\n1,"x,y",3\n4,5\n', ",", 2)

    assert rows.row_numbers == [3]
    assert [(row.row_number, row.text) for row in rows.malformed] == [(2, '1,"x,y",3')]
    assert rows.malformed[0].reason.startswith("3 fields, header has 2")


@pytest.mark.parametrize(
    ("text", "row_number", "line_number", "row_text"),
    [
        ('a,b\n1,2\n3,"4\n5,6\n', 3, 3, '3,"4'),
        ('a,b\r\n1,2\r\n3,"4\r\n5,6\r\n', 3, 3, '3,"4'),
        ('a,b\n1,2\n3,"4', 3, 3, '3,"4'),
        ('a,b\n\n1,"x\ny"\n3,"4\n5,6\n', 3, 5, '3,"4'),
        ('a,b\n"x\ny","4\n5,6\n', 2, 3, '"x\ny","4'),
    ],
    ids=["lf", "crlf", "last-line", "after-multiline", "inside-multiline"],
)
def test_unclosed_quote_row_and_line(text, row_number, line_number, row_text):
    rows = read_csv_rows(text, ",", 2)

    assert len(rows.malformed) == 1
    malformed = rows.malformed[0]
    assert malformed.row_number == row_number
    assert malformed.unclosed_quote_line == line_number
    assert malformed.text == row_text
    assert malformed.reason == UNCLOSED_QUOTE_REASON


def test_reading_goes_on_after_unclosed_quote():
    rows = read_csv_rows('a;b\n1;"2\n3;4\n5;6\n', ";", 2)

    assert rows.records == [["3", "4"], ["5", "6"]]
    assert rows.row_numbers == [3, 4]


def test_unclosed_quote_in_header_raises():
    with pytest.raises(UnclosedHeaderQuoteError) as caught:
        read_csv_rows('\na,"b\n1,2\n', ",", 2)

    assert caught.value.line_number == 2
