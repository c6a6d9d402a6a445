"""Reading CSV and Excel exports into a frame of text cells.

Every cell is read as text, so offence and station codes keep their leading zeros.
Excel numbers shown with a zero-padded format such as ``0000`` are padded back to
that width; other Excel numbers are written without a trailing ``.0``; Excel date
cells become ISO text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from data_access.ingest.errors import IngestError

ROW_NUMBER = "__row__"
_ZERO_FORMAT = re.compile(r"^0+$")


def read_export(
    path: Path,
    file_format: str | None = None,
    encoding: str = "auto",
    delimiter: str = ",",
    sheet: str | None = None,
) -> pd.DataFrame:
    """Return the rows of a CSV or Excel export as text, with their row numbers.

    The column ``__row__`` holds each row's number as a spreadsheet shows it: the
    header is row 1, so the first data row is row 2.

    Raises
    ------
    IngestError
        If the file is missing, empty or cannot be decoded; the message names the
        file and what to do.
    """
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"{path}: file not found.")
    file_format = file_format or _format_from_suffix(path)
    if file_format == "excel":
        frame = _read_excel(path, sheet)
    else:
        frame = _read_csv(path, encoding, delimiter)
    if frame.empty and len(frame.columns) == 0:
        raise IngestError(f"{path}: the file has no header row.")
    frame[ROW_NUMBER] = range(2, len(frame) + 2)
    return frame


def _format_from_suffix(path: Path) -> str:
    return "excel" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv"


def decode_text(path: Path, data: bytes, encoding: str) -> str:
    """Decode an export's bytes, dropping a UTF-8 byte-order mark.

    With ``encoding="auto"`` the bytes are read as UTF-8 when they are valid UTF-8,
    and as Windows-1252 otherwise.
    """
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
        "as UTF-8, or set encoding in the source map."
    )


def _read_csv(path: Path, encoding: str, delimiter: str) -> pd.DataFrame:
    text = decode_text(path, path.read_bytes(), encoding)
    if not text.strip():
        raise IngestError(f"{path}: the file is empty.")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skipinitialspace=False,
        )
    except (pd.errors.ParserError, csv.Error) as error:
        raise IngestError(
            f"{path}: not a readable CSV file ({error}). Check the delimiter in "
            "the source map."
        ) from None
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def _read_excel(path: Path, sheet: str | None) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise IngestError(f"{path}: not a readable Excel file ({error}).") from None
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
    width = len(header)
    body = [(row + [""] * width)[:width] for row in body]
    return pd.DataFrame(body, columns=header, dtype=object).astype(str)


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
