from sqlalchemy import func, inspect, select, text

from data_access import schema
from data_access.engine import init_warehouse, make_engine
from data_access.migrations import app_tables_revisions, upgrade_app_tables


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
