"""Time every callback of the Station workspace over HTTP on a warehouse.

Usage::

    python bench/station_page.py sqlite:////path/to/demo.sqlite \
        --country LCA --station LC02-01 --repeat 30

On the demo warehouse the busiest station is GUY GYDE-33, and its busiest month
202012.

The script serves the dashboard on a free 127.0.0.1 port in this process and
logs in as a station commander of the station. The account ``bench-station`` is
created in the warehouse if missing, and disabled again at the end. Each
callback of the page is posted ``--repeat`` times, and the script prints p50 and
p95 of the time from request to full response and the bytes of each response.
Budgets: p95 under 150 ms per callback, and a map update under 300 KB.

Two times are printed per callback: ``server`` from the moment the WSGI app
receives the request until it has produced the whole response, and ``round
trip`` which adds the loopback round trip and the client's reading of the
response. The budget applies to the server time. The query cache is off unless
``--query-cache`` is given, so every post reads the warehouse. This is a
measurement script, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from werkzeug.serving import make_server

from analysis.station_extra import last_complete_month
from dashboard.app import create_app
from dashboard.config import Settings
from data_access import users
from data_access.engine import make_engine
from data_access.scope import Scope
from data_access.station_queries import data_months, find_station

ACCOUNT = "bench-station"
MAP_BUDGET_BYTES = 300_000
CALLBACK_BUDGET_MS = 150.0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of the warehouse")
    parser.add_argument("--country", default="LCA", help="country code")
    parser.add_argument("--station", default="LC02-01", help="station code")
    parser.add_argument("--month", type=int, help="month read, YYYYMM")
    parser.add_argument("--repeat", type=int, default=30, help="posts per callback")
    parser.add_argument(
        "--query-cache",
        action="store_true",
        help="keep the app's query cache on (default: off, the cold path)",
    )
    parser.add_argument(
        "--tile-url", default="", help="tile URL template, to time the tile map"
    )
    return parser.parse_args(argv)


class ServerTimer:
    """WSGI middleware that records how long the app takes per request, in ms."""

    def __init__(self, app):
        self.app = app
        self.last_ms = 0.0

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        body = self.app(environ, start_response)
        try:
            chunks = list(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self.last_ms = (time.perf_counter() - started) * 1000
        return chunks


def ensure_account(engine, country: str, station: str) -> str:
    """Create or re-enable the bench account and give it a fresh password."""
    password = secrets.token_urlsafe(16)
    try:
        users.get_user(engine, ACCOUNT)
    except users.UserNotFound:
        users.create_user(
            engine,
            ACCOUNT,
            "Bench station commander",
            password,
            "station_commander",
            country_code=country,
            station_code=station,
        )
    users.set_active(engine, ACCOUNT, True)
    users.set_password(engine, ACCOUNT, password)
    return password


def serve(url: str, query_cache: bool, tile_url: str):
    """Start the dashboard on a free loopback port.

    Returns the server, its base URL and the ``ServerTimer`` around the app.
    """
    settings = Settings(
        database_url=url,
        data_dir=Path(tempfile.mkdtemp(prefix="crimedash_bench_")),
        secret_key=secrets.token_hex(32),
        query_cache=query_cache,
        tile_url=tile_url,
    )
    app = create_app(settings)
    timer = ServerTimer(app.server)
    server = make_server("127.0.0.1", 0, timer, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}", timer


def log_in(base: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/login").text
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = session.post(
        f"{base}/login",
        data={"csrf_token": token, "username": ACCOUNT, "password": password},
        allow_redirects=False,
    )
    response.raise_for_status()
    return session


def body_for(dependency: dict, values: dict, changed: list[str]) -> dict:
    """Build a callback request from ``/_dash-dependencies`` and input values."""

    def items(kind):
        found = []
        for item in dependency[kind]:
            if item["id"].startswith("{"):
                found.append([])  # pattern-matching state with no rows
                continue
            key = f"{item['id']}.{item['property']}"
            found.append(
                {
                    "id": item["id"],
                    "property": item["property"],
                    "value": values.get(key),
                }
            )
        return found

    parts = dependency["output"].strip(".").split("...")
    outputs = []
    for part in parts:
        name, prop = part.rsplit(".", 1)
        outputs.append({"id": name, "property": prop.split("@")[0]})
    return {
        "output": dependency["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": changed,
    }


def time_post(session, base: str, timer: ServerTimer, body: dict, repeat: int):
    """Post ``body`` ``repeat`` times.

    Returns the server times and the round-trip times in ms, and the size of
    the last response in bytes.
    """
    server_times, round_trips, size = [], [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = session.post(f"{base}/_dash-update-component", json=body)
        size = len(response.content)
        round_trips.append((time.perf_counter() - started) * 1000)
        server_times.append(timer.last_ms)
        if response.status_code not in (200, 204):
            raise SystemExit(f"{body['output']}: HTTP {response.status_code}")
    return server_times, round_trips, size


def cases(country: str, station: str, month: int) -> list[tuple[str, str, dict, list]]:
    """Return (label, output prefix, values, changed ids) of each measured call."""
    reading = {
        "shell-url.search": "",
        "station-country.value": country,
        "station-station.value": station,
        "station-month.value": month,
        "station-categories.value": [],
        "station-unit.value": "incidents",
        "station-basis.value": "occurred",
        "station-bandwidth.value": 400,
        "station-cell-size.value": 250,
        "station-overlay.value": [],
        "station-priority-pick.value": "new",
        "station-map.clickData": None,
    }
    burglary = {**reading, "station-categories.value": ["0501"]}
    return [
        ("station list", "..station-country.value", reading, ["station-country.value"]),
        ("month list", "..station-month.options", reading, ["station-station.value"]),
        ("CompStat, trend, what, quality", "..station-compstat", reading, []),
        (
            "CompStat, offences",
            "..station-compstat",
            {**reading, "station-unit.value": "offences"},
            [],
        ),
        ("when and repeats", "..station-when", reading, []),
        ("when and repeats, burglary", "..station-when", burglary, []),
        (
            "map, points only",
            "..station-map.figure",
            {**reading, "station-layer.value": "none"},
            [],
        ),
        (
            "map, grid",
            "..station-map.figure",
            {**reading, "station-layer.value": "grid"},
            [],
        ),
        (
            "map, kernel density",
            "..station-map.figure",
            {**reading, "station-layer.value": "kde"},
            [],
        ),
        (
            "map, Gi* + last month",
            "..station-map.figure",
            {**reading, "station-layer.value": "gi", "station-overlay.value": ["on"]},
            [],
        ),
        ("plan and review", "..station-plan-id", reading, ["station-station.value"]),
        ("priority form", "..station-priority-problem", reading, []),
    ]


def main(argv=None) -> int:
    args = parse_args(argv)
    engine = make_engine(args.url)
    record = find_station(engine, Scope.everything(), args.country, args.station)
    span = data_months(engine, Scope.everything(), record, "occurred")
    month = args.month or last_complete_month(dt.date.today())
    if args.month is None and span is not None:
        month = min(month, span[1])
    password = ensure_account(engine, args.country, args.station)
    # One line per request from werkzeug would bury the table.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server, base, timer = serve(args.url, args.query_cache, args.tile_url)
    try:
        session = log_in(base, password)
        dependencies = session.get(f"{base}/_dash-dependencies").json()
        rows = []
        for label, prefix, values, changed in cases(args.country, args.station, month):
            dependency = next(d for d in dependencies if d["output"].startswith(prefix))
            body = body_for(dependency, values, changed)
            time_post(session, base, timer, body, 2)  # warm caches and imports
            rows.append((label, *time_post(session, base, timer, body, args.repeat)))
    finally:
        server.shutdown()
        users.set_active(engine, ACCOUNT, False)
    print_table(args, month, rows)
    return 0


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]


def print_table(args, month: int, rows) -> None:
    cache = "on" if args.query_cache else "off"
    tiles = "tile map" if args.tile_url else "offline map"
    print(
        f"warehouse {args.url}, station {args.country}/{args.station}, month {month}, "
        f"{args.repeat} posts each, query cache {cache}, {tiles}"
    )
    print(
        f"{'callback':34} {'server p50':>10} {'server p95':>10} "
        f"{'round trip p95':>14} {'bytes':>9}  budget"
    )
    for label, server_times, round_trips, size in rows:
        p95 = _p95(server_times)
        verdict = "ok" if p95 < CALLBACK_BUDGET_MS else "OVER 150 ms"
        if label.startswith("map") and size >= MAP_BUDGET_BYTES:
            verdict += ", OVER 300 KB"
        print(
            f"{label:34} {statistics.median(server_times):10.1f} {p95:10.1f} "
            f"{_p95(round_trips):14.1f} {size:9,d}  {verdict}"
        )
    print(f"load average over 1, 5, 15 min at the end: {os.getloadavg()}")


if __name__ == "__main__":
    sys.exit(main())
