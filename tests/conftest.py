"""Shared fixtures: a fresh warehouse on SQLite, or on PostgreSQL when configured.

Set ``CRIMEDASH_TEST_DATABASE_URL`` to a PostgreSQL server URL (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) to run every database test
on PostgreSQL. Each test gets its own fresh database, created on that server and
dropped afterwards; the database named in the URL is used only to create them.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from data_access.engine import init_warehouse, make_engine

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"
SERVER_URL = os.environ.get("CRIMEDASH_TEST_DATABASE_URL", "")


def pytest_report_header(config):
    return f"warehouse engine: {'PostgreSQL' if SERVER_URL else 'SQLite'}"


@pytest.fixture
def database_url(tmp_path):
    """Return the URL of a new, empty database that is removed after the test."""
    if not SERVER_URL:
        yield f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
        return

    name = f"crimedash_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(SERVER_URL).set(database=name).render_as_string(False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(database_url):
    """Return an engine on a fresh, initialised warehouse."""
    warehouse = make_engine(database_url)
    init_warehouse(warehouse)
    yield warehouse
    warehouse.dispose()


@pytest.fixture
def shared_data() -> Path:
    """Return the folder of the real public data used as test input."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"test data folder {SHARED_DATA} is missing")
    return SHARED_DATA


@pytest.fixture
def cases() -> Path:
    """Return the folder of small inputs that broke tools of this kind."""
    if not CASES.is_dir():
        pytest.fail(f"test case folder {CASES} is missing")
    return CASES
