"""Reading CSV and Excel exports into a frame of text cells.

Every cell is read as text, so offence and station codes keep their leading zeros.
Excel numbers shown with a zero-padded format such as ``0000`` are padded back to
that width; other Excel numbers are written without a trailing ``.0``; Excel date
cells become ISO text.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data_access.ingest.csv_rows import (
    MalformedRow,
    UnclosedHeaderQuoteError,
    long_row_reason,
    may_have_short_rows,
    normalise_line_ends,
    read_csv_rows,
)
from data_access.ingest.errors import IngestError, UnreadableFileError

ROW_NUMBER = "__row__"
_ZERO_FORMAT = re.compile(r"^0+$")
_HEADER_SLICE = 1_000_000


@dataclass
class ExportTable:
    """The rows of an export as text, and the rows that could not be aligned."""

    frame: pd.DataFrame
    malformed: list[MalformedRow] = field(default_factory=list)
    header_width: int = 0
    may_contain_nul: bool = True


def read_export(
    path: Path,
    file_format: str | None = None,
    encoding: str = "auto",
    delimiter: str = ",",
    sheet: str | None = None,
    encoding_hint: str = "set encoding in the source map",
) -> pd.DataFrame:
    """Return the rows of a CSV or Excel export as text, with their row numbers.

    Like ``read_table``, but a row that cannot be aligned with the header is an
    error for the whole file.

    Raises
    ------
    IngestError
        If the file cannot be read, or a row cannot be aligned with the header.
    """
    table = read_table(path, file_format, encoding, delimiter, sheet, encoding_hint)
    if table.malformed:
        listed = "; ".join(
            f"row {row.row_number}: {row.reason}" for row in table.malformed[:10]
        )
        raise IngestError(
            f"{path}: {len(table.malformed)} row(s) do not fit the header of "
            f"{table.header_width} columns: {listed}. Fix these rows; nothing was "
            "imported."
        )
    return table.frame


def read_table(
    path: Path,
    file_format: str | None = None,
    encoding: str = "auto",
    delimiter: str = ",",
    sheet: str | None = None,
    encoding_hint: str = "set encoding in the source map",
) -> ExportTable:
    """Read the rows of a CSV or Excel export as text, with their row numbers.

    The column ``__row__`` holds each row's number as a spreadsheet shows it: the
    header is row 1, so the first data row is row 2. A CSV row with more or
    fewer fields than the header, or with a quote that never closes, is left out
    of the frame and listed in ``malformed``, and so is an Excel row with values
    right of the header.

    Raises
    ------
    IngestError
        If the file is missing, empty or cannot be decoded, or if its header
        names a column twice. The message names the file and what to do.
    UnreadableFileError
        If the file is not in the format its name or ``file_format`` declares.
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: file not found.")
    file_format = file_format or _format_from_suffix(path)
    if file_format == "excel":
        table = _read_excel(path, sheet)
    else:
        table = _read_csv(path, encoding, delimiter, encoding_hint)
    frame = table.frame
    if len(frame.columns.drop(ROW_NUMBER, errors="ignore")) == 0:
        raise IngestError(f"{path}: the file has no header row.")
    _check_duplicate_columns(path, list(frame.columns))
    table.header_width = len(frame.columns.drop(ROW_NUMBER, errors="ignore"))
    if ROW_NUMBER not in frame.columns:
        frame[ROW_NUMBER] = range(2, len(frame) + 2)
    return table


def _check_duplicate_columns(path: Path, columns: list[str]) -> None:
    counts = Counter(columns)
    repeated = [column for column, count in counts.items() if count > 1]
    if repeated:
        raise IngestError(
            f"{path}: the header names column(s) {repeated} more than once, so "
            "the import cannot tell which to read. Rename or remove the repeated "
            "columns; nothing was imported."
        )


def _format_from_suffix(path: Path) -> str:
    return "excel" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv"


