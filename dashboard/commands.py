"""Subcommands of ``crimedash`` for the warehouse.

``init-db``, ``ingest``, ``ingest-offences`` and ``load-geography``.
"""

from __future__ import annotations

from collections.abc import Callable

from dashboard.cli import CommandError, subcommand
from dashboard.config import GEODATA_DIR, Settings
from data_access.engine import init_warehouse, make_engine


def _run_on_warehouse(settings: Settings, action: Callable, errors: type[Exception]):
    """Return ``action(engine)`` on the initialised warehouse.

    An error of type ``errors`` becomes a ``CommandError`` with its message, so the
    command prints it and exits with status 2 instead of a traceback.
    """
    engine = make_engine(settings.database_url)
    init_warehouse(engine)
    try:
        return action(engine)
    except errors as error:
        raise CommandError(str(error)) from None
    finally:
        engine.dispose()


@subcommand("init-db", "create the warehouse tables and load the ICCS list")
def init_db(args, settings) -> int:
    """Create the warehouse at the configured database URL."""
    engine = make_engine(settings.database_url)
    try:
        init_warehouse(engine)
    finally:
        engine.dispose()
    print(f"Warehouse ready: {engine.url.render_as_string(hide_password=True)}")
    return 0


def _ingest_arguments(parser) -> None:
    parser.add_argument("file", help="CSV or Excel export to import")
    parser.add_argument(
        "--source", required=True, help="source map (TOML) describing the export"
    )


@subcommand(
    "ingest", "import a records export described by a source map", _ingest_arguments
)
def ingest(args, settings) -> int:
    """Import an export and print the import report."""
    from data_access.ingest import IngestError, ingest_file

    report = _run_on_warehouse(
        settings,
        lambda engine: ingest_file(engine, args.file, args.source),
        IngestError,
    )
    print(report.format())
    return 0


def _offences_arguments(parser) -> None:
    parser.add_argument("file", help="CSV correspondence table")
    parser.add_argument("--country", required=True, help="country code, e.g. LCA")
    parser.add_argument(
        "--encoding",
        choices=("auto", "utf-8", "cp1252"),
        default="auto",
        help="text encoding of the file; auto reads UTF-8, else Windows-1252 "
        "(default: auto)",
    )


@subcommand(
    "ingest-offences",
    "import a country's correspondence table from offence codes to ICCS",
    _offences_arguments,
)
def ingest_offences(args, settings) -> int:
    """Replace a country's correspondence table with the given file."""
    from data_access.ingest import IngestError, import_correspondence

    count = _run_on_warehouse(
        settings,
        lambda engine: import_correspondence(
            engine, args.file, args.country, args.encoding
        ),
        IngestError,
    )
    print(f"Imported {count} offence codes for {args.country}.")
    return 0


def _geography_arguments(parser) -> None:
    parser.add_argument(
        "folder",
        nargs="?",
        default=str(GEODATA_DIR),
        help="folder of divisions, parishes, stations and population files "
        "(default: the geodata shipped with crimedash)",
    )


@subcommand(
    "load-geography",
    "load or update divisions, parishes, station areas and population",
    _geography_arguments,
)
def load_geography_command(args, settings) -> int:
    """Load a geodata folder into the warehouse and print what it wrote."""
    from data_access.geography import GeodataError, load_geography

    counts = _run_on_warehouse(
        settings, lambda engine: load_geography(engine, args.folder), GeodataError
    )
    print(
        f"Loaded {counts.divisions} divisions, {counts.admin_areas} parishes and "
        f"districts, {counts.stations} stations and {counts.population_rows} "
        f"population rows from {args.folder}."
    )
    return 0
