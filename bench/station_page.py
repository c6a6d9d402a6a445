"""Time every callback of the Station workspace over HTTP on a warehouse.

Usage::

    python bench/station_page.py sqlite:////path/to/demo.sqlite \
        --country LCA --station LC02-01 --repeat 30

The script serves the dashboard on a free 127.0.0.1 port in this process and
logs in as a station commander of the station. The account ``bench-station`` is
created in the warehouse if missing, and disabled again at the end. Each
callback of the page is posted ``--repeat`` times, and the script prints p50 and
p95 of the time from request to full response and the bytes of each response.
Budgets: p95 under 150 ms per callback, and a map update under 300 KB.

The times include the loopback round trip and the client's reading of the
response, so they slightly overstate the server time. This is a measurement
script, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
    return parser.parse_args(argv)


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


def serve(url: str):
    """Start the dashboard on a free loopback port; return server and base URL."""
    settings = Settings(
        database_url=url,
        data_dir=Path(tempfile.mkdtemp(prefix="crimedash_bench_")),
        secret_key=secrets.token_hex(32),
    )
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


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


def time_post(session, base: str, body: dict, repeat: int):
    """Post ``body`` ``repeat`` times; return times in ms and the last size."""
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = session.post(f"{base}/_dash-update-component", json=body)
        size = len(response.content)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code not in (200, 204):
            raise SystemExit(f"{body['output']}: HTTP {response.status_code}")
    return times, size


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
    server, base = serve(args.url)
    try:
        session = log_in(base, password)
        dependencies = session.get(f"{base}/_dash-dependencies").json()
        rows = []
        for label, prefix, values, changed in cases(args.country, args.station, month):
            dependency = next(d for d in dependencies if d["output"].startswith(prefix))
            body = body_for(dependency, values, changed)
            time_post(session, base, body, 2)  # warm caches and imports
            times, size = time_post(session, base, body, args.repeat)
            rows.append((label, times, size))
    finally:
        server.shutdown()
        users.set_active(engine, ACCOUNT, False)
    print_table(args, month, rows)
    return 0


def print_table(args, month: int, rows) -> None:
    print(
        f"warehouse {args.url}, station {args.country}/{args.station}, month {month}, "
        f"{args.repeat} posts each"
    )
    print(f"{'callback':34} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}  budget")
    for label, times, size in rows:
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
        verdict = "ok" if p95 < CALLBACK_BUDGET_MS else "OVER 150 ms"
        if label.startswith("map") and size >= MAP_BUDGET_BYTES:
            verdict += ", OVER 300 KB"
        print(f"{label:34} {p50:8.1f} {p95:8.1f} {size:9,d}  {verdict}")
    print(json.dumps({"note": "times are request to full response over loopback"}))


if __name__ == "__main__":
    sys.exit(main())
