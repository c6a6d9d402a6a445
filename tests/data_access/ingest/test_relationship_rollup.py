"""The rollup of victims by their relationship to the suspect."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select

from data_access import schema
from data_access.ingest.rollups import rebuild_rollups


def _incident(id_, month, iccs, attempted=False):
    year, month_of_year = divmod(month, 100)
    occurred = dt.datetime(year, month_of_year, 3, 21, 0)
    return {
        "id": id_,
        "country_code": "LCA",
        "source_id": f"R{id_}",
        "station_id": 1,
        "occurred_from": occurred,
        "reported_at": occurred + dt.timedelta(days=40),
        "occurred_month": month,
        "reported_month": month + 1,
        "principal_iccs_code": iccs,
        "principal_attempted": attempted,
        "content_hash": f"h{id_}",
    }


def _victim(id_, incident_id, sex, relationship):
    return {
        "id": id_,
        "incident_id": incident_id,
        "seq": id_,
        "sex": sex,
        "age": 30,
        "relationship": relationship,
    }


def _seed(engine):
    with engine.begin() as connection:
        connection.execute(
            insert(schema.station),
            [{"id": 1, "country_code": "LCA", "code": "CAS", "name": "Castries"}],
        )
        connection.execute(
            insert(schema.incident),
            [
                _incident(1, 202401, "020111"),
                _incident(2, 202401, "020111"),
                _incident(3, 202402, "0101"),
            ],
        )
        connection.execute(
            insert(schema.victim),
            [
                _victim(1, 1, "F", "intimate_partner"),
                _victim(2, 2, "F", "intimate_partner"),
                _victim(3, 2, "M", "family"),
                _victim(4, 3, "M", None),
                _victim(5, 3, None, ""),
            ],
        )
        rebuild_rollups(connection, "LCA")


def _rows(engine, basis):
    table = schema.rollup_relationship
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                table.c.month,
                table.c.iccs_code,
                table.c.relationship,
                table.c.sex,
                func.sum(table.c.victims),
            )
            .where(table.c.basis == basis)
            .group_by(
                table.c.month, table.c.iccs_code, table.c.relationship, table.c.sex
            )
            .order_by(
                table.c.month, table.c.iccs_code, table.c.relationship, table.c.sex
            )
        ).all()
    return [tuple(row) for row in rows]


def test_victims_counted_by_relationship_and_sex(engine):
    _seed(engine)

    assert _rows(engine, "occurred") == [
        (202401, "020111", "family", "M", 1),
        (202401, "020111", "intimate_partner", "F", 2),
        (202402, "0101", "unknown", "M", 1),
        (202402, "0101", "unknown", "unknown", 1),
    ]


def test_reported_basis_uses_reported_month(engine):
    _seed(engine)

    months = sorted({row[0] for row in _rows(engine, "reported")})

    assert months == [202402, 202403]


def test_rebuild_replaces_relationship_rows(engine):
    _seed(engine)
    with engine.begin() as connection:
        rebuild_rollups(connection, "LCA")

    total = sum(row[-1] for row in _rows(engine, "occurred"))

    assert total == 5
