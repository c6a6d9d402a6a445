"""The shell in a real browser: login per role, navigation, offline assets."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TABLET, log_in, screenshot
from tests.dashboard.helpers import ACCOUNTS, EXPECTED_PAGES, LANDING

pytestmark = pytest.mark.browser

TITLES = {
    "/station": "Station workspace",
    "/strategy": "Strategy",
    "/indicators": "Indicators",
    "/regional": "Regional comparison",
    "/admin": "Administration",
}
# Bootstrap 5.3's navbar with the dark background utility: --bs-dark is #212529.
NAVBAR_DARK = "rgb(33, 37, 41)"


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_role_lands_with_its_navigation(live_server, browser_page, username):
    page = browser_page

    log_in(page, live_server, username)

    assert urlparse(page.url).path == LANDING[username]
    links = page.locator("#shell-navbar .nav-link")
    expected = [TITLES[path] for path in EXPECTED_PAGES[username]]
    expect(links).to_have_text(expected)
    expect(page.locator("h1")).to_have_text(TITLES[LANDING[username]])
    expect(page.locator("#shell-navbar")).to_contain_text(username.title())
    screenshot(page, f"landing-{username}")
    assert page.errors == []


def test_station_commander_sees_counts(live_server, browser_page):
    page = browser_page
    log_in(page, live_server, "station")

    table = page.locator("#station-compstat table")

    # The seeded rollups end in February 2024: 4 incidents against 6 in January.
    expect(table).to_contain_text("All categories")
    expect(table.locator("tbody tr").first).to_contain_text("All categories46-2")
    screenshot(page, "station-summary")
    assert page.errors == []


def test_forbidden_page_shows_not_allowed(live_server, browser_page):
    page = browser_page
    log_in(page, live_server, "ministry")

    response = page.goto(f"{live_server}/admin")

    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")


def test_logout_returns_to_login(live_server, browser_page):
    page = browser_page
    log_in(page, live_server, "analyst")

    page.click("#shell-navbar button[type=submit]")

    page.wait_for_url(f"{live_server}/login")
    page.goto(f"{live_server}/strategy")
    assert urlparse(page.url).path == "/login"
    assert page.errors == []


def test_copied_cookies_end_at_logout(live_server, browser_page, chromium):
    page = browser_page
    log_in(page, live_server, "analyst")
    other = chromium.new_context()
    other.add_cookies(page.context.cookies())
    copy = other.new_page()

    try:
        copy.goto(f"{live_server}/strategy")
        copy.wait_for_selector("#shell-navbar")
        assert urlparse(copy.url).path == "/strategy"

        page.click("#shell-navbar button[type=submit]")
        page.wait_for_url(f"{live_server}/login")
        copy.goto(f"{live_server}/strategy")

        assert urlparse(copy.url).path == "/login"
    finally:
        other.close()
    assert page.errors == []


def test_tablet_menu_opens_navigation(live_server, browser_page):
    page = browser_page
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "admin")
    links = page.locator("#shell-navbar .nav-link")
    expect(links.first).to_be_hidden()

    page.click("#shell-navbar-toggler")

    expect(links.first).to_be_visible()
    screenshot(page, "tablet-admin-menu")
    assert page.errors == []


def test_pages_load_without_internet(live_server, browser_page):
    page = browser_page
    host = urlparse(live_server).netloc
    blocked, failed = [], []

    def only_local(route):
        if urlparse(route.request.url).netloc == host:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on(
        "requestfailed", lambda request: failed.append((request.url, request.failure))
    )
    page.on(
        "response",
        lambda response: (
            failed.append(response.url) if response.status >= 400 else None
        ),
    )
    log_in(page, live_server, "admin")

    for path, title in TITLES.items():
        page.goto(f"{live_server}{path}")
        expect(page.locator("h1")).to_have_text(title)
        # Let lazily loaded component bundles finish before the next navigation
        # cancels them.
        page.wait_for_load_state("networkidle")
        navbar = page.locator("#shell-navbar")
        assert navbar.evaluate("e => getComputedStyle(e).backgroundColor") == (
            NAVBAR_DARK
        )
        assert navbar.evaluate("e => getComputedStyle(e).display") == "flex"
        screenshot(page, f"offline{path.replace('/', '-')}")

    assert blocked == []
    assert failed == []
    assert page.errors == []
