"""What a user sees in Chromium while the warehouse is unreachable, and after.

The app reaches PostgreSQL through a TCP proxy that the test cuts, or its SQLite
file is moved aside (``tests.dashboard.outage_helpers``). Chromium and Dash log
each 503 response as a console error; those are expected, and no other error may
appear.
"""

from __future__ import annotations

import threading
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.outage import LOGIN_UNAVAILABLE_MESSAGE
from layouts.shell import WAREHOUSE_UNAVAILABLE_MESSAGE
from tests.browser.conftest import log_in, screenshot
from tests.dashboard.helpers import PASSWORD, make_settings
from tests.dashboard.outage_helpers import warehouse_switch

pytestmark = pytest.mark.browser

BANNER = "#shell-warehouse-banner"
# Chromium's message for a 503 response, and Dash's for a callback that got one.
EXPECTED_ERRORS = ("status of 503", '"error":"warehouse_unavailable"')


@pytest.fixture
def outage_server(browser_warehouse, database_url, tmp_path):
    """Yield ``(base URL, switch)`` of a live app whose warehouse can be cut."""
    browser_warehouse.dispose()
    with warehouse_switch(database_url) as (app_url, switch):
        app = create_app(make_settings(app_url, tmp_path))
        server = make_server("127.0.0.1", 0, app.server, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}", switch
        switch.restore()
        server.shutdown()
        thread.join()
        app.server.config["CRIMEDASH_ENGINE"].dispose()


def _unexpected_errors(page) -> list[str]:
    return [
        error
        for error in page.errors
        if not any(expected in error for expected in EXPECTED_ERRORS)
    ]


def test_banner_shows_and_clears(outage_server, browser_page):
    base, switch = outage_server
    page = browser_page
    log_in(page, base, "analyst")
    expect(page.locator("h1")).to_have_text("Strategy")
    expect(page.locator(BANNER)).to_be_hidden()

    switch.cut()
    page.get_by_role("link", name="Station workspace").click()

    expect(page.locator(BANNER)).to_be_visible()
    expect(page.locator(BANNER)).to_contain_text(WAREHOUSE_UNAVAILABLE_MESSAGE)
    expect(page.locator("#station-compstat")).to_have_count(0)
    screenshot(page, "warehouse-unavailable-banner")

    switch.restore()
    page.get_by_role("link", name="Strategy").click()
    expect(page.locator(BANNER)).to_be_hidden()
    page.get_by_role("link", name="Station workspace").click()

    expect(page.locator("h1")).to_have_text("Station workspace")
    expect(page.locator(BANNER)).to_be_hidden()
    assert urlparse(page.url).path == "/station"
    assert _unexpected_errors(page) == []


def test_page_load_shows_unavailable_page(outage_server, browser_page):
    base, switch = outage_server
    page = browser_page
    log_in(page, base, "analyst")

    switch.cut()
    response = page.goto(f"{base}/strategy")

    assert response.status == 503
    expect(page.locator("h1")).to_have_text("Warehouse unavailable")
    expect(page.locator(".alert")).to_have_text(WAREHOUSE_UNAVAILABLE_MESSAGE)
    screenshot(page, "warehouse-unavailable-page")

    switch.restore()
    response = page.goto(f"{base}/strategy")

    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Strategy")
    assert _unexpected_errors(page) == []


def test_login_says_service_unavailable(outage_server, browser_page):
    base, switch = outage_server
    page = browser_page

    switch.cut()
    page.goto(f"{base}/login")
    page.fill("#username", "analyst")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")

    expect(page.locator(".alert")).to_have_text(LOGIN_UNAVAILABLE_MESSAGE)
    screenshot(page, "warehouse-unavailable-login")
    assert _unexpected_errors(page) == []
