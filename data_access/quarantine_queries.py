"""Read back import runs and the cells that imports quarantined.

Quarantined values come from police exports and can hold personal details, so this
module returns them to its caller and never logs them. Runs are listed newest first
(by start time, then by id), and the cells of one run by row number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, func, inspect, select

from data_access.schema import country, import_run, quarantine

# Rows fetched from the database at a time when streaming quarantined cells.
STREAM_BATCH_ROWS = 1000


class QuarantineQueryError(Exception):
    """A filter names something the warehouse does not contain."""


@dataclass(frozen=True)
class QuarantineFilter:
    """Conditions on quarantined cells, where ``None`` means no condition.

    ``reason`` matches a case-insensitive part of the reason. SQLite folds the case
    of ASCII letters only, while PostgreSQL folds every letter.
    """

    run_id: int | None = None
    country_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ImportRun:
    """One import run: its file, row counts and number of quarantined cells."""

    id: int
    country_code: str
    file_name: str
    source_name: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    rows_read: int
    rows_inserted: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int
    quarantined_cells: int


@dataclass(frozen=True)
class QuarantinedCell:
    """One invalid cell of a rejected row, as the import stored it."""

    import_id: int
    country_code: str
    file_name: str
    row_number: int
    field: str
    value: str | None
    reason: str


def check_import_tables(connection: Connection) -> None:
    """Raise ``QuarantineQueryError`` unless the import tables exist."""
    tables = inspect(connection)
    missing = [
        table.name
        for table in (import_run, quarantine)
        if not tables.has_table(table.name)
    ]
    if missing:
        raise QuarantineQueryError(
            f"the warehouse has no {' or '.join(missing)} table; run "
            "`crimedash init-db` first, or check CRIMEDASH_DATABASE_URL."
        )


def check_filter(connection: Connection, filters: QuarantineFilter) -> None:
    """Raise ``QuarantineQueryError`` when the run or country of a filter is unknown."""
    if filters.run_id is not None:
        found = connection.scalar(
            select(import_run.c.id).where(import_run.c.id == filters.run_id)
        )
        if found is None:
            raise QuarantineQueryError(
                f"import run {filters.run_id} not found; list the runs with "
                "`crimedash imports`."
            )
    if filters.country_code is not None:
        known = sorted(connection.scalars(select(country.c.code)))
        if filters.country_code not in known:
            raise QuarantineQueryError(
                f"country {filters.country_code!r} is not in the warehouse; known "
                f"countries: {', '.join(known) or 'none'}."
            )


def list_import_runs(
    connection: Connection,
    filters: QuarantineFilter | None = None,
    limit: int | None = None,
    quarantined_only: bool = False,
) -> list[ImportRun]:
    """Return import runs newest first, each with its count of matching cells.

    Parameters
    ----------
    connection
        Connection to the warehouse.
    filters
        The run and country select runs, and the reason selects the cells counted.
        ``None`` selects every run and counts every cell.
    limit
        Maximum number of runs returned; ``None`` returns all.
    quarantined_only
        Leave out runs without a quarantined cell that matches ``filters``.
    """
    filters = filters or QuarantineFilter()
    cells = (
        select(quarantine.c.import_id, func.count().label("cells"))
        .where(*_reason_conditions(filters))
        .group_by(quarantine.c.import_id)
        .subquery()
    )
    query = (
        select(import_run, func.coalesce(cells.c.cells, 0).label("quarantined_cells"))
        .join(cells, cells.c.import_id == import_run.c.id, isouter=not quarantined_only)
        .where(*_run_conditions(filters))
        .order_by(import_run.c.started_at.desc(), import_run.c.id.desc())
        .limit(limit)
    )
    return [_import_run(row) for row in connection.execute(query).mappings()]


def count_import_runs(
    connection: Connection,
    filters: QuarantineFilter | None = None,
    quarantined_only: bool = False,
) -> int:
    """Return how many runs ``list_import_runs`` would return without a limit."""
    filters = filters or QuarantineFilter()
    query = (
        select(func.count()).select_from(import_run).where(*_run_conditions(filters))
    )
    if quarantined_only:
        matching = select(quarantine.c.import_id).where(*_reason_conditions(filters))
        query = query.where(import_run.c.id.in_(matching))
    return connection.scalar(query)


def count_quarantined_cells(connection: Connection, filters: QuarantineFilter) -> int:
    """Return the number of quarantined cells that match ``filters``."""
    query = (
        select(func.count())
        .select_from(quarantine.join(import_run))
        .where(*_run_conditions(filters), *_reason_conditions(filters))
    )
    return connection.scalar(query)


def iter_quarantined_cells(
    connection: Connection, filters: QuarantineFilter, limit: int | None = None
) -> Iterator[QuarantinedCell]:
    """Yield the cells that match ``filters``, newest run first, then by row.

    Rows are fetched in batches of ``STREAM_BATCH_ROWS``, so a run of any size can
    be written out without holding it in memory. Consume the iterator before the
    connection closes.
    """
    query = (
        select(
            quarantine.c.import_id,
            import_run.c.country_code,
            quarantine.c.file_name,
            quarantine.c.row_number,
            quarantine.c.field,
            quarantine.c.value,
            quarantine.c.reason,
        )
        .select_from(quarantine.join(import_run))
        .where(*_run_conditions(filters), *_reason_conditions(filters))
        .order_by(
            import_run.c.started_at.desc(),
            import_run.c.id.desc(),
            quarantine.c.row_number,
            quarantine.c.id,
        )
        .limit(limit)
    )
    result = connection.execution_options(yield_per=STREAM_BATCH_ROWS).execute(query)
    for row in result.mappings():
        yield QuarantinedCell(**row)


def _run_conditions(filters: QuarantineFilter) -> list:
    conditions = []
    if filters.run_id is not None:
        conditions.append(import_run.c.id == filters.run_id)
    if filters.country_code is not None:
        conditions.append(import_run.c.country_code == filters.country_code)
    return conditions


def _reason_conditions(filters: QuarantineFilter) -> list:
    if filters.reason is None:
        return []
    # autoescape makes % and _ in the operator's text match themselves.
    return [quarantine.c.reason.icontains(filters.reason, autoescape=True)]


def _import_run(row) -> ImportRun:
    return ImportRun(
        id=row["id"],
        country_code=row["country_code"],
        file_name=row["file_name"],
        source_name=row["source_name"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        rows_read=row["rows_read"],
        rows_inserted=row["rows_inserted"],
        rows_updated=row["rows_updated"],
        rows_unchanged=row["rows_unchanged"],
        rows_rejected=row["rows_rejected"],
        quarantined_cells=row["quarantined_cells"],
    )
