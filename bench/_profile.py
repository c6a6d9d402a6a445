"""Profiles of the slowest callbacks and query plans of the slowest reads.

``profile_post`` runs one callback post in this process under ``cProfile`` and
returns two lists: the project's functions by cumulative time, and every function
by its own time, which shows a pandas, SQLite or JSON step. ``explain_call``
captures the SQL statements a ``data_access`` call sends and returns the plan of
each: ``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN (ANALYZE, BUFFERS)`` on
PostgreSQL, which runs the statement again.
"""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path

from sqlalchemy import Engine, event

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PROJECT_PACKAGES = ("analysis", "callbacks", "dashboard", "data_access", "layouts")
PROFILE_LINES = 10
STATEMENT_CHARACTERS = 400


def _place(filename: str, line: int, function: str) -> str:
    path = Path(filename)
    if path.is_relative_to(PROJECT_ROOT):
        filename = str(path.relative_to(PROJECT_ROOT))
    elif "site-packages" in path.parts:
        filename = str(Path(*path.parts[path.parts.index("site-packages") + 1 :]))
    return f"{function} ({filename}:{line})" if line else function


def _is_project(filename: str) -> bool:
    path = Path(filename)
    if not path.is_relative_to(PROJECT_ROOT):
        return False
    return path.relative_to(PROJECT_ROOT).parts[0] in PROJECT_PACKAGES


def profile_post(client, path: str, body: dict) -> list[str]:
    """Post ``body`` once under ``cProfile``; return the report lines."""
    profiler = cProfile.Profile()
    profiler.enable()
    client.post(path, json=body)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    entries = [
        (key, calls, own * 1000, cumulative * 1000)
        for key, (_, calls, own, cumulative, _) in stats.items()
    ]
    project = [entry for entry in entries if _is_project(entry[0][0])]
    lines = ["  project functions by cumulative time (ms, own ms, calls):"]
    for key, calls, own, cumulative in sorted(project, key=lambda e: -e[3])[
        :PROFILE_LINES
    ]:
        lines.append(f"    {cumulative:8.1f} {own:8.1f} {calls:7d}  {_place(*key)}")
    lines.append("  all functions by own time (ms, cumulative ms, calls):")
    for key, calls, own, cumulative in sorted(entries, key=lambda e: -e[2])[
        :PROFILE_LINES
    ]:
        lines.append(f"    {own:8.1f} {cumulative:8.1f} {calls:7d}  {_place(*key)}")
    return lines


def explain_call(call) -> list[str]:
    """Return the SQL statements of a recorded call, each with its plan."""
    engine = next(value for value in call.args if isinstance(value, Engine))
    statements = []

    def capture(connection, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        call.function(*call.args, **call.kwargs)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    if engine.dialect.name == "sqlite":
        prefix = "EXPLAIN QUERY PLAN "
    else:
        prefix = "EXPLAIN (ANALYZE, BUFFERS) "
    lines = []
    with engine.connect() as connection:
        for statement, parameters in statements:
            text = " ".join(statement.split())
            lines.append(f"  SQL: {text[:STATEMENT_CHARACTERS]}")
            lines.append(f"  parameters: {parameters!r}")
            plan = connection.exec_driver_sql(prefix + statement, parameters).all()
            lines += [f"    {row[-1]}" for row in plan]
    return lines