def decode_text(
    path: Path,
    data: bytes,
    encoding: str,
    hint: str = "set encoding in the source map",
) -> str:
    """Decode an export's bytes, dropping a byte order mark.

    With ``encoding="auto"`` a UTF-16 or UTF-32 file is read by its byte order
    mark, and other bytes are read as UTF-8 when they are valid UTF-8, and as
    Windows-1252 otherwise. ``hint`` tells the user where to set the encoding.

    Raises
    ------
    IngestError
        If the bytes cannot be decoded, if a UTF-16 or UTF-32 byte order mark
        contradicts an explicit ``encoding``, or if many NUL bytes show UTF-16 or
        UTF-32 text without a byte order mark.
    """
    wide = _wide_encoding_by_bom(data)
    if wide is not None:
        return _decode_wide(path, data, wide, encoding, hint)
    _reject_wide_without_bom(path, data)
    candidates = ("utf-8-sig", "cp1252") if encoding == "auto" else (encoding,)
    for candidate in candidates:
        codec = "utf-8-sig" if candidate == "utf-8" else candidate
        try:
            return data.decode(codec)
        except UnicodeDecodeError as error:
            last_error = error
    position = last_error.start
    raise IngestError(
        f"{path}: cannot decode the file as {' or '.join(candidates)} (byte "
        f"{data[position : position + 1]!r} at offset {position}). Export it again "
        f"as UTF-8, or {hint}."
    )


# Byte order marks of the wide Unicode encodings, each with the codec that reads
# it and its name. UTF-32 comes first because the UTF-32 LE mark starts with the
# UTF-16 LE one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 BE"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)
# Bytes of a file's start searched for NUL bytes, and the share of NUL bytes
# above which the file is taken for UTF-16 or UTF-32. ASCII text has one NUL in
# two bytes in UTF-16 and three in four in UTF-32, while a UTF-8 or Windows-1252
# export has NUL bytes only in damaged cells.
_NUL_SAMPLE_BYTES = 4096
_MIN_NUL_SHARE = 0.25


def _wide_encoding_by_bom(data: bytes) -> tuple[str, str] | None:
    """Return the codec and name of the UTF-16 or UTF-32 mark ``data`` starts with."""
    for mark, codec, name in _WIDE_BOMS:
        if data.startswith(mark):
            return codec, name
    return None


def _decode_wide(
    path: Path, data: bytes, wide: tuple[str, str], encoding: str, hint: str
) -> str:
    codec, name = wide
    if encoding != "auto":
        raise IngestError(
            f"{path}: the file starts with a {name} byte order mark, but its "
            f"encoding is set to {encoding!r}. Save the file as UTF-8 (in Excel: "
            f"CSV UTF-8), or use encoding 'auto' ({hint}) to read it as {name}; "
            "nothing was imported."
        )
    try:
        # The utf-16 and utf-32 codecs read the byte order from the mark and drop it.
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise IngestError(
            f"{path}: the file starts with a {name} byte order mark but is not "
            f"valid {name} ({error.reason} at byte offset {error.start}). Save it "
            "again as UTF-8 (in Excel: CSV UTF-8); nothing was imported."
        ) from None


def _reject_wide_without_bom(path: Path, data: bytes) -> None:
    """Raise ``IngestError`` when NUL bytes show UTF-16 or UTF-32 text."""
    sample = data[:_NUL_SAMPLE_BYTES]
    nul_count = sample.count(0)
    if not sample or nul_count < _MIN_NUL_SHARE * len(sample):
        return
    # ASCII text is half NUL bytes in UTF-16 and three quarters in UTF-32, and
    # its NUL bytes follow each character in little-endian order.
    width = "32" if nul_count >= 0.6 * len(sample) else "16"
    order = "BE" if sample[0] == 0 else "LE"
    raise IngestError(
        f"{path}: {nul_count} of the first {len(sample)} bytes are NUL bytes, so "
        f"the file looks like UTF-{width} {order} text without a byte order mark, "
        "which the import cannot read. Save it as UTF-8 (in Excel: CSV UTF-8) and "
        "import it again; nothing was imported."
    )


def _read_csv(path: Path, encoding: str, delimiter: str, hint: str) -> ExportTable:
    text = normalise_line_ends(decode_text(path, path.read_bytes(), encoding, hint))
    if not text.strip():
        raise IngestError(f"{path}: the file is empty.")
    header = _csv_header(path, text, delimiter)
    _check_duplicate_columns(path, header)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
        )
    except pd.errors.ParserError as error:
        if not _has_misaligned_rows(error):
            raise _unreadable_csv(path, error) from None
        frame = None
    except csv.Error as error:
        raise _unreadable_csv(path, error) from None
    # pandas 2 takes the extra leading fields of a long first row as an index,
    # raises on a long later row and on a quote that never closes, and pads a
    # short row. Each time some row cannot be aligned with the header, so the
    # file is read again row by row.
    if (
        frame is None
        or not isinstance(frame.index, pd.RangeIndex)
        or may_have_short_rows(text, delimiter, len(header))
    ):
        return _read_csv_by_row(path, text, delimiter, header)
    frame.columns = [str(column).strip() for column in frame.columns]
    return ExportTable(frame, may_contain_nul="\x00" in text)


