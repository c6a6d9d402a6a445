"""Adding new columns to the tables of an older warehouse.

``metadata.create_all`` creates a missing table with all its columns and indexes,
but leaves a table that exists as it is. ``add_missing_columns`` adds the columns
of ``schema.ADDED_COLUMNS`` that such a table lacks, with the indexes on them.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import DBAPIError

from data_access import schema

logger = logging.getLogger(__name__)


def add_missing_columns(engine: Engine) -> list[str]:
    """Add each column of ``schema.ADDED_COLUMNS`` missing from its table.

    Returns the names added, as ``table.column``. Two processes may upgrade the
    same warehouse at once: when the other one added the column first, the
    failed ``ALTER TABLE`` of this one is ignored.

    Raises
    ------
    sqlalchemy.exc.DBAPIError
        If a column cannot be added and is still missing afterwards.
    """
    added = []
    for table, name in schema.ADDED_COLUMNS:
        if _has_column(engine, table.name, name):
            continue
        try:
            with engine.begin() as connection:
                _add_column(connection, table, name)
        except DBAPIError:
            if not _has_column(engine, table.name, name):
                raise
            continue
        added.append(f"{table.name}.{name}")
        logger.info("added column %s.%s to the warehouse", table.name, name)
    return added


def _has_column(engine: Engine, table_name: str, column_name: str) -> bool:
    columns = inspect(engine).get_columns(table_name)
    return any(column["name"] == column_name for column in columns)


def _add_column(connection, table, name: str) -> None:
    """Add column ``name`` of ``table`` and create the indexes on it.

    The table and column names come from the schema, never from input.
    """
    column = table.c[name]
    quote = connection.dialect.identifier_preparer.quote
    column_type = column.type.compile(dialect=connection.dialect)
    connection.exec_driver_sql(
        f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(name)} {column_type}"
    )
    for index in table.indexes:
        if name in index.columns:
            index.create(connection, checkfirst=True)
