"""Fixtures of callback tests: the small Station workspace warehouse."""

from __future__ import annotations

import pytest

from tests.dashboard.helpers import seed_places
from tests.dashboard.station_helpers import seed_station_month


@pytest.fixture
def station_engine(engine, tmp_path):
    """Return a warehouse with the incidents of ``tests.dashboard.station_helpers``."""
    seed_places(engine)
    seed_station_month(engine, tmp_path)
    return engine
