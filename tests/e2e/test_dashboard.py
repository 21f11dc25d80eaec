"""The demo dashboard in a real Chromium, at desktop size and at 390 px: the launcher links to it,
every chart draws onto a canvas, the number shows, nothing logs an error, the phone gets one column,
and a widget's title opens its report page."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.publish import publish
from builder.sample_load import install_sample_data
from runtime.metadata.loader import load_package
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import login
from tests.e2e.harness import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e

TEMPLATE = Path(__file__).resolve().parents[2] / "templates_store" / "crm_customers"
DRAWN = 3  # revenue_by_tier (bar), accounts_by_industry (pie), interactions_per_week (line)


def test_the_demo_dashboard_draws_its_charts(page, live_server):
    package = load_package(TEMPLATE)
    publish(live_server.engine, package.source, author="e2e")
    install_sample_data(live_server.engine, "crm_customers", package.data, None)
    login(page, live_server)

    page.get_by_test_id("dashboard-link").first.click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Customer overview")
    widgets = page.get_by_test_id("widget")
    expect(widgets).to_have_count(4)
    expect(page.get_by_test_id("report-number").locator(".report-figure")).to_have_text("25")
    charts = page.get_by_test_id("chart")
    expect(charts).to_have_count(DRAWN)
    for i in range(DRAWN):
        expect(charts.nth(i).locator("canvas").first).to_be_visible()
        assert charts.nth(i).bounding_box()["height"] > 200

    first, second = widgets.nth(0).bounding_box(), widgets.nth(1).bounding_box()
    if page.kind == "phone":  # one column: each widget under the one before, as wide as the page allows
        assert second["y"] >= first["y"] + first["height"] and first["width"] > 330
    else:  # the number (4 of 12) and the bars (8 of 12) side by side
        assert abs(second["y"] - first["y"]) < 2 and second["x"] > first["x"] + first["width"]
    charts.nth(0).scroll_into_view_if_needed()
    screenshot(page, "dashboard")
    assert_healthy(page)

    widgets.nth(1).get_by_role("link", name="Annual revenue by tier").click()  # the report on its own page
    expect(page.get_by_test_id("report-title")).to_have_text("Annual revenue by tier")
    expect(page.get_by_test_id("chart").locator("canvas").first).to_be_visible()
    expect(page.locator("details.report-data tbody tr")).to_have_count(3)  # its numbers, one row per tier
    screenshot(page, "report")
    assert_healthy(page)
