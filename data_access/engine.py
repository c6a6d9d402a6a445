"""Engine creation and schema set-up for the warehouse."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError

from data_access import schema
from data_access.cache import bump_generation
from data_access.reference import load_iccs_codes
from data_access.schema_upgrade import add_missing_columns

logger = logging.getLogger(__name__)

# Seconds to wait for a PostgreSQL server to accept a connection, so that requests
# fail with "warehouse unavailable" instead of hanging when the server is down.
CONNECT_TIMEOUT_SECONDS = 10


class WarehouseUnavailable(RuntimeError):
    """The warehouse could not be reached or queried."""


def make_engine(url: str, create_missing: bool = True) -> Engine:
    """Create an engine for ``url``, preparing a SQLite file for concurrent use.

    A SQLite warehouse runs in WAL mode so that readers keep working while an import
    writes, with foreign keys on and a busy timeout instead of immediate lock errors.
    A pooled SQLite connection is dropped when its file was moved, replaced or
    deleted since it was opened. PostgreSQL connections are tested before use, so
    the engine reconnects by itself after the server comes back.

    Parameters
    ----------
    url
        SQLAlchemy URL of the warehouse.
    create_missing
        For a SQLite file: create the file and its folder when they are missing,
        as ``init-db`` and imports need. With ``False`` only an existing file is
        opened (SQLite URI ``mode=rw``), so a running app reports a missing
        warehouse as unavailable instead of reading a new, empty one.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        connect_args = {}
        if parsed.get_backend_name() == "postgresql":
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        return create_engine(url, pool_pre_ping=True, connect_args=connect_args)

    path = _sqlite_file(parsed)
    if path is not None and create_missing:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif path is not None:
        parsed = _existing_file_url(parsed, path)
    engine = create_engine(parsed, connect_args={"timeout": 30})
    event.listen(engine, "connect", _prepare_sqlite_connection)
    if path is not None:
        event.listen(engine, "connect", _remember_file(path))
        event.listen(engine, "checkout", _check_same_file(path))
    return engine


def _sqlite_file(url: URL) -> Path | None:
    """Return the file of a SQLite URL, or ``None`` for memory and URI databases."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve()


def _existing_file_url(url: URL, path: Path) -> URL:
    query = dict(url.query) | {"mode": "rw", "uri": "true"}
    return url.set(database=f"file:{quote(str(path))}", query=query)


def _prepare_sqlite_connection(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _remember_file(path: Path):
    def remember(_dbapi_connection, record) -> None:
        record.info["file_identity"] = _file_identity(path)

    return remember


def _check_same_file(path: Path):
    # An open SQLite connection keeps reading a file that was moved or deleted,
    # because its file descriptor still refers to the old file. Dropping it makes
    # the next connection open the path again and fail there if the warehouse is
    # gone.
    def check(_dbapi_connection, record, _proxy) -> None:
        if _file_identity(path) != record.info.get("file_identity"):
            raise DisconnectionError(f"SQLite file {str(path)!r} moved or deleted")

    return check


def init_warehouse(engine: Engine) -> None:
    """Create every warehouse table, load the ICCS list and the known countries.

    Safe to run again: existing tables and rows are left as they are, except that
    columns added to the schema since a table was created are added to it, and
    the country-wide and yearly sums of a country that has monthly rollups only
    are built. The application's own tables are created by the Alembic
    migrations, which run last.
    """
    from data_access.ingest.rollups import fill_missing_summed_rollups

    schema.metadata.create_all(engine)
    add_missing_columns(engine)
    with engine.begin() as connection:
        _load_reference_rows(connection)
        built = fill_missing_summed_rollups(connection)
    if built:
        logger.info("summed rollups built from the monthly ones for %s", built)

    from data_access.migrations import upgrade_app_tables

    upgrade_app_tables(engine)
    logger.info("warehouse ready at %s", engine.url.render_as_string(True))


def _load_reference_rows(connection) -> None:
    have = set(connection.scalars(select(schema.iccs_category.c.code)))
    rows = [row for row in load_iccs_codes() if row["code"] not in have]
    if rows:
        connection.execute(insert(schema.iccs_category), rows)

    if connection.scalar(select(schema.warehouse_generation.c.id).limit(1)) is None:
        bump_generation(connection, "warehouse created")

    known = set(connection.scalars(select(schema.country.c.code)))
    countries = [row for row in CARIBBEAN_COUNTRIES if row["code"] not in known]
    if countries:
        connection.execute(insert(schema.country), countries)


# The eight countries the dashboard serves, keyed on ISO 3166-1 alpha-3 codes. Other
# jurisdictions are added by the source map of their first import.
CARIBBEAN_COUNTRIES = (
    {"code": "ATG", "name": "Antigua and Barbuda", "timezone": "America/Antigua"},
    {"code": "BRB", "name": "Barbados", "timezone": "America/Barbados"},
    {"code": "GRD", "name": "Grenada", "timezone": "America/Grenada"},
    {"code": "GUY", "name": "Guyana", "timezone": "America/Guyana"},
    {"code": "KNA", "name": "St Kitts and Nevis", "timezone": "America/St_Kitts"},
    {"code": "LCA", "name": "Saint Lucia", "timezone": "America/St_Lucia"},
    {
        "code": "VCT",
        "name": "St Vincent and the Grenadines",
        "timezone": "America/St_Vincent",
    },
    {"code": "SUR", "name": "Suriname", "timezone": "America/Paramaribo"},
)
