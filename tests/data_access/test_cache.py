"""The query cache: keyed on scope and question, invalidated by every import."""

import pytest
from sqlalchemy import func, select

from data_access import cache, schema
from data_access.ingest import ingest_file
from data_access.scope import Scope
from tests.data_access.ingest.helpers import write_source_map

REDIS_URL = "redis://127.0.0.1:6379/15"

calls = []


@cache.cached_read
def count_incidents(engine, scope, country_code):
    """Count a country's incidents; the test counts how often it really runs."""
    scope.check_country(country_code)
    calls.append((scope, country_code))
    with engine.connect() as connection:
        return connection.scalar(
            select(func.count()).where(schema.incident.c.country_code == country_code)
        )


@pytest.fixture(params=["memory", "redis"])
def installed(request):
    if request.param == "redis":
        backend = cache.RedisBackend(REDIS_URL)
        backend.client.ping()
    else:
        backend = cache.MemoryBackend()
    query_cache = cache.QueryCache(backend, ttl_seconds=60)
    cache.install(query_cache)
    calls.clear()
    yield query_cache
    cache.install(None)


def import_one(engine, tmp_path, country, number):
    data = tmp_path / f"{country}{number}.csv"
    data.write_text(f"no,when,code\n{number},2024-01-0{number} 10:00,0501\n")
    source = write_source_map(
        tmp_path,
        f"""
        country = "{country}"
        offence_code_system = "iccs"
        [station]
        mode = "fixed"
        code = "HQ"
        create_missing = true
        [columns]
        source_id = "no"
        occurred_from = "when"
        offence_codes = "code"
        """,
        name=f"{country}.toml",
    )
    ingest_file(engine, data, source)


def test_same_question_answered_once(engine, tmp_path, installed):
    import_one(engine, tmp_path, "LCA", 1)
    scope = Scope(countries=frozenset({"LCA"}))
    answers = [count_incidents(engine, scope, "LCA") for _ in range(3)]

    assert answers == [1, 1, 1]
    assert len(calls) == 1
    assert installed.hits == 2


def test_different_scopes_never_share(engine, tmp_path, installed):
    import_one(engine, tmp_path, "LCA", 1)
    saint_lucia = Scope(countries=frozenset({"LCA"}))
    region = Scope(countries=None, aggregate_only=True)
    station = Scope(countries=frozenset({"LCA"}), station_code="HQ")
    for scope in (saint_lucia, region, station):
        count_incidents(engine, scope, "LCA")

    assert len(calls) == 3
    assert installed.hits == 0


def test_out_of_scope_is_never_cached(engine, tmp_path, installed):
    barbados = Scope(countries=frozenset({"BRB"}))
    for _ in range(2):
        with pytest.raises(PermissionError, match="'LCA' is outside"):
            count_incidents(engine, barbados, "LCA")

    assert installed.misses == 2


def test_import_invalidates_answers(engine, tmp_path, installed):
    import_one(engine, tmp_path, "LCA", 1)
    scope = Scope(countries=frozenset({"LCA"}))
    before = count_incidents(engine, scope, "LCA")
    import_one(engine, tmp_path, "LCA", 2)
    after = count_incidents(engine, scope, "LCA")

    assert (before, after) == (1, 2)
    assert len(calls) == 2


def test_without_cache_function_runs(engine):
    cache.install(None)
    calls.clear()
    scope = Scope.everything()
    assert count_incidents(engine, scope, "LCA") == 0
    assert count_incidents(engine, scope, "LCA") == 0
    assert len(calls) == 2


def test_two_warehouses_never_share(engine, tmp_path, installed):
    from data_access.engine import init_warehouse, make_engine

    other = make_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    init_warehouse(other)
    import_one(engine, tmp_path, "LCA", 1)
    scope = Scope(countries=frozenset({"LCA"}))

    assert count_incidents(engine, scope, "LCA") == 1
    assert count_incidents(other, scope, "LCA") == 0
    other.dispose()
