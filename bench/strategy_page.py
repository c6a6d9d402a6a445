"""Time every callback of the Strategy view over HTTP on a warehouse.

Usage::

    python bench/strategy_page.py sqlite:////path/to/demo.sqlite \
        --country LCA --repeat 30 --create-indexes

The script serves the dashboard on a free 127.0.0.1 port in this process and
logs in as a commissioner of the country. The account
``bench-commissioner-<country>`` is created in the warehouse if missing, and
disabled again at the end. Each
callback of the view is posted ``--repeat`` times after one untimed warm-up
post. For each it prints p50 and p95 of the server time and of the round trip
seen by the client, and the response size. Server time is measured around the
WSGI app, from the request reaching it to the last byte of the response body.
Budget: p95 server time under 150 ms per callback.

Warehouses built before an index was added to ``data_access.schema`` lack it;
``--create-indexes`` creates every missing schema index first (this changes
the warehouse). A warehouse imported before the country-wide and yearly sums
of the rollups existed needs ``crimedash init-db`` once, which builds them.
The app freezes the objects made at start-up itself
(``gc.freeze()`` at the end of ``create_app``), so that the collector's full
passes do not show as spikes at p95. This is a measurement script, not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import inspect
from werkzeug.serving import make_server

from analysis.station_extra import last_complete_month
from dashboard.app import create_app
from dashboard.config import Settings
from data_access import schema, users
from data_access.engine import make_engine
from data_access.scope import Scope
from data_access.strategy_queries import data_months

ACCOUNT_PREFIX = "bench-commissioner-"
CALLBACK_BUDGET_MS = 150.0
CALLBACK_PATH = "/_dash-update-component"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of the warehouse")
    parser.add_argument("--country", default="LCA", help="country code")
    parser.add_argument("--month", type=int, help="month read, YYYYMM")
    parser.add_argument("--repeat", type=int, default=30, help="posts per callback")
    parser.add_argument(
        "--cache",
        action="store_true",
        help="keep the query cache on, so that posts after the first read no rows",
    )
    parser.add_argument(
        "--create-indexes",
        action="store_true",
        help="create schema indexes missing from the warehouse before timing",
    )
    return parser.parse_args(argv)


def missing_indexes(engine) -> list:
    """Return the schema's indexes that the warehouse does not have."""
    inspector = inspect(engine)
    missing = []
    for table in schema.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        have = {index["name"] for index in inspector.get_indexes(table.name)}
        missing += [index for index in table.indexes if index.name not in have]
    return missing


def ensure_account(engine, country: str) -> tuple[str, str]:
    """Create or re-enable the country's bench account; return name, password."""
    account = f"{ACCOUNT_PREFIX}{country.lower()}"
    password = secrets.token_urlsafe(16)
    try:
        users.get_user(engine, account)
    except users.UserNotFound:
        users.create_user(
            engine,
            account,
            "Bench commissioner",
            password,
            "commissioner",
            country_code=country,
        )
    users.set_active(engine, account, True)
    users.set_password(engine, account, password)
    return account, password


class ServerTimer:
    """WSGI middleware that records the server time of each callback post."""

    def __init__(self, app):
        self.app = app
        self.times: list[float] = []

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != CALLBACK_PATH:
            return self.app(environ, start_response)
        started = time.perf_counter()
        body = b"".join(self.app(environ, start_response))
        self.times.append((time.perf_counter() - started) * 1000)
        return [body]


def serve(url: str, query_cache: bool = False):
    """Start the dashboard on a free loopback port; return server, URL, timer."""
    settings = Settings(
        database_url=url,
        data_dir=Path(tempfile.mkdtemp(prefix="crimedash_bench_")),
        secret_key=secrets.token_hex(32),
    )
    settings = dataclasses.replace(settings, query_cache=query_cache)
    app = create_app(settings)
    timer = ServerTimer(app.server.wsgi_app)
    app.server.wsgi_app = timer
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", timer


