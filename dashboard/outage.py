"""Responses sent while the warehouse database cannot be reached.

The warehouse also contains the accounts, so an outage shows in every request
that loads the logged-in user. The error handlers added here turn a lost database
connection into a 503 response that carries no data and no traceback:

- a Dash request (a callback POST, ``/_dash-layout``, ``/_dash-dependencies``)
  gets JSON ``{"error": "warehouse_unavailable", "message": ...}``, and
  ``assets/warehouse_status.js`` shows the shell's banner. Figures and tables are
  not updated, so missing data is never drawn as zero crime;
- the login form is shown again saying that the service is unavailable, so a
  user does not take it for a wrong password. The attempt counts towards no
  lockout, because the failure count lives in the same unreachable database;
- any other request, such as a page load, gets a short HTML page that reloads
  itself every ``RETRY_AFTER_SECONDS``.

The engine reconnects by itself (see ``data_access.engine.make_engine``), so the
same requests succeed again once the database is back, without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from html import escape

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from dashboard.auth import BOOTSTRAP_URL, LoginForm
from data_access.engine import WarehouseUnavailable
from layouts.shell import WAREHOUSE_UNAVAILABLE_MESSAGE

logger = logging.getLogger(__name__)

UNAVAILABLE_MESSAGE = WAREHOUSE_UNAVAILABLE_MESSAGE
LOGIN_UNAVAILABLE_MESSAGE = (
    "The service is unavailable because the account database cannot be reached. "
    "Try again in a few minutes."
)
ERROR_CODE = "warehouse_unavailable"
RETRY_AFTER_SECONDS = 30
# At most one log line per this many seconds while the outage lasts.
LOG_INTERVAL_SECONDS = 60

# Errors that mean the database is down, unreachable or busy: a refused or lost
# connection, a missing SQLite file, a full connection pool.
UNAVAILABLE_ERRORS = (
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    WarehouseUnavailable,
)

# Inline styles, because a stylesheet under /assets/ may fail to load as well.
UNAVAILABLE_CSS = (
    "body{margin:0;background:#f8f9fa;color:#212529;"
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}"
    "main{max-width:40rem;margin:3rem auto;padding:0 1rem}"
    "h1{font-size:1.75rem;font-weight:500}"
    ".alert{padding:1rem;border:1px solid #f1aeb5;border-radius:.375rem;"
    "background:#f8d7da;color:#58151c}"
)
UNAVAILABLE_HTML = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta http-equiv="refresh" content="{RETRY_AFTER_SECONDS}">
  <title>Warehouse unavailable · crimedash</title>
  <style>{UNAVAILABLE_CSS}</style>
</head>
<body>
  <main>
    <h1>Warehouse unavailable</h1>
    <div class="alert" role="alert">{escape(UNAVAILABLE_MESSAGE)}</div>
    <p>This page reloads by itself every {RETRY_AFTER_SECONDS} seconds.</p>
  </main>
</body>
</html>
"""


class OutageLog:
    """A rate limit on the log of database failures: one line per interval."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_logged = float("-inf")
        self._unlogged = 0

    def record(self, error: Exception) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last_logged < LOG_INTERVAL_SECONDS:
                self._unlogged += 1
                return
            unlogged, self._unlogged = self._unlogged, 0
            self._last_logged = now
        logger.error(
            "warehouse unavailable on %s %s: %s (%d more failures since the "
            "previous report)",
            request.method,
            request.path,
            describe_error(error),
            unlogged,
        )


def describe_error(error: Exception) -> str:
    """Return the error's type and first line, without SQL or bound parameters."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    lines = str(cause).strip().splitlines() or [""]
    return f"{type(cause).__name__}: {lines[0]}"


def install_outage_handlers(server: Flask) -> None:
    """Register handlers that turn database connection errors into 503 responses."""
    outage_log = OutageLog()

    def unavailable(error: Exception):
        outage_log.record(error)
        response = _unavailable_response()
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response

    for error_class in UNAVAILABLE_ERRORS:
        server.register_error_handler(error_class, unavailable)


def _unavailable_response() -> Response:
    if request.path == "/login":
        form = LoginForm(formdata=None)
        page = render_template(
            "login.html",
            form=form,
            error=LOGIN_UNAVAILABLE_MESSAGE,
            next_path=request.values.get("next", ""),
            stylesheet=BOOTSTRAP_URL,
        )
        return Response(page, status=503, mimetype="text/html")
    if request.path.startswith("/_dash-"):
        response = jsonify({"error": ERROR_CODE, "message": UNAVAILABLE_MESSAGE})
        response.status_code = 503
        return response
    return Response(UNAVAILABLE_HTML, status=503, mimetype="text/html")
