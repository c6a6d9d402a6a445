"""The query cache of the running app: per scope, counted, invalidated by imports.

Most tests run with the in-process cache and with Redis at 127.0.0.1:6379. The
Redis tests use database ``REDIS_DB`` and delete their ``crimedash:`` keys there
afterwards; nothing else on the server is touched.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import redis
import shapely

from callbacks.context import QUERY_CACHE_KEY
from data_access import cache, users
from data_access.geography import load_geography
from data_access.ingest import ingest_file
from tests.dashboard.helpers import PASSWORD, callback_body, login
from tests.dashboard.station_helpers import CAS_AREA
from tests.dashboard.strategy_helpers import MONTH, seed_strategy
from tests.dashboard.tcp_proxy import TcpProxy
from tests.data_access.ingest.helpers import write_source_map

REDIS_PORT = 6379
REDIS_DB = 14
TRENDS = "strategy-trends.children"
# Text of the Strategy trends panel on the seeded warehouse: see strategy_helpers.
SEEDED_TREND = "March 2024: 25 incidents, above the expected 12"

IMPORT_MAP = """
country = "LCA"
offence_code_system = "iccs"
[station]
mode = "column"
column = "station"
[columns]
source_id = "no"
occurred_from = "when"
offence_codes = "code"
"""


def _redis_url(port: int = REDIS_PORT) -> str:
    return f"redis://127.0.0.1:{port}/{REDIS_DB}"


def _delete_redis_keys() -> None:
    client = redis.Redis.from_url(_redis_url())
    keys = list(client.scan_iter(match="crimedash:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_keys():
    """Check that Redis is up, and delete the test's keys afterwards."""
    redis.Redis.from_url(_redis_url()).ping()
    yield
    _delete_redis_keys()


@pytest.fixture(params=["memory", "redis"])
def redis_url(request):
    """Return the cache setting of the app: empty for memory, else a Redis URL."""
    if request.param == "memory":
        return ""
    request.getfixturevalue("redis_keys")
    return _redis_url()


@pytest.fixture
def strategy_warehouse(seeded_engine):
    """Return the warehouse with the Strategy rows and a Barbados commissioner."""
    seed_strategy(seeded_engine)
    users.create_user(
        seeded_engine,
        "barbados",
        "Barbados Commissioner",
        PASSWORD,
        "commissioner",
        country_code="BRB",
    )
    return seeded_engine


def _trends_body(app, country: str = "LCA") -> dict:
    values = {
        "strategy-country.value": country,
        "strategy-month.value": MONTH,
        "strategy-division.value": "all",
        "strategy-categories.value": [],
        "strategy-unit.value": "incidents",
        "strategy-basis.value": "occurred",
    }
    dependencies = _client(app, "admin").get("/_dash-dependencies").json
    return callback_body(dependencies, TRENDS, values)


def _client(app, username: str):
    client = app.server.test_client()
    response = login(client, username)
    assert response.status_code == 302, response.text
    return client


def _ask(client, body):
    return client.post("/_dash-update-component", json=body)


def test_setting_installs_cache(make_app, strategy_warehouse, redis_url):
    app = make_app(redis_url=redis_url)
    installed = app.server.config[QUERY_CACHE_KEY]
    engine = app.server.config["CRIMEDASH_ENGINE"]

    assert installed is not None
    assert cache.installed_cache(engine) is installed
    expected = cache.RedisBackend if redis_url else cache.MemoryBackend
    assert isinstance(installed.backend, expected)


def test_setting_off_installs_none(make_app, strategy_warehouse):
    app = make_app(query_cache=False)

    assert app.server.config[QUERY_CACHE_KEY] is None
    assert cache.installed_cache(app.server.config["CRIMEDASH_ENGINE"]) is None


def test_repeated_question_served_from_cache(make_app, strategy_warehouse, redis_url):
    app = make_app(redis_url=redis_url)
    query_cache = app.server.config[QUERY_CACHE_KEY]
    client = _client(app, "commissioner")
    body = _trends_body(app)

    first = _ask(client, body)
    misses, hits = query_cache.misses, query_cache.hits
    second = _ask(client, body)

    assert first.status_code == 200, first.text
    assert SEEDED_TREND in first.text
    assert misses > 0
    assert second.json == first.json
    assert query_cache.misses == misses
    assert query_cache.hits == hits + misses


def test_scopes_get_their_own_answers(make_app, strategy_warehouse, redis_url):
    app = make_app(redis_url=redis_url)
    query_cache = app.server.config[QUERY_CACHE_KEY]
    body = _trends_body(app)
    commissioner = _ask(_client(app, "commissioner"), body)
    hits = query_cache.hits

    everything = _ask(_client(app, "admin"), body)
    assert everything.status_code == 200, everything.text
    assert SEEDED_TREND in everything.text
    assert query_cache.hits == hits

    barbados = _client(app, "barbados")
    rejected = _ask(barbados, body)
    assert rejected.status_code == 403
    assert "incidents" not in rejected.text
    assert query_cache.hits == hits

    own = _ask(barbados, _trends_body(app, country="BRB"))
    assert own.status_code == 200, own.text
    assert own.json != commissioner.json
    assert SEEDED_TREND not in own.text


