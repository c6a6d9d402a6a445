"""Subcommands of ``crimedash`` to review imports: ``imports`` and ``quarantine``.

Quarantined values can hold personal details from a police export. They are printed
to the terminal or written to the CSV file the operator names, and never logged.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from dashboard.cli import CommandError, positive_count, subcommand
from dashboard.config import Settings
from dashboard.terminal_text import format_table, terminal_cell
from data_access.engine import make_engine
from data_access.ingest.errors import MAX_SHOWN_LENGTH
from data_access.quarantine_queries import (
    ImportRun,
    QuarantineFilter,
    QuarantineQueryError,
    check_filter,
    check_import_tables,
    count_import_runs,
    count_quarantined_cells,
    iter_quarantined_cells,
    list_import_runs,
)
from layouts.spreadsheet_cells import csv_cell_text

# Maximum terminal columns of a cell taken from an export (value, field, file name)
# in the tables; longer cells end in "...". The CSV file keeps them whole.
VALUE_COLUMNS = 40
FIELD_COLUMNS = 24
FILE_COLUMNS = 40

DEFAULT_CELL_LIMIT = 50
DEFAULT_RUN_LIMIT = 20

CSV_HEADER = (
    "import_id",
    "country_code",
    "file_name",
    "row_number",
    "field",
    "value",
    "reason",
)
# Excel for Windows (2007 and later) reads a CSV file opened from the file manager
# as UTF-8 only when it starts with a byte order mark, and otherwise in the Windows
# code page (Stack Overflow question 155097).
CSV_ENCODING = "utf-8-sig"

RUN_HEADER = (
    "run",
    "started (UTC)",
    "country",
    "read",
    "inserted",
    "updated",
    "unchanged",
    "rejected",
    "cells",
    "file",
)
CELL_HEADER = ("run", "file", "row", "field", "value", "reason")


def _imports_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--country", help="only runs of this country code, e.g. LCA")
    parser.add_argument(
        "--limit",
        type=positive_count,
        default=DEFAULT_RUN_LIMIT,
        metavar="N",
        help=f"maximum number of runs listed (default: {DEFAULT_RUN_LIMIT})",
    )


@subcommand(
    "imports",
    "list recent import runs with their row counts, newest first; a run's id "
    "selects its quarantined cells in `crimedash quarantine --run ID`",
    _imports_arguments,
)
def imports_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print the most recent import runs and their counts."""
    filters = QuarantineFilter(country_code=args.country)
    with _warehouse_connection(settings) as connection:
        check_filter(connection, filters)
        runs = list_import_runs(connection, filters, args.limit)
        total = count_import_runs(connection, filters)
    if not runs:
        print("No import runs found.")
        return 0
    print(format_runs(runs, _output_encoding()))
    if total > len(runs):
        print(f"Showing {len(runs)} of {total} runs; raise --limit to see more.")
    return 0


def _quarantine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--run",
        type=positive_count,
        metavar="ID",
        help="only cells of this import run (ids from `crimedash imports`)",
    )
    parser.add_argument("--country", help="only runs of this country code, e.g. LCA")
    parser.add_argument(
        "--reason",
        metavar="TEXT",
        help="only cells whose reason contains TEXT, ignoring case",
    )
    parser.add_argument(
        "--limit",
        type=positive_count,
        default=DEFAULT_CELL_LIMIT,
        metavar="N",
        help="maximum number of cells printed, and of runs in the summary "
        f"(default: {DEFAULT_CELL_LIMIT}); --csv writes every cell whatever the "
        "limit",
    )
    parser.add_argument(
        "--csv",
        metavar="FILE",
        help="write every matching cell to FILE as CSV in UTF-8 with a byte order "
        "mark, readable by its owner only, instead of printing the table. Values "
        "are not cut further; the import stored the first "
        f"{MAX_SHOWN_LENGTH} characters of longer ones. Text starting with =, +, "
        "-, @, a tab or a carriage return gets a leading ' so that a spreadsheet "
        "does not run it as a formula",
    )


