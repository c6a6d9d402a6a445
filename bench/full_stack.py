"""Measure the whole product on a large demo warehouse, against its budgets.

Usage::

    python bench/full_stack.py                      # build 2M incidents, both engines
    python bench/full_stack.py --database sqlite --sqlite-url sqlite:////path/w.sqlite

For each warehouse (SQLite and PostgreSQL by default) the script:

1. builds the demo at ``--scale`` (6.5 gives about 2 million incidents) through
   the real import, or reuses ``--sqlite-url`` / ``--postgres-url``. On
   PostgreSQL it creates its own database on ``--postgres-server`` and drops it
   at the end unless ``--keep`` is given;
2. serves the dashboard under gunicorn on 127.0.0.1 with the query cache off.
   It logs in as one account per page and posts every read callback of the
   Station, Strategy, Policy indicators, Regional and Administration pages, then
   does the same on a second server with the cache on;
3. loads each page once in Chromium with an empty cache and counts the bytes of
   everything fetched, as served and gzip-compressed;
4. records the ``data_access`` calls each callback makes and times each one
   directly, then profiles the slowest callbacks and explains the slowest reads;
5. answers two station and three national questions the naive way (the whole
   incident table in one pandas frame, filtered per request) in a process of
   its own, and compares time and memory with the product.

It then prints one table with the budgets and whether each is met. The accounts
``bench-full-<page>`` are created in the warehouse and disabled at the end. This
is a measurement script, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import _naive
import _warehouse
from _callbacks import measure_page
from _common import (
    GunicornServer,
    disable_account,
    ensure_account,
    has_query_cache_setting,
    log_in,
)
from _first_load import first_loads
from _pages import PAGE_PATHS, choose, page_accounts, page_cases
from _profile import explain_call
from _queries import distinct_calls, record_calls, time_call
from _report import (
    Row,
    callback_rows,
    first_load_rows,
    format_table,
    p50_p95,
    query_rows,
)

from data_access import station_queries
from data_access.demo import DEFAULT_SEED
from data_access.engine import make_engine
from data_access.scope import Scope

ACCOUNT_PREFIX = "bench-full"
DEFAULT_SCALE = 6.5
POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Callbacks profiled and reads explained, slowest first.
SLOWEST_SHOWN = 3


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgresql", "both"),
        default="both",
        help="engines to measure (default: both)",
    )
    parser.add_argument("--sqlite-url", help="reuse this SQLite warehouse")
    parser.add_argument("--postgres-url", help="reuse this PostgreSQL warehouse")
    parser.add_argument(
        "--postgres-server",
        default=POSTGRES_SERVER,
        help="server on which to create the PostgreSQL warehouse",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database built"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=DEFAULT_SCALE,
        help="demo scale of a build; 1 is about 310,000 incidents",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="demo seed")
    parser.add_argument("--folder", type=Path, help="folder for files and logs")
    parser.add_argument("--country", default="GUY", help="country read")
    parser.add_argument("--station", help="station read (default: the busiest)")
    parser.add_argument("--repeat", type=int, default=20, help="posts per callback")
    parser.add_argument(
        "--query-repeat", type=int, default=20, help="calls per warehouse read"
    )
    parser.add_argument(
        "--naive-repeat", type=int, default=5, help="answers per naive question"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="gunicorn workers of the server"
    )
    return parser.parse_args(argv)


def warehouses(args, folder: Path):
    """Yield each warehouse to measure, built now or reused."""
    engines = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for name in engines:
        existing = args.sqlite_url if name == "sqlite" else args.postgres_url
        if existing:
            yield _warehouse.reuse(name, existing)
        elif name == "sqlite":
            print(f"building the SQLite warehouse at scale {args.scale}", flush=True)
            yield _warehouse.build_sqlite(folder, args.scale, args.seed)
        else:
            print(
                f"building the PostgreSQL warehouse at scale {args.scale}", flush=True
            )
            yield _warehouse.build_postgres(
                args.postgres_server, folder, args.scale, args.seed
            )


def serve_and_post(url, folder, workers, query_cache, cases, credentials, repeat):
    """Post every case on a fresh server; return times, gaps, memory, loads."""
    server = GunicornServer(url, folder, workers, query_cache)
    try:
        results, gaps, sessions = [], {}, {}
        for page, page_cases_list in cases.items():
            session = log_in(server.base, *credentials[page])
            sessions[page] = session
            found, missing = measure_page(
                server, session, page_cases_list, repeat, warmups=2
            )
            results += found
            gaps[page] = missing
        memory = server.worker_memory_kib()
        loads = None
        if not query_cache:
            loads = first_loads(server.base, sessions, PAGE_PATHS)
        return results, gaps, memory, loads
    finally:
        server.stop()


def time_queries(url, cases, credentials, repeat, profiled):
    """Record each callback's reads, time each distinct read, explain the slowest.

    Returns the timed reads, slowest first, the profile of each label in
    ``profiled``, and the plans of the ``SLOWEST_SHOWN`` slowest reads.
    """
    app, recorded, profiles = record_calls(url, cases, credentials, profiled)
    try:
        timed = [(call, time_call(call, repeat)) for call in distinct_calls(recorded)]
        timed.sort(key=lambda pair: -p50_p95(pair[1])[1])
        plans = [explain_call(call) for call, _ in timed[:SLOWEST_SHOWN]]
        return timed, profiles, plans
    finally:
        app.server.config["CRIMEDASH_ENGINE"].dispose()


def slowest_labels(results, count: int) -> list[str]:
    """Return the labels of the ``count`` callbacks with the highest p95."""
    ordered = sorted(results, key=lambda result: -p50_p95(result.server_ms)[1])
    return [result.label for result in ordered[:count]]


def naive_comparison(url, choices, repeat):
    """Answer the questions both ways; return product and naive results."""
    engine = make_engine(url)
    record = station_queries.find_station(
        engine, Scope.everything(), choices.country, choices.station
    )
    params = {
        "country": choices.country,
        "station": choices.station,
        "station_id": record.id,
        "station_month": choices.station_month,
        "national_month": choices.strategy_month,
    }
    try:
        product = _naive.time_answers(_naive.product_answer, engine, params, repeat)
    finally:
        engine.dispose()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        naive = pool.submit(_naive.naive_worker, url, params, repeat).result()
    return product, naive


def naive_rows(product, naive, product_memory) -> list[Row]:
    """Return the naive/product ratio of each question and the two memories."""
    rows = []
    for name, description in _naive.QUESTIONS.items():
        mine = product[name]
        theirs = naive["results"][name]
        same = mine["answer"] == theirs["answer"]
        ratio = theirs["p50"] / mine["p50"] if mine["p50"] else float("inf")
        text = (
            f"product {mine['p50']:.1f} ms, naive {theirs['p50']:.1f} ms, "
            f"{ratio:.1f}x; {'same answer' if same else 'ANSWERS DIFFER'}"
        )
        rows.append(Row("naive", description, text))
    app = naive["app_memory"]["VmRSS"] / 1024
    loaded = naive["loaded_memory"]["VmRSS"] / 1024
    peak = naive["final_memory"]["VmHWM"] / 1024
    rows.append(
        Row(
            "memory",
            "server RSS, naive",
            f"{loaded:,.0f} MB (peak {peak:,.0f}, app alone {app:,.0f})",
        )
    )
    rows.append(
        Row(
            "naive",
            "load of the whole incident table",
            f"{naive['rows']:,d} rows in {naive['load_seconds']:.0f} s",
        )
    )
    rows.append(
        Row(
            "memory",
            "server RSS, product (gunicorn worker)",
            f"{product_memory['VmRSS'] / 1024:,.0f} MB "
            f"(peak {product_memory['VmHWM'] / 1024:,.0f}) after every page",
        )
    )
    return rows


@dataclass
class Measurements:
    """Everything measured on one warehouse."""

    cold: list
    warm: list
    gaps: dict
    loads: dict
    cold_memory: dict
    warm_memory: dict
    queries: list
    profiled: list
    profiles: dict
    plans: list
    product: dict
    naive: dict


def measure(built, args, folder: Path) -> list[Row]:
    """Run every measurement on one warehouse; return its rows of the table."""
    engine = make_engine(built.url)
    choices = choose(engine, args.country, args.station)
    print(f"reading {choices}", flush=True)
    accounts = page_accounts(choices, ACCOUNT_PREFIX)
    credentials = {
        page: (username, ensure_account(engine, username, role, *scope))
        for page, (username, role, *scope) in accounts.items()
    }
    try:
        found = run_all(
            built, args, folder / f"logs-{built.engine_name}", choices, credentials
        )
    finally:
        for username, *_ in accounts.values():
            disable_account(engine, username)
        engine.dispose()
    print_details(built, found)
    print_diagnosis(found)
    return table_rows(built, found)


def run_all(built, args, logs: Path, choices, credentials) -> Measurements:
    """Run the HTTP, browser, read and naive measurements in turn."""
    cases = page_cases(choices)
    print("posting callbacks, query cache off", flush=True)
    cold, gaps, cold_memory, loads = serve_and_post(
        built.url, logs, args.workers, False, cases, credentials, args.repeat
    )
    print("posting callbacks, query cache on", flush=True)
    warm, _, warm_memory, _ = serve_and_post(
        built.url, logs, args.workers, True, cases, credentials, args.repeat
    )

    print("timing warehouse reads", flush=True)
    profiled = slowest_labels(cold, SLOWEST_SHOWN)
    queries, profiles, plans = time_queries(
        built.url, cases, credentials, args.query_repeat, profiled
    )
    print("answering the naive questions", flush=True)
    product, naive = naive_comparison(built.url, choices, args.naive_repeat)
    return Measurements(
        cold,
        warm,
        gaps,
        loads,
        cold_memory,
        warm_memory,
        queries,
        profiled,
        profiles,
        plans,
        product,
        naive,
    )


def table_rows(built, found: Measurements) -> list[Row]:
    """Return the rows of one warehouse's table, build first."""
    rows = [_build_row(built)]
    rows += callback_rows(found.cold, found.warm)
    rows += first_load_rows(found.loads)
    rows += query_rows(found.queries)
    rows += naive_rows(found.product, found.naive, found.cold_memory)
    rows.append(
        Row(
            "memory",
            "server RSS, product, query cache on",
            f"{found.warm_memory['VmRSS'] / 1024:,.0f} MB "
            f"(peak {found.warm_memory['VmHWM'] / 1024:,.0f}) after every page",
        )
    )
    return rows


