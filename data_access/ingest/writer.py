"""Writing a prepared export to the warehouse in one transaction."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import (
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from data_access.ingest.prepare import Prepared
from data_access.schema import incident, offence, quarantine, suspect, victim

CHUNK = 20_000
IMPORT_CACHE_KIB = 256 * 1024

# Columns compared and written for an incident, besides its key and import id.
INCIDENT_COLUMNS = (
    "station_id",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "occurred_month",
    "reported_month",
    "recorded_at",
    "lon",
    "lat",
    "coord_flag",
    "location_type",
    "weapon",
    "status",
    "firearm",
    "principal_national_code",
    "principal_iccs_code",
    "principal_attempted",
    "offence_count",
    "unmapped_count",
    "victim_count",
    "victims_missing_age",
    "victims_missing_sex",
    "record_delay_days",
    "content_hash",
)


def lock_for_import(connection) -> None:
    """Take the warehouse's write lock, so that imports run one at a time.

    Call it after the transaction's first write. On SQLite that write already holds
    the database's single write lock; on PostgreSQL a SHARE ROW EXCLUSIVE lock on
    ``incident`` stops other imports. Readers are blocked on neither engine.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("LOCK TABLE incident IN SHARE ROW EXCLUSIVE MODE"))
    else:
        # A larger page cache for this connection keeps the indexes being written
        # in memory; SQLite's default is 2 MB. Reset by ``release_import_cache``.
        connection.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")


def release_import_cache(connection) -> None:
    """Return a SQLite connection's page cache to its default size."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size = -2000")


def write_quarantine(
    connection,
    import_id: int,
    country_code: str,
    file_name: str,
    problems,
    row_hashes: dict[int, str],
) -> int:
    """Insert one quarantine row per invalid cell not yet in the quarantine.

    A cell is the same as one stored before when its country, row content,
    field, value and reason are the same (see ``cell_keys``), whatever the file
    name and row number. ``row_hashes`` gives the content digest of each row
    number of ``problems``. Returns how many cells were already stored.
    """
    keys = cell_keys(country_code, problems, row_hashes)
    stored = _stored_cell_keys(connection, set(keys))
    rows, seen = [], set(stored)
    for problem, key in zip(problems, keys, strict=True):
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            {
                "import_id": import_id,
                "file_name": file_name,
                "row_number": problem.row_number,
                "field": problem.field,
                "value": problem.value,
                "reason": problem.reason,
                "cell_key": key,
            }
        )
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(quarantine), rows[start : start + CHUNK])
    return len(problems) - len(rows)


def cell_keys(country_code: str, problems, row_hashes: dict[int, str]) -> list[str]:
    """Return the quarantine key of each problem.

    The key digests the country, the content digest of the problem's row, the
    row's place among the quarantined rows of the file with the same digest,
    and the field, value and reason. The content digest is the incident's
    ``content_hash`` over the cells the source map reads, or a digest of the
    whole text of a row that does not fit the header. Two identical rows of one
    file thus keep two entries, while the same file imported again yields the
    same keys.
    """
    places = _places_among_equal_rows(problems, row_hashes)
    keys = []
    for problem in problems:
        row_hash = row_hashes[problem.row_number]
        parts = (
            country_code,
            row_hash,
            str(places[problem.row_number]),
            problem.field,
            problem.value,
            problem.reason,
        )
        text = "\x1f".join(parts).encode("utf-8")
        keys.append(hashlib.blake2b(text, digest_size=16).hexdigest())
    return keys


def _places_among_equal_rows(problems, row_hashes) -> dict[int, int]:
    """Return, for each row number, its place among the rows with its digest."""
    places, counts = {}, {}
    for row_number in sorted({problem.row_number for problem in problems}):
        row_hash = row_hashes[row_number]
        counts[row_hash] = counts.get(row_hash, 0) + 1
        places[row_number] = counts[row_hash]
    return places


def _stored_cell_keys(connection, keys: set[str]) -> set[str]:
    found = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        found.update(
            connection.scalars(
                select(quarantine.c.cell_key).where(quarantine.c.cell_key.in_(chunk))
            )
        )
    return found


@dataclass(frozen=True)
class Upserted:
    """The outcome of ``upsert_incidents``."""

    inserted: int
    updated: int
    unchanged: int
    # Incident id of each prepared row inserted or updated, indexed like
    # ``Prepared.incidents``.
    written: pd.Series
    # Incidents of the country stored before the import and not updated by it,
    # whether the file lists them or not.
    untouched: int


def upsert_incidents(
    connection, country_code: str, import_id: int, prepared: Prepared
) -> Upserted:
    """Insert new incidents and update changed ones.

    An incident is identified by country and source id. One whose content hash is
    unchanged is left alone; a changed one is rewritten with its offences, victims
    and suspects.
    """
    incidents = prepared.incidents
    existing = _existing(connection, country_code)
    merged = incidents[["source_id", "content_hash"]].merge(
        existing, on="source_id", how="left", suffixes=("", "_old")
    )
    merged.index = incidents.index
    is_new = merged["id"].isna()
    is_changed = ~is_new & (merged["content_hash"] != merged["content_hash_old"])

    ids = merged["id"].copy()
    first_id = (connection.scalar(select(func.max(incident.c.id))) or 0) + 1
    ids[is_new] = np.arange(first_id, first_id + int(is_new.sum()))
    ids = ids.astype("int64")

    frame = _incident_frame(incidents, ids, country_code, import_id)
    written = ids[is_new | is_changed]
    with indexes_built_after_load(connection, (incident, offence, victim, suspect)):
        bulk_insert(connection, incident, frame[is_new.to_numpy()])
        _update_incidents(connection, _records(frame[is_changed.to_numpy()]))
        if connection.dialect.name == "postgresql" and is_new.any():
            _advance_incident_sequence(connection)
        _replace_children(
            connection, prepared, ids, written, is_changed, ids[is_changed]
        )
    return Upserted(
        inserted=int(is_new.sum()),
        updated=int(is_changed.sum()),
        unchanged=int((~is_new & ~is_changed).sum()),
        written=written,
        untouched=len(existing) - int(is_changed.sum()),
    )


def _advance_incident_sequence(connection) -> None:
    """Move PostgreSQL's id sequence past the ids the import chose itself."""
    connection.execute(
        text(
            "SELECT setval(pg_get_serial_sequence('incident', 'id'), "
            "(SELECT max(id) FROM incident))"
        )
    )