def test_import_invalidates_cached_answers(
    make_app, strategy_warehouse, redis_url, tmp_path
):
    app = make_app(redis_url=redis_url)
    client = _client(app, "commissioner")
    body = _trends_body(app)
    before = _ask(client, body)
    assert _ask(client, body).json == before.json

    data = tmp_path / "march.csv"
    data.write_text(
        "no,station,when,code\n"
        "M1,CAS,2024-03-05 10:00,0501\n"
        "M2,CAS,2024-03-06 11:00,0501\n"
    )
    ingest_file(strategy_warehouse, data, write_source_map(tmp_path, IMPORT_MAP))
    after = _ask(client, body)
    uncached = _ask(_client(make_app(query_cache=False), "commissioner"), body)

    assert after.status_code == 200, after.text
    assert after.json != before.json
    assert SEEDED_TREND not in after.text
    assert after.json == uncached.json


def _write_geodata(folder: Path) -> Path:
    """Write a geodata folder for Saint Lucia: CAS alone, 70,000 people in 2023."""
    folder.mkdir()
    (folder / "divisions.csv").write_text("country_code,code,name\nLCA,NORTH,North\n")
    area = {
        "type": "Feature",
        "properties": {
            "country_code": "LCA",
            "code": "LC-02",
            "name": "Castries",
            "source": "test",
        },
        "geometry": shapely.geometry.mapping(shapely.from_wkt(CAS_AREA)),
    }
    cas = {
        "type": "Feature",
        "properties": {
            "country_code": "LCA",
            "code": "CAS",
            "name": "Castries",
            "division_code": "NORTH",
            "admin_area_code": "LC-02",
            "lon": -60.99,
            "lat": 14.01,
            "is_demo": False,
        },
        "geometry": area["geometry"],
    }
    for name, feature in (("adm1.geojson", area), ("stations.geojson", cas)):
        collection = {"type": "FeatureCollection", "features": [feature]}
        (folder / name).write_text(json.dumps(collection))
    (folder / "population.csv").write_text(
        "country_code,area_type,area_code,year,population,is_estimate,source\n"
        "LCA,station,CAS,2023,70000,0,test\n"
    )
    (folder / "population_sources.csv").write_text(
        "source,text\ntest,Test figures\nage_sex,Test shares\n"
    )
    (folder / "age_sex_structure.csv").write_text(
        "age_band,share_percent,male_share\n0-99,100,0.5\n"
    )
    return folder


def _stations_body(app) -> dict:
    values = {
        "strategy-country.value": "LCA",
        "strategy-month.value": MONTH,
        "strategy-division.value": "all",
        "strategy-categories.value": [],
        "strategy-unit.value": "incidents",
        "strategy-basis.value": "occurred",
        "strategy-map-colour.value": "rate",
    }
    dependencies = _client(app, "admin").get("/_dash-dependencies").json
    output = next(
        d["output"]
        for d in dependencies
        if d["output"].startswith("..strategy-stations.children")
    )
    return callback_body(dependencies, output, values)


def test_geography_load_invalidates(make_app, strategy_warehouse, tmp_path):
    app = make_app()
    client = _client(app, "commissioner")
    body = _stations_body(app)
    before = _ask(client, body)
    assert _ask(client, body).json == before.json

    load_geography(strategy_warehouse, _write_geodata(tmp_path / "geodata"))
    after = _ask(client, body)
    uncached = _ask(_client(make_app(query_cache=False), "commissioner"), body)

    # CAS: 35 incidents in the 12 months per 10,000 people, 20,000 before the
    # load and 70,000 after it.
    assert "17.5" in before.text
    assert after.status_code == 200, after.text
    assert "17.5" not in after.text
    assert "5.0" in after.text
    assert after.json == uncached.json


def test_redis_outage_answers_from_warehouse(
    make_app, strategy_warehouse, redis_keys, caplog
):
    with TcpProxy(REDIS_PORT) as proxy:
        app = make_app(redis_url=_redis_url(proxy.port))
        query_cache = app.server.config[QUERY_CACHE_KEY]
        query_cache.backend.retry_seconds = 0
        client = _client(app, "commissioner")
        body = _trends_body(app)
        cached = _ask(client, body)
        hits = query_cache.hits
        assert _ask(client, body).json == cached.json
        assert query_cache.hits > hits

        proxy.cut()
        caplog.set_level(logging.INFO, logger="data_access.cache")
        during = [_ask(client, body) for _ in range(3)]
        warning_records = [
            record for record in caplog.records if record.levelno == logging.WARNING
        ]

        for response in during:
            assert response.status_code == 200, response.text
            assert response.json == cached.json
        assert query_cache.backend.errors > 0
        assert len(warning_records) == 1
        assert "Redis failed" in warning_records[0].getMessage()

        proxy.restore()
        hits = query_cache.hits
        after = _ask(client, body)
        assert after.json == cached.json
        assert query_cache.hits > hits
        assert "Redis responded" in caplog.text
