"""Import of a country's correspondence table from national codes to ICCS."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

from data_access.cache import bump_generation
from data_access.ingest.errors import (
    CorrespondenceError,
    IngestError,
    display_value,
)
from data_access.ingest.prepare import (
    MAX_CELL_LENGTH,
    MAX_CODE_LENGTH,
    Correspondence,
)
from data_access.ingest.reading import ROW_NUMBER, read_export
from data_access.ingest.remap import remap_country
from data_access.schema import country, iccs_category, offence_code

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("national_code", "iccs_code", "status")
STATUSES = ("mapped", "excluded", "pending")
_ICCS_CODE_LENGTHS = {2: 1, 4: 2, 5: 3, 6: 4}


def import_correspondence(
    engine: Engine, path: str | Path, country_code: str, encoding: str = "auto"
) -> int:
    """Replace a country's correspondence table with the rows of a CSV file.

    Offences already in the warehouse are mapped again with the new table and the
    country's rollups rebuilt, in the same transaction.

    Every row is checked against the ICCS list first: an unknown ICCS code, a code
    of the wrong length, a duplicate national code or an invalid status is an error
    naming the row, and then nothing is imported. Returns the number of rows.

    Raises
    ------
    IngestError
        If the file cannot be read, lacks a required column or has no rows; a
        table without rows would delete the country's whole mapping.
    CorrespondenceError
        If any row is invalid.
    """
    path = Path(path)
    frame = read_export(
        path, encoding=encoding, encoding_hint="pass --encoding to ingest-offences"
    )
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    if missing:
        raise IngestError(
            f"{path}: missing column(s) {missing}; a correspondence table needs "
            f"{list(REQUIRED_COLUMNS)} and may have description, valid_from, valid_to."
        )
    if frame.empty:
        raise IngestError(
            f"{path}: the table has a header but no rows. Importing it would "
            f"delete every offence code of {country_code!r}; add the rows and "
            "import it again. Nothing was changed."
        )
    with engine.connect() as connection:
        _check_country(connection, path, country_code)
        known = set(connection.scalars(select(iccs_category.c.code)))

    rows, problems = _validate(frame, known)
    if problems:
        raise CorrespondenceError(path.name, problems)
    with engine.begin() as connection:
        connection.execute(
            delete(offence_code).where(offence_code.c.country_code == country_code)
        )
        if rows:
            for row in rows:
                row["country_code"] = country_code
            connection.execute(insert(offence_code), rows)
        remapped = remap_country(
            connection, country_code, load_correspondence(connection, country_code)
        )
        bump_generation(connection, f"correspondence {country_code}")
    logger.info(
        "imported %d offence codes for %s from %s; %d stored offences re-mapped",
        len(rows),
        country_code,
        path.name,
        remapped,
    )
    return len(rows)


def _check_country(connection, path: Path, country_code: str) -> None:
    found = connection.scalar(
        select(country.c.code).where(country.c.code == country_code)
    )
    if not found:
        raise IngestError(
            f"{path}: country {country_code!r} is not in the warehouse; run "
            "`crimedash init-db` or import the country's first export with a "
            "[jurisdiction] table in its source map."
        )


def _validate(frame: pd.DataFrame, known: set[str]) -> tuple[list[dict], list[str]]:
    rows, problems = [], []
    seen: dict[tuple[str, str], int] = {}
    for record in frame.to_dict("records"):
        row_number = record[ROW_NUMBER]
        row, row_problems = _validate_row(record, known)
        key = (row["national_code"], str(row["valid_from"]))
        if key in seen:
            national = display_value(row["national_code"], 60)
            row_problems.append(
                f"national_code {national!r} duplicates row {seen[key]}"
            )
        seen.setdefault(key, row_number)
        problems.extend(f"row {row_number}: {problem}" for problem in row_problems)
        rows.append(row)
    return rows, problems


def _validate_row(record: dict, known: set[str]) -> tuple[dict, list[str]]:
    problems = _unsafe_cells(record)
    national = str(record["national_code"]).strip()
    iccs = str(record["iccs_code"]).strip()
    status = str(record["status"]).strip().lower()
    if not national:
        problems.append("national_code is empty")
    if len(national) > MAX_CODE_LENGTH:
        problems.append(
            f"national_code is longer than {MAX_CODE_LENGTH} characters "
            f"({len(national)})"
        )
    if status not in STATUSES:
        shown = display_value(status, 60)
        problems.append(f"status {shown!r} is invalid; use one of {list(STATUSES)}")
    if status == "mapped":
        problems.extend(_iccs_problems(iccs, known))
    elif iccs:
        problems.extend(_iccs_problems(iccs, known))
    valid_from, from_problem = _date(record.get("valid_from", ""), "valid_from")
    valid_to, to_problem = _date(record.get("valid_to", ""), "valid_to")
    problems.extend(p for p in (from_problem, to_problem) if p)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append("valid_to is before valid_from")
    row = {
        "national_code": national,
        "description": str(record.get("description", "")).strip(),
        "iccs_code": iccs or None,
        "status": status,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    return row, problems


def _unsafe_cells(record: dict) -> list[str]:
    """Return a problem for each cell with a NUL byte or longer than the limit."""
    problems = []
    for column, value in record.items():
        text = str(value)
        if "\x00" in text:
            problems.append(f"{column} contains a NUL byte; export the file again")
        if len(text) > MAX_CELL_LENGTH:
            problems.append(
                f"{column} is longer than {MAX_CELL_LENGTH} characters ({len(text)})"
            )
    return problems


def _iccs_problems(code: str, known: set[str]) -> list[str]:
    if not code:
        return ["iccs_code is empty but status is 'mapped'"]
    if not code.isdigit() or len(code) not in _ICCS_CODE_LENGTHS:
        shown = display_value(code, 60)
        return [
            f"iccs_code {shown!r} has the wrong form; an ICCS code has 2, 4, 5 or 6 "
            "digits, with its leading zero"
        ]
    if code not in known:
        return [f"iccs_code {code!r} is not in the ICCS list"]
    return []


def _date(value, name: str) -> tuple[dt.date | None, str | None]:
    text = str(value or "").strip()
    if not text:
        return None, None
    try:
        return dt.date.fromisoformat(text), None
    except ValueError:
        shown = display_value(text, 60)
        return None, f"{name} {shown!r} is not an ISO date (YYYY-MM-DD)"


def load_correspondence(connection, country_code: str) -> Correspondence:
    """Return a country's correspondence table for lookups at import."""
    rows = connection.execute(
        select(
            offence_code.c.national_code,
            offence_code.c.iccs_code,
            offence_code.c.status,
            offence_code.c.valid_from,
            offence_code.c.valid_to,
        ).where(offence_code.c.country_code == country_code)
    ).all()
    if not rows:
        return Correspondence.empty()
    table = pd.DataFrame(
        rows, columns=["national_code", "iccs_code", "status", "valid_from", "valid_to"]
    )
    for column in ("valid_from", "valid_to"):
        table[column] = pd.to_datetime(table[column]).astype("datetime64[us]")
    return Correspondence(table)


def iccs_identity(connection) -> Correspondence:
    """Return a table mapping each ICCS code to itself, for exports coded in ICCS."""
    codes = list(connection.scalars(select(iccs_category.c.code)))
    table = pd.DataFrame(
        {
            "national_code": codes,
            "iccs_code": codes,
            "status": "mapped",
            "valid_from": pd.Series(pd.NaT, index=range(len(codes))),
            "valid_to": pd.Series(pd.NaT, index=range(len(codes))),
        }
    )
    return Correspondence(table)
