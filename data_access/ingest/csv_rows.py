"""Reading a CSV file record by record, for files whose rows do not fit the header.

The fast path of ``reading`` hands a file to pandas, which reads a well-formed file
in one pass. Some files have rows longer or shorter than the header, or a quote that
opens a cell and never closes. The csv module reads those here one record at a
time, so that each such row is set aside and the other rows are kept.

Row numbers count records as a spreadsheet counts rows: the header is row 1, a cell
that spans lines stays in one row, and blank lines are skipped and not counted, as
pandas skips them. Line numbers count the lines of the file from 1.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class MalformedRow:
    """A CSV row that cannot be aligned with the header, left out of the frame."""

    row_number: int
    text: str
    reason: str
    # The line number where a quote opens a cell of the row and never closes,
    # or 0 when the row has no such quote.
    unclosed_quote_line: int = 0


@dataclass
class CsvRows:
    """The data rows of a CSV file that fit its header, and those that do not."""

    records: list[list[str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    malformed: list[MalformedRow] = field(default_factory=list)


class UnclosedHeaderQuoteError(ValueError):
    """A quote opens a cell of the header row and never closes."""

    def __init__(self, line_number: int):
        super().__init__(line_number)
        self.line_number = line_number


@dataclass(frozen=True)
class _Record:
    """One record of the file, read from ``lines[start:end]``."""

    cells: list[str]
    start: int
    end: int
    # The line number where a quote opens a cell that never closes, or 0 when
    # every quote of the record closes.
    unclosed_quote_line: int
    # True when a quote of the record closes inside a cell rather than at a
    # delimiter or line end. The record then keeps its first line only.
    misplaced_quote: bool = False


# Cells longer than the csv module's default limit of 131,072 characters are
# read, as pandas reads them; the import reports overlong values itself.
_CELL_LIMIT = 2**31 - 1
_LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")


def normalise_line_ends(text: str, every: bool = False) -> str:
    """Return ``text`` with lone carriage returns as line ends turned into ``\n``.

    Files saved with classic Mac line ends end each line with ``\r`` alone,
    which pandas reads as a line end and the csv module rejects. By default
    only a text without any ``\n`` is changed, so that a ``\r`` inside a
    quoted cell of an ordinary file is kept. ``every=True`` changes every lone
    ``\r``, for a file that mixes both kinds of line end. A text that needs no
    change is returned as it is, without a copy.
    """
    if _LONE_CARRIAGE_RETURN.search(text) is None or (not every and "\n" in text):
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_csv_rows(text: str, delimiter: str, width: int) -> CsvRows:
    """Split the data rows of a CSV text by whether they fit a header of ``width``.

    A row with more or fewer fields than the header goes to ``malformed``. A row
    where a quote opens a cell and never closes goes there too, with the text
    from the row's start to the end of the line holding that quote. Reading goes
    on from the next line, so the rows after it are still read.

    Raises
    ------
    UnclosedHeaderQuoteError
        If the quote that never closes is in the header row.
    csv.Error
        If the csv module cannot read the text, such as a lone carriage return
        inside an unquoted cell.
    """
    csv.field_size_limit(_CELL_LIMIT)
    # Lines split at "\n" only, as the csv module splits them.
    lines = io.StringIO(text).readlines()
    rows = CsvRows()
    row_number = 0
    for record in _records(lines, delimiter):
        if _is_blank(record.cells):
            continue
        row_number += 1
        if row_number == 1:
            if record.unclosed_quote_line:
                raise UnclosedHeaderQuoteError(record.unclosed_quote_line)
            continue
        problem = _problem(record, width)
        if problem is not None:
            row_text = "".join(lines[record.start : record.end]).rstrip("\r\n")
            rows.malformed.append(
                MalformedRow(row_number, row_text, problem, record.unclosed_quote_line)
            )
            continue
        rows.records.append(record.cells)
        rows.row_numbers.append(row_number)
    return rows


def may_have_short_rows(text: str, delimiter: str, width: int) -> bool:
    """Return True unless every row has ``width`` fields or more and its quotes fit.

    pandas pads a short row with empty cells and raises nothing, so the fields of
    each row are counted here. Text without a quote is split into lines at
    ``\n``, ``\r\n`` and ``\r``, as pandas splits it. Other text is read with
    the csv module in strict mode, which also fails where a quote closes inside
    a cell. pandas would then join the lines up to the next quote into one row
    without a word, so such text is read by ``read_csv_rows`` too. The csv
    module takes a line of spaces for a short row. Such a false alarm only
    costs the slower reading of ``read_csv_rows``, which skips that line.
    """
    if '"' not in text:
        return _has_short_lines(text, delimiter, width)
    csv.field_size_limit(_CELL_LIMIT)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        counts = Counter(map(len, reader))
    except csv.Error:
        return True
    return any(0 < count < width for count in counts)


def _has_short_lines(text: str, delimiter: str, width: int) -> bool:
    """Return True when a line of quote-free ``text`` has too few delimiters."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    minimum = width - 1
    return any(
        line.count(delimiter) < minimum and line.strip() for line in text.split("\n")
    )


