"""Load the dashboard with simulated users for a bounded time and report.

Usage::

    python bench/load_test.py --demo-folder /tmp/loadtest     # build or reuse a demo
    python bench/load_test.py --url sqlite:////path/w.sqlite --duration 300

The script serves the dashboard under gunicorn on 127.0.0.1 with ``--workers``
sync workers and the query cache on (the production default), creates the
accounts ``load-user-01`` to ``load-user-NN`` across roles and scopes, and runs
one thread per user. A user logs in, then visits the pages of its role in random
order. A visit sends the page's HTML, ``/_dash-layout``, ``/_dash-dependencies``
and the routing callback back to back, as a browser does. Then it posts each
callback of the page as one interaction, after a think time drawn uniformly from
0 to twice ``--think`` seconds. Users start spread over ``--ramp-up`` seconds and stop
by themselves after ``--duration`` seconds, finishing the request in flight.
The accounts are disabled at the end.

The script prints throughput, p50 and p95 latency as the client saw it, by kind
of request and for the callbacks of each page, and errors by HTTP status or
exception. The client threads run on the same machine as the server and take
some of its CPU. This is a measurement script, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import requests
from _common import (
    GunicornServer,
    disable_account,
    ensure_account,
    log_in,
    percentile,
)
from _load_users import SimulatedUser, plan_users
from _pages import PAGE_PATHS, request_body

from dashboard.demo import prepare_demo
from data_access.engine import make_engine

ACCOUNT_PREFIX = "load-user"
REQUEST_TIMEOUT_SECONDS = 60.0
OK_STATUSES = {200, 204}


@dataclass
class Sample:
    """One request: kind, page, HTTP status or exception name, latency, end."""

    kind: str
    page: str
    outcome: int | str
    ms: float
    finished: float


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="SQLAlchemy URL of an existing warehouse")
    source.add_argument(
        "--demo-folder",
        type=Path,
        help="build the demo warehouse here, or reuse the one already built",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="demo scale")
    parser.add_argument("--users", type=int, default=50, help="simulated users")
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load")
    parser.add_argument(
        "--ramp-up", type=float, default=20.0, help="seconds over which users start"
    )
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean think time, seconds"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--no-query-cache", action="store_true", help="turn the query cache off"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the users' choices"
    )
    return parser.parse_args(argv)


class UserThread(threading.Thread):
    """One simulated user, from login to the deadline."""

    def __init__(self, user, password, base, start_at, deadline, think, seed):
        super().__init__(name=user.username, daemon=True)
        self.user = user
        self.password = password
        self.base = base
        self.start_at = start_at
        self.deadline = deadline
        self.think = think
        self.random = random.Random(seed)
        self.samples: list[Sample] = []
        self.session = None
        self.bodies: dict[str, list[dict]] = {}

    def run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        if not self._log_in():
            return
        pages = list(self.user.pages)
        while time.monotonic() < self.deadline:
            self._visit(self.random.choice(pages))

    def _log_in(self) -> bool:
        started = time.perf_counter()
        try:
            self.session = log_in(self.base, self.user.username, self.password)
            outcome = 200
        except (requests.RequestException, RuntimeError) as error:
            outcome = type(error).__name__
        self._record("login", "", outcome, started)
        return self.session is not None

    def _visit(self, page: str) -> None:
        """Load a page as a browser does, then use each of its callbacks."""
        path = PAGE_PATHS[page]
        for kind, url in (
            ("page", path),
            ("layout", "/_dash-layout"),
            ("dependencies", "/_dash-dependencies"),
        ):
            response = self._send(kind, page, "GET", url)
            if response is None or response.status_code not in OK_STATUSES:
                return
            if kind == "dependencies" and page not in self.bodies:
                cases = self.user.pages[page]
                dependencies = response.json()
                self.bodies[page] = [request_body(dependencies, c) for c in cases]
        routing, *interactions = self.bodies[page]
        self._send("callback", page, "POST", "/_dash-update-component", routing)
        for body in interactions:
            if time.monotonic() >= self.deadline:
                return
            time.sleep(self.random.uniform(0, 2 * self.think))
            self._send("callback", page, "POST", "/_dash-update-component", body)

    def _send(self, kind, page, method, path, body=None):
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, f"{self.base}{path}", json=body, timeout=REQUEST_TIMEOUT_SECONDS
            )
            _ = response.content
        except requests.RequestException as error:
            self._record(kind, page, type(error).__name__, started)
            return None
        self._record(kind, page, response.status_code, started)
        return response

    def _record(self, kind, page, outcome, started) -> None:
        ms = (time.perf_counter() - started) * 1000
        self.samples.append(Sample(kind, page, outcome, ms, time.monotonic()))


def warehouse_url(args) -> str:
    """Return the warehouse URL: the one given, or the demo's, built if needed."""
    if args.url:
        return args.url
    setup = prepare_demo(args.demo_folder, scale=args.scale)
    state = "built" if setup.built else "reused"
    print(f"demo warehouse {state}: {setup.database_url}", flush=True)
    return setup.database_url


