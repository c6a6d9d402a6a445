from sqlalchemy import func, inspect, select

from data_access import schema
from data_access.engine import init_warehouse


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
