"""Build a demo warehouse at a chosen scale on SQLite or PostgreSQL.

The build is the demo's: ``data_access.demo.build_demo_warehouse`` writes the
eight countries' exports and imports them through ``ingest_file``, as a force's
real files are imported. On PostgreSQL the script creates a database of its own
on the server given and runs ``VACUUM ANALYZE`` after the build, the state that
autovacuum reaches on its own some time after a large import.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from dashboard.config import GEODATA_DIR
from data_access.demo import build_demo_warehouse
from data_access.engine import init_warehouse, make_engine
from data_access.schema import incident


@dataclass
class Built:
    """A warehouse ready for the benchmark.

    Attributes
    ----------
    seconds
        Wall time of the build, ``None`` when an existing warehouse was reused.
    vacuum_seconds
        Wall time of ``VACUUM ANALYZE`` on PostgreSQL, else ``None``.
    database
        Name of the PostgreSQL database this script created, else ``None``.
    """

    engine_name: str
    url: str
    incidents: int
    seconds: float | None = None
    vacuum_seconds: float | None = None
    database: str | None = None


def reuse(engine_name: str, url: str) -> Built:
    """Bring an existing warehouse's tables up to date and describe it."""
    engine = make_engine(url)
    try:
        init_warehouse(engine)
    finally:
        engine.dispose()
    return Built(engine_name, url, count_incidents(url))


def count_incidents(url: str) -> int:
    """Return the number of incidents in the warehouse at ``url``."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(incident))
    finally:
        engine.dispose()


def build(url: str, exports: Path, scale: float, seed: int) -> float:
    """Build the demo warehouse at ``url``; return the wall time in seconds."""
    engine = make_engine(url)
    try:
        summary = build_demo_warehouse(
            engine, GEODATA_DIR, exports, seed=seed, scale=scale
        )
    finally:
        engine.dispose()
    return summary.total_seconds


def build_sqlite(folder: Path, scale: float, seed: int) -> Built:
    """Build ``warehouse.sqlite`` in ``folder``, replacing any earlier one."""
    database = folder / "warehouse.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    seconds = build(url, folder / "exports", scale, seed)
    return Built("sqlite", url, count_incidents(url), seconds)


def create_database(server_url: str) -> tuple[str, str]:
    """Create a new database on the server; return its name and URL."""
    name = f"crimedash_bench_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    url = make_url(server_url).set(database=name)
    return name, url.render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    """Drop a database this script created, closing its other connections."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def vacuum_analyze(url: str) -> float:
    """Run ``VACUUM ANALYZE`` on the whole database; return seconds taken."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    started = time.perf_counter()
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


def build_postgres(server_url: str, folder: Path, scale: float, seed: int) -> Built:
    """Create a database on the server, build the demo in it and vacuum it.

    The database is dropped again if the build fails.
    """
    name, url = create_database(server_url)
    try:
        seconds = build(url, folder / "exports-postgresql", scale, seed)
        vacuum = vacuum_analyze(url)
    except BaseException:
        drop_database(server_url, name)
        raise
    return Built("postgresql", url, count_incidents(url), seconds, vacuum, name)
