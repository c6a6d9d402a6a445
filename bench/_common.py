"""Helpers shared by the whole-product benchmark and the load test.

The dashboard runs under gunicorn in a subprocess, with the production entry
point ``dashboard.wsgi:create_server()`` (the one ``crimedash serve`` loads) and
an access log whose lines carry the server time of each request. A request sent
with ``timed_request`` has a unique id in the ``X-Bench-Request`` header, and
``GunicornServer.server_times`` reads the matching log lines back.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, fields
from pathlib import Path

import requests

from dashboard.config import Settings
from data_access import users

REQUEST_ID_HEADER = "X-Bench-Request"
# Request id, status, request time in microseconds, response body bytes.
ACCESS_LOG_FORMAT = "%({x-bench-request}i)s %(s)s %(D)s %(B)s"
QUERY_CACHE_VARIABLE = "CRIMEDASH_QUERY_CACHE"
START_TIMEOUT_SECONDS = 300.0
LOG_WAIT_SECONDS = 10.0
REQUEST_TIMEOUT_SECONDS = 120.0


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def has_query_cache_setting() -> bool:
    """Return True when ``Settings`` reads ``CRIMEDASH_QUERY_CACHE``."""
    return "query_cache" in {field.name for field in fields(Settings)}


def percentile(values: list[float], share: float) -> float:
    """Return the value at ``share`` (0 to 1) of the sorted values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def memory_kib(pid: int) -> dict[str, int]:
    """Return ``VmRSS`` and ``VmHWM`` (peak RSS) of a process in KiB (Linux)."""
    result = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            result[name] = int(value.split()[0])
    return result


def cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time a process has used, seconds (Linux)."""
    fields_after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    user, system = int(fields_after_name[11]), int(fields_after_name[12])
    return (user + system) / os.sysconf("SC_CLK_TCK")


@dataclass
class ServerTime:
    """One access log line: status, server time in ms and body bytes."""

    status: int
    ms: float
    size: int


class GunicornServer:
    """The dashboard under gunicorn on a free 127.0.0.1 port.

    Parameters
    ----------
    database_url
        Warehouse the workers read.
    folder
        Folder for the access log, the error log and the data folder.
    workers
        Number of gunicorn worker processes (sync workers, as in production).
    query_cache
        Value given to ``CRIMEDASH_QUERY_CACHE``. When ``Settings`` has no such
        setting, a gunicorn hook installs the in-process query cache for ``True``
        and removes any cache for ``False`` after each worker has built the app.
    """

    def __init__(self, database_url: str, folder: Path, workers: int, query_cache):
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.access_log = folder / f"access-{self.port}.log"
        self.error_log = folder / f"error-{self.port}.log"
        self.cache_by_hook = not has_query_cache_setting()
        env = dict(
            os.environ,
            CRIMEDASH_DATABASE_URL=database_url,
            CRIMEDASH_DATA_DIR=str(folder),
            CRIMEDASH_SECRET_KEY=secrets.token_hex(32),
        )
        env[QUERY_CACHE_VARIABLE] = "on" if query_cache else "off"
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(workers), "--no-control-socket"]
        command += ["--access-logfile", str(self.access_log)]
        command += ["--access-logformat", ACCESS_LOG_FORMAT]
        command += ["--error-logfile", str(self.error_log)]
        if self.cache_by_hook:
            hook = Path(__file__).with_name("_cache_hook.py")
            command += ["--config", str(hook)]
            env["BENCH_QUERY_CACHE"] = "on" if query_cache else "off"
        command.append("dashboard.wsgi:create_server()")
        self.process = subprocess.Popen(command, env=env, cwd=Path(__file__).parents[1])
        self.workers = workers
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited with status {self.process.returncode}; "
                    f"see {self.error_log}"
                )
            if self._answers() and len(self.worker_pids()) == self.workers:
                return
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start in time; see {self.error_log}")

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.base}/login", timeout=30).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            return False

    def worker_pids(self) -> list[int]:
        """Return the process ids of the gunicorn workers (Linux /proc)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return sorted(int(child) for child in children.read_text().split())

    def worker_memory_kib(self) -> dict[str, int]:
        """Return the largest ``VmRSS`` and ``VmHWM`` over the workers, KiB."""
        readings = [memory_kib(pid) for pid in self.worker_pids()]
        return {
            name: max(reading[name] for reading in readings)
            for name in ("VmRSS", "VmHWM")
        }

    def worker_cpu_seconds(self) -> float:
        """Return the CPU time used by the running workers, seconds."""
        return sum(cpu_seconds(pid) for pid in self.worker_pids())

    def server_times(self, request_ids: list[str]) -> dict[str, ServerTime]:
        """Return the access log entries of ``request_ids``.

        gunicorn writes a line after the response has been sent, so this waits up
        to ``LOG_WAIT_SECONDS`` for the last lines.
        """
        expected = set(request_ids)
        deadline = time.monotonic() + LOG_WAIT_SECONDS
        while True:
            found = self._read_log(expected)
            if len(found) == len(expected) or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def _read_log(self, expected: set[str]) -> dict[str, ServerTime]:
        found = {}
        with self.access_log.open(encoding="utf-8") as log:
            for line in log:
                parts = line.split()
                if len(parts) == 4 and parts[0] in expected:
                    size = 0 if parts[3] == "-" else int(parts[3])
                    found[parts[0]] = ServerTime(
                        int(parts[1]), int(parts[2]) / 1000, size
                    )
        return found

    def stop(self) -> None:
        """Stop gunicorn and wait for it to exit."""
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def timed_request(session: requests.Session, method: str, url: str, **kwargs):
    """Send one request tagged with a new id; return response, round trip ms, id."""
    request_id = uuid.uuid4().hex
    headers = {**kwargs.pop("headers", {}), REQUEST_ID_HEADER: request_id}
    kwargs.setdefault("timeout", REQUEST_TIMEOUT_SECONDS)
    started = time.perf_counter()
    response = session.request(method, url, headers=headers, **kwargs)
    _ = response.content
    elapsed = (time.perf_counter() - started) * 1000
    return response, elapsed, request_id


