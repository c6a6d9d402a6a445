"""Helpers for import tests: writing source maps and reading back what was stored."""

from __future__ import annotations

import textwrap
from pathlib import Path

from sqlalchemy import func, select

from data_access import schema


def write_source_map(folder: Path, body: str, name: str = "source.toml") -> Path:
    """Write a source map from an indented TOML text and return its path."""
    path = folder / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def fetch_incidents(engine, country_code: str) -> dict[str, dict]:
    """Return the country's incidents keyed on source id."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(schema.incident).where(
                schema.incident.c.country_code == country_code
            )
        ).mappings()
        return {row["source_id"]: dict(row) for row in rows}


def count_rows(engine, table) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(table))


def monthly_incidents(engine, country_code: str, basis: str = "occurred") -> dict:
    """Return incident counts by month from the rollup of one country."""
    table = schema.rollup_monthly
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.month, func.sum(table.c.incidents))
            .where(
                table.c.country_code == country_code,
                table.c.basis == basis,
                table.c.person_role == schema.ALL,
            )
            .group_by(table.c.month)
            .order_by(table.c.month)
        ).all()
    return {month: int(count) for month, count in rows}


def quarantined(engine) -> list[tuple]:
    """Return (row number, field, value, reason) of every quarantined cell."""
    table = schema.quarantine
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                table.c.row_number, table.c.field, table.c.value, table.c.reason
            ).order_by(table.c.row_number, table.c.field)
        ).all()
    return [tuple(row) for row in rows]