def log_in(base: str, account: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/login").text
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = session.post(
        f"{base}/login",
        data={"csrf_token": token, "username": account, "password": password},
        allow_redirects=False,
    )
    response.raise_for_status()
    return session


def body_for(dependency: dict, values: dict) -> dict:
    """Build a callback request from ``/_dash-dependencies`` and input values."""

    def items(kind):
        return [
            {
                "id": item["id"],
                "property": item["property"],
                "value": values.get(f"{item['id']}.{item['property']}"),
            }
            for item in dependency[kind]
        ]

    outputs = []
    for part in dependency["output"].strip(".").split("..."):
        name, prop = part.rsplit(".", 1)
        outputs.append({"id": name, "property": prop.split("@")[0]})
    return {
        "output": dependency["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in dependency["inputs"]],
    }


def cases(country: str, month: int) -> list[tuple[str, str, dict]]:
    """Return (label, output prefix, input values) of each measured call."""
    view = {
        "strategy-country.value": country,
        "strategy-month.value": month,
        "strategy-division.value": "all",
        "strategy-categories.value": [],
        "strategy-unit.value": "incidents",
        "strategy-basis.value": "occurred",
        "strategy-map-colour.value": "rate",
        "strategy-youth-band.value": "10-29",
    }
    return [
        ("pickers", "..strategy-month.options", view),
        ("trends", "strategy-trends.", view),
        (
            "trends, offences",
            "strategy-trends.",
            {**view, "strategy-unit.value": "offences"},
        ),
        (
            "trends, burglary + robbery",
            "strategy-trends.",
            {**view, "strategy-categories.value": ["0401", "0501"]},
        ),
        (
            "trends, victims",
            "strategy-trends.",
            {**view, "strategy-unit.value": "victims"},
        ),
        ("stations and map", "..strategy-stations.", view),
        (
            "stations, change colours",
            "..strategy-stations.",
            {**view, "strategy-map-colour.value": "score"},
        ),
        ("youth and gender", "strategy-people.", view),
        (
            "youth and gender, 15-24",
            "strategy-people.",
            {**view, "strategy-youth-band.value": "15-24"},
        ),
        ("data quality", "strategy-quality.", view),
        ("action plans", "strategy-plans.", view),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(session, base, timer, dependencies, label, prefix, values, repeat):
    """Post one case ``repeat`` times; return its row of the results table."""
    dependency = next(d for d in dependencies if d["output"].startswith(prefix))
    body = body_for(dependency, values)
    session.post(f"{base}{CALLBACK_PATH}", json=body)  # warm-up, not timed
    timer.times.clear()
    trips, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = session.post(f"{base}{CALLBACK_PATH}", json=body)
        trips.append((time.perf_counter() - started) * 1000)
        size = len(response.content)
        if response.status_code != 200:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
    server = list(timer.times)
    return (
        label,
        statistics.median(server),
        percentile(server, 0.95),
        statistics.median(trips),
        percentile(trips, 0.95),
        size,
    )


def print_table(rows, args, month: int) -> None:
    print(
        f"Strategy view, {args.country}, month {month}, {args.repeat} posts per "
        f"callback, query cache {'on' if args.cache else 'off'}"
    )
    header = (
        f"{'callback':32s} {'server p50':>10s} {'server p95':>10s} "
        f"{'trip p50':>9s} {'trip p95':>9s} {'bytes':>9s}  budget"
    )
    print(header)
    for label, p50, p95, trip50, trip95, size in rows:
        verdict = "ok" if p95 < CALLBACK_BUDGET_MS else "OVER"
        print(
            f"{label:32s} {p50:10.1f} {p95:10.1f} {trip50:9.1f} {trip95:9.1f} "
            f"{size:9,d}  {verdict}"
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    engine = make_engine(args.url)
    missing = missing_indexes(engine)
    if missing and args.create_indexes:
        for index in missing:
            print(f"creating index {index.name}", file=sys.stderr)
            index.create(engine)
    elif missing:
        names = ", ".join(index.name for index in missing)
        print(f"warning: the warehouse lacks indexes {names}", file=sys.stderr)
    span = data_months(engine, Scope.everything(), args.country, "occurred")
    month = args.month or last_complete_month(dt.date.today())
    if args.month is None and span is not None:
        month = min(month, span[1])
    account, password = ensure_account(engine, args.country)
    server, base, timer = serve(args.url, args.cache)
    try:
        session = log_in(base, account, password)
        dependencies = session.get(f"{base}/_dash-dependencies").json()
        rows = [
            measure(session, base, timer, dependencies, *case, args.repeat)
            for case in cases(args.country, month)
        ]
    finally:
        server.shutdown()
        users.set_active(engine, account, False)
        engine.dispose()
    print_table(rows, args, month)
    return 0


if __name__ == "__main__":
    sys.exit(main())