def _build_row(built) -> Row:
    item = f"build, {built.engine_name}, {built.incidents:,d} incidents"
    if built.seconds is None:
        return Row("build", item, "reused an existing warehouse")
    text = f"{built.seconds:.0f} s"
    if built.vacuum_seconds is not None:
        text += f", then VACUUM ANALYZE {built.vacuum_seconds:.0f} s"
    return Row("build", item, text)


def print_details(built, found: Measurements) -> None:
    """Print what the table summarises: files fetched, reads and their callers."""
    loads, queries = found.loads, found.queries
    print(f"\n== details, {built.engine_name} ==")
    for page, missing in found.gaps.items():
        for output in missing:
            print(f"not measured ({page}): {output}")
    encodings = {item.encoding for fetched in loads.values() for item in fetched}
    print(f"Content-Encoding of first-load responses: {sorted(encodings)}")
    for page, fetched in loads.items():
        _print_first_load(page, fetched)
    every_file = {item.url: item for fetched in loads.values() for item in fetched}
    largest = sorted(every_file.values(), key=lambda item: -item.raw)[:5]
    for item in largest:
        print(
            f"large file: {item.raw:>10,d} B decoded, {item.gzipped:>9,d} B gzip  "
            f"{item.url.split('?')[0]}"
        )
    for number, (call, _) in enumerate(queries, start=1):
        print(f"Q{number}: {call.describe()}")
        print(f"     called by {', '.join(call.callers)}")


