"""The Station workspace in a real browser: read the month, write a plan."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from data_access import action_plans as plans
from data_access.app_tables import audit_log
from data_access.scope import Scope
from tests.browser.conftest import log_in, screenshot
from tests.dashboard.station_helpers import seed_station_month

pytestmark = pytest.mark.browser

PROBLEM = "Burglaries of houses around the market at night"


@pytest.fixture
def station_warehouse(browser_warehouse, tmp_path):
    """Add the Station workspace incidents before the server starts."""
    seed_station_month(browser_warehouse, tmp_path)
    return browser_warehouse


def test_commander_reads_month_and_saves_plan(
    station_warehouse, live_server, browser_page
):
    page = browser_page
    log_in(page, live_server, "station")

    expect(page.locator("#station-month")).to_contain_text("2024-03")
    expect(page.locator("#station-compstat table")).to_contain_text("All categories")
    expect(page.locator("#station-compstat tbody tr").first).to_contain_text(
        "All categories165+11"
    )
    expect(page.locator("#station-map-note")).to_contain_text("15 incidents drawn")
    expect(page.locator("#station-map .scatterlayer .point").first).to_be_visible()

    page.click("#station-plan-create")
    expect(page.locator("#station-plan-status")).to_contain_text("draft")
    page.fill("#station-priority-problem", PROBLEM)
    page.locator("#station-map .scatterlayer .point").last.click(force=True)
    expect(page.locator("#station-priority-area-note")).to_contain_text("grid cell")
    page.fill("[id*='station-response-action']", "Evening patrols, 15 minutes")
    page.fill("[id*='station-response-owner']", "Sgt. Joseph")
    page.click("#station-priority-save")

    expect(page.locator("#station-plan-view")).to_contain_text(PROBLEM)
    expect(page.locator("#station-plan-message")).to_contain_text("Priority saved")
    screenshot(page, "station-workspace-plan")
    plan = plans.find_plan(station_warehouse, Scope.everything(), "LCA", "CAS", 202404)
    assert plan.priorities[0].problem == PROBLEM
    assert plan.priorities[0].responses[0].owner == "Sgt. Joseph"
    assert page.errors == []


def test_commander_cannot_open_other_station(
    station_warehouse, live_server, browser_page
):
    page = browser_page
    log_in(page, live_server, "station")
    admin = plans.Actor("admin", "administrator", Scope(None))
    plan = plans.create_plan(station_warehouse, admin, "LCA", "GRI", 202404)

    workspace = page.goto(f"{live_server}/station?country=LCA&station=GRI")
    pdf = page.request.get(f"{live_server}/station/plan/{plan.id}/pdf")

    assert workspace.status == 403
    assert "Gros Islet" not in page.content()
    assert pdf.status == 403
    with station_warehouse.connect() as connection:
        refusals = connection.execute(
            select(audit_log.c.username, audit_log.c.detail).where(
                audit_log.c.action == "refused"
            )
        ).all()
    assert [row.username for row in refusals] == ["station", "station"]
    assert "station 'GRI' is outside" in refusals[0].detail