@contextmanager
def indexes_built_after_load(connection, tables):
    """Build the secondary indexes of the empty ones of ``tables`` after the block.

    On SQLite, an index created over the loaded rows sorts them once, but one in
    place takes each row in random order. Loading 1,000,000 incidents made by
    ``bench/ingest_throughput.py`` took 9 s this way against 14 s with the
    indexes in place, on a 2-core machine. The indexes are dropped and created in
    the import's transaction, so a failed import leaves them as they were.
    Indexes of UNIQUE constraints stay. On PostgreSQL nothing changes, because
    DROP INDEX would block every reader of the table until the import commits.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    indexes = [
        index
        for table in tables
        if _is_empty(connection, table)
        for index in _sqlite_indexes(connection, table)
    ]
    quote = connection.dialect.identifier_preparer.quote
    for name, _ in indexes:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for _, statement in indexes:
        connection.exec_driver_sql(statement)


def _is_empty(connection, table) -> bool:
    return (
        connection.execute(select(literal(1)).select_from(table).limit(1)).first()
        is None
    )


def _sqlite_indexes(connection, table) -> list[tuple[str, str]]:
    """Return the name and CREATE statement of each index created on ``table``.

    SQLite stores no statement for the indexes of PRIMARY KEY and UNIQUE
    constraints, so those are left out.
    """
    rows = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master "
        "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table.name,),
    )
    return [(name, statement) for name, statement in rows]


def _existing(connection, country_code: str) -> pd.DataFrame:
    rows = connection.execute(
        select(incident.c.source_id, incident.c.id, incident.c.content_hash).where(
            incident.c.country_code == country_code
        )
    ).all()
    return pd.DataFrame(rows, columns=["source_id", "id", "content_hash"])


def _incident_frame(incidents, ids, country_code, import_id) -> pd.DataFrame:
    frame = incidents[list(INCIDENT_COLUMNS) + ["source_id"]].copy()
    frame["id"] = ids
    frame["country_code"] = country_code
    frame["last_import_id"] = import_id
    return frame


def _records(frame: pd.DataFrame) -> list[dict]:
    """Return the rows of ``frame`` as dicts of plain Python values, NaN as None."""
    columns = list(frame.columns)
    values = [_python_values(frame[column]) for column in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def _python_values(series: pd.Series) -> list:
    """Return a column as a list of Python values, with None for missing ones."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(series):
        values = list(series.dt.to_pydatetime())
        return [
            None if gone else value for value, gone in zip(values, missing, strict=True)
        ]
    if pd.api.types.is_numeric_dtype(series) and not missing.any():
        return series.to_numpy().tolist()
    array = series.to_numpy(dtype=object, copy=True)
    array[missing] = None
    values = array.tolist()
    if pd.api.types.is_numeric_dtype(series) or isinstance(
        series.dtype, pd.StringDtype
    ):
        return values
    # An object column may hold NumPy scalars, which the drivers cannot bind.
    return [
        value.item() if isinstance(value, np.generic) else value for value in values
    ]


