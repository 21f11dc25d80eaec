"""Comments with an @mention, the notifications page and global search in a real Chromium, desktop and phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.publish import publish
from runtime.clock import utcnow
from runtime.metadata.loader import load_package
from runtime.records.comments import add_comment
from runtime.records.registry import SchemaRegistry
from runtime.records.service import RecordService
from runtime.security.users import create_user
from tests.e2e.harness import assert_healthy
from tests.e2e.harness import login
from tests.e2e.harness import screenshot

expect = pytest.importorskip("playwright.sync_api", reason="Python Playwright not installed").expect

pytestmark = pytest.mark.e2e

TEMPLATE = Path(__file__).resolve().parents[2] / "templates_store" / "crm_customers"
APP = "crm_customers"


@pytest.fixture
def crm(live_server):
    """The CRM with two accounts and contacts; Bob has mentioned Ann on the second account."""
    engine = live_server.engine
    publish(engine, load_package(TEMPLATE).source, author="e2e")
    with engine.begin() as conn:
        ann = 1
        bob = create_user(conn, "bob@example.com", "e2e-password", display_name="Bob Stone")
        service = RecordService(SchemaRegistry.from_connection(conn), language="en")
        acme = service.create(conn, APP, "account", {"name": "Acme Holdings", "city": "Shanghai",
                                                     "tier": "key"}, user_id=ann)["id"]
        northwind = service.create(conn, APP, "account", {"name": "Northwind Trading"}, user_id=ann)["id"]
        for name in ("Lily Acme-Chen", "Marco Rossi"):
            service.create(conn, APP, "contact", {"full_name": name, "account": acme}, user_id=ann)
        add_comment(conn, APP, "account", northwind, bob,
                    'Hi @"Ann Lee", can you check the <b>renewal</b> terms before Friday?', utcnow())
    return {"acme": acme, "northwind": northwind}


def test_comment_with_a_mention(page, live_server, crm):
    login(page, live_server)
    page.goto(f"/a/{APP}/account/{crm['acme']}")
    box = page.locator("#comment-body")
    box.click()
    box.press_sequentially("Let's meet them next week, @Bo", delay=15)
    option = page.locator(".mention-option").first
    expect(option).to_contain_text("Bob Stone")
    screenshot(page, "mention-menu")
    page.keyboard.press("Enter")
    expect(box).to_have_value('Let\'s meet them next week, @"Bob Stone" ')
    box.press_sequentially("can you book a room?\nThanks!", delay=5)
    with page.expect_navigation():
        page.get_by_test_id("comment-submit").click()

    comment = page.get_by_test_id("comment").last
    expect(comment.locator(".mention")).to_have_text("@Bob Stone")
    expect(comment).to_contain_text("can you book a room?")
    page.evaluate("window.scrollTo(0, 0)")  # the redirect lands on #comments; shoot the whole page from the top
    screenshot(page, "record-comments")
    assert_healthy(page)


def test_notifications_page(page, live_server, crm):
    login(page, live_server)
    if page.kind == "desktop":
        expect(page.get_by_test_id("bell-badge")).to_have_text("1")
        page.get_by_test_id("bell").click()
    else:
        page.get_by_test_id("bottom-me").click()
        expect(page.get_by_test_id("menu-notifications")).to_contain_text("1")
        screenshot(page, "me-menu")
        page.get_by_test_id("menu-notifications").click()
    expect(page).to_have_url(f"{live_server.url}/notifications")
    item = page.get_by_test_id("notification").first
    expect(item).to_contain_text("Bob Stone")
    expect(item).to_contain_text("mentioned you on")
    expect(item).to_contain_text("<b>renewal</b>")  # shown as text, not markup
    screenshot(page, "notifications")
    assert_healthy(page)

    page.get_by_test_id("mark-all-read").click()
    expect(page.locator(".notification.unread")).to_have_count(0)
    item.get_by_role("link", name="Northwind Trading").click()
    expect(page).to_have_url(f"{live_server.url}/a/{APP}/account/{crm['northwind']}#comments")
    expect(page.get_by_test_id("comment").first).to_contain_text("renewal")
    assert_healthy(page)


def test_global_search_and_recent(page, live_server, crm):
    login(page, live_server)
    for key in ("acme", "northwind"):
        page.goto(f"/a/{APP}/account/{crm[key]}")
    page.goto("/")
    expect(page.get_by_test_id("recent")).to_contain_text("Northwind Trading")
    screenshot(page, "launcher-recent")
    assert_healthy(page)

    if page.kind == "desktop":
        page.locator("#nav-search-q").fill("acme")
        page.keyboard.press("Enter")
    else:
        page.get_by_test_id("bottom-search").click()
        expect(page.get_by_test_id("search-hint")).to_be_visible()
        screenshot(page, "search-empty")
        page.locator("#search-q").fill("acme")
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("hits-account")).to_contain_text("Acme Holdings")
    expect(page.get_by_test_id("hits-contact")).to_contain_text("Lily Acme-Chen")
    screenshot(page, "search")
    assert_healthy(page)