def ensure_account(
    engine,
    username: str,
    role: str,
    country: str | None = None,
    division: str | None = None,
    station: str | None = None,
) -> str:
    """Create or re-enable a benchmark account with a new password; return it.

    Raises
    ------
    SystemExit
        If the account exists with another role or scope.
    """
    password = secrets.token_urlsafe(16)
    try:
        found = users.get_user(engine, username)
        have = (found.role, found.country_code, found.division_code, found.station_code)
        if have != (role, country, division, station):
            raise SystemExit(
                f"account {username!r} exists with role and scope {have!r}, not "
                f"{(role, country, division, station)!r}; use a fresh warehouse."
            )
    except users.UserNotFound:
        users.create_user(
            engine,
            username,
            f"Benchmark {role.replace('_', ' ')}",
            password,
            role,
            country_code=country,
            division_code=division,
            station_code=station,
        )
    users.set_active(engine, username, True)
    users.set_password(engine, username, password)
    return password


def disable_account(engine, username: str) -> None:
    """Disable a benchmark account, or make it unusable if it cannot be disabled.

    The warehouse refuses to disable its last active administrator. Such an
    account stays active, with a new random password that is not kept.
    """
    try:
        users.set_active(engine, username, False)
    except users.UserError as error:
        users.set_password(engine, username, secrets.token_urlsafe(32))
        print(f"{username} left active with an unknown password: {error}")


def log_in(base: str, username: str, password: str) -> requests.Session:
    """Log in through the form and return the session; raise on a refusal."""
    session = requests.Session()
    form = session.get(f"{base}/login", timeout=REQUEST_TIMEOUT_SECONDS).text
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = session.post(
        f"{base}/login",
        data={"csrf_token": token, "username": username, "password": password},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    if response.status_code != 302:
        raise RuntimeError(f"login of {username!r} failed: HTTP {response.status_code}")
    return session
