"""Sharing a record from its page in a real Chromium, desktop and phone: share, see it listed, unshare."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from runtime.records.registry import SchemaRegistry
from runtime.security.guarded import records_for
from runtime.storage.system import users
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import login
from tests.e2e.harness import screenshot
from tests.runtime.security.permissions_app import PASSWORD
from tests.runtime.security.permissions_app import install

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def deal(live_server):
    """rep_east's deal; rep_west has a long name, to see it wrap on a phone."""
    people = install(live_server.engine)
    with live_server.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == people["rep_west"])
                     .values(display_name="Wilhelmina Westergaard-Oppenheimer (West region)"))
        service = records_for(conn, SchemaRegistry.from_connection(conn), people["admin"])
        return service.create(conn, "sales", "deal", {"title": "Harbour cranes", "amount": "1200",
                                                      "owner": people["rep_east"]}, people["admin"])["id"]


def test_share_and_unshare_from_the_record_page(page, live_server, deal):
    login(page, live_server, "rep_east@example.com", PASSWORD)
    page.goto(f"/a/sales/deal/{deal}")
    card = page.get_by_test_id("sharing")
    expect(card.get_by_test_id("no-shares")).to_be_visible()
    page.select_option("#share-target", label="Wilhelmina Westergaard-Oppenheimer (West region)")
    page.select_option("#share-access", "edit")
    with page.expect_navigation():
        card.get_by_test_id("share-submit").click()
    shared = page.get_by_test_id("share")
    expect(shared).to_contain_text("Wilhelmina Westergaard-Oppenheimer")
    expect(shared).to_contain_text("Can edit")
    page.select_option("#share-target", label="West")
    with page.expect_navigation():
        page.get_by_test_id("share-submit").click()
    expect(page.get_by_test_id("share")).to_have_count(2)
    page.get_by_test_id("sharing").scroll_into_view_if_needed()
    screenshot(page, "record-sharing")
    assert_healthy(page)
    with page.expect_navigation():
        page.get_by_test_id("unshare").first.click()
    expect(page.get_by_test_id("share")).to_have_count(1)
    expect(page.get_by_test_id("share")).to_contain_text("West")
    assert_healthy(page)
