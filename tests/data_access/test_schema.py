import datetime as dt

from alembic import command
from sqlalchemy import func, insert, inspect, select, text

from data_access import schema
from data_access.engine import init_warehouse, make_engine
from data_access.migrations import (
    alembic_config,
    app_tables_revisions,
    upgrade_app_tables,
)


def test_init_creates_iccs_codes_on_four_levels(engine):
    with engine.connect() as connection:
        rows = connection.execute(
            select(schema.iccs_category.c.level, func.count())
            .group_by(schema.iccs_category.c.level)
            .order_by(schema.iccs_category.c.level)
        ).all()
    assert [tuple(row) for row in rows] == [(1, 11), (2, 63), (3, 148), (4, 98)]


def test_iccs_codes_keep_leading_zero(engine):
    with engine.connect() as connection:
        name = connection.scalar(
            select(schema.iccs_category.c.name).where(
                schema.iccs_category.c.code == "0101"
            )
        )
    assert name == "Intentional homicide"


def test_init_twice_changes_nothing(engine):
    init_warehouse(engine)
    with engine.connect() as connection:
        countries = connection.scalar(select(func.count()).select_from(schema.country))
        codes = connection.scalar(
            select(func.count()).select_from(schema.iccs_category)
        )
    assert countries == 8
    assert codes == 320


def test_init_creates_application_tables(engine):
    tables = set(inspect(engine).get_table_names())
    assert {"app_user", "audit_log", "app_alembic_version"} <= tables


def test_upgrade_keeps_accounts_and_adds_column(database_url):
    engine = make_engine(database_url)
    try:
        upgrade_app_tables(engine, "0002")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO app_user (username, display_name, password_hash, "
                    "role, is_active, failed_logins, created_at) VALUES ('ann', "
                    "'Ann', 'x', 'commissioner', true, 0, '2026-01-05 10:00:00')"
                )
            )
        before = app_tables_revisions(engine)

        upgrade_app_tables(engine)

        after = app_tables_revisions(engine)
        columns = {column["name"] for column in inspect(engine).get_columns("app_user")}
        with engine.connect() as connection:
            names = connection.scalars(text("SELECT username FROM app_user")).all()
    finally:
        engine.dispose()

    assert before[0] == "0002"
    assert after == (before[1], before[1])
    assert "password_changed_at" in columns
    assert names == ["ann"]


def test_upgrade_from_0003_adds_session_table(database_url):
    engine = make_engine(database_url)
    try:
        upgrade_app_tables(engine, "0003")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO app_user (username, display_name, password_hash, "
                    "role, is_active, failed_logins, created_at, "
                    "password_changed_at) VALUES "
                    "('ann', 'Ann', 'x', 'commissioner', true, 0, "
                    "'2026-01-05 10:00:00', '2026-02-01 09:30:00'), "
                    "('bob', 'Bob', 'y', 'administrator', false, 2, "
                    "'2026-01-06 11:00:00', NULL)"
                )
            )
        before = app_tables_revisions(engine)
        tables_before = set(inspect(engine).get_table_names())

        upgrade_app_tables(engine)

        after = app_tables_revisions(engine)
        tables_after = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            accounts = connection.execute(
                text(
                    "SELECT username, is_active, failed_logins, password_changed_at "
                    "FROM app_user ORDER BY username"
                )
            ).all()
            sessions = connection.scalar(text("SELECT count(*) FROM app_session"))
    finally:
        engine.dispose()

    assert before[0] == "0003"
    assert after == ("0004", "0004")
    assert "app_session" not in tables_before
    assert "app_session" in tables_after
    assert [tuple(row[:3]) for row in accounts] == [
        ("ann", True, 0),
        ("bob", False, 2),
    ]
    assert str(accounts[0].password_changed_at) == "2026-02-01 09:30:00"
    assert accounts[1].password_changed_at is None
    assert sessions == 0


def test_downgrade_to_0003_drops_session_table(engine):
    upgrade_app_tables(engine)

    command.downgrade(alembic_config(engine), "0003")

    assert app_tables_revisions(engine)[0] == "0003"
    assert "app_session" not in inspect(engine).get_table_names()
    assert "app_user" in inspect(engine).get_table_names()


def test_init_adds_quarantine_cell_key(engine):
    with engine.begin() as connection:
        import_id = connection.execute(
            insert(schema.import_run).values(
                country_code="LCA",
                file_name="a.csv",
                file_sha256="x",
                source_name="Test",
                started_at=dt.datetime(2026, 1, 5, 10),
            )
        ).inserted_primary_key[0]
        connection.execute(
            insert(schema.quarantine).values(
                import_id=import_id,
                file_name="a.csv",
                row_number=3,
                field="from",
                value="x",
                reason="not a date",
            )
        )
        connection.execute(text("DROP INDEX ix_quarantine_cell_key"))
        connection.execute(text("ALTER TABLE quarantine DROP COLUMN cell_key"))

    init_warehouse(engine)
    init_warehouse(engine)

    tables = inspect(engine)
    columns = {column["name"] for column in tables.get_columns("quarantine")}
    indexes = {index["name"] for index in tables.get_indexes("quarantine")}
    with engine.connect() as connection:
        rows = connection.execute(
            select(schema.quarantine.c.value, schema.quarantine.c.cell_key)
        ).all()
    assert "cell_key" in columns
    assert "ix_quarantine_cell_key" in indexes
    assert [tuple(row) for row in rows] == [("x", None)]
