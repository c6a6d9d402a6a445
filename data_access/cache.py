"""A cache of warehouse query results, keyed on the caller's scope and the question.

Query functions of ``data_access`` that take ``(engine, scope, ...)`` are wrapped in
``cached_read``. A result is stored under a key made of the warehouse generation,
the scope, the function and its arguments, so:

- two users with different scopes never share a result;
- every import and every correspondence load adds a row to ``warehouse_generation``
  in its own transaction, which changes every key at once, so nothing cached before
  an import is served after it. Old entries expire by their time to live.

The backend is a bounded in-process store by default, or Redis when
``CRIMEDASH_REDIS_URL`` is set, so that several app processes share results. When
Redis cannot be reached, wrapped functions read the warehouse as if no cache were
installed. Without an installed cache, wrapped functions simply run.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import pickle
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import Engine, func, insert, select

from data_access.schema import warehouse_generation
from data_access.scope import Scope

logger = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 3600
DEFAULT_MAX_ENTRIES = 2048
# After a Redis error, requests skip Redis for this long rather than each waiting
# for a connection that may time out.
REDIS_RETRY_SECONDS = 10.0


class MemoryBackend:
    """A thread-safe, least-recently-used store inside one process."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class RedisBackend:
    """A store in Redis, shared by every app process that names the same server.

    A Redis error is caught and logged, never raised: ``get`` then returns ``None``
    and ``set`` stores nothing, so the result is read from the warehouse. Only the
    first error of an outage is logged, and Redis is tried again ``retry_seconds``
    later.
    """

    def __init__(self, url: str, retry_seconds: float = REDIS_RETRY_SECONDS):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2)
        self.retry_seconds = retry_seconds
        self.errors = 0
        self._error_type = redis.RedisError
        self._skip_until = 0.0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        if self._skipping():
            return None
        try:
            value = self.client.get(key)
        except self._error_type as error:
            self._failed(error)
            return None
        self._succeeded()
        return value

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        if self._skipping():
            return
        try:
            self.client.set(key, value, ex=ttl_seconds)
        except self._error_type as error:
            self._failed(error)

    def _skipping(self) -> bool:
        return time.monotonic() < self._skip_until

    def _failed(self, error: Exception) -> None:
        with self._lock:
            self.errors += 1
            first = self._skip_until == 0.0
            self._skip_until = time.monotonic() + self.retry_seconds
        if first:
            logger.warning(
                "query cache off: Redis failed (%s); reading the warehouse "
                "directly and trying Redis again every %.0f s",
                error,
                self.retry_seconds,
            )

    def _succeeded(self) -> None:
        if self._skip_until == 0.0:
            return
        with self._lock:
            errors, self.errors = self.errors, 0
            self._skip_until = 0.0
        logger.info("query cache on again: Redis responded after %d errors", errors)


class QueryCache:
    """Results of wrapped query functions, stored in a backend."""

    def __init__(self, backend, ttl_seconds: int = DEFAULT_TTL_SECONDS):
        self.backend = backend
        self.ttl_seconds = ttl_seconds
        self.hits = 0
        self.misses = 0

    def fetch(self, engine: Engine, scope: Scope, name: str, args, compute):
        """Return the stored result for this question, or compute and store it."""
        key = question_key(current_generation(engine), scope, name, args)
        stored = self.backend.get(key)
        if stored is not None:
            self.hits += 1
            return pickle.loads(stored)
        self.misses += 1
        value = compute()
        self.backend.set(key, pickle.dumps(value), self.ttl_seconds)
        return value


_installed: QueryCache | None = None
# Caches installed for one engine; they take precedence over ``_installed``.
_by_engine: weakref.WeakKeyDictionary[Engine, QueryCache | None] = (
    weakref.WeakKeyDictionary()
)


def install(cache: QueryCache | None, engine: Engine | None = None) -> None:
    """Make ``cache`` the cache of ``engine``, or of this process when no engine.

    ``None`` turns caching off. A cache installed for an engine, even ``None``,
    takes precedence over the one of the process, so several apps in one process
    (as in tests) each keep their own setting.
    """
    global _installed
    if engine is None:
        _installed = cache
    else:
        _by_engine[engine] = cache


def installed_cache(engine: Engine) -> QueryCache | None:
    """Return the cache that wrapped functions use for ``engine``, if any."""
    return _by_engine.get(engine, _installed)


def make_cache(redis_url: str = "") -> QueryCache:
    """Return a cache on Redis when ``redis_url`` is set, else in this process."""
    if redis_url:
        return QueryCache(RedisBackend(redis_url))
    return QueryCache(MemoryBackend())


def cached_read(function: Callable) -> Callable:
    """Wrap a query function of signature ``(engine, scope, *args, **kwargs)``."""
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(engine, scope, *args, **kwargs):
        cache = installed_cache(engine)
        if cache is None:
            return function(engine, scope, *args, **kwargs)
        arguments = (args, sorted(kwargs.items()))
        return cache.fetch(
            engine,
            scope,
            name,
            arguments,
            lambda: function(engine, scope, *args, **kwargs),
        )

    return wrapper


def question_key(generation: str, scope: Scope, name: str, args) -> str:
    """Return the cache key of one question asked within one scope."""
    countries = None if scope.countries is None else sorted(scope.countries)
    parts = (
        generation,
        countries,
        scope.division_code,
        scope.station_code,
        scope.aggregate_only,
        name,
        args,
    )
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
    return f"crimedash:{digest}"


def current_generation(engine: Engine) -> str:
    """Return the token of the latest change to the warehouse's content."""
    table = warehouse_generation
    with engine.connect() as connection:
        latest = select(func.max(table.c.id)).scalar_subquery()
        token = connection.scalar(select(table.c.token).where(table.c.id == latest))
    return token or ""


def bump_generation(connection, reason: str) -> None:
    """Record a change to the warehouse, inside the transaction that makes it."""
    connection.execute(
        insert(warehouse_generation).values(token=uuid.uuid4().hex, reason=reason)
    )