def long_row_reason(field_count: int, width: int) -> str:
    """Return the quarantine reason of a row with more fields than the header."""
    return (
        f"{field_count} fields, header has {width}; quote the cells that hold the "
        "delimiter"
    )


def short_row_reason(field_count: int, width: int) -> str:
    """Return the quarantine reason of a row with fewer fields than the header."""
    return (
        f"{field_count} fields, header has {width}; the row is short, so add the "
        "missing fields or delimiters"
    )


MISPLACED_QUOTE_REASON = (
    'misplaced quote: a " closes a cell of this row before its end, so the row '
    "cannot be split into fields and is kept whole from this line only; quote "
    'the whole cell and double each " inside it'
)
UNCLOSED_QUOTE_REASON = (
    'unclosed quote: a " opens a cell of this row and never closes, so the row '
    "ends at the end of the quote's line and the next line starts a new row; close "
    "or remove the quote"
)


def _problem(record: _Record, width: int) -> str | None:
    """Return why ``record`` cannot be aligned with the header, or None."""
    if record.misplaced_quote:
        return MISPLACED_QUOTE_REASON
    if record.unclosed_quote_line:
        return UNCLOSED_QUOTE_REASON
    count = len(record.cells)
    if count == width:
        return None
    reason = (long_row_reason if count > width else short_row_reason)(count, width)
    if record.end - record.start > 1:
        # Two stray quotes can join the lines between them into one row.
        reason += (
            f" (the row spans lines {record.start + 1} to {record.end}; check "
            "its quotes)"
        )
    return reason


def _is_blank(cells: list[str]) -> bool:
    """Return True for a line that pandas skips: empty or only whitespace."""
    return not cells or (len(cells) == 1 and not cells[0].strip())


class _LineSource:
    """The lines of a text from ``start`` on, fed to ``csv.reader`` one by one.

    ``position`` is the index of the next line to read. ``exhausted`` turns True
    when the reader asks for a line past the last one. The reader finishes each
    record at the end of its last line, so a record it returns after that was
    ended by the end of the text, which happens only to a quoted cell still open.
    """

    def __init__(self, lines: list[str], start: int):
        self.lines = lines
        self.position = start
        self.exhausted = False

    def __iter__(self) -> _LineSource:
        return self

    def __next__(self) -> str:
        if self.position >= len(self.lines):
            self.exhausted = True
            raise StopIteration
        line = self.lines[self.position]
        self.position += 1
        return line


def _records(lines: list[str], delimiter: str) -> Iterator[_Record]:
    """Yield the records of ``lines``, reading on after each quote that never closes.

    The csv module, outside strict mode, ends a quoted cell that is still open at
    the end of the text and returns its record. Such a record is cut at the end
    of the line holding the quote, and a new reader starts on the next line.
    """
    start = 0
    while start < len(lines):
        source = _LineSource(lines, start)
        reader = csv.reader(source, delimiter=delimiter)
        for first, cells in _numbered(reader, source):
            if not source.exhausted:
                if _quotes_fit(lines[first : source.position], delimiter):
                    yield _Record(cells, first, source.position, 0)
                    continue
                # The quote opened on the first line closed somewhere inside a
                # cell, so the lines up to it are not one row: the first line
                # is set aside alone and reading goes on from the next.
                yield _Record(cells, first, first + 1, first + 1, True)
                start = first + 1
                break
            quote_line = _open_quote_line(cells[-1], lines)
            yield _Record(cells, first, quote_line, quote_line)
            # The quote's line is never before the record's first line.
            start = max(quote_line, first + 1)
            break
        else:
            return


def _quotes_fit(lines: list[str], delimiter: str) -> bool:
    """Return True when every quote of the record's lines closes at a cell's end."""
    if not any('"' in line for line in lines):
        return True
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return False
    return True


def _numbered(reader, source: _LineSource) -> Iterator[tuple[int, list[str]]]:
    """Yield each record of ``reader`` with the index of its first line."""
    while True:
        first = source.position
        try:
            cells = next(reader)
        except StopIteration:
            return
        yield first, cells


def _open_quote_line(open_cell: str, lines: list[str]) -> int:
    """Return the line number where the cell left open at the end of the text starts.

    The open cell contains every line end from its opening quote to the end of
    the text, so counting them back from the last line finds the quote's line.
    """
    line_ends = open_cell.count("\n")
    last_line = len(lines)
    if lines[-1].endswith("\n"):
        return last_line - line_ends + 1
    return last_line - line_ends
