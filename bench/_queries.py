"""Find the warehouse reads behind each callback, then time them directly.

``QueryRecorder`` watches one callback run in this process (through Flask's test
client) with ``sys.setprofile``. It records, with their arguments, the calls made
from outside ``data_access`` into a public function of a ``data_access`` module
that takes the engine as its first argument. ``time_call`` then calls each
distinct read again, without the app, and times it. The recorder looks through
a ``cached_read`` wrapper, so the call recorded is the query function it wraps.
"""

from __future__ import annotations

import dataclasses
import inspect
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _callbacks import CALLBACK_PATH
from _common import has_query_cache_setting
from _pages import request_body
from _profile import profile_post
from sqlalchemy import Engine

import data_access
from dashboard.app import create_app
from dashboard.config import Settings
from data_access import cache
from data_access.scope import Scope

DATA_ACCESS_DIR = str(Path(data_access.__file__).parent)
CACHE_FILE = cache.__file__
# Functions that write; a benchmark must not call them again.
WRITES = frozenset({"data_access.audit.record"})


@dataclass
class QueryCall:
    """One call into ``data_access``: the function and its arguments.

    Attributes
    ----------
    name
        ``module.function``.
    callers
        Labels of the callbacks that made this call.
    """

    name: str
    function: object
    args: tuple
    kwargs: dict
    callers: list[str] = field(default_factory=list)

    def key(self) -> str:
        return f"{self.name}{self.args!r}{sorted(self.kwargs.items())!r}"

    def describe(self) -> str:
        """Return the call with its arguments, leaving out engine and scope."""
        shown = [
            _short(value)
            for value in self.args
            if not isinstance(value, (Engine, Scope))
        ]
        shown += [f"{name}={_short(value)}" for name, value in self.kwargs.items()]
        short_name = self.name.removeprefix("data_access.")
        return f"{short_name}({', '.join(shown)})"


def _short(value) -> str:
    """Return a short text of an argument: station codes, changed fields only."""
    if hasattr(value, "code") and hasattr(value, "country_code"):
        return f"{value.country_code}/{value.code}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = [
            f"{item.name}={getattr(value, item.name)!r}"
            for item in dataclasses.fields(value)
            if item.default is dataclasses.MISSING
            or getattr(value, item.name) != item.default
        ]
        return f"{type(value).__name__}({', '.join(changed)})"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _in_data_access(filename: str) -> bool:
    return filename.startswith(DATA_ACCESS_DIR)


class QueryRecorder:
    """Record the calls into ``data_access`` made while the recorder is active."""

    def __init__(self):
        self.calls: list[QueryCall] = []

    def __enter__(self):
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc_info):
        sys.setprofile(None)

    def _profile(self, frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        filename = code.co_filename
        if not _in_data_access(filename) or filename == CACHE_FILE:
            return
        if code.co_name.startswith(("_", "<")) or not _called_from_outside(frame):
            return
        function = frame.f_globals.get(code.co_name)
        if (
            function is None
            or getattr(inspect.unwrap(function), "__code__", None) is not code
        ):
            return  # a method or a nested function
        name = f"{frame.f_globals['__name__']}.{code.co_name}"
        args, kwargs = _arguments(frame)
        if name in WRITES or not (args and isinstance(args[0], Engine)):
            return  # a write, or a helper that reads nothing
        self.calls.append(QueryCall(name, function, args, kwargs))


def _called_from_outside(frame) -> bool:
    """Return True when the nearest caller outside the cache is not data_access."""
    caller = frame.f_back
    while caller is not None and caller.f_code.co_filename == CACHE_FILE:
        caller = caller.f_back
    return caller is None or not _in_data_access(caller.f_code.co_filename)


def _arguments(frame) -> tuple[tuple, dict]:
    info = inspect.getargvalues(frame)
    args = tuple(info.locals[name] for name in info.args)
    if info.varargs:
        args += tuple(info.locals[info.varargs])
    kwargs = dict(info.locals[info.keywords]) if info.keywords else {}
    return args, kwargs


def distinct_calls(recorded: dict[str, list[QueryCall]]) -> list[QueryCall]:
    """Merge the calls recorded per callback label into distinct calls."""
    merged: dict[str, QueryCall] = {}
    for label, calls in recorded.items():
        for call in calls:
            kept = merged.setdefault(call.key(), call)
            if label not in kept.callers:
                kept.callers.append(label)
    return list(merged.values())


def time_call(call: QueryCall, repeat: int) -> list[float]:
    """Make ``call`` again ``repeat`` times after one warm-up; return times in ms."""
    call.function(*call.args, **call.kwargs)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call.function(*call.args, **call.kwargs)
        times.append((time.perf_counter() - started) * 1000)
    return times


def record_calls(url: str, cases_by_page: dict, credentials: dict, profiled=()):
    """Post every case once through Flask's test client and record its reads.

    Parameters
    ----------
    url
        Warehouse URL.
    cases_by_page
        The ``_pages.Case`` list of each page.
    credentials
        ``(username, password)`` of the account that reads each page.
    profiled
        Labels of the cases to post once more under ``cProfile``.

    Returns
    -------
    tuple
        The app, whose engine the recorded calls use, the calls recorded for
        each case label, and the profile report of each profiled label.
    """
    settings = Settings(
        database_url=url,
        data_dir=Path(tempfile.mkdtemp(prefix="crimedash_bench_")),
        secret_key=secrets.token_hex(32),
    )
    if has_query_cache_setting():
        settings = dataclasses.replace(settings, query_cache=False)
        app = create_app(settings)
    else:
        app = create_app(settings)
        cache.install(None)
    recorded, profiles = {}, {}
    for page, cases in cases_by_page.items():
        client = app.server.test_client()
        _log_in(client, *credentials[page])
        dependencies = client.get("/_dash-dependencies").get_json()
        for case in cases:
            body = request_body(dependencies, case)
            client.post(CALLBACK_PATH, json=body)  # imports and the app's caches
            with QueryRecorder() as recorder:
                client.post(CALLBACK_PATH, json=body)
            recorded[case.label] = recorder.calls
            if case.label in profiled:
                profiles[case.label] = profile_post(client, CALLBACK_PATH, body)
    return app, recorded, profiles


def _log_in(client, username: str, password: str) -> None:
    form = client.get("/login").get_data(as_text=True)
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": username, "password": password},
    )
    if response.status_code != 302:
        raise RuntimeError(f"login of {username!r} failed: HTTP {response.status_code}")