def run_load(args, url: str, planned: list[SimulatedUser], passwords, folder):
    """Serve the app, run every user thread to the deadline; return samples."""
    server = GunicornServer(url, folder, args.workers, not args.no_query_cache)
    try:
        now = time.monotonic()
        client_cpu = time.process_time()
        deadline = now + args.duration
        threads = [
            UserThread(
                user,
                passwords[user.username],
                server.base,
                now + args.ramp_up * index / max(1, len(planned)),
                deadline,
                args.think,
                args.seed * 1000 + index,
            )
            for index, user in enumerate(planned)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.duration + REQUEST_TIMEOUT_SECONDS * 2)
        elapsed = time.monotonic() - now
        usage = {
            "memory": server.worker_memory_kib(),
            "server_cpu": server.worker_cpu_seconds(),
            "client_cpu": time.process_time() - client_cpu,
        }
    finally:
        server.stop()
    samples = [sample for thread in threads for sample in thread.samples]
    return samples, elapsed, usage


def print_report(args, planned, samples, elapsed, usage) -> None:
    """Print throughput, latency by kind and page, errors and resource use."""
    roles = Counter(user.role for user in planned)
    print(
        f"\nload test: {len(planned)} users ({dict(roles)}), {args.duration:.0f} s, "
        f"{args.workers} gunicorn workers, query cache "
        f"{'off' if args.no_query_cache else 'on'}, think 0 to {2 * args.think:g} s"
    )
    print(f"load average at end: {os.getloadavg()}")
    print(
        f"requests: {len(samples):,d} in {elapsed:.0f} s = "
        f"{len(samples) / elapsed:.1f} requests/s"
    )
    _print_latency(samples)
    _print_usage(usage, elapsed)


def _print_latency(samples: list[Sample]) -> None:
    print(f"{'kind':26s} {'count':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'errors':>7s}")
    groups = {"all": samples}
    for sample in samples:
        groups.setdefault(sample.kind, []).append(sample)
        if sample.kind == "callback":
            groups.setdefault(f"callback, {sample.page}", []).append(sample)

    for name, group in groups.items():
        times = [sample.ms for sample in group]
        errors = sum(1 for sample in group if not _ok(sample))
        print(
            f"{name:26s} {len(group):7,d} {percentile(times, 0.5):8.0f} "
            f"{percentile(times, 0.95):8.0f} {errors:7,d}"
        )
    errors = Counter(sample.outcome for sample in samples if not _ok(sample))
    print(f"errors by status: {dict(errors) if errors else 'none'}")


def _print_usage(usage: dict, elapsed: float) -> None:
    memory = usage["memory"]
    print(
        f"largest gunicorn worker: RSS {memory['VmRSS'] / 1024:,.0f} MB, "
        f"peak {memory['VmHWM'] / 1024:,.0f} MB"
    )
    print(
        f"CPU over the run: gunicorn workers {usage['server_cpu']:.1f} s, "
        f"client threads {usage['client_cpu']:.1f} s, of {elapsed:.0f} s on "
        f"{os.cpu_count()} CPUs"
    )


def _ok(sample: Sample) -> bool:
    if sample.kind == "login":
        return sample.outcome == 200
    return sample.outcome in OK_STATUSES


def main(argv=None) -> int:
    args = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="crimedash_load_"))
    url = warehouse_url(args)
    engine = make_engine(url)
    planned = plan_users(engine, args.users, ACCOUNT_PREFIX)
    passwords = {}
    try:
        for user in planned:
            passwords[user.username] = ensure_account(
                engine,
                user.username,
                user.role,
                user.country,
                user.division,
                user.station,
            )
        print(
            f"{len(planned)} accounts ready; load for {args.duration:.0f} s", flush=True
        )
        samples, elapsed, usage = run_load(args, url, planned, passwords, folder)
    finally:
        for username in passwords:
            disable_account(engine, username)
        engine.dispose()
    print_report(args, planned, samples, elapsed, usage)
    return 0


if __name__ == "__main__":
    sys.exit(main())
