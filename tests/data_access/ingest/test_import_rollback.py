"""An import that the database rejects half-way leaves the warehouse as it was.

The failure comes from the database itself: a trigger rejects the first insert
into ``rollup_monthly``. By then the import has written its run, a new station,
quarantined cells, new and changed incidents and their offences, and it has
deleted the country's old rollups.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from data_access import schema
from data_access.ingest import ingest_file
from tests.data_access.ingest.helpers import write_source_map

SOURCE_MAP = """
country = "LCA"
offence_code_system = "iccs"
[station]
mode = "column"
column = "station"
create_missing = true
[columns]
source_id = "no"
occurred_from = "when"
offence_codes = "code"
"""
FIRST_EXPORT = """no,station,when,code
1,CAS,2024-01-05 10:00,0501
2,CAS,2024-01-06 11:00,0101
3,GRI,2024-01-07 12:00,0501
"""
# Changes incident 1, adds incident 4 at a new station and one invalid date.
SECOND_EXPORT = """no,station,when,code
1,CAS,2024-01-05 10:00,0401
2,CAS,2024-01-06 11:00,0101
3,GRI,2024-01-07 12:00,0501
4,NEW,2024-02-01 09:00,0501
5,CAS,not a date,0501
"""
MESSAGE = "rollup write rejected by test trigger"

SQLITE_TRIGGER = (
    "CREATE TRIGGER reject_rollup BEFORE INSERT ON rollup_monthly "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
)
POSTGRESQL_TRIGGER = (
    "CREATE FUNCTION reject_rollup() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$",
    "CREATE TRIGGER reject_rollup BEFORE INSERT ON rollup_monthly "
    "FOR EACH STATEMENT EXECUTE FUNCTION reject_rollup()",
)


def _snapshot(engine) -> dict[str, list]:
    """Return every row of every warehouse table, in a stable order."""
    tables = {}
    with engine.connect() as connection:
        for table in schema.metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            tables[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return tables


def _add_trigger(engine) -> None:
    statements = (
        POSTGRESQL_TRIGGER if engine.dialect.name == "postgresql" else SQLITE_TRIGGER
    )
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _drop_trigger(engine) -> None:
    statement = "DROP TRIGGER reject_rollup"
    if engine.dialect.name == "postgresql":
        statement += " ON rollup_monthly"
    with engine.begin() as connection:
        connection.execute(text(statement))


def _import(engine, tmp_path, name: str, content: str):
    data = tmp_path / name
    data.write_text(content)
    return ingest_file(engine, data, write_source_map(tmp_path, SOURCE_MAP))


def test_rejected_import_changes_nothing(engine, tmp_path):
    _import(engine, tmp_path, "first.csv", FIRST_EXPORT)
    _add_trigger(engine)
    before = _snapshot(engine)

    with pytest.raises(DBAPIError, match=MESSAGE):
        _import(engine, tmp_path, "second.csv", SECOND_EXPORT)

    after = _snapshot(engine)
    for name, rows in before.items():
        assert after[name] == rows, f"table {name} changed"
    assert len(before["incident"]) == 3
    assert len(before["rollup_monthly"]) > 0


def test_import_after_rejection_succeeds(engine, tmp_path):
    _import(engine, tmp_path, "first.csv", FIRST_EXPORT)
    _add_trigger(engine)
    with pytest.raises(DBAPIError, match=MESSAGE):
        _import(engine, tmp_path, "second.csv", SECOND_EXPORT)
    _drop_trigger(engine)

    report = _import(engine, tmp_path, "second.csv", SECOND_EXPORT)

    assert (report.inserted, report.updated, report.rejected) == (1, 1, 1)
    assert len(_snapshot(engine)["incident"]) == 4
