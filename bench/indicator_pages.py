"""Time every callback of the Policy indicators and Regional pages over HTTP.

Usage::

    python bench/indicator_pages.py sqlite:////path/to/demo.sqlite \
        --country LCA --repeat 30

The script serves the dashboard on a free 127.0.0.1 port in this process, as
``bench/strategy_page.py`` does, and logs in as a ministry official of the
country (account ``bench-ministry-<country>``) and as the regional observatory
(account ``bench-observatory``). The accounts are created in the warehouse if
missing and disabled again at the end. Each callback is posted ``--repeat``
times after two untimed warm-up posts, with the pickers at their defaults (the
last ten years with counts). For each it prints p50 and p95 of the server time
(around the WSGI app, as in ``bench/strategy_page.py``) and of the round trip
seen by the client, and the bytes of the response. Budget: p95 server time
under 150 ms per callback.

A warehouse imported before the yearly sums of the rollups existed needs
``crimedash init-db`` once, which builds them. The query cache is off unless
``--cache`` is given, so that every post reads the warehouse (the cold path);
with it, the posts after the first measure the work done after the reads.
``--skip-regional`` times the Policy indicators page only, for runs over
several countries. This is a measurement script, not a test: it asserts
nothing.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time

import requests
from strategy_page import CALLBACK_PATH, body_for, percentile, serve

from data_access import users
from data_access.engine import make_engine
from data_access.indicator_queries import data_months
from data_access.scope import Scope
from data_access.stations import list_countries

CALLBACK_BUDGET_MS = 150.0
MINISTRY_PREFIX = "bench-ministry-"
OBSERVATORY = "bench-observatory"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of the warehouse")
    parser.add_argument("--country", default="LCA", help="ministry's country code")
    parser.add_argument("--repeat", type=int, default=30, help="posts per callback")
    parser.add_argument(
        "--cache",
        action="store_true",
        help="keep the query cache on, so that posts after the first read no rows",
    )
    parser.add_argument(
        "--skip-regional",
        action="store_true",
        help="time the Policy indicators page only",
    )
    return parser.parse_args(argv)


def ensure_account(engine, username: str, country: str | None) -> str:
    """Create or re-enable a bench account and give it a fresh password.

    The account is a ministry official of ``country``, or the regional
    observatory when ``country`` is ``None``.
    """
    if country is None:
        display_name, role = "Bench regional observatory", "regional_observatory"
    else:
        display_name, role = "Bench ministry official", "ministry_official"
    password = secrets.token_urlsafe(16)
    try:
        users.get_user(engine, username)
    except users.UserNotFound:
        users.create_user(
            engine, username, display_name, password, role, country_code=country
        )
    users.set_active(engine, username, True)
    users.set_password(engine, username, password)
    return password


def log_in(base: str, username: str, password: str):
    """Log in through the form and return the session."""
    session = requests.Session()
    form = session.get(f"{base}/login").text
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = session.post(
        f"{base}/login",
        data={"csrf_token": token, "username": username, "password": password},
        allow_redirects=False,
    )
    response.raise_for_status()
    return session


def default_years(engine, countries) -> tuple[int, int]:
    """Return the last ten years with counts in any of ``countries``."""
    spans = [data_months(engine, Scope.everything(), code) for code in countries]
    spans = [span for span in spans if span[0] is not None]
    if not spans:
        raise SystemExit("the warehouse has no counts for these countries")
    last = max(span[1] for span in spans) // 100
    first = min(span[0] for span in spans) // 100
    return max(first, last - 9), last


def indicator_cases(country: str, years: tuple[int, int]) -> list:
    """Return (label, output prefix, values) of each Policy indicators call."""
    values = {
        "indicators-country.value": country,
        "indicators-year-from.value": years[0],
        "indicators-year-to.value": years[1],
        "indicators-divisions.value": ["0101", "0501", "0401"],
        "indicators-youth.value": "10-29",
        "indicators-rate-base.value": "per_100k",
    }
    return [
        ("indicators: years", "..indicators-year-from.options", values),
        ("indicators: sections, divisions", "..indicators-offences", values),
        ("indicators: SDG 16 panels", "indicators-sdg", values),
        ("indicators: youth", "indicators-youth-panel", values),
        ("indicators: admin areas", "indicators-areas", values),
    ]


def regional_cases(years: tuple[int, int]) -> list:
    """Return (label, output prefix, values) of each Regional comparison call."""
    values = {
        "regional-body.id": "regional-body",
        "regional-year-from.value": years[0],
        "regional-year-to.value": years[1],
        "regional-categories.value": None,
        "regional-chart-category.value": "0101",
    }
    return [
        ("regional: years", "..regional-year-from.options", values),
        ("regional: rates and coverage", "..regional-rates", values),
        ("regional: homicide vs UNODC", "regional-homicide", values),
    ]


def time_posts(session, base: str, body: dict, repeat: int) -> tuple[list, int]:
    """Post ``body`` ``repeat`` times; return round trips in ms and the last size."""
    trips, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = session.post(f"{base}{CALLBACK_PATH}", json=body)
        trips.append((time.perf_counter() - started) * 1000)
        size = len(response.content)
        if response.status_code not in (200, 204):
            raise SystemExit(f"{body['output']}: HTTP {response.status_code}")
    return trips, size


def measure(base, timer, session, cases, repeat: int) -> list:
    """Post each case ``repeat`` times after two warm-up posts."""
    dependencies = session.get(f"{base}/_dash-dependencies").json()
    rows = []
    for label, prefix, values in cases:
        dependency = next(d for d in dependencies if d["output"].startswith(prefix))
        body = body_for(dependency, values)
        time_posts(session, base, body, 2)
        timer.times.clear()
        trips, size = time_posts(session, base, body, repeat)
        rows.append((label, list(timer.times), trips, size))
    return rows


def main(argv=None) -> int:
    args = parse_args(argv)
    engine = make_engine(args.url)
    countries = [code for code, _ in list_countries(engine, Scope.everything())]
    ministry_account = f"{MINISTRY_PREFIX}{args.country.lower()}"
    passwords = {
        ministry_account: ensure_account(engine, ministry_account, args.country),
        OBSERVATORY: ensure_account(engine, OBSERVATORY, None),
    }
    server, base, timer = serve(args.url, query_cache=args.cache)
    try:
        ministry = log_in(base, ministry_account, passwords[ministry_account])
        years = default_years(engine, [args.country])
        cases = indicator_cases(args.country, years)
        rows = measure(base, timer, ministry, cases, args.repeat)
        if not args.skip_regional:
            observatory = log_in(base, OBSERVATORY, passwords[OBSERVATORY])
            cases = regional_cases(default_years(engine, countries))
            rows += measure(base, timer, observatory, cases, args.repeat)
    finally:
        server.shutdown()
        for username in passwords:
            users.set_active(engine, username, False)
    print_table(args, years, rows)
    return 0


def print_table(args, years, rows) -> None:
    print(
        f"warehouse {args.url}, ministry country {args.country}, years "
        f"{years[0]} to {years[1]}, {args.repeat} posts each, query cache "
        f"{'on' if args.cache else 'off'}"
    )
    print(
        f"{'callback':34} {'server p50':>10} {'server p95':>10} {'trip p50':>9} "
        f"{'trip p95':>9} {'bytes':>9}  budget"
    )
    for label, server, trips, size in rows:
        p95 = percentile(server, 0.95)
        verdict = "ok" if p95 < CALLBACK_BUDGET_MS else "OVER"
        print(
            f"{label:34} {statistics.median(server):10.1f} {p95:10.1f} "
            f"{statistics.median(trips):9.1f} {percentile(trips, 0.95):9.1f} "
            f"{size:9,d}  {verdict}"
        )


if __name__ == "__main__":
    sys.exit(main())