def bulk_insert(connection, table, frame: pd.DataFrame) -> None:
    """Insert the rows of ``frame`` into ``table`` through the driver's fast path.

    The rows go through the transaction's own driver connection: on SQLite one
    ``executemany`` with values already in the form SQLAlchemy stores them
    (date-times as ISO text, booleans as 0 or 1), on PostgreSQL a ``COPY``. Table and
    column names come from the schema, never from input.

    Raises
    ------
    sqlalchemy.exc.DBAPIError
        When the database rejects a row, wrapping the driver's error as
        SQLAlchemy wraps it for its own statements.
    """
    if frame.empty:
        return
    columns = list(frame.columns)
    names = ", ".join(columns)
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        rows = zip(*[_python_values(frame[column]) for column in columns], strict=True)
        statement = f"COPY {table.name} ({names}) FROM STDIN"
        with (
            _wrap_driver_errors(connection, statement),
            driver.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    rows = zip(*[_sqlite_values(frame[column]) for column in columns], strict=True)
    marks = ", ".join("?" * len(columns))
    statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"
    cursor = driver.cursor()
    try:
        with _wrap_driver_errors(connection, statement):
            cursor.executemany(statement, rows)
    finally:
        cursor.close()


@contextmanager
def _wrap_driver_errors(connection, statement: str):
    driver_error = connection.dialect.loaded_dbapi.Error
    try:
        yield
    except driver_error as error:
        raise DBAPIError.instance(
            statement, None, error, driver_error, dialect=connection.dialect
        ) from error


def _sqlite_values(series: pd.Series) -> list:
    if pd.api.types.is_datetime64_any_dtype(series):
        # SQLAlchemy's SQLite dialect stores a DateTime as the text
        # YYYY-MM-DD HH:MM:SS.ffffff. Arrow casts a microsecond timestamp to that
        # text for years 1000 to 9999, five times faster than strftime.
        timestamps = pa.array(series.astype("datetime64[us]"))
        return timestamps.cast(pa.string()).to_pylist()
    if pd.api.types.is_bool_dtype(series):
        return series.astype(int).tolist()
    return _python_values(series)


def _update_incidents(connection, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(INCIDENT_COLUMNS) + ["last_import_id"]
    statement = (
        update(incident)
        .where(incident.c.id == bindparam("b_id"))
        .values({column: bindparam(f"b_{column}") for column in columns})
    )
    params = [{f"b_{key}": row[key] for key in columns + ["id"]} for row in rows]
    for start in range(0, len(params), CHUNK):
        connection.execute(statement, params[start : start + CHUNK])


def _replace_children(connection, prepared, ids, written, is_changed, changed_ids):
    changed = [int(value) for value in changed_ids]
    for table in (offence, victim, suspect):
        for start in range(0, len(changed), 1000):
            chunk = changed[start : start + 1000]
            connection.execute(delete(table).where(table.c.incident_id.in_(chunk)))

    written_rows = set(written.index)
    children = (
        (
            offence,
            prepared.offences,
            ["seq", "national_code", "iccs_code", "attempted"],
        ),
        (victim, prepared.victims, ["seq", "sex", "age", "relationship"]),
        (suspect, prepared.suspects, ["seq", "sex", "age"]),
    )
    for table, frame, columns in children:
        frame = frame[frame["row"].isin(written_rows)]
        if frame.empty:
            continue
        rows = frame[columns].copy()
        rows["incident_id"] = ids.reindex(frame["row"]).to_numpy()
        bulk_insert(connection, table, rows)
