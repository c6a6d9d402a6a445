"""Bytes of a page's first load, as Debian's Chromium fetches it with an empty cache.

Each page opens in a new browser context that carries only the session cookie of
a logged-in ``requests`` session, and the page counts as loaded when the network
has been idle for 500 ms (Playwright's ``networkidle``). For each response the
script keeps the body as received (the transferred size, compressed if the
server compressed it), the decoded body, and the body compressed here with gzip
at level 6, the default of common web servers. Requests to any host other than
127.0.0.1 are aborted.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
GZIP_LEVEL = 6
LOAD_TIMEOUT_MS = 180_000


@dataclass
class Fetched:
    """One response of a first load.

    Attributes
    ----------
    kind
        ``html``, ``layout``, ``dependencies``, ``callback``, ``component suite``,
        ``script``, ``stylesheet`` or ``other``.
    raw
        Decoded body bytes.
    transferred
        Body bytes on the wire, as the browser received them.
    gzipped
        Body bytes after gzip at ``GZIP_LEVEL``.
    encoding
        The ``Content-Encoding`` header, empty when absent.
    """

    url: str
    kind: str
    raw: int
    transferred: int
    gzipped: int
    encoding: str


def kind_of(url: str, resource_type: str) -> str:
    """Return the group a URL belongs to in the first-load table."""
    path = urlparse(url).path
    if path.startswith("/_dash-layout"):
        return "layout"
    if path.startswith("/_dash-dependencies"):
        return "dependencies"
    if path.startswith("/_dash-update-component"):
        return "callback"
    if path.startswith("/_dash-component-suites"):
        return "component suite"
    if resource_type == "document":
        return "html"
    if resource_type == "script":
        return "script"
    if resource_type == "stylesheet":
        return "stylesheet"
    return "other"


def _local_only(route):
    if urlparse(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort()


def first_loads(base: str, sessions: dict[str, object], paths: dict[str, str]):
    """Load each page once with an empty cache; return its responses by page.

    Parameters
    ----------
    base
        Base URL of the running dashboard.
    sessions
        A logged-in ``requests.Session`` for each page name.
    paths
        The URL path of each page name.
    """
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            for page_name, path in paths.items():
                results[page_name] = _load(browser, base, sessions[page_name], path)
        finally:
            browser.close()
    return results


def _load(browser, base: str, session, path: str) -> list[Fetched]:
    context = browser.new_context()
    host = urlparse(base).hostname
    context.add_cookies(
        [
            {"name": cookie.name, "value": cookie.value, "domain": host, "path": "/"}
            for cookie in session.cookies
        ]
    )
    context.route("**/*", _local_only)
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    try:
        page.goto(f"{base}{path}", wait_until="networkidle", timeout=LOAD_TIMEOUT_MS)
        return [_fetched(request) for request in finished]
    finally:
        context.close()


def _fetched(request) -> Fetched:
    response = request.response()
    body = response.body() if response is not None else b""
    encoding = response.headers.get("content-encoding", "") if response else ""
    return Fetched(
        url=request.url,
        kind=kind_of(request.url, request.resource_type),
        raw=len(body),
        transferred=request.sizes()["responseBodySize"],
        gzipped=len(gzip.compress(body, compresslevel=GZIP_LEVEL)),
        encoding=encoding,
    )
