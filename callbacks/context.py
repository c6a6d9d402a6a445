"""What a callback knows about its request: the engine, the user and the scope.

Every callback of a page is wrapped in ``scoped_callback``. The wrapper builds the
``Scope`` from the logged-in account on the server, never from the browser's inputs,
passes it as the first argument, and turns an ``OutOfScope`` raised by
``data_access`` into an audited 403 response with no data. The app factory refuses
to start when a page callback lacks the wrapper.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import Engine

from data_access import audit
from data_access.scope import OutOfScope, Scope
from data_access.stations import list_countries
from data_access.users import UserRecord, scope_for_record
from layouts.registry import PageContext
from layouts.shell import ROLE_LABELS, describe_scope

logger = logging.getLogger(__name__)

# Keys of the Flask configuration where the app factory keeps shared objects.
ENGINE_KEY = "CRIMEDASH_ENGINE"
SETTINGS_KEY = "CRIMEDASH_SETTINGS"
REGISTRY_KEY = "CRIMEDASH_REGISTRY"
QUERY_CACHE_KEY = "CRIMEDASH_QUERY_CACHE"

# Attribute that marks a function wrapped by ``scoped_callback``.
SCOPED_MARK = "__crimedash_scoped__"


def get_engine() -> Engine:
    """Return the warehouse engine of the running app."""
    return current_app.config[ENGINE_KEY]


def current_record() -> UserRecord:
    """Return the account of the logged-in user.

    Raises
    ------
    werkzeug.exceptions.Unauthorized
        If nobody is logged in; the login guard normally answers first.
    """
    if not current_user.is_authenticated:
        abort(401)
    return current_user.record


def current_scope() -> Scope:
    """Return the scope of the logged-in user."""
    return scope_for_record(current_record())


def page_context(engine: Engine, user: UserRecord) -> PageContext:
    """Return the ``PageContext`` layouts receive for ``user``."""
    scope = scope_for_record(user)
    countries = tuple(list_countries(engine, scope))
    return PageContext(
        display_name=user.display_name,
        role=user.role,
        role_label=ROLE_LABELS.get(user.role, user.role),
        scope=scope,
        scope_label=describe_scope(scope, dict(countries)),
        countries=countries,
    )


def audit_out_of_scope(error: OutOfScope) -> None:
    """Log and audit a request refused because it is outside the user's scope."""
    username = getattr(current_user, "username", None)
    logger.warning("rejected out-of-scope request by %s: %s", username, error)
    audit.record(
        get_engine(),
        username,
        audit.REFUSED,
        object=request.path,
        detail=f"out of scope: {error}",
        remote_addr=request.remote_addr,
    )


def scoped_callback(function: Callable) -> Callable:
    """Wrap a callback so it receives the user's ``Scope`` as first argument.

    Use it under ``app.callback``::

        @app.callback(Output(ids.SUMMARY, "children"), Input(ids.STATION, "value"))
        @scoped_callback
        def show_summary(scope, station_code):
            return ...station_summary(get_engine(), scope, station_code, ...)

    An ``OutOfScope`` raised inside becomes an audited 403 response with no data.
    """

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        scope = current_scope()
        try:
            return function(scope, *args, **kwargs)
        except OutOfScope as error:
            audit_out_of_scope(error)
            abort(403)

    setattr(wrapper, SCOPED_MARK, True)
    return wrapper


def is_scoped(function: Callable) -> bool:
    """Return whether ``function`` or a function it wraps has ``scoped_callback``."""
    while function is not None:
        if getattr(function, SCOPED_MARK, False):
            return True
        function = getattr(function, "__wrapped__", None)
    return False
