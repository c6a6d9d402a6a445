"""Core table objects for the application's own tables, for queries.

The tables are created and changed only by the Alembic migrations in
``data_access/migrations``; keep these definitions in step with the latest revision.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text

app_metadata = MetaData()

app_user = Table(
    "app_user",
    app_metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(32), nullable=False),
    Column("country_code", String(16)),
    Column("division_code", String(32)),
    Column("station_code", String(32)),
    Column("is_active", Boolean, nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", DateTime),
    Column("last_login_at", DateTime),
    Column("created_at", DateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    app_metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("username", String(64)),
    Column("action", String(32), nullable=False),
    Column("object", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("remote_addr", String(64)),
)
