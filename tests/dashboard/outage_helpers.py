"""Ways to make the warehouse unreachable for the app while its server keeps running.

``warehouse_switch`` returns the URL the app should use and a switch whose
``cut()`` makes the warehouse unreachable and whose ``restore()`` brings it back:
a TCP proxy in front of PostgreSQL, or the SQLite file moved aside.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.dashboard.tcp_proxy import TcpProxy

SQLITE_SUFFIXES = ("", "-wal", "-shm")


class MovedFile:
    """A switch that makes a SQLite warehouse unreachable by moving its files aside."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.moved: list[tuple[Path, Path]] = []

    def cut(self) -> None:
        for suffix in SQLITE_SUFFIXES:
            source = self.path.with_name(self.path.name + suffix)
            if source.exists():
                target = source.with_name(source.name + ".away")
                source.rename(target)
                self.moved.append((source, target))

    def restore(self) -> None:
        for source, target in self.moved:
            target.rename(source)
        self.moved = []


@contextmanager
def warehouse_switch(database_url: str) -> Iterator[tuple[str, object]]:
    """Yield ``(app_url, switch)`` for the warehouse at ``database_url``.

    Dispose of other engines on a SQLite warehouse first, so that no connection
    outside the app keeps the moved file open. The warehouse is restored on exit.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        switch = MovedFile(Path(url.database))
        try:
            yield database_url, switch
        finally:
            switch.restore()
        return
    with TcpProxy(url.port or 5432) as proxy:
        proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
        yield proxied, proxy