@subcommand(
    "quarantine",
    "list the cells imports rejected, newest import first: row number, field, "
    f"value and reason. Values longer than {VALUE_COLUMNS} terminal columns are "
    "cut in the table; control characters are printed as escapes such as \\t",
    _quarantine_arguments,
)
def quarantine_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print or write the quarantined cells that match the options."""
    csv_path = _checked_csv_path(args.csv) if args.csv else None
    filters = QuarantineFilter(args.run, args.country, args.reason)
    encoding = _output_encoding()
    with _warehouse_connection(settings) as connection:
        check_filter(connection, filters)
        if filters.run_id is None:
            _print_run_summary(connection, filters, args.limit, encoding)
        if csv_path is not None:
            written = write_cells_csv(connection, filters, csv_path)
            print(f"Wrote {written} quarantined cells to {csv_path}.")
            return 0
        total = count_quarantined_cells(connection, filters)
        cells = list(iter_quarantined_cells(connection, filters, args.limit))
        note = "" if cells else _stored_earlier_note(connection, filters)
    _print_cells(cells, total, filters, encoding)
    if note:
        print(note)
    return 0


def _stored_earlier_note(connection, filters: QuarantineFilter) -> str:
    """Return why a run that rejected rows has no cells, or "" if it has some."""
    if filters.run_id is None or filters.reason is not None:
        return ""
    runs = list_import_runs(
        connection, QuarantineFilter(filters.run_id, filters.country_code), 1
    )
    if not runs or not runs[0].rows_rejected:
        return ""
    run = runs[0]
    return (
        f"Import run {run.id} rejected {run.rows_rejected} rows, but an earlier "
        "import had quarantined the same cells of the same rows, so they are listed "
        "under that import only (see `crimedash quarantine --country "
        f"{run.country_code}`)."
    )


def _print_run_summary(connection, filters, limit: int, encoding: str) -> None:
    runs = list_import_runs(connection, filters, limit, quarantined_only=True)
    if not runs:
        return
    total = count_import_runs(connection, filters, quarantined_only=True)
    print("Import runs with matching quarantined cells:")
    print(format_runs(runs, encoding))
    if total > len(runs):
        print(f"Showing {len(runs)} of {total} runs; raise --limit to see more.")
    print()


def _print_cells(cells, total: int, filters: QuarantineFilter, encoding: str) -> None:
    if not cells:
        scope = f"import run {filters.run_id}" if filters.run_id else "the warehouse"
        print(f"No quarantined cells in {scope} match.")
        return
    print(format_cells(cells, encoding))
    if total > len(cells):
        print(
            f"Showing {len(cells)} of {total} cells; raise --limit, or write them "
            "all with --csv FILE."
        )


def format_runs(runs: list[ImportRun], encoding: str) -> str:
    """Return import runs as a table for the terminal."""
    rows = [
        (
            str(run.id),
            run.started_at.strftime("%Y-%m-%d %H:%M"),
            terminal_cell(run.country_code, FIELD_COLUMNS, encoding),
            str(run.rows_read),
            str(run.rows_inserted),
            str(run.rows_updated),
            str(run.rows_unchanged),
            str(run.rows_rejected),
            str(run.quarantined_cells),
            terminal_cell(run.file_name, FILE_COLUMNS, encoding, keep_end=True),
        )
        for run in runs
    ]
    return format_table(RUN_HEADER, rows)


def format_cells(cells, encoding: str) -> str:
    """Return quarantined cells as a table for the terminal, long values cut."""
    rows = [
        (
            str(cell.import_id),
            terminal_cell(cell.file_name, FILE_COLUMNS, encoding, keep_end=True),
            str(cell.row_number),
            terminal_cell(cell.field, FIELD_COLUMNS, encoding),
            terminal_cell(cell.value, VALUE_COLUMNS, encoding),
            terminal_cell(cell.reason, None, encoding),
        )
        for cell in cells
    ]
    return format_table(CELL_HEADER, rows)


def write_cells_csv(connection, filters: QuarantineFilter, path: Path) -> int:
    """Write every cell that matches ``filters`` to ``path`` and return the count.

    The rows go to a temporary file beside ``path``, created readable by its owner
    only, which then replaces ``path``, so a failed export leaves no partial file.
    Values are written as the import stored them: it keeps the first
    ``MAX_SHOWN_LENGTH`` characters of a longer value and notes its full length.
    Text that a spreadsheet would run as a formula, such as ``=1+2``, is written
    with a leading ``'`` (see ``csv_cell_text``); the stored value is unchanged.
    """
    handle = tempfile.NamedTemporaryFile(
        "w",
        encoding=CSV_ENCODING,
        newline="",
        dir=path.parent,
        prefix=f".{path.name}.",
        suffix=".part",
        delete=False,
    )
    try:
        with handle:
            count = _write_cell_rows(handle, connection, filters)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return count


def _write_cell_rows(handle, connection, filters: QuarantineFilter) -> int:
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    count = 0
    for cell in iter_quarantined_cells(connection, filters):
        writer.writerow(
            (
                cell.import_id,
                csv_cell_text(cell.country_code),
                csv_cell_text(cell.file_name),
                cell.row_number,
                csv_cell_text(cell.field),
                csv_cell_text(cell.value),
                csv_cell_text(cell.reason),
            )
        )
        count += 1
    return count


def _checked_csv_path(text: str) -> Path:
    path = Path(text)
    if path.is_dir():
        raise CommandError(f"--csv {text!r} is a folder; name a file inside it.")
    if not path.parent.is_dir():
        raise CommandError(
            f"--csv {text!r}: folder {str(path.parent)!r} not found; create it or "
            "choose another path."
        )
    return path


def _output_encoding() -> str:
    return getattr(sys.stdout, "encoding", None) or "utf-8"


@contextmanager
def _warehouse_connection(settings: Settings):
    """Open the existing warehouse for reading, never creating a missing SQLite file.

    Connection failures propagate, so ``crimedash`` reports them as it does for
    every command. A query error of this module becomes a ``CommandError``.
    """
    engine = make_engine(settings.database_url, create_missing=False)
    try:
        with engine.connect() as connection:
            check_import_tables(connection)
            yield connection
    except QuarantineQueryError as error:
        raise CommandError(str(error)) from None
    finally:
        engine.dispose()
