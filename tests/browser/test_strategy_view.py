"""The Strategy view in a real browser: read the country, drill into a station."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.dashboard.strategy_helpers import seed_strategy

pytestmark = pytest.mark.browser


@pytest.fixture
def strategy_warehouse(browser_warehouse):
    """Add the Strategy view rows before the server starts."""
    seed_strategy(browser_warehouse)
    return browser_warehouse


def test_commissioner_drills_into_station(
    strategy_warehouse, live_server, browser_page
):
    page = browser_page
    log_in(page, live_server, "commissioner")

    expect(page).to_have_url(re.compile(r"/strategy$"))
    expect(page.locator("#strategy-month")).to_contain_text("2024-03")
    expect(page.locator("#strategy-trend-flags")).to_contain_text(
        "March 2024: 25 incidents, above the expected 12"
    )
    expect(page.locator("#strategy-station-table")).to_contain_text("Castries")
    expect(page.locator("#strategy-quality-table")).to_contain_text("31 days or more")
    expect(page.locator("#strategy-people")).to_contain_text("aged 10 to 29")
    expect(page.locator("#strategy-station-map .scatterlayer").first).to_be_attached()
    screenshot(page, "strategy-view")

    page.locator("#strategy-station-table a", has_text="Castries").click()

    expect(page).to_have_url(re.compile(r"/station\?country=LCA&station=CAS$"))
    expect(page.locator("#station-station")).to_contain_text("Castries")
    expect(page.locator("#station-compstat table")).to_contain_text("All categories")
    screenshot(page, "strategy-drill-station")
    assert page.errors == []
