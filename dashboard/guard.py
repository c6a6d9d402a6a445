"""Access control in front of every route: login, page roles and callback owners.

One ``before_request`` hook checks every request before Dash handles it:

- ``/login``, ``/assets/...``, ``/_dash-component-suites/...`` and the favicon are
  public;
- logged out, a page GET is redirected to ``/login`` and anything else, such as
  ``/_dash-layout`` or a callback POST, gets 401 with no layout and no data;
- logged in, a page the role may not open gets a plain 403 page, and a callback POST
  whose outputs belong to such a page gets 403 with no data. Both are audited.

Inside a permitted callback, ``scoped_callback`` (in ``callbacks.context``) refuses
requests outside the user's scope.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import Flask, Response, redirect, request
from flask_login import current_user

from callbacks.context import audit_out_of_scope, get_engine
from dashboard.auth import end_current_session, session_expired
from dashboard.config import Settings
from data_access import audit
from data_access.app_tables import SESSION_ENDED_BY_EXPIRY
from data_access.scope import OutOfScope
from layouts.registry import Page, PageRegistry

logger = logging.getLogger(__name__)

PUBLIC_PATHS = frozenset({"/login", "/favicon.ico", "/_favicon.ico"})
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
CALLBACK_PATH = "/_dash-update-component"
# URL rules of Dash's index and catch-all views, which serve every page path.
PAGE_RULES = frozenset({"/", "/<path:path>"})

NOT_ALLOWED_HTML = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<title>Not allowed</title></head><body><h1>Not allowed</h1>"
    "<p>Your role may not open this page. <a href='/'>Go to your start page</a>."
    "</p></body></html>"
)


def install_guards(
    server: Flask,
    registry: PageRegistry,
    settings: Settings,
    callback_pages: dict[str, Page | None],
) -> None:
    """Add the access hook and the ``OutOfScope`` handler to ``server``.

    Parameters
    ----------
    callback_pages
        Maps each Dash callback key (its output string) to the page that owns it,
        or to ``None`` for callbacks of the shell, which every user may run.
    """

    def guard():
        return _check_request(registry, settings, callback_pages)

    server.before_request(guard)
    server.register_error_handler(OutOfScope, _out_of_scope)
    server.register_error_handler(403, _forbidden)


def _check_request(registry, settings, callback_pages):
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    if current_user.is_authenticated and session_expired(settings):
        logger.info("session of user %s expired", current_user.username)
        end_current_session(SESSION_ENDED_BY_EXPIRY)
    if not current_user.is_authenticated:
        return _login_required(path)
    if path == CALLBACK_PATH:
        return _check_callback(callback_pages)
    if _is_page_request():
        return _check_page(registry, path)
    return None


def _is_page_request() -> bool:
    return request.url_rule is not None and request.url_rule.rule in PAGE_RULES


def _login_required(path: str):
    # Only page loads are sent to the form: a redirected sub-resource request
    # would render the form and set a cookie that races the user's own login.
    if request.method == "GET" and _is_page_request():
        return redirect(f"/login?next={quote(path)}")
    return Response("Login required.", status=401, mimetype="text/plain")


def _check_page(registry: PageRegistry, path: str):
    if path == "/":
        return redirect(registry.landing_path(current_user.role))
    page = registry.page_for_path(path)
    if page is None:
        return Response("No such page.", status=404, mimetype="text/plain")
    if not page.allows(current_user.role):
        _refuse(path, f"page not allowed for role {current_user.role}")
        return Response(NOT_ALLOWED_HTML, status=403, mimetype="text/html")
    return None


def _check_callback(callback_pages: dict[str, Page | None]):
    body = request.get_json(silent=True)
    key = body.get("output") if isinstance(body, dict) else None
    if not isinstance(key, str) or key not in callback_pages:
        _refuse(CALLBACK_PATH, f"unknown callback {str(key)[:200]!r}")
        return Response("Not allowed.", status=403, mimetype="text/plain")
    page = callback_pages[key]
    if page is not None and not page.allows(current_user.role):
        _refuse(
            CALLBACK_PATH,
            f"callback {key!r} of page {page.path} not allowed for role "
            f"{current_user.role}",
        )
        return Response("Not allowed.", status=403, mimetype="text/plain")
    return None


def _refuse(target: str, detail: str) -> None:
    logger.warning("rejected %s for user %s: %s", target, current_user.username, detail)
    audit.record(
        get_engine(),
        current_user.username,
        audit.REFUSED,
        object=target,
        detail=detail,
        remote_addr=request.remote_addr,
    )


def _forbidden(_error):
    return Response("Not allowed.", status=403, mimetype="text/plain")


def _out_of_scope(error: OutOfScope):
    # Reached when an OutOfScope escapes a view that does not use scoped_callback.
    audit_out_of_scope(error)
    return Response("Not allowed.", status=403, mimetype="text/plain")
