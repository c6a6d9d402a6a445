"""Subcommands of ``crimedash`` for the warehouse: ``init-db``."""

from __future__ import annotations

from dashboard.cli import subcommand
from data_access.engine import init_warehouse, make_engine


@subcommand("init-db", "create the warehouse tables and load the ICCS list")
def init_db(args, settings) -> int:
    """Create the warehouse at the configured database URL."""
    engine = make_engine(settings.database_url)
    init_warehouse(engine)
    print(f"Warehouse ready: {engine.url.render_as_string(hide_password=True)}")
    return 0
