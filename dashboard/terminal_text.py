"""Text from exports made safe to print in a terminal table.

Cells of a police export can hold control characters, bidirectional overrides and
wide East Asian characters. Printed as they are, they move the cursor, reorder the
line or push the columns apart, so every cell passes through ``terminal_cell``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

ELLIPSIS = "..."


def escape_unprintable(text: str) -> str:
    """Return ``text`` with each non-printable character escaped as ``repr`` does.

    Non-printable means what ``str.isprintable`` rejects other than the space:
    control and format characters (tab, newline, NUL, bidirectional overrides),
    separators other than the space, and unassigned code points. A tab becomes
    ``\\t``, a NUL ``\\x00`` and U+202E ``\\u202e``. Backslashes are kept as they
    are, so a value the import stored as ``\\x00`` prints unchanged.
    """
    return "".join(
        char if char == " " or char.isprintable() else repr(char)[1:-1] for char in text
    )


def encodable(text: str, encoding: str) -> str:
    """Return ``text`` with characters that ``encoding`` lacks as backslash escapes."""
    return text.encode(encoding, "backslashreplace").decode(encoding)


def char_width(char: str) -> int:
    """Return the terminal columns ``char`` takes: 0, 1 or 2."""
    if unicodedata.combining(char):
        return 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2
    return 1


def text_width(text: str) -> int:
    """Return the terminal columns ``text`` takes."""
    return sum(char_width(char) for char in text)


def cut_to_width(text: str, width: int, keep_end: bool = False) -> str:
    """Return ``text`` cut to at most ``width`` columns, marked with ``...``.

    With ``keep_end`` the start is cut instead of the end, as suits file paths.
    """
    if text_width(text) <= width:
        return text
    room = width - len(ELLIPSIS)
    chars = reversed(text) if keep_end else iter(text)
    kept_chars = []
    used = 0
    for char in chars:
        used += char_width(char)
        if used > room:
            break
        kept_chars.append(char)
    if keep_end:
        return ELLIPSIS + "".join(reversed(kept_chars))
    return "".join(kept_chars) + ELLIPSIS


def terminal_cell(
    value: object, width: int | None, encoding: str, keep_end: bool = False
) -> str:
    """Return ``value`` as a table cell: escaped, encodable and cut to ``width``.

    ``None`` becomes an empty cell; ``width`` ``None`` leaves the length as it is.
    """
    text = "" if value is None else str(value)
    text = encodable(escape_unprintable(text), encoding)
    if width is None:
        return text
    return cut_to_width(text, width, keep_end)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return rows of prepared cells as left-aligned columns with a header line.

    Cells must already be safe to print (see ``terminal_cell``). Columns are as wide
    as their widest cell in terminal columns, two spaces apart, and the last column
    is not padded.
    """
    widths = [
        max(text_width(line[index]) for line in (header, *rows))
        for index in range(len(header))
    ]
    lines = []
    for line in (header, *rows):
        padded = [
            cell + " " * (widths[index] - text_width(cell))
            for index, cell in enumerate(line[:-1])
        ]
        lines.append("  ".join([*padded, line[-1]]))
    return "\n".join(lines)
