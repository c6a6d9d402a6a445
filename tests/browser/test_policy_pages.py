"""The Policy indicators and Regional comparison pages in a real browser."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.dashboard.policy_helpers import seed_policy

pytestmark = pytest.mark.browser

COUNTRY_NAMES = (
    "Antigua and Barbuda",
    "Barbados",
    "Grenada",
    "Guyana",
    "St Kitts and Nevis",
    "Saint Lucia",
    "St Vincent and the Grenadines",
    "Suriname",
)


@pytest.fixture
def policy_warehouse(browser_warehouse):
    """Add the yearly counts of the eight countries before the server starts."""
    seed_policy(browser_warehouse)
    return browser_warehouse


def test_ministry_reads_and_downloads_excel(
    policy_warehouse, live_server, browser_page
):
    page = browser_page
    log_in(page, live_server, "ministry")

    expect(page).to_have_url(f"{live_server}/indicators")
    sections = page.locator("#indicators-sections-table")
    expect(sections).to_contain_text("Acts against property only")
    expect(sections).to_contain_text("173.3 (260)")
    expect(page.locator("#indicators-sdg")).to_contain_text("SDG 16.1.1")
    expect(page.locator("#indicators-areas")).to_contain_text("LC-04")
    with page.expect_download() as download_info:
        page.click("#indicators-export-xlsx")
    download = download_info.value
    body = download.path().read_bytes()
    screenshot(page, "indicators-ministry")

    assert download.suggested_filename == "indicators-LCA-2019-2024.xlsx"
    book = load_workbook(io.BytesIO(body), read_only=True)
    assert book.sheetnames[0] == "metadata"
    assert "sections" in book.sheetnames
    assert page.errors == []


def test_observatory_sees_eight_countries(policy_warehouse, live_server, browser_page):
    page = browser_page
    log_in(page, live_server, "observatory")

    expect(page).to_have_url(f"{live_server}/regional")
    table = page.locator("#regional-rates-table")
    for name in COUNTRY_NAMES:
        expect(table).to_contain_text(name)
    # Guyana 2023: 23 homicides per 130,000 people, 75% of incidents mapped.
    expect(table.locator("tr", has_text="Guyana")).to_contain_text("17.7 (23) 75% ⚠")
    expect(page.locator("#regional-rates")).to_contain_text(
        "Mapping coverage below 90%"
    )
    expect(page.locator("#regional-homicide")).to_contain_text("vs")
    screenshot(page, "regional-observatory")

    rows = table.locator("tbody tr")
    assert rows.count() == 8
    assert page.errors == []
