"""Engine creation and schema set-up for the warehouse."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.engine import make_url

from data_access import schema
from data_access.cache import bump_generation
from data_access.reference import load_iccs_codes

logger = logging.getLogger(__name__)


class WarehouseUnavailable(RuntimeError):
    """The warehouse could not be reached or queried."""


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``, preparing a SQLite file for concurrent use.

    A SQLite warehouse runs in WAL mode so that readers keep working while an import
    writes, with foreign keys on and a busy timeout instead of immediate lock errors.
    The folder of a SQLite file is created if it is missing.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _prepare_sqlite_connection)
    return engine


def _prepare_sqlite_connection(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_warehouse(engine: Engine) -> None:
    """Create every warehouse table, load the ICCS list and the known countries.

    Safe to run again: existing tables and rows are left as they are. The
    application's own tables are created by the Alembic migrations, which run last.
    """
    schema.metadata.create_all(engine)
    with engine.begin() as connection:
        _load_reference_rows(connection)

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
