"""Time every callback of the Policy indicators and Regional pages over HTTP.

Usage::

    python bench/indicator_pages.py sqlite:////path/to/demo.sqlite \
        --country LCA --repeat 30

The script serves the dashboard on a free 127.0.0.1 port in this process, as
``bench/station_page.py`` does, and logs in as a ministry official of the
country (account ``bench-ministry``) and as the regional observatory (account
``bench-observatory``). The accounts are created in the warehouse if missing
and disabled again at the end. Each callback is posted ``--repeat`` times with
the pickers at their defaults (the last ten years with counts), and the script
prints p50 and p95 of the time from request to full response and the bytes of
each response. Budget: p95 under 150 ms per callback.

The times include the loopback round trip and the client's reading of the
response, so they slightly overstate the server time. By default the query
cache is not installed, as in ``crimedash serve`` today, so every post reads
the warehouse; ``--cache`` installs the in-process cache, so that the posts
after the first measure the work done after the reads.
This is a measurement script, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys

import requests
from station_page import body_for, serve, time_post

from data_access import cache, users
from data_access.engine import make_engine
from data_access.indicator_queries import data_months
from data_access.scope import Scope
from data_access.stations import list_countries

CALLBACK_BUDGET_MS = 150.0
ACCOUNTS = {
    "bench-ministry": ("Bench ministry official", "ministry_official"),
    "bench-observatory": ("Bench regional observatory", "regional_observatory"),
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of the warehouse")
    parser.add_argument("--country", default="LCA", help="ministry's country code")
    parser.add_argument("--repeat", type=int, default=30, help="posts per callback")
    parser.add_argument(
        "--cache",
        action="store_true",
        help="install the in-process query cache, so repeated posts read no rows",
    )
    return parser.parse_args(argv)


def ensure_account(engine, username: str, country: str | None) -> str:
    """Create or re-enable a bench account and give it a fresh password."""
    display_name, role = ACCOUNTS[username]
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


def measure(base, session, cases, repeat: int) -> list:
    """Post each case ``repeat`` times after two warm-up posts."""
    dependencies = session.get(f"{base}/_dash-dependencies").json()
    rows = []
    for label, prefix, values in cases:
        dependency = next(d for d in dependencies if d["output"].startswith(prefix))
        body = body_for(dependency, values, [])
        time_post(session, base, body, 2)
        times, size = time_post(session, base, body, repeat)
        rows.append((label, times, size))
    return rows


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.cache:
        cache.install(cache.make_cache())
    engine = make_engine(args.url)
    countries = [code for code, _ in list_countries(engine, Scope.everything())]
    passwords = {
        "bench-ministry": ensure_account(engine, "bench-ministry", args.country),
        "bench-observatory": ensure_account(engine, "bench-observatory", None),
    }
    server, base = serve(args.url)
    try:
        ministry = log_in(base, "bench-ministry", passwords["bench-ministry"])
        years = default_years(engine, [args.country])
        rows = measure(
            base, ministry, indicator_cases(args.country, years), args.repeat
        )
        observatory = log_in(base, "bench-observatory", passwords["bench-observatory"])
        regional_years = default_years(engine, countries)
        rows += measure(base, observatory, regional_cases(regional_years), args.repeat)
    finally:
        server.shutdown()
        for username in ACCOUNTS:
            users.set_active(engine, username, False)
    print_table(args, years, rows)
    return 0


def print_table(args, years, rows) -> None:
    print(
        f"warehouse {args.url}, ministry country {args.country}, years "
        f"{years[0]} to {years[1]}, {args.repeat} posts each, query cache "
        f"{'on' if args.cache else 'off'}"
    )
    print(f"{'callback':34} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}  budget")
    for label, times, size in rows:
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
        verdict = "ok" if p95 < CALLBACK_BUDGET_MS else "OVER 150 ms"
        print(f"{label:34} {p50:8.1f} {p95:8.1f} {size:9,d}  {verdict}")


if __name__ == "__main__":
    sys.exit(main())
