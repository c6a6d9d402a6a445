"""Responses to requests whose values the server cannot use.

Callback inputs and export parameters come from the browser, and anyone logged in
can send any JSON. A value of the wrong type or out of range (a month of
``"abc"``, a list where a code is expected, a year of 10**18) raises
``ValueError``, ``TypeError``, ``LookupError`` or ``OverflowError`` in the
analysis, or a ``DataError`` from the database. The handler
added here turns those into a 400 response with a short message and one log line,
instead of a 500 with a traceback in the log. JSON nested too deeply to parse is
answered the same way.

Every response also carries headers that keep other sites from framing the pages
and browsers from guessing content types, and request bodies are capped in size.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DataError

logger = logging.getLogger(__name__)

INVALID_REQUEST_MESSAGE = (
    "The request has a value the dashboard cannot use. Reload the page and choose "
    "again from its controls."
)
ERROR_CODE = "invalid_request"
# Callback bodies are a few kilobytes; an action plan with a drawn area is the
# largest, well under this.
MAX_REQUEST_BYTES = 2 * 1024 * 1024
# DataError is the database rejecting a value, such as an id past 64 bits.
INVALID_VALUE_ERRORS = (
    ValueError,
    TypeError,
    LookupError,
    ArithmeticError,
    RecursionError,
    DataError,
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def install_bad_request_handlers(server: Flask) -> None:
    """Reject invalid values with 400, cap request bodies, add security headers."""
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    for error_class in INVALID_VALUE_ERRORS:
        server.register_error_handler(error_class, _invalid_value)
    server.after_request(_add_security_headers)


def _invalid_value(error: Exception) -> tuple[Response, int] | tuple[str, int, dict]:
    # The message names the value's type and the check that failed, never a
    # password: login forms are validated before any of this code runs.
    logger.warning(
        "rejected invalid value in %s %s: %s: %s",
        request.method,
        request.path,
        type(error).__name__,
        str(error)[:200],
    )
    if request.path.startswith("/_dash"):
        return jsonify(error=ERROR_CODE, message=INVALID_REQUEST_MESSAGE), 400
    return INVALID_REQUEST_MESSAGE, 400, {"Content-Type": "text/plain; charset=utf-8"}


def _add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
