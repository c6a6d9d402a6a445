"""Alembic migrations of the application's own tables (users, audit log, plans).

The warehouse tables are created by ``schema.metadata.create_all``; the tables the
application itself writes are versioned here so that an upgrade keeps their rows.
They use their own version table, ``app_alembic_version``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
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


def app_tables_revisions(engine: Engine) -> tuple[str | None, str]:
    """Return the revision of the application tables in ``engine`` and the newest.

    The first is ``None`` when the tables were never created.
    """
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE}
        )
        current = context.get_current_revision()
    return current, head
