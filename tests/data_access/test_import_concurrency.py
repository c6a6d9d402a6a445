"""Readers of the Station workspace while an import writes, on SQLite and PostgreSQL.

The import runs in its own thread through the real pipeline. Its transaction is
held open at two points, after the old rollups are deleted and after the new
generation is written, until a reader thread has read the station's counts and
incidents. Every read must see the warehouse either as it was before the import
or as it is after it, never in between.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event

from data_access import cache
from data_access.engine import make_engine
from data_access.ingest import ingest_file
from data_access.scope import Scope
from data_access.station_queries import find_station, incident_rows, monthly_counts
from tests.data_access.ingest.helpers import write_source_map

SCOPE = Scope(countries=frozenset({"LCA"}))
FIRST_MONTH, LAST_MONTH = 202401, 202412
JANUARY_ROWS = 40
FEBRUARY_ROWS = 30
# Statements of the import after which its transaction is held open.
PAUSE_AFTER = ("DELETE FROM rollup_monthly", "INSERT INTO warehouse_generation")
WAIT_SECONDS = 60

SOURCE_MAP = """
country = "LCA"
offence_code_system = "iccs"
[station]
mode = "fixed"
code = "HQ"
create_missing = true
[columns]
source_id = "no"
occurred_from = "when"
offence_codes = "code"
"""


def _export(folder, name: str, months: dict[int, int]):
    """Write an export with ``months[m]`` burglaries in month ``m``, days 1 to 28."""
    lines = ["no,when,code"]
    for month, count in months.items():
        for number in range(count):
            day = number % 28 + 1
            lines.append(f"{month}-{number},2024-{month:02d}-{day:02d} 10:00,0501")
    path = folder / name
    path.write_text("\n".join(lines) + "\n")
    return path


class ImportPauses:
    """Pause points in an import's transaction, set on the import's own engine.

    After each statement that starts with the next of ``PAUSE_AFTER``, the import
    waits, with its transaction open, until ``release`` is called.
    """

    def __init__(self, engine) -> None:
        self.pending = list(PAUSE_AFTER)
        self.paused_at: str | None = None
        self.reached = threading.Event()
        self.released = threading.Event()
        self.timed_out = False
        event.listen(engine, "after_cursor_execute", self._after_execute)

    def _after_execute(self, _conn, _cursor, statement, *_args) -> None:
        if not self.pending or not statement.lstrip().startswith(self.pending[0]):
            return
        self.paused_at = self.pending.pop(0)
        self.released.clear()
        self.reached.set()
        if not self.released.wait(WAIT_SECONDS):
            self.timed_out = True
        self.paused_at = None

    def release(self) -> None:
        self.reached.clear()
        self.released.set()


def _read_state(engine, record) -> tuple[dict, int]:
    counts = monthly_counts(engine, SCOPE, record, "occurred", FIRST_MONTH, LAST_MONTH)
    by_month = {
        int(month): int(total)
        for month, total in counts.groupby("month")["incidents"].sum().items()
    }
    rows = incident_rows(engine, SCOPE, record, "occurred", FIRST_MONTH, LAST_MONTH)
    return by_month, len(rows)


BEFORE = ({202401: JANUARY_ROWS}, JANUARY_ROWS)
AFTER = (
    {202401: JANUARY_ROWS, 202402: FEBRUARY_ROWS},
    JANUARY_ROWS + FEBRUARY_ROWS,
)


@pytest.fixture(params=["uncached", "cached"])
def reader_engine(request, database_url, engine):
    """Return a second engine for the reader, with or without the query cache."""
    reader = make_engine(database_url)
    if request.param == "cached":
        cache.install(cache.make_cache(), reader)
    yield reader
    reader.dispose()


def test_readers_see_before_or_after(engine, database_url, reader_engine, tmp_path):
    source = write_source_map(tmp_path, SOURCE_MAP)
    ingest_file(engine, _export(tmp_path, "january.csv", {1: JANUARY_ROWS}), source)
    record = find_station(reader_engine, SCOPE, "LCA", "HQ")
    assert _read_state(reader_engine, record) == BEFORE

    importer = make_engine(database_url)
    pauses = ImportPauses(importer)
    both = _export(tmp_path, "both.csv", {1: JANUARY_ROWS, 2: FEBRUARY_ROWS})
    errors: list[BaseException] = []

    def run_import():
        try:
            ingest_file(importer, both, source)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    thread = threading.Thread(target=run_import)
    thread.start()
    during = []
    for _ in PAUSE_AFTER:
        assert pauses.reached.wait(WAIT_SECONDS), "the import never paused"
        during.append((pauses.paused_at, _read_state(reader_engine, record)))
        pauses.release()
    thread.join(WAIT_SECONDS)
    importer.dispose()

    assert not thread.is_alive()
    assert errors == []
    assert not pauses.timed_out
    assert during == [(statement, BEFORE) for statement in PAUSE_AFTER]
    assert _read_state(reader_engine, record) == AFTER


def test_reader_loop_never_sees_half_state(engine, database_url, tmp_path):
    source = write_source_map(tmp_path, SOURCE_MAP)
    ingest_file(engine, _export(tmp_path, "january.csv", {1: JANUARY_ROWS}), source)
    record = find_station(engine, SCOPE, "LCA", "HQ")
    both = _export(tmp_path, "both.csv", {1: JANUARY_ROWS, 2: FEBRUARY_ROWS})
    reader = make_engine(database_url)
    states = []
    errors: list[BaseException] = []
    finished = threading.Event()

    def read_until_finished():
        try:
            while not finished.is_set():
                states.append(_read_state(reader, record))
            states.append(_read_state(reader, record))
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    thread = threading.Thread(target=read_until_finished)
    thread.start()
    try:
        ingest_file(engine, both, source)
    finally:
        finished.set()
        thread.join(WAIT_SECONDS)
        reader.dispose()

    assert errors == []
    assert states[-1] == AFTER
    # Each query is checked on its own: the two run as separate statements, so
    # one may run before the import commits and the other after it.
    counts = [by_month for by_month, _rows in states]
    rows = [row_count for _counts, row_count in states]
    assert [c for c in counts if c not in (BEFORE[0], AFTER[0])] == []
    assert [r for r in rows if r not in (BEFORE[1], AFTER[1])] == []