def _print_first_load(page: str, fetched) -> None:
    kinds = {}
    for item in fetched:
        total = kinds.setdefault(item.kind, [0, 0, 0, 0])
        total[0] += 1
        total[1] += item.raw
        total[2] += item.transferred
        total[3] += item.gzipped
    for kind, (count, raw, served, gzipped) in sorted(kinds.items()):
        print(
            f"first load {page:10s} {kind:16s} {count:3d} files, "
            f"{raw:>10,d} B decoded, {served:>10,d} B served, "
            f"{gzipped:>9,d} B gzip"
        )


def print_diagnosis(found: Measurements) -> None:
    """Print the profiles of the slowest callbacks and plans of the slowest reads."""
    for label in found.profiled:
        print(f"\nprofile of one post of {label!r}, in-process, cache off:")
        print("\n".join(found.profiles.get(label, ["  (not posted in-process)"])))
    plans = found.plans
    slowest = zip(found.queries[: len(plans)], plans, strict=True)
    for number, ((call, times), plan) in enumerate(slowest, start=1):
        p50, p95 = p50_p95(times)
        print(f"\nQ{number} {call.describe()}: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        print("\n".join(plan))


def main(argv=None) -> int:
    args = parse_args(argv)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="crimedash_full_stack_"))
    folder.mkdir(parents=True, exist_ok=True)
    cache_note = (
        "CRIMEDASH_QUERY_CACHE"
        if has_query_cache_setting()
        else "a gunicorn hook (Settings has no query cache setting)"
    )
    print(f"folder {folder}; query cache set through {cache_note}")
    print(f"load average at start: {os.getloadavg()}", flush=True)
    tables = []
    for built in warehouses(args, folder):
        built_row = _build_row(built)
        print(f"{built_row.item}: {built_row.measured}", flush=True)
        try:
            rows = measure(built, args, folder)
            tables.append((built, rows))
            print(f"\n== {built.engine_name}: {built.url} ==")
            print(format_table(rows), flush=True)
        finally:
            if built.database and not args.keep:
                _warehouse.drop_database(args.postgres_server, built.database)
            elif built.database:
                print(f"kept PostgreSQL warehouse {built.url}")
    print(f"\nload average at end: {os.getloadavg()}")
    for built, rows in tables:
        print(f"\n== {built.engine_name}: {built.url} ==")
        print(format_table(rows))
    return 0


if __name__ == "__main__":
    start = time.perf_counter()
    status = main()
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    sys.exit(status)
