"""Alembic migrations of the application's own tables (users, audit log, plans).

The warehouse tables are created by ``schema.metadata.create_all``; the tables the
application itself writes are versioned here so that an upgrade keeps their rows.
They use their own version table, ``app_alembic_version``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

VERSION_TABLE = "app_alembic_version"


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic configuration bound to ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["engine"] = engine
    return config


def upgrade_app_tables(engine: Engine, revision: str = "head") -> None:
    """Migrate the application tables of ``engine`` up to ``revision``."""
    command.upgrade(alembic_config(engine), revision)
