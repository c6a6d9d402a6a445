"""Browser fixtures: the real app on a local port, Debian's Chromium, and login.

Reuse them for any page::

    @pytest.mark.browser
    def test_my_page(live_server, browser_page):
        log_in(browser_page, live_server, "analyst")
        browser_page.goto(f"{live_server}/strategy")
        ...
        assert browser_page.errors == []

``live_server`` serves a warehouse seeded by ``tests.dashboard.helpers`` (places,
monthly counts and one account per role, password ``PASSWORD``) on SQLite or on
PostgreSQL, following the ``database_url`` fixture. Add more rows with the
``browser_warehouse`` engine before the first request.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from dashboard.app import create_app
from tests.dashboard.helpers import PASSWORD, add_accounts, make_settings, seed_places

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
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
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def browser_warehouse(engine):
    """Return the test warehouse seeded with places and one account per role."""
    seed_places(engine)
    add_accounts(engine)
    return engine


@pytest.fixture
def live_server(browser_warehouse, database_url, tmp_path):
    """Serve the dashboard on a free 127.0.0.1 port and yield its base URL."""
    app = create_app(make_settings(database_url, tmp_path))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    app.server.config["CRIMEDASH_ENGINE"].dispose()


@pytest.fixture(scope="session")
def chromium():
    """Launch Debian's Chromium once per test session."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    """Return a fresh page whose ``errors`` list collects console errors.

    Every ``console.error`` message and uncaught page error is appended to
    ``page.errors``; a test asserts it is empty at the end.
    """
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.errors = []
    page.on(
        "console",
        lambda message: (
            page.errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD):
    """Log in through the login form and wait until the landing page has loaded.

    Waiting for the network to go idle lets lazily loaded component bundles
    finish, so that the next navigation does not cancel them.
    """
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#shell-navbar")
    page.wait_for_load_state("networkidle")


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot to ``tests/artifacts/NAME.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
