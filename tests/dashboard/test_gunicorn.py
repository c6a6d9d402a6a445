"""``crimedash serve`` under gunicorn with several workers sharing one session."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.dashboard.helpers import PASSWORD, SECRET_KEY, csrf_token

WORKERS = 4
# Bounds on waiting for gunicorn to start or reload; a test fails past them.
# Each worker builds the app after the fork, which took up to 16 s on a
# busy 2-core machine, so the bounds are generous.
START_ATTEMPTS = 1200
POLL_SECONDS = 0.1
# Seconds a request may wait, queued while its worker builds the app.
REQUEST_SECONDS = 60


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def worker_pids(master_pid: int) -> set[int]:
    """Return the process ids of the children of ``master_pid`` (Linux /proc)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return {int(pid) for pid in children.read_text().split()}


def wait_until(condition, what: str) -> None:
    """Poll ``condition`` until it is true, or fail after ``START_ATTEMPTS`` polls."""
    for _ in range(START_ATTEMPTS):
        if condition():
            return
        time.sleep(POLL_SECONDS)
    pytest.fail(f"gave up waiting for {what}")


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=10).status_code == 200
    except (requests.ConnectionError, requests.Timeout):
        return False


@pytest.fixture
def gunicorn_server(seeded_engine, database_url, tmp_path):
    """Run ``crimedash serve`` with four workers; yield its base URL and process."""
    port = free_port()
    env = dict(
        os.environ,
        CRIMEDASH_DATABASE_URL=database_url,
        CRIMEDASH_DATA_DIR=str(tmp_path),
        CRIMEDASH_SECRET_KEY=SECRET_KEY,
    )
    command = [sys.executable, "-m", "dashboard.cli", "serve"]
    command += ["--port", str(port), "--workers", str(WORKERS)]
    with open(tmp_path / "gunicorn.log", "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{base}/login"), "gunicorn to start")
        wait_until(lambda: len(worker_pids(process.pid)) == WORKERS, "4 workers")
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _log_in(base: str) -> requests.Session:
    session = requests.Session()
    token = csrf_token(session.get(f"{base}/login", timeout=10).text)
    response = session.post(
        f"{base}/login",
        data={"csrf_token": token, "username": "admin", "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    return session


def _users_table_body() -> dict:
    """Return the POST body of the Administration page's users table callback."""
    return {
        "output": "..admin-users-table.children...admin-target-user.options..",
        "outputs": [
            {"id": "admin-users-table", "property": "children"},
            {"id": "admin-target-user", "property": "options"},
        ],
        "inputs": [{"id": "admin-users-version", "property": "data", "value": 0}],
        "state": [],
        "changedPropIds": ["admin-users-version.data"],
    }


def test_session_shared_by_workers_and_reload(gunicorn_server):
    base, process = gunicorn_server
    session = _log_in(base)

    layouts = [session.get(f"{base}/_dash-layout", timeout=10) for _ in range(40)]
    callbacks = [
        session.post(
            f"{base}/_dash-update-component", json=_users_table_body(), timeout=10
        )
        for _ in range(40)
    ]
    statuses = [r.status_code for r in layouts + callbacks]
    assert statuses.count(200) == 80
    assert all('"value":"station"' in r.text for r in callbacks)

    old_workers = worker_pids(process.pid)
    process.send_signal(signal.SIGHUP)
    wait_until(
        lambda: (
            len(worker_pids(process.pid) - old_workers) == WORKERS
            and not worker_pids(process.pid) & old_workers
        ),
        "workers to reload",
    )

    after = [
        session.get(f"{base}/_dash-layout", timeout=REQUEST_SECONDS) for _ in range(40)
    ]
    assert [r.status_code for r in after].count(200) == 40
