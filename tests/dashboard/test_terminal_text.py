"""Escaping, cutting and aligning export text for terminal tables."""

import pytest

from dashboard.terminal_text import (
    cut_to_width,
    escape_unprintable,
    format_table,
    terminal_cell,
    text_width,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\tb", "a\\tb"),
        ("line\nnext\r", "line\\nnext\\r"),
        ("nul\x00", "nul\\x00"),
        ("escape\x1b[2J", "escape\\x1b[2J"),
        ("right\u202eleft", "right\\u202eleft"),
        ("c1\x85", "c1\\x85"),
        ("no\u00a0break", "no\\xa0break"),
        ("Thérèse 東京", "Thérèse 東京"),
        ("stored \\x00", "stored \\x00"),
    ],
    ids=[
        "tab",
        "newline and return",
        "nul",
        "terminal escape",
        "bidi override",
        "c1 control",
        "no-break space",
        "printable non-ascii",
        "backslash kept",
    ],
)
def test_escape_unprintable(text, expected):
    assert escape_unprintable(text) == expected


def test_text_width_counts_wide_and_combining():
    assert text_width("abc") == 3
    assert text_width("東京") == 4
    assert text_width("e\u0301") == 1


def test_cut_to_width_short_text_unchanged():
    assert cut_to_width("short", 5) == "short"


def test_cut_to_width_marks_cut():
    cut = cut_to_width("abcdefghij", 8)

    assert cut == "abcde..."
    assert text_width(cut) == 8


def test_cut_to_width_wide_chars_fit():
    cut = cut_to_width("東京都港区六本木", 8)

    assert cut == "東京..."
    assert text_width(cut) <= 8


def test_cut_to_width_keeps_end():
    assert cut_to_width("/srv/exports/2024/lca.csv", 10, keep_end=True) == "...lca.csv"


def test_terminal_cell_ascii_encoding():
    cell = terminal_cell("Thérèse\t", None, "ascii")

    assert cell == "Th\\xe9r\\xe8se\\t"
    assert cell.isascii()


def test_terminal_cell_none_is_empty():
    assert terminal_cell(None, 10, "utf-8") == ""


def test_format_table_aligns_wide_cells():
    table = format_table(("value", "reason"), [("東京", "bad"), ("abcdef", "bad")])
    lines = table.splitlines()

    assert lines == ["value   reason", "東京    bad", "abcdef  bad"]
    assert {text_width(line) for line in lines} == {11, 14}
