"""Tests of ``crimedash demo``'s preparation: cached warehouse, accounts, key."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import func, select

from dashboard.demo import ACCOUNTS, SECRET_NAME, prepare_demo
from data_access import users
from data_access.engine import make_engine
from data_access.schema import incident

SCALE = 0.005


def _incident_count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(incident))
    engine.dispose()
    return count


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """Return a data folder holding a demo built at seed 3."""
    folder = tmp_path_factory.mktemp("data")
    prepare_demo(folder, seed=3, scale=SCALE)
    return folder


def test_demo_built_then_reused(tmp_path):
    first = prepare_demo(tmp_path, seed=3, scale=SCALE)
    second = prepare_demo(tmp_path, seed=3, scale=SCALE)
    assert first.built
    assert not second.built
    assert _incident_count(first.database_url) > 1000
    assert second.accounts == first.accounts
    assert second.secret_key == first.secret_key


def test_demo_accounts_log_in(demo_dir):
    setup = prepare_demo(demo_dir, seed=3, scale=SCALE)
    engine = make_engine(setup.database_url)
    roles = {role for _, role, _ in setup.accounts}
    assert roles == set(users.ROLES)
    for username, _, password in setup.accounts:
        result = users.authenticate(engine, username, password, 5, 15)
        assert result.reason == "ok", username
    station = users.get_user(engine, "demo-station")
    engine.dispose()
    assert station.station_code == "LC02-01"
    assert len(setup.accounts) == len(ACCOUNTS)


def test_demo_secret_key_private(demo_dir):
    setup = prepare_demo(demo_dir, seed=3, scale=SCALE)
    mode = stat.S_IMODE((demo_dir / SECRET_NAME).stat().st_mode)
    assert mode == 0o600
    assert len(setup.secret_key) == 64


def test_demo_rebuilt_on_new_seed(demo_dir):
    # Runs last in this module, since it changes the shared demo folder.
    again = prepare_demo(demo_dir, seed=4, scale=SCALE)
    forced = prepare_demo(demo_dir, seed=4, scale=SCALE, rebuild=True)
    assert again.built
    assert forced.built