def _has_misaligned_rows(error: pd.errors.ParserError) -> bool:
    """Return True for pandas' errors on a long row or a quote that never closes."""
    message = str(error)
    return "fields in line" in message or "EOF inside string" in message


def _unreadable_csv(path: Path, error: Exception) -> IngestError:
    return UnreadableFileError(
        f"{path}: not a readable CSV file ({error}). Check the delimiter in "
        "the source map and that every quoted cell is closed."
    )


def _csv_header(path: Path, text: str, delimiter: str) -> list[str]:
    """Return the header's column names, named as pandas names them."""
    try:
        # A header is far shorter than this slice, which spares copying the file.
        start = io.StringIO(text[:_HEADER_SLICE])
        first = next((row for row in csv.reader(start, delimiter=delimiter) if row), [])
    except csv.Error as error:
        raise _unreadable_csv(path, error) from None
    return [
        column.strip() or f"Unnamed: {position}"
        for position, column in enumerate(first)
    ]


def _read_csv_by_row(
    path: Path, text: str, delimiter: str, header: list[str]
) -> ExportTable:
    """Read a CSV file whose rows do not all fit its header, with the csv module.

    Rows that cannot be aligned with the header go to ``malformed``, as
    ``read_csv_rows`` sorts them, and the other rows form the frame.
    """
    try:
        try:
            rows = read_csv_rows(text, delimiter, len(header))
        except csv.Error:
            # A file that mixes lone carriage returns with other line ends.
            mixed = normalise_line_ends(text, every=True)
            if mixed is text:
                raise
            rows = read_csv_rows(mixed, delimiter, len(header))
    except UnclosedHeaderQuoteError as error:
        raise IngestError(
            f'{path}: a " on line {error.line_number} opens a cell of the header '
            "row and never closes, so the import cannot tell the columns apart. "
            "Close or remove the quote; nothing was imported."
        ) from None
    except csv.Error as error:
        raise _unreadable_csv(path, error) from None
    frame = pd.DataFrame(rows.records, columns=header, dtype=object)
    frame[ROW_NUMBER] = rows.row_numbers
    return ExportTable(frame, rows.malformed)


def _read_excel(path: Path, sheet: str | None) -> ExportTable:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        OSError,
        KeyError,
        ValueError,
    ) as error:
        raise UnreadableFileError(
            f"{path}: not a readable Excel file ({error}). If it is a CSV file, "
            'rename it to .csv or set format = "csv" in the source map; if it is '
            "an Excel file, save it again as .xlsx."
        ) from None
    try:
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    except KeyError:
        raise IngestError(
            f"{path}: no sheet {sheet!r}; the file has {workbook.sheetnames}."
        ) from None

    rows = worksheet.iter_rows()
    try:
        header = [_cell_text(cell).strip() for cell in next(rows)]
    except StopIteration:
        raise IngestError(f"{path}: the sheet is empty.") from None
    body = [[_cell_text(cell) for cell in row] for row in rows]
    workbook.close()
    return _fit_excel_rows(header, body)


def _fit_excel_rows(header: list[str], body: list[list[str]]) -> ExportTable:
    """Pad short rows, and set aside rows with values right of the header.

    Empty cells at the end of the header row are not columns. An empty name
    between named columns becomes ``Unnamed: N``, as pandas names it in a CSV file.
    """
    while header and not header[-1]:
        header = header[:-1]
    header = [name or f"Unnamed: {position}" for position, name in enumerate(header)]
    width = len(header)
    kept, numbers, malformed = [], [], []
    for row_number, row in enumerate(body, start=2):
        used = len(row)
        while used > width and not row[used - 1].strip():
            used -= 1
        if used > width:
            text = ",".join(row[:used])
            reason = long_row_reason(used, width)
            malformed.append(MalformedRow(row_number, text, reason))
            continue
        kept.append((row + [""] * width)[:width])
        numbers.append(row_number)
    frame = pd.DataFrame(kept, columns=header, dtype=object).astype(str)
    frame[ROW_NUMBER] = numbers
    return ExportTable(frame, malformed)


def _cell_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, int | float):
        return _number_text(value, getattr(cell, "number_format", "General"))
    return str(value)


def _number_text(value: float, number_format: str) -> str:
    if float(value).is_integer():
        text = str(int(value))
        if _ZERO_FORMAT.match(number_format or ""):
            return text.zfill(len(number_format))
        return text
    return repr(float(value))
